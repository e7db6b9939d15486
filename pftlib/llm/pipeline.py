"""The paper's main experiment on the synthetic task, for one seed.

SFT on reference summaries -> preference pairs from SFT samples, labelled by a Bradley–Terry
draw on the gold verifier (the stand-in for human labels) -> a global reward model -> offline
DPO (1 epoch, and "DPO 2x": 2 epochs) -> Online DPO (SFT) and Online DPO (DPO): one round of
best-vs-worst pairs judged by the global reward model, and the same two rounds judged by the gold
verifier itself (a perfect judge: what online DPO could do if the verifier were learned exactly).
Every policy is then evaluated against the gold verifier: winrate over the reference summaries, mean true reward, and KL to SFT.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..tasks import Task, build_tokenizer, eval_prompts, sft_dataset
from . import evaluate, models, online, preferences, rollout, trainers

POLICIES = ("SFT", "DPO", "DPO 2x", "Online DPO (SFT)", "Online DPO (DPO)")
GOLD_JUDGED = ("Online DPO (SFT), verifier judge", "Online DPO (DPO), verifier judge")


@dataclass(frozen=True)
class Setup:
    """Everything the pipeline's numbers depend on, except the seed.

    The defaults come from a one-seed CPU probe (SFT true reward 0.566; global RM agreement with
    the verifier 0.64 for ``small`` at lr 3e-3, 0.61 for ``base`` at lr 3e-4; DPO best at lr 1e-4
    among 1e-3, 3e-4, 1e-4).
    """

    task: Task = Task(vocab=10, doc_length=12, budget=3)
    size: str = "small"
    rm_size: str = "small"
    n_sft: int = 4000
    sft_epochs: int = 4
    n_pairs: int = 4000
    rm_epochs: int = 6
    rm_learning_rate: float = 3e-3
    n_eval: int = 300
    label_temperature: float = 0.05
    beta: float = 0.1
    learning_rate: float = 1e-4
    k: int = 4
    sample_temperature: float = 1.0


def run(setup: Setup, seed: int, workdir: Path) -> dict:
    """Train every policy for one seed under ``workdir``; return its metrics and the RM's."""
    task, tok = setup.task, build_tokenizer(setup.task)
    new_tokens = task.budget + 1

    def verifier(prompts: list[str], completions: list[str]) -> list[float]:
        return [task.score(p, c) for p, c in zip(prompts, completions)]

    def load(name: str):
        return models.causal_lm(tok, str(workdir / name), seed)

    trainers.sft(models.causal_lm(tok, setup.size, seed), tok, sft_dataset(task, setup.n_sft, seed), workdir / "SFT", seed,
                 num_train_epochs=setup.sft_epochs)
    pref_prompts = list(eval_prompts(task, setup.n_pairs, seed + 10_000)["prompt"])
    pairs = preferences.labelled_pairs(
        pref_prompts, rollout.sample(load("SFT"), tok, pref_prompts, 2, setup.sample_temperature, new_tokens, seed),
        verifier, setup.label_temperature, seed)
    rm = trainers.reward(models.reward_model(tok, setup.rm_size, seed), tok, pairs, workdir / "RM", seed,
                         num_train_epochs=setup.rm_epochs, learning_rate=setup.rm_learning_rate)
    for name, epochs in (("DPO", 1), ("DPO 2x", 2)):
        trainers.dpo(load("SFT"), load("SFT"), tok, pairs, workdir / name, setup.beta, seed,
                     num_train_epochs=epochs, learning_rate=setup.learning_rate)
    judges = {"": online.reward_model_scorer(rm, tok), ", verifier judge": verifier}
    for suffix, judge in judges.items():  # the paper's judge (the RM), and a perfect one for contrast
        for start in ("SFT", "DPO"):
            online.online_dpo_round(workdir / start, tok, pref_prompts, judge, setup.k, setup.sample_temperature,
                                    new_tokens, workdir / f"Online DPO ({start}){suffix}", setup.beta, seed,
                                    learning_rate=setup.learning_rate)

    test = eval_prompts(task, setup.n_eval, seed + 20_000)
    prompts, references = list(test["prompt"]), list(test["reference"])
    sft = load("SFT")
    metrics = {}
    for name in POLICIES + GOLD_JUDGED:
        policy = load(name)
        greedy = [s[0] for s in rollout.sample(policy, tok, prompts, 1, 0.0, new_tokens, seed)]
        drawn = [s[0] for s in rollout.sample(policy, tok, prompts, 1, setup.sample_temperature, new_tokens, seed)]
        metrics[name] = {
            "winrate": evaluate.winrate(prompts, greedy, references, verifier),
            "true reward": evaluate.mean_score(prompts, greedy, verifier),
            "KL to SFT": evaluate.kl_estimate(rollout.completion_logprobs(policy, tok, prompts, drawn),
                                              rollout.completion_logprobs(sft, tok, prompts, drawn)),
        }
    held_out = preferences.labelled_pairs(
        prompts, rollout.sample(sft, tok, prompts, 2, setup.sample_temperature, new_tokens, seed + 1),
        verifier, setup.label_temperature, seed + 1)
    held = [list(held_out[c]) for c in ("prompt", "chosen", "rejected")]
    scores = [rollout.reward_scores(rm, tok, held[0], held[i]) for i in (1, 2)]
    gold = torch.tensor(verifier(held[0], held[1]), dtype=torch.float64) - torch.tensor(verifier(held[0], held[2]))
    decided = gold != 0  # agreement with the verifier's own ordering, where it has one
    rm_metrics = {**evaluate.bt_validation(*scores),
                  "agreement with verifier": ((scores[0] - scores[1] > 0) == (gold > 0))[decided].double().mean().item()}
    best = sum(task.best_score(p) for p in prompts) / len(prompts)
    return {"seed": seed, "setup": asdict(setup), "policies": metrics, "reward model": rm_metrics,
            "reference true reward": evaluate.mean_score(prompts, references, verifier), "best true reward": best}
