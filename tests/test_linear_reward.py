"""The linear reference reward model (BT logistic regression on a task's simple features), and the
transformer reward model beside it on the budget verifier."""

from __future__ import annotations

from conftest import TRL

from pftlib.llm.linear_reward import fit_linear_reward
from pftlib.llm.pipeline import rm_metrics
from pftlib.llm.preferences import random_summary_pairs
from pftlib.tasks import BudgetTask

TASK = BudgetTask()


def gold(prompts, completions):
    return [TASK.score(p, c) for p, c in zip(prompts, completions)]


def agreement(score, pairs) -> float:
    return rm_metrics(score, pairs, gold)["agreement with gold judge"]


def test_the_linear_reference_learns_the_budget_verifier_from_pairs():
    score = fit_linear_reward(random_summary_pairs(TASK, 1500, 0, 0.1), TASK.features)
    assert agreement(score, random_summary_pairs(TASK, 500, 1, 0.1)) > 0.95


def test_the_transformer_reward_model_learns_the_budget_verifier_near_the_linear_reference(tmp_path):
    """Learnability on a small run: TRL's RewardTrainer on a fresh `small` GPT-NeoX with the book's
    recipe, fitted to the same random pairs as the linear reference on the budget verifier, agrees with
    the verifier on at least 85% of held-out strict pairs and within 12 points of the reference (seen
    in benchmarks/reward_learnability.py: 0.90 against 0.98; on SFT samples in Chapter 4's pipeline the
    gap is about 5 points, and on the coverage verifier the same recipe falls 30 points below)."""
    from pftlib.llm import models, trainers
    from pftlib.llm.rewards import global_reward
    from pftlib.tasks import build_tokenizer

    train, held = random_summary_pairs(TASK, 2500, 1, 0.1), random_summary_pairs(TASK, 500, 2, 0.1)
    tok = build_tokenizer(TASK)
    rm = trainers.reward(models.reward_model(tok, "small", 0), tok, train, tmp_path / "rm", 0,
                         num_train_epochs=12, learning_rate=1e-3, **TRL)
    transformer = agreement(global_reward(rm, tok), held)
    linear = agreement(fit_linear_reward(train, TASK.features), held)
    assert linear > 0.95 and transformer > max(0.85, linear - 0.12), (transformer, linear)
