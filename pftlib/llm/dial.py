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

from . import judges, tuning
from .config import Setup
from .gap import measured_gap
from .pipeline import Workspace, policy_metrics
from .rewards import global_reward, implicit_reward

LEARNED, GOLD = "Online DPO (SFT)", "Online DPO (SFT), gold judge"
TUNED, TWICE = "DPO (tuned)", "DPO 2x"


def dial_point(setup: Setup, seed: int, workdir: Path) -> dict:
    """One seed at one setting: true rewards, edges over the tuned DPO, the measured gap, and the
    recipes the held-out rule chose (with each candidate's selection likelihood)."""
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec("verifier", ws.source.verifier(), seed)
    ws.train_sft()
    implicit = lambda folder: implicit_reward(ws.load(folder), ws.load("SFT"), ws.tok, setup.beta)  # noqa: E731
    rm_epochs, rm_table = tuning.choose(
        "RM", setup.rm_epochs, lambda f, e: ws.train_rm(f, num_train_epochs=e),
        lambda f: global_reward(ws.load_rm(f), ws.tok), ws.selection_pairs)
    dpo_epochs, dpo_table = tuning.choose(
        "DPO", 1, lambda f, e: ws.train_dpo(f, num_train_epochs=e), implicit, ws.selection_pairs)
    rm_folder, dpo_folder = tuning.folder("RM", rm_epochs), tuning.folder("DPO", dpo_epochs)
    ws.train_dpo(TWICE, start=tuning.folder("DPO", 1))  # the paper's DPO 2x: one more epoch from 1-epoch DPO
    rm = global_reward(ws.load_rm(rm_folder), ws.tok)
    ws.online_round("SFT", rm, LEARNED)
    ws.online_round("SFT", gold.score, GOLD)
    gap = measured_gap(rm, implicit(dpo_folder), ws.held_out_pairs(setup.n_eval), gold.score)

    prompts, references = ws.source.evaluation(setup.n_eval, seed)
    metrics = policy_metrics(ws, ["SFT", dpo_folder, TWICE, LEARNED, GOLD], gold, prompts, references)
    reward = {TUNED if name == dpo_folder else name: m["true reward"] for name, m in metrics.items()}
    return {"seed": seed, "true reward": reward,
            "edge": reward[LEARNED] - reward[TUNED], "gold edge": reward[GOLD] - reward[TUNED],
            "agreement": gap["checking"], "implicit agreement": gap["generating"], "gap": gap["gap"],
            "chosen epochs": {"RM": rm_epochs, "DPO": dpo_epochs},
            "selection likelihood": {"RM": rm_table, "DPO": dpo_table}}
