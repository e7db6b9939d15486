"""Checking or selecting: the paper's online round (Online DPO (SFT)) judged by the learned reward
model, by the gold verifier and by the simple linear reward model (R_sim), at K = 2, 8 and 25
samples per prompt and sampling temperatures 0.1 (the paper's) and 1.0.  Three seeds.

    .venv/bin/python benchmarks/online_selection.py          # about 20 minutes on 2 CPU cores

Each seed is :func:`pftlib.llm.selection.selection_point` on the book's default task (the priced
summary, as it became the default; the budgeted summary before) at the dial's default setting
(horizon 8, 2,500 pairs, 2,500 SFT examples, 200 held-out prompts): the samples of
each temperature are drawn once and every K takes the first K of them, so K changes nothing else.
The edge is over the tuned DPO of the same seed.  Three seeds (not five) to fit beside the dial in
one CPU session: the page states the rule's power.  Nothing was tuned on these results.  Seeds are
appended to ``results/online_selection.points.jsonl`` as they finish, so an interrupted run resumes.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from common import RESULTS, save
from lm_gap_dial import BASE

from pftlib.llm.selection import selection_point

SEEDS, KS, TEMPERATURES = (0, 1, 2), (2, 8, 25), (0.1, 1.0)


def main() -> None:
    start, rows = time.time(), []
    partial = RESULTS / "online_selection.points.jsonl"
    done = [json.loads(line) for line in partial.read_text().splitlines()] if partial.exists() else []
    seconds = sum(r["seconds"] for r in done if r["K"] == KS[0] and r["judge"] == "learned RM"
                  and r["temperature"] == TEMPERATURES[0])
    for seed in SEEDS:
        found = [r for r in done if r["seed"] == seed]
        if found:
            rows += found
            continue
        t = time.time()
        with tempfile.TemporaryDirectory() as work:
            point = selection_point(BASE, seed, Path(work), KS, TEMPERATURES)
        point = [{**r, "seconds": time.time() - t} for r in point]
        rows += point
        with partial.open("a") as f:
            f.writelines(json.dumps(r) + "\n" for r in point)
        for r in point:
            print(f"seed {seed} T={r['temperature']} K={r['K']} {r['judge']}: edge {r['edge']:+.3f}, pair accuracy "
                  f"{r['pair accuracy']:.3f}, gold margin {r['gold margin']:.3f}", flush=True)
    params = {"setup": {k: v for k, v in vars(BASE).items() if k != "task"}, "seeds": list(SEEDS), "ks": list(KS),
              "temperatures": list(TEMPERATURES)}
    save("online_selection", params, rows, time.time() - start + seconds)
    partial.unlink()


if __name__ == "__main__":
    main()
