"""Chapter 5's experiment, for one seed: the paper's three reward models (H5) compared by
validation Bradley–Terry likelihood and by best-of-N quality, and the global reward model's size
against the policy's.

All three are fitted on the same preference pairs, start where the paper starts them, and choose
their epochs by the same held-out rule and budget (:mod:`pftlib.llm.tuning`):

* **DPO-implicit**: ``beta * log(pi_DPO / pi_SFT)`` of the offline-DPO policy;
* **local**: ``beta * log pi`` of a policy trained from SFT by BT without a reference;
* **global**: a scalar-head transformer (TRL's RewardTrainer).

Best-of-N draws ``max(ns)`` samples per held-out prompt from the SFT policy once, and for each N
keeps the best of the first N under each reward model, and under the gold judge (the oracle: the
most any reward model could get from those samples).
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

from . import judges
from .config import RewardStudy
from .pipeline import Workspace, judged, rm_metrics
from .policies import DPO, SFT
from .rewards import best_of_n, global_reward

PAPER_NS = (1, 2, 5, 10, 25)
REWARD_MODELS = ("DPO-implicit", "local", "global")
ORACLE = "gold judge (oracle)"


def best_of_ns(max_n: int) -> list[int]:
    """The paper's N = 1, 2, 5, 10, 25 up to ``max_n``, and ``max_n`` itself."""
    return sorted({n for n in PAPER_NS if n <= max_n} | {max_n})


def reward_models(ws: Workspace) -> dict:
    """The three reward models of one seed, as scorers: DPO-implicit (the tuned "DPO" policy),
    local (tuned now, by the same held-out rule and budget) and global (the tuned "RM")."""
    ws.tuned("Local RM")
    return dict(zip(REWARD_MODELS, (ws.scorer("implicit", DPO), ws.scorer("local", "Local RM"),
                                    ws.scorer("global", "RM"))))


def _trained(ws: Workspace, kind: str, size: str, default: str, train) -> str:
    """The folder of a model of ``size``: the default one, or one trained now as ``"<kind> <size>"``."""
    if size == default:
        return kind
    train(f"{kind} {size}", size)
    return f"{kind} {size}"


def run(setup: RewardStudy, seed: int, workdir: Path) -> dict:
    """Train the policies and reward models for one seed; return likelihoods, best-of-N curves and
    the size grid."""
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec(setup.judge, ws.source.verifier(), seed)
    ws.train_offline(twice=False)
    scorers = reward_models(ws)
    validation = ws.held_out_pairs(setup.n_eval)
    likelihood = {name: rm_metrics(score, validation, gold.score) for name, score in scorers.items()}

    prompts, references = ws.source.evaluation(setup.n_eval, seed)
    samples = ws.sample(SFT, prompts, setup.max_n, seed + 2)
    if gold.score is not None:
        scorers[ORACLE] = gold.score
    curves = {name: {n: judged(prompts, picks, references, gold)
                     for n, picks in best_of_n(prompts, samples, score, best_of_ns(setup.max_n)).items()}
              for name, score in scorers.items()}

    policies = {p: _trained(ws, SFT, p, setup.size, ws.train_sft) for p in setup.sizes}
    rms = {r: global_reward(ws.load_rm(_trained(ws, "RM", r, setup.rm_size, ws.train_rm)), ws.tok)
           for r in setup.sizes}
    grid = []
    for p, folder in policies.items():
        drawn = samples if folder == SFT else ws.sample(folder, prompts, setup.max_n, seed + 2)
        for r, score in rms.items():
            picks = best_of_n(prompts, drawn, score, [setup.max_n])[setup.max_n]
            grid.append({"policy size": p, "RM size": r, **judged(prompts, picks, references, gold)})
    return {"seed": seed, "setup": asdict(setup), "likelihood": likelihood, "best of n": curves, "sizes": grid,
            "tuning": ws.choices}
