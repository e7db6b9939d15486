"""Shared by the benchmark scripts: where results go, and the provenance stored with them."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from pftlib.llm.cache import CACHE_ENV  # noqa: E402
from pftlib.provenance import commit, record  # noqa: E402

os.environ.setdefault(CACHE_ENV, str(ROOT / ".cache" / "pft"))  # SFT models shared with the chapters
# The code a benchmark runs is the code at its start: a long run must not record the commit (or
# the uncommitted edits) of whatever the checkout holds when it ends.
STARTED_AT = commit(ROOT)


def save(name: str, params: dict, rows: list[dict], wall_s: float, measured: Path = ROOT) -> Path:
    """Write ``results/<name>.json`` atomically: the measurements and what produced them
    (``measured`` is the checkout that ran; for this checkout, its commit when the run started)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    partial = out.with_suffix(".json.partial")
    provenance = record(measured, params, wall_s)
    if measured == ROOT:
        provenance["commit"] = STARTED_AT
    partial.write_text(json.dumps({"benchmark": name, "rows": rows, "provenance": provenance}, indent=1) + "\n")
    partial.replace(out)
    print(f"wrote {out.relative_to(ROOT)}")
    return out


def kept_from(provenance: dict) -> str:
    """The commit that measured the rows a merged run keeps from an earlier result: the earlier
    result's own ``kept from commit`` if it was itself merged, else its commit."""
    return provenance["parameters"].get("merged", {}).get("kept from commit", provenance["commit"])
