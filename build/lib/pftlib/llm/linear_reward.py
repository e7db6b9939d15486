"""The linear reference: what a simple verifier class learns from the same preference pairs.

A Bradley–Terry model whose reward is linear in a task's simple features ``phi(x, y)``
(:meth:`pftlib.tasks.Task.features`, :meth:`pftlib.tasks.BudgetTask.features`):

    r_w(x, y) = w . phi(x, y),   w = argmin  - mean log sigmoid(w . (phi(x, y+) - phi(x, y-))) + l2/2 |w|^2,

a logistic regression on feature differences without an intercept (BT ignores shifts), solved to
convergence by L-BFGS in float64.  Every transformer reward model in the book is measured beside it:
a reward model that falls far below this line fails to learn what the pairs plainly contain.
"""

from __future__ import annotations

from collections.abc import Callable

import datasets
import torch

from .preferences import Scorer

Features = Callable[[str, str], list[float]]


def _matrix(features: Features, prompts: list[str], completions: list[str]) -> torch.Tensor:
    return torch.tensor([features(p, c) for p, c in zip(prompts, completions)], dtype=torch.float64)


def fit_linear_reward(pairs: datasets.Dataset, features: Features, l2: float = 1e-3) -> Scorer:
    """The BT maximum-likelihood linear reward on ``pairs`` (prompt/chosen/rejected)."""
    prompts = list(pairs["prompt"])
    diff = _matrix(features, prompts, list(pairs["chosen"])) - _matrix(features, prompts, list(pairs["rejected"]))
    w = torch.zeros(diff.shape[1], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=500, tolerance_grad=1e-10, line_search_fn="strong_wolfe")

    def loss() -> torch.Tensor:
        opt.zero_grad()
        value = -torch.nn.functional.logsigmoid(diff @ w).mean() + l2 / 2 * w.dot(w)
        value.backward()
        return value

    opt.step(loss)
    weights = w.detach()
    return lambda prompts, completions: (_matrix(features, prompts, completions) @ weights).tolist()
