"""Chapter 5's parts: the local reward model's trainer, the three reward readings, best-of-N, and
the whole study on tiny models."""

from __future__ import annotations

import pytest
import torch
from conftest import TRL

from pftlib.llm import models, preferences, rollout, trainers
from pftlib.llm.config import RewardStudy
from pftlib.llm.reward_study import ORACLE, REWARD_MODELS, best_of_ns, run
from pftlib.llm.rewards import best_of_n, implicit_reward, local_reward
from pftlib.tasks import Task, build_tokenizer, eval_prompts, sft_dataset

TASK = Task(vocab=8, doc_length=10, budget=2)


def by_length(prompts, completions):
    return [float(len(c.split())) for c in completions]


def test_best_of_n_keeps_the_best_of_the_first_n_and_scores_each_sample_once():
    calls = []

    def counted(prompts, completions):
        calls.append(len(completions))
        return by_length(prompts, completions)

    samples = [[" a", " a b c", " a b", " a b c d"], [" x y", " x", " x y", " z"]]
    picks = best_of_n(["p", "q"], samples, counted, [1, 2, 4])
    assert picks == {1: [" a", " x y"], 2: [" a b c", " x y"], 4: [" a b c d", " x y"]}  # ties: the first
    assert calls == [8]
    for bad in ([0], [5], []):
        with pytest.raises(ValueError, match="between 1 and"):
            best_of_n(["p", "q"], samples, by_length, bad)


def test_the_local_reward_model_is_bt_on_beta_log_pi_without_a_reference(tmp_path):
    tok = build_tokenizer(TASK)
    sft = trainers.sft(models.causal_lm(tok, "tiny", 0), tok, sft_dataset(TASK, 200, 0), tmp_path / "sft", 0,
                       num_train_epochs=1, learning_rate=3e-3, **TRL)
    prompts = list(eval_prompts(TASK, 64, 1)["prompt"])

    def verifier(p, c):
        return [TASK.score(x, y) for x, y in zip(p, c)]

    pairs = preferences.labelled_pairs(prompts, rollout.sample(sft, tok, prompts, 2, 1.0, 3, 0), verifier, 0.05, 0)
    chosen, rejected = list(pairs["chosen"]), list(pairs["rejected"])
    before = local_reward(sft, tok, beta=0.5)
    margin0 = torch.tensor(before(prompts, chosen)) - torch.tensor(before(prompts, rejected))
    local = trainers.local_reward(models.causal_lm(tok, str(tmp_path / "sft"), 0), tok, pairs, tmp_path / "local",
                                  beta=0.5, seed=0, num_train_epochs=5, learning_rate=3e-3, **TRL)
    after = local_reward(local, tok, beta=0.5)
    margin1 = torch.tensor(after(prompts, chosen)) - torch.tensor(after(prompts, rejected))
    # BT likelihood of the preferred completion under r = beta log pi rises from where SFT put it
    assert torch.sigmoid(margin1).mean() > torch.sigmoid(margin0).mean() + 0.02
    same = implicit_reward(sft, sft, tok, beta=0.5)(prompts[:5], chosen[:5])
    assert same == [0.0] * 5  # a policy's implicit reward against itself is zero


def test_the_study_reports_three_reward_models_their_curves_and_the_size_grid(tmp_path):
    study = RewardStudy(budget=2, verifier="coverage", size="tiny", rm_size="tiny", n_sft=64, sft_epochs=1, n_pairs=32,
                        rm_epochs=1, n_eval=12, max_n=6, grid_sizes="tiny,small")
    ns = best_of_ns(study.max_n)
    assert ns == [1, 2, 5, 6]
    result = run(study, seed=0, workdir=tmp_path)
    assert list(result["likelihood"]) == list(REWARD_MODELS)
    assert all(0 <= m["likelihood"] <= 1 and 0 <= m["agreement with gold judge"] <= 1
               for m in result["likelihood"].values())
    curves = result["best of n"]
    assert list(curves) == [*REWARD_MODELS, ORACLE] and all(list(c) == ns for c in curves.values())
    first = {c[1]["true reward"] for c in curves.values()}
    assert len(first) == 1  # N = 1: every reward model keeps the same first sample
    oracle = curves[ORACLE]
    assert all(oracle[n]["true reward"] >= c[n]["true reward"] - 1e-12 for c in curves.values() for n in ns)
    assert [(g["policy size"], g["RM size"]) for g in result["sizes"]] == [("tiny", "tiny"), ("tiny", "small"),
                                                                          ("small", "tiny"), ("small", "small")]
    assert (tmp_path / "SFT small" / "config.json").is_file() and (tmp_path / "Local RM" / "config.json").is_file()
