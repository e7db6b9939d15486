"""The gap dial on the language model: online DPO's edge over DPO against the horizon and the
number of preference pairs, for the budget verifier (simple to learn) and for ROUGE-L against the
best summary of the document's own words (as hard as the generator).  Three seeds per point.

    .venv/bin/python benchmarks/lm_gap_dial.py          # about 40 minutes on 2 CPU cores

Each point is :func:`pftlib.llm.dial.dial_point` on the budgeted summary: SFT, the global reward
model, DPO, and Online DPO (SFT) judged by the learned reward model and by the gold verifier, all
evaluated by the gold verifier.  Horizons (the largest budget) 1, 3, 5, 8 at 2,500 pairs; pairs
500, 1,000, 2,500 at horizon 8.  Smaller than Chapter 4 (2,500 SFT examples, 200 held-out
prompts, K=8) to fit the sweep in a CPU session; nothing was tuned on these results.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import RESULTS, save

from pftlib.llm.config import Setup
from pftlib.llm.dial import dial_point

SEEDS = (0, 1, 2)
HORIZONS, PAIRS, DEFAULT_H, DEFAULT_PAIRS = (1, 3, 5, 8), (500, 1000, 2500), 8, 2500
VERIFIERS = ("budget", "budget-rouge")
BASE = Setup(n_sft=2500, n_pairs=DEFAULT_PAIRS, n_eval=200, rm_epochs=12, rm_learning_rate=1e-3, k=8)


def settings():
    for verifier in VERIFIERS:
        for h in HORIZONS:
            yield {"verifier": verifier, "horizon": h, "n_pairs": DEFAULT_PAIRS}
        for n in PAIRS:
            if n != DEFAULT_PAIRS:
                yield {"verifier": verifier, "horizon": DEFAULT_H, "n_pairs": n}


def main() -> None:
    start, rows = time.time(), []
    partial = RESULTS / "lm_gap_dial.points.jsonl"  # resume: points already measured are kept
    done = [json.loads(line) for line in partial.read_text().splitlines()] if partial.exists() else []
    for s in settings():
        setup = replace(BASE, budget=s["horizon"], verifier=s["verifier"], n_pairs=s["n_pairs"])
        for seed in SEEDS:
            found = [r for r in done if {k: r[k] for k in s} == s and r["seed"] == seed]
            if found:
                rows.append(found[0])
                continue
            t = time.time()
            with tempfile.TemporaryDirectory() as work:
                row = {**s, **dial_point(setup, seed, Path(work)), "seconds": time.time() - t}
            rows.append(row)
            with partial.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"{s} seed {seed}: edge {row['edge']:+.3f}, gold edge {row['gold edge']:+.3f}, "
                  f"agreement {row['agreement']:.3f} ({row['seconds']:.0f} s)", flush=True)
    params = {"setup": {k: v for k, v in vars(BASE).items() if k != "task"}, "seeds": list(SEEDS),
              "horizons": list(HORIZONS), "pairs": list(PAIRS), "verifiers": list(VERIFIERS)}
    save("lm_gap_dial", params, rows, time.time() - start + sum(r["seconds"] for r in done))
    partial.unlink()


if __name__ == "__main__":
    main()
