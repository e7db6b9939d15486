"""Chapter 5's experiment, for one seed: the paper's three reward models (H5) compared by
validation Bradley–Terry likelihood and by best-of-N quality, and the global reward model's size
against the policy's.

All three are fitted on the same preference pairs and start where the paper starts them:

* **DPO-implicit**: ``beta * log(pi_DPO / pi_SFT)`` of the offline-DPO policy;
* **local**: ``beta * log pi`` of a policy trained from SFT by BT without a reference;
* **global**: a scalar-head transformer (TRL's RewardTrainer).

Best-of-N draws ``max(ns)`` samples per held-out prompt from the SFT policy once, and for each N
keeps the best of the first N under each reward model, and under the gold judge (the oracle: the
most any reward model could get from those samples).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from . import judges, trainers
from .pipeline import Setup, Workspace, judged, rm_metrics
from .rewards import best_of_n, global_reward, implicit_reward, local_reward

PAPER_NS = (1, 2, 5, 10, 25)
REWARD_MODELS = ("DPO-implicit", "local", "global")
ORACLE = "gold judge (oracle)"


@dataclass(frozen=True)
class Study:
    setup: Setup = Setup()
    max_n: int = 25
    policy_sizes: tuple[str, ...] = ("tiny", "small")
    rm_sizes: tuple[str, ...] = ("tiny", "small")

    @classmethod
    def from_params(cls, params) -> Study:
        """The study Chapter 5's validated parameters describe."""
        sizes = tuple(params["grid_sizes"].split(","))
        return cls(Setup.from_params(params), params["max_n"], sizes, sizes)

    @property
    def ns(self) -> list[int]:
        return sorted({n for n in PAPER_NS if n <= self.max_n} | {self.max_n})


def _trained(ws: Workspace, kind: str, size: str, default: str, train) -> str:
    """The folder of a model of ``size``: the default one, or one trained now as ``"<kind> <size>"``."""
    if size == default:
        return kind
    train(f"{kind} {size}", size)
    return f"{kind} {size}"


def run(study: Study, seed: int, workdir: Path) -> dict:
    """Train the policies and reward models for one seed; return likelihoods, best-of-N curves and
    the size grid."""
    setup = study.setup
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec(setup.judge, ws.source.verifier(), seed)
    ws.train_sft()
    rm = ws.train_rm()
    ws.train_dpo("DPO")
    local = trainers.local_reward(ws.load("SFT"), ws.tok, ws.pairs, ws.dir / "Local RM", setup.beta, seed,
                                  learning_rate=setup.learning_rate, **ws.trl_options)
    scorers = {
        "DPO-implicit": implicit_reward(ws.load("DPO"), ws.load("SFT"), ws.tok, setup.beta),
        "local": local_reward(local, ws.tok, setup.beta),
        "global": global_reward(rm, ws.tok),
    }
    validation = ws.held_out_pairs(setup.n_eval)
    likelihood = {name: rm_metrics(score, validation, gold.score) for name, score in scorers.items()}

    prompts, references = ws.source.evaluation(setup.n_eval, seed)
    samples = ws.sample("SFT", prompts, study.max_n, seed + 2)
    if gold.score is not None:
        scorers[ORACLE] = gold.score
    curves = {name: {n: judged(prompts, picks, references, gold)
                     for n, picks in best_of_n(prompts, samples, score, study.ns).items()}
              for name, score in scorers.items()}

    policies = {p: _trained(ws, "SFT", p, setup.size, ws.train_sft) for p in study.policy_sizes}
    rms = {r: global_reward(ws.load_rm(_trained(ws, "RM", r, setup.rm_size, ws.train_rm)), ws.tok)
           for r in study.rm_sizes}
    grid = []
    for p, folder in policies.items():
        drawn = samples if folder == "SFT" else ws.sample(folder, prompts, study.max_n, seed + 2)
        for r, score in rms.items():
            picks = best_of_n(prompts, drawn, score, [study.max_n])[study.max_n]
            grid.append({"policy size": p, "RM size": r, **judged(prompts, picks, references, gold)})
    return {"seed": seed, "study": asdict(study), "likelihood": likelihood, "best of n": curves, "sizes": grid}
