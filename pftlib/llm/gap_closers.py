"""Chapter 7's experiment (H6), for one seed: close the generation–verification gap two ways, a
1-word budget (short horizon) and the ROUGE-L verifier (as hard as the generator), measure the gap
in each setting (:mod:`pftlib.llm.gap`), and compare online with offline there.

The reward model and DPO choose their epochs by one held-out rule (:mod:`pftlib.llm.tuning`);
"DPO 2x" is one more epoch from 1-epoch DPO.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from . import judges
from .config import GapClosers
from .gap import measured_gap
from .pipeline import Workspace, policy_metrics, rm_metrics
from .policies import DPO, DPO_2X, ONLINE_DPO, SFT


def _rouge(verifier: str) -> str:
    """The ROUGE-L verifier of the same task."""
    family = verifier.split("-")[0]
    return "rouge" if family in ("coverage", "rouge") else f"{family}-rouge"


#: Chapter 7's settings, each a change to the setup: the task as Chapter 4 runs it, and the two
#: ways the paper closes the gap (a horizon of one word; the task's ROUGE-L verifier against its
#: optimal summary).
SETTINGS = {"default (Chapter 4's task)": lambda s: s,
            "short horizon (one word)": lambda s: replace(s, budget=1),
            "verifier as hard as the generator (ROUGE-L)": lambda s: replace(s, verifier=_rouge(s.verifier))}


def run(setup: GapClosers, seed: int, workdir: Path) -> dict:
    """Chapter 7: in each setting, SFT, the tuned reward model and DPO, DPO 2x and Online DPO (DPO)
    with the learned reward model, judged by that setting's verifier; and the measured gap."""
    result = {"seed": seed, "setup": asdict(setup), "settings": {}}
    for i, (label, change) in enumerate(SETTINGS.items()):
        ws = Workspace(change(setup), seed, workdir / f"setting{i}")
        gold = judges.from_spec("verifier", ws.source.verifier(), seed)
        rm = ws.train_offline()
        ws.online_round(DPO, rm, ONLINE_DPO)
        prompts, references = ws.source.evaluation(setup.n_eval, seed)
        validation = ws.held_out_pairs(setup.n_eval)
        task = ws.setup.task
        result["settings"][label] = {
            "policies": policy_metrics(ws, [SFT, DPO, DPO_2X, ONLINE_DPO], gold, prompts, references),
            "reward model": rm_metrics(rm, validation, gold.score),
            "measured gap": measured_gap(rm, ws.scorer("implicit", DPO), validation, gold.score),
            "best true reward": sum(task.best_score(p) for p in prompts) / len(prompts),
            "tuning": ws.choices,
        }
    return result
