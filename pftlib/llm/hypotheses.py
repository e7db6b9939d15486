"""Chapter 6's experiment, for one seed: the paper's hypotheses H1 to H5 on the language-model
pipeline (H6 is Chapter 7's, :mod:`pftlib.llm.gap_closers`).

:func:`run` trains every policy from one SFT model on one set of preference
pairs (SFT samples labelled by the verifier), so each hypothesis changes one thing:

* **H1** (on-policy samples carry new signal): the language-model analogue of Chapter 2's exact
  check (:func:`refit_on_own_labels`): fresh SFT samples labelled by the reward model itself are
  added to the pairs and the reward model is refitted; does it agree better with the verifier?
  Online DPO (SFT) with the learned reward model, and with verifier labels (new information), are
  shown beside it.
* **H2** (offline regularises badly): both routes already share beta, initialisation, reference
  (SFT) and loss (TRL's DPO); "DPO 2x" trains one more epoch; both routes again at each beta of a
  sweep.
* **H3** (online optimisation is easier): Online DPO (SFT) with ``prompt_factor`` times as many
  prompts (fresh prompts; the reward model labels their samples).
* **H4** (reward models use more or wider data): every model here sees only one narrow set of SFT
  samples labelled by a near-deterministic verifier, the stand-in for a strong judge; Online DPO
  (DPO), which trained one more round, is compared with DPO 2x.
* **H5** (global reward models generalise better): DPO-implicit, local and global reward models,
  validation likelihood against best-of-``max_n`` quality.

The reward model and DPO choose their epochs by one held-out rule (:mod:`pftlib.llm.tuning`);
"DPO 2x" is one more epoch from 1-epoch DPO.  H2's other betas train both routes for one epoch.
"""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

import datasets

from ..tasks import eval_prompts
from . import judges
from .config import Hypotheses
from .gap import agreement
from .pipeline import Workspace, judged, policy_metrics, rm_metrics
from .policies import DPO, DPO_2X, MORE_PROMPTS, ONLINE_DPO, ONLINE_SFT, SFT, VERIFIER_LABELS
from .preferences import labelled_pairs
from .reward_study import reward_models
from .rewards import best_of_n


def swept(name: str, beta: float) -> str:
    return f"{name}, beta {beta:g}"


def beta_arms(setup: Hypotheses) -> list[tuple[float, str, str]]:
    """H2's arms, ``(beta, offline policy, online policy)``: the chapter's beta, then each swept beta."""
    return [(setup.beta, DPO, ONLINE_SFT)] + [(b, swept(DPO, b), swept(ONLINE_SFT, b)) for b in setup.beta_sweep]


def refit_on_own_labels(ws: Workspace, gold) -> dict[str, float]:
    """H1 on the language model: two fresh SFT samples per training prompt, labelled by a
    Bradley–Terry draw on the reward model's *own* scores (its own belief about the pair), are added
    to the training pairs, and a reward model is refitted on both at the chosen recipe.  Returns the
    held-out agreement with the verifier of the original and of the refit.  The data-processing
    argument says the refit cannot know more about the verifier than the original did."""
    rm = ws.scorer("global", "RM")
    prompts = list(ws.pairs["prompt"])
    relabelled = labelled_pairs(prompts, ws.sample(SFT, prompts, 2, ws.seed + 50_000), rm, 1.0, ws.seed + 50_000)
    refit = Workspace(ws.setup, ws.seed, ws.dir)
    refit.pairs = datasets.concatenate_datasets([ws.pairs, relabelled])
    refit.train_rm("RM, refit", num_train_epochs=ws.choices["RM"]["epochs"])
    held_out = ws.held_out_pairs(ws.setup.n_eval)
    return {"original": agreement(rm, held_out, gold),
            "refit": agreement(ws.scorer("global", "RM, refit"), held_out, gold)}


def run(setup: Hypotheses, seed: int, workdir: Path) -> dict:
    """Chapter 6's policies and reward models for one seed; their gold-judge metrics."""
    ws = Workspace(setup, seed, workdir)
    gold = judges.from_spec("verifier", ws.source.verifier(), seed)
    rm = ws.train_offline()
    ws.online_round(SFT, rm, ONLINE_SFT)
    ws.online_round(DPO, rm, ONLINE_DPO)
    ws.online_round(SFT, gold.score, VERIFIER_LABELS)
    names = [SFT, DPO, DPO_2X, ONLINE_SFT, ONLINE_DPO, VERIFIER_LABELS]
    h1_refit = refit_on_own_labels(ws, gold.score)

    for beta in setup.beta_sweep:  # H2: both routes at other betas (one epoch each), everything else equal
        other = Workspace(replace(setup, beta=beta), seed, workdir)
        other.pairs, other.drawn = ws.pairs, ws.drawn  # the same pairs and online samples (not redrawn)
        other.train_dpo(swept(DPO, beta))
        other.online_round(SFT, rm, swept(ONLINE_SFT, beta))
        names += [swept(DPO, beta), swept(ONLINE_SFT, beta)]

    n_more = round(setup.prompt_factor * setup.n_pairs)  # H3: fresh prompts, as the paper's augmentation
    prompts = list(ws.pairs["prompt"]) + list(eval_prompts(setup.task, n_more - setup.n_pairs, seed + 30_000)["prompt"])
    ws.online_round(SFT, rm, MORE_PROMPTS, prompts)
    names.append(MORE_PROMPTS)

    eval_prompts_, references = ws.source.evaluation(setup.n_eval, seed)
    result = {"seed": seed, "setup": asdict(setup), "n prompts": {"base": setup.n_pairs, "augmented": n_more},
              "policies": policy_metrics(ws, names, gold, eval_prompts_, references), "H1 refit": h1_refit}
    result["reward models"] = compare_reward_models(ws, gold, setup.max_n, eval_prompts_, references)
    result["tuning"] = ws.choices
    return result


def compare_reward_models(ws: Workspace, gold: judges.Judge, max_n: int, prompts: list[str],
                          references: list[str]) -> dict[str, dict[str, float]]:
    """H5: each reward model's validation likelihood and the true reward of its best of ``max_n``
    SFT samples (the same samples for all three)."""
    scorers = reward_models(ws)
    validation = ws.held_out_pairs(ws.setup.n_eval)
    samples = ws.sample(SFT, prompts, max_n, ws.seed + 2)
    out = {}
    for name, score in scorers.items():
        picks = best_of_n(prompts, samples, score, [max_n])[max_n]
        out[name] = {**rm_metrics(score, validation, gold.score),
                     **{f"best-of-{max_n} {k}": v for k, v in judged(prompts, picks, references, gold).items()}}
    return out
