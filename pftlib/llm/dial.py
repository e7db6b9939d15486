"""The gap dial on a trained transformer: online DPO's edge over DPO beside the *measured*
generation–verification gap, with TRL's trainers instead of Chapter 3's exact engine.

One point of the dial is one seed of a short pipeline at one setting (task, horizon, number of
pairs):

1. SFT, then preference pairs from it;
2. the global reward model and DPO, each at the epochs :mod:`pftlib.llm.tuning` chooses by the
   same held-out rule and budget; "DPO 2x" (one more epoch from 1-epoch DPO) beside them;
3. Online DPO (SFT), one round judged by the chosen reward model and one by the gold verifier;
4. on held-out pairs, the measured gap (:mod:`pftlib.llm.gap`): the reward model's agreement with
   the verifier minus DPO's implicit reward's;
5. every policy's mean true reward on held-out prompts, by the gold verifier.

Its *edge* is the online policy's true reward minus the tuned DPO's.
:func:`pftlib.report.verdicts.dial_table` turns points into per-setting differences with intervals.
"""

from __future__ import annotations

from pathlib import Path

from . import judges
from .config import Setup
from .gap import measured_gap
from .pipeline import Workspace, policy_metrics
from .policies import DPO, DPO_2X, GOLD_SFT, ONLINE_SFT, SFT, TUNED_DPO


def dial_point(setup: Setup, seed: int, workdir: Path) -> dict:
    """One seed at one setting: true rewards, edges over the tuned DPO, the measured gap, and the
    recipes the held-out rule chose (with each candidate's selection likelihood)."""
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec("verifier", ws.source.verifier(), seed)
    rm = ws.train_offline()
    ws.online_round(SFT, rm, ONLINE_SFT)
    ws.online_round(SFT, gold.score, GOLD_SFT)
    gap = measured_gap(rm, ws.scorer("implicit", DPO), ws.held_out_pairs(setup.n_eval), gold.score)

    prompts, references = ws.source.evaluation(setup.n_eval, seed)
    metrics = policy_metrics(ws, [SFT, DPO, DPO_2X, ONLINE_SFT, GOLD_SFT], gold, prompts, references)
    reward = {TUNED_DPO if name == DPO else name: m["true reward"] for name, m in metrics.items()}
    return {"seed": seed, "true reward": reward,
            "edge": reward[ONLINE_SFT] - reward[TUNED_DPO], "gold edge": reward[GOLD_SFT] - reward[TUNED_DPO],
            "agreement": gap["checking"], "implicit agreement": gap["generating"], "gap": gap["gap"],
            "chosen epochs": {name: c["epochs"] for name, c in ws.choices.items()},
            "selection likelihood": {name: c["selection likelihood"] for name, c in ws.choices.items()}}
