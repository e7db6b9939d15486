"""Measurements that compare the routes: optimal values, identified rewards, optimality, regret, and
H1's relabelling experiment."""

from __future__ import annotations

import torch

from .fit import fit_online
from .preferences import Pairs, bt_log_likelihood, dpo_loss, relabel, sample_pairs
from .rewards import Linear, Tabular
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


H1_ROUTES = ("online route on the offline data", "+ on-policy pairs labelled by the learned RM",
             "+ on-policy pairs labelled by the true labeller")


def relabel_regrets(model: Tabular | Linear, ref: Logits, truth: torch.Tensor, beta: float, pairs: Pairs, n: int,
                    pseudocount: float, generator: torch.Generator) -> dict[str, float]:
    """Hypothesis H1 on the exact engine: mean regret of the online route fitted on ``pairs``, and
    refitted with ``n`` fresh on-policy pairs labelled (a) by its own reward model, with expected
    BT labels, the most favourable case for H1, and (b) by the true labeller (new information)."""
    reward, online = fit_online(model, ref, beta, pairs)
    fresh = sample_pairs(reward, log_probs(online), n, generator)
    by_rm = fit_online(model, ref, beta, pairs + relabel(fresh, reward))[1]
    human = sample_pairs(truth, log_probs(online), n, generator).with_pseudocounts(pseudocount)
    by_human = fit_online(model, ref, beta, pairs + human)[1]
    return {name: regret(p, truth, ref, beta).mean().item() for name, p in zip(H1_ROUTES, (online, by_rm, by_human))}
