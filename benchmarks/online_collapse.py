"""Why one online round with the *gold* judge collapses the coverage summary's greedy true reward.

    .venv/bin/python benchmarks/online_collapse.py          # about 5 minutes on 2 CPU cores

On the coverage summary (3-word budget), SFT, then one round of the paper's online DPO from SFT
judged by the gold verifier itself, at K = 4 and K = 25 samples per prompt, three seeds.  For SFT
and each round: the true reward of greedy and of sampled (temperature 1) summaries on held-out
prompts, split into the verifier's ingredients (coverage gain, repeated words, absent words, words
beyond the budget, per summary), and the lengths of the chosen and rejected summaries the round
trained on.  Chapter 4's defaults otherwise; nothing tuned.
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

from common import save

from pftlib.llm import judges
from pftlib.llm.config import Setup
from pftlib.llm.pipeline import Workspace

SEEDS, KS = (0, 1, 2), (4, 25)
SETUP = Setup(budget=3, verifier="coverage", n_sft=4000, n_pairs=2500, n_eval=300)


def ingredients(ws: Workspace, name: str, prompts: list[str], temperature: float) -> dict:
    """Mean true reward and mean verifier ingredients of one summary per prompt."""
    summaries = [s[0] for s in ws.generate(ws.load(name), prompts, 1, ws.seed, temperature=temperature)]
    task = ws.setup.task
    feats = [task.features(p, c) for p, c in zip(prompts, summaries)]
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    out = {"true reward": mean([task.score(p, c) for p, c in zip(prompts, summaries)]),
           "words": mean([len(c.split()) for c in summaries])}
    out.update({label: mean([f[i] for f in feats]) for i, label in enumerate(task.feature_names)})
    return out


def main() -> None:
    start, rows = time.time(), []
    for seed in SEEDS:
        with tempfile.TemporaryDirectory() as work:
            ws = Workspace(SETUP, seed, Path(work))
            gold = judges.from_spec("verifier", ws.source.verifier(), seed)
            ws.train_sft()
            prompts = ws.source.evaluation(SETUP.n_eval, seed)[0]
            names = {"SFT": None}
            for k in KS:
                ws.setup = replace(SETUP, k=k)  # the same SFT and prompts, K samples per prompt
                pairs = ws.online_round("SFT", gold.score, f"gold K={k}")
                names[f"gold K={k}"] = {side: dict(sorted(Counter(len(c.split()) for c in pairs[side]).items()))
                                        for side in ("chosen", "rejected")}
            for name, lengths in names.items():
                rows.append({"seed": seed, "policy": name, "pair lengths": lengths,
                             "greedy": ingredients(ws, name, prompts, 0.0),
                             "sampled": ingredients(ws, name, prompts, 1.0)})
                print(seed, name, {m: round(rows[-1][m]["true reward"], 3) for m in ("greedy", "sampled")}, flush=True)
    save("online_collapse", {"setup": {k: v for k, v in vars(SETUP).items() if k != "task"}, "task": vars(SETUP.task),
                             "seeds": list(SEEDS), "ks": list(KS)}, rows, time.time() - start)


if __name__ == "__main__":
    main()
