"""Measurements that compare the routes: optimal values, identified rewards, optimality, regret."""

from __future__ import annotations

import torch

from .preferences import Pairs, bt_log_likelihood, dpo_loss
from .soft_rl import kl, soft_optimal
from .tree import Logits, log_probs


def within_component_gap(comp: torch.Tensor, r1: torch.Tensor, r2: torch.Tensor) -> float:
    """Largest difference between two rewards after removing one constant per component of the
    comparison graph (``comp`` from :func:`components`): the part of a reward the data identify."""
    gap = 0.0
    for p in range(comp.shape[0]):
        for c in comp[p].unique().tolist():
            if c >= 0:
                m = comp[p] == c
                d = (r1[p, m] - r1[p, m].mean()) - (r2[p, m] - r2[p, m].mean())
                gap = max(gap, d.abs().max().item())
    return gap


def reward_residual(reward: torch.Tensor, pairs: Pairs) -> float:
    """Largest entry of the gradient of the BT loss over tabular rewards at ``reward`` (0 at an optimum)."""
    r = reward.detach().clone().requires_grad_(True)
    (-bt_log_likelihood(r, pairs)).backward()
    return r.grad.abs().max().item()


def policy_residual(logits: Logits, ref: Logits, beta: float, pairs: Pairs) -> float:
    """Largest entry of the gradient of the DPO loss at ``logits`` (0 at an optimum)."""
    params = [layer.detach().clone().requires_grad_(True) for layer in logits]
    dpo_loss(params, ref, beta, pairs).backward()
    return max(p.grad.abs().max().item() for p in params)


def regret(policy: Logits, true_reward: torch.Tensor, ref: Logits, beta: float) -> torch.Tensor:
    """Soft-RL regret under the true reward, ``J(pi*) - J(pi) = beta KL(P_pi || P*_{r*})`` per prompt
    (the projection lemma), so it is zero exactly at the optimal policy."""
    optimal, _ = soft_optimal(true_reward, ref, beta)
    return beta * kl(log_probs(policy), log_probs(optimal))
