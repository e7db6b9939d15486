"""Checking or selecting?  The paper's online round under different judges, K and temperatures.

An online round keeps the best of K samples against the worst.  Best-vs-worst helps whatever the
judge is, so an online edge could come from *selection* (K, the sampling temperature) rather than
from *checking* (a verifier that is easier to learn than the policy).  One seed of this sweep
trains SFT, the tuned reward model and DPO, and the linear reward model on the task's simple
features (the paper's R_sim); then, for each temperature, it draws ``max(ks)`` samples per training
prompt from SFT *once*, and for every K (the first K of those samples, so that K changes nothing
else) and every judge (learned, gold, simple) trains one online round from SFT and evaluates it.
For each round it also records what the judge picked: how often its chosen summary is really the
better one, the verifier's margin between chosen and rejected, and their lengths.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import datasets

from ..tasks.summarize import parse_summary
from . import judges, trainers
from .config import Setup
from .linear_reward import fit_linear_reward
from .pipeline import Workspace, pair_accuracy, policy_metrics
from .policies import DPO, SFT, TUNED_DPO
from .preferences import best_vs_worst
from .rollout import sample_with_ends

JUDGES = ("learned RM", "gold verifier", "simple RM (linear)")


def picked(pairs: datasets.Dataset, gold) -> dict[str, float]:
    """What a round's judge picked: the gold accuracy of its pairs, the verifier's mean margin
    (chosen minus rejected), and the mean number of words of chosen and rejected summaries."""
    prompts = list(pairs["prompt"])
    chosen, rejected = gold(prompts, list(pairs["chosen"])), gold(prompts, list(pairs["rejected"]))
    words = {side: sum(len(parse_summary(c)) for c in pairs[side]) / len(pairs) for side in ("chosen", "rejected")}
    return {"pair accuracy": pair_accuracy(pairs, gold), "pairs": len(pairs),
            "gold margin": sum(c - r for c, r in zip(chosen, rejected)) / len(pairs),
            "chosen words": words["chosen"], "rejected words": words["rejected"]}


def selection_point(setup: Setup, seed: int, workdir: Path, ks: tuple[int, ...],
                    temperatures: tuple[float, ...]) -> list[dict]:
    """One seed of the sweep: a row per (temperature, K, judge), with the round's true reward and
    its edge over the tuned DPO (gold verifier, held-out prompts) and what its judge picked."""
    ws = Workspace(setup, seed, workdir)
    verdict = judges.from_spec("verifier", ws.source.verifier(), seed)
    gold = verdict.score
    rm = ws.train_offline(twice=False)
    scorers = dict(zip(JUDGES, (rm, gold, fit_linear_reward(ws.pairs, setup.task.features))))
    eval_prompts, references = ws.source.evaluation(setup.n_eval, seed)
    base = policy_metrics(ws, [SFT, DPO], verdict, eval_prompts, references)
    prompts, rows = list(ws.pairs["prompt"]), []
    for t in temperatures:
        samples, ended = sample_with_ends(ws.load(SFT), ws.tok, prompts, max(ks), t, ws.source.max_new_tokens, seed)
        for k in ks:
            for judge, score in scorers.items():
                pairs = best_vs_worst(prompts, [s[:k] for s in samples], score, [e[:k] for e in ended])
                trainers.dpo(ws.load(SFT), ws.load(SFT), ws.tok, pairs, ws.dir / "round", seed, **ws.trl("dpo"))
                reward = policy_metrics(ws, ["round"], verdict, eval_prompts, references)["round"]["true reward"]
                rows.append({"seed": seed, "temperature": t, "K": k, "judge": judge, "true reward": reward,
                             "edge": reward - base[DPO]["true reward"], SFT: base[SFT]["true reward"],
                             TUNED_DPO: base[DPO]["true reward"], **picked(pairs, gold)})
                shutil.rmtree(ws.dir / "round")
    return rows
