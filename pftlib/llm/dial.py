"""The gap dial on a trained transformer: Chapter 3's dial (horizon and sample size against
online's edge over DPO) with TRL's trainers instead of the exact engine.

One point of the dial is one seed of a short pipeline: SFT, the global reward model, DPO, and the
paper's Online DPO (SFT), judged once by the learned reward model and once by the gold verifier.
Its *edge* is the online policy's mean true reward minus DPO's, both judged by the gold verifier
on held-out prompts.  :func:`pftlib.report.verdicts.dial_table` turns points into a mean and sd per
setting, and calls each edge with the book's two-sd rule.
"""

from __future__ import annotations

from pathlib import Path

from . import judges
from .config import Setup
from .pipeline import Workspace, policy_metrics, rm_metrics
from .rewards import global_reward

LEARNED, GOLD = "Online DPO (SFT)", "Online DPO (SFT), gold judge"


def dial_point(setup: Setup, seed: int, workdir: Path) -> dict:
    """One seed at one setting: the true reward of SFT, DPO and both online rounds, their edges
    over DPO, and the reward model's agreement with the verifier on held-out pairs."""
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec("verifier", ws.source.verifier(), seed)
    ws.train_sft()
    rm = global_reward(ws.train_rm(), ws.tok)
    ws.train_dpo("DPO")
    ws.online_round("SFT", rm, LEARNED)
    ws.online_round("SFT", gold.score, GOLD)
    prompts, references = ws.source.evaluation(setup.n_eval, seed)
    metrics = policy_metrics(ws, ["SFT", "DPO", LEARNED, GOLD], gold, prompts, references)
    reward = {name: m["true reward"] for name, m in metrics.items()}
    return {"seed": seed, "true reward": reward,
            "edge": reward[LEARNED] - reward["DPO"], "gold edge": reward[GOLD] - reward["DPO"],
            "agreement": rm_metrics(rm, ws.held_out_pairs(setup.n_eval), gold.score)["agreement with gold judge"]}
