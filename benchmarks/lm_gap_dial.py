"""The gap dial on the language model, measured: online DPO's edge over a tuned DPO beside the
generation–verification gap in each setting.  Five seeds per setting, then two held-out seeds.

    .venv/bin/python benchmarks/lm_gap_dial.py          # about 70 minutes on 2 CPU cores

Each point is :func:`pftlib.llm.dial.dial_point` on the budgeted summary: SFT, the global reward
model and DPO each at the epochs the held-out rule chooses from {E, 2E} (:mod:`pftlib.llm.tuning`),
DPO 2x beside them, and Online DPO (SFT) judged by the chosen reward model and by the gold verifier.
The measured gap is the reward model's held-out agreement with the verifier minus DPO's implicit
reward's, on the same pairs.

Settings: the budgeted summary's eight, fixed before any was run (the budget verifier at horizons 1,
3, 5 and 8 with 2,500 pairs, and at horizon 8 with 500 and 1,000 pairs; its ROUGE-L verifier at
horizons 3 and 8); then the priced summary's four, added when it became the default task, fixed
before any of them ran (the priced verifier at horizons 1 and 8 with 2,500 pairs and at horizon 8
with 1,000; its ROUGE-L verifier at horizon 8).  Seeds
0-4, then 1000 and 1001, which no chapter default uses (seed * 100 + s with seed 0 gives 0-9).
Smaller than Chapter 4 (2,500 SFT examples, 200 held-out prompts, K = 8).  Nothing was tuned on
these results.  Points are appended to ``results/lm_gap_dial.points.jsonl`` as they finish, so an
interrupted run resumes; points already in ``results/lm_gap_dial.json`` are kept (with the commit
that measured them), so adding settings runs only the new ones.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from common import RESULTS, kept_from, save

from pftlib.llm.config import Setup
from pftlib.llm.dial import dial_point

SEEDS, HELD_OUT_SEEDS = (0, 1, 2, 3, 4), (1000, 1001)
SETTINGS = ([{"verifier": "budget", "horizon": h, "n_pairs": 2500} for h in (1, 3, 5, 8)]
            + [{"verifier": "budget", "horizon": 8, "n_pairs": n} for n in (500, 1000)]
            + [{"verifier": "budget-rouge", "horizon": h, "n_pairs": 2500} for h in (3, 8)]
            + [{"verifier": "priced", "horizon": h, "n_pairs": 2500} for h in (1, 8)]
            + [{"verifier": "priced", "horizon": 8, "n_pairs": 1000},
               {"verifier": "priced-rouge", "horizon": 8, "n_pairs": 2500}])
BASE = Setup(n_sft=2500, n_pairs=2500, n_eval=200, rm_epochs=6, rm_learning_rate=1e-3, k=8)


def main(seeds=SEEDS + HELD_OUT_SEEDS) -> None:
    start, rows = time.time(), []
    partial = RESULTS / "lm_gap_dial.points.jsonl"  # resume: points already measured are kept
    done = [json.loads(line) for line in partial.read_text().splitlines()] if partial.exists() else []
    saved = RESULTS / "lm_gap_dial.json"
    kept = json.loads(saved.read_text()) if saved.exists() else {"rows": [], "provenance": {}}
    done += kept["rows"]
    for seed in seeds:  # seed by seed, so that an interrupted run has every setting at the first seeds
        for s in SETTINGS:
            found = [r for r in done if {k: r[k] for k in s} == s and r["seed"] == seed]
            if found:
                rows.append(found[0])
                continue
            setup = replace(BASE, budget=s["horizon"], verifier=s["verifier"], n_pairs=s["n_pairs"])
            t = time.time()
            with tempfile.TemporaryDirectory() as work:
                row = {**s, **dial_point(setup, seed, Path(work)), "seconds": time.time() - t}
            rows.append(row)
            with partial.open("a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"{s} seed {seed}: edge {row['edge']:+.3f}, gold edge {row['gold edge']:+.3f}, "
                  f"gap {row['gap']:+.3f} ({row['agreement']:.3f} - {row['implicit agreement']:.3f}), "
                  f"epochs {row['chosen epochs']} ({row['seconds']:.0f} s)", flush=True)
    params = {"setup": {k: v for k, v in vars(BASE).items() if k != "task"}, "settings": SETTINGS,
              "seeds": list(SEEDS), "held-out seeds": list(HELD_OUT_SEEDS)}
    if kept["rows"]:  # the kept points' sweep: its setup (it may predate the margin) and its commit
        params = {**params, "setup": kept["provenance"]["parameters"]["setup"],
                  "merged": {"kept from commit": kept_from(kept["provenance"]), "kept settings": sorted(
                      {json.dumps({k: r[k] for k in SETTINGS[0]}) for r in kept["rows"]})}}
    save("lm_gap_dial", params, rows, time.time() - start + sum(r["seconds"] for r in done))
    partial.unlink()


if __name__ == "__main__":
    main(*([tuple(int(s) for s in sys.argv[1].split(","))] if len(sys.argv) > 1 else []))
