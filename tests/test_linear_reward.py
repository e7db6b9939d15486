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
    held = _pairs(task, 500, 1)
    prompts, chosen, rejected = (list(held[c]) for c in ("prompt", "chosen", "rejected"))
    gold = [task.score(p, a) - task.score(p, b) for p, a, b in zip(prompts, chosen, rejected)]
    mine = [a - b for a, b in zip(score(prompts, chosen), score(prompts, rejected))]
    strict = [(g > 0) == (m > 0) for g, m in zip(gold, mine) if g != 0]
    assert sum(strict) / len(strict) > 0.95
