"""Shared by the benchmark scripts: where results go, and the provenance stored with them."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from pftlib.book.provenance import record  # noqa: E402


def save(name: str, params: dict, rows: list[dict], wall_s: float, measured: Path = ROOT) -> Path:
    """Write ``results/<name>.json`` atomically: the measurements and what produced them
    (``measured`` is the checkout that ran, whose commit is recorded)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    partial = out.with_suffix(".json.partial")
    partial.write_text(json.dumps({"benchmark": name, "rows": rows, "provenance": record(measured, params, wall_s)},
                                  indent=1) + "\n")
    partial.replace(out)
    print(f"wrote {out.relative_to(ROOT)}")
    return out
