"""The linear reference reward model: BT logistic regression on a task's simple features."""

from __future__ import annotations

import random

from pftlib.llm.linear_reward import fit_linear_reward
from pftlib.llm.preferences import labelled_pairs
from pftlib.tasks import BudgetTask


def _pairs(task, n, seed):
    rng = random.Random(seed)
    prompts = [task.prompt(task.document(rng)) for _ in range(n)]
    samples = [[" " + " ".join(rng.choice(task.words) for _ in range(rng.randint(1, 6))) for _ in range(2)]
               for _ in prompts]
    return labelled_pairs(prompts, samples, lambda P, C: [task.score(p, c) for p, c in zip(P, C)], 0.1, seed)


def test_the_linear_reference_learns_the_budget_verifier_from_pairs():
    task = BudgetTask()
    score = fit_linear_reward(_pairs(task, 1500, 0), task.features)
    gold = lambda P, C: [task.score(p, c) for p, c in zip(P, C)]  # noqa: E731
    assert _agreement(score, _pairs(task, 500, 1), gold) > 0.95


def test_the_transformer_reward_model_learns_the_budget_verifier_near_the_linear_reference(tmp_path):
    """Learnability on a small run: TRL's RewardTrainer on a fresh `small` GPT-NeoX with the book's
    recipe, fitted to the same random pairs as the linear reference on the budget verifier, agrees with
    the verifier on at least 85% of held-out strict pairs and within 12 points of the reference (seen
    here: 0.88 against 0.98; on SFT samples in Chapter 4's pipeline the gap is about 5 points, and on
    the coverage verifier the same recipe falls 30 points below; benchmarks/reward_learnability.py)."""
    from pftlib.llm import models, trainers
    from pftlib.llm.rewards import global_reward
    from pftlib.tasks import build_tokenizer

    task = BudgetTask()
    train, held = _pairs(task, 2500, 0), _pairs(task, 500, 1)
    tok = build_tokenizer(task)
    rm = trainers.reward(models.reward_model(tok, "small", 0), tok, train, tmp_path / "rm", 0,
                         num_train_epochs=12, learning_rate=1e-3)
    gold = lambda P, C: [task.score(p, c) for p, c in zip(P, C)]  # noqa: E731
    transformer = _agreement(global_reward(rm, tok), held, gold)
    linear = _agreement(fit_linear_reward(train, task.features), held, gold)
    assert linear > 0.95 and transformer > max(0.85, linear - 0.12), (transformer, linear)


def _agreement(score, pairs, gold):
    prompts, chosen, rejected = (list(pairs[c]) for c in ("prompt", "chosen", "rejected"))
    truth = [a - b for a, b in zip(gold(prompts, chosen), gold(prompts, rejected))]
    mine = [a - b for a, b in zip(score(prompts, chosen), score(prompts, rejected))]
    strict = [(g > 0) == (m > 0) for g, m in zip(truth, mine) if g != 0]
    return sum(strict) / len(strict)
