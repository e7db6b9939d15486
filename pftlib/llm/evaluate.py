"""Evaluation against a gold judge (the verifier where the task has one, see :mod:`.judges`)."""

from __future__ import annotations

from collections.abc import Callable

import torch

Scorer = Callable[[list[str], list[str]], list[float]]
#: ``compare(prompts, a, b)``: per prompt 1 if ``a`` is better, 0 if ``b`` is, 0.5 for a tie.
Comparer = Callable[[list[str], list[str], list[str]], list[float]]


def winrate(prompts: list[str], completions: list[str], references: list[str], compare: Comparer) -> float:
    """Fraction of prompts where the completion beats the reference; ties count half."""
    return sum(compare(prompts, completions, references)) / len(prompts)


def mean_score(prompts: list[str], completions: list[str], score: Scorer) -> float:
    return sum(score(prompts, completions)) / len(prompts)


def kl_estimate(logp_policy: torch.Tensor, logp_ref: torch.Tensor) -> float:
    """Monte-Carlo ``KL(pi || ref) = E_{y ~ pi}[log pi(y) - log ref(y)]`` from samples of ``pi``."""
    return (logp_policy - logp_ref).mean().item()


def bt_validation(margin: torch.Tensor) -> dict[str, float]:
    """A reward model's validation Bradley–Terry likelihood of the preferred completion
    (mean ``sigmoid(r(chosen) - r(rejected))`` over the pairs' margins, as the paper reports it) and
    its accuracy."""
    return {"likelihood": torch.sigmoid(margin).mean().item(), "accuracy": (margin > 0).double().mean().item()}
