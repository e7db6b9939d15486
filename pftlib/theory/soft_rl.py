"""KL-regularised ("soft") reinforcement learning on the token tree, solved exactly.

For a reward ``r(xi)`` on whole completions, a reference policy ``pi_ref`` and ``beta > 0``, the
soft RL objective is

    J(pi) = E_{xi ~ P_pi}[r(xi)] - beta * KL(P_pi || P_ref).

Its maximiser is the trajectory distribution ``P*_r(xi) = P_ref(xi) exp(r(xi)/beta) / Z`` and

    J(pi) = beta * log Z - beta * KL(P_pi || P*_r)               (the projection lemma),

so soft RL is the reverse-KL projection of ``P*_r`` onto the policy class.  On a tree ``P*_r`` is
itself autoregressive: backward soft value iteration gives it token by token.
"""

from __future__ import annotations

import torch

from .tree import Logits, log_probs


def soft_optimal(reward: torch.Tensor, ref_logits: Logits, beta: float) -> tuple[Logits, torch.Tensor]:
    """The exact soft-optimal policy of ``reward`` (shape ``(P, V**H)``) and ``log Z`` per prompt.

    Soft values, in units of ``beta``: ``W_H(xi) = r(xi)/beta`` and, for a prefix ``s`` of depth
    ``h``, ``W_h(s) = log sum_a pi_ref(a|s) exp(W_{h+1}(s a))``.  The optimal policy is
    ``pi*(a|s) = pi_ref(a|s) exp(W_{h+1}(s a) - W_h(s))`` and ``log Z = W_0``.
    Returns normalised logits (``log pi*``) and ``log Z`` of shape ``(P,)``.
    """
    if beta <= 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    P = reward.shape[0]
    values = reward / beta
    out: Logits = [None] * len(ref_logits)  # type: ignore[list-item]
    for h in range(len(ref_logits) - 1, -1, -1):
        ref = torch.log_softmax(ref_logits[h], dim=-1)  # (P, V**h, V)
        q = ref + values.reshape(P, ref.shape[1], ref.shape[2])
        values = torch.logsumexp(q, dim=-1)  # (P, V**h)
        out[h] = q - values[..., None]
    return out, values[:, 0]


def kl(logp: torch.Tensor, logq: torch.Tensor) -> torch.Tensor:
    """``KL(p || q) = sum_xi p(xi) (log p(xi) - log q(xi))`` per prompt, from log-probabilities."""
    p = logp.exp()
    return torch.where(p > 0, p * (logp - logq), torch.zeros_like(p)).sum(-1)


def objective(logits: Logits, reward: torch.Tensor, ref_logits: Logits, beta: float) -> torch.Tensor:
    """Soft RL objective ``J(pi) = E_pi[r] - beta KL(P_pi || P_ref)`` per prompt."""
    logp = log_probs(logits)
    return (logp.exp() * reward).sum(-1) - beta * kl(logp, log_probs(ref_logits))


def entropy(logits: Logits) -> torch.Tensor:
    """Entropy of the trajectory distribution, ``-sum_xi P_pi(xi) log P_pi(xi)``, per prompt."""
    logp = log_probs(logits)
    return -torch.where(logp > -torch.inf, logp.exp() * logp, torch.zeros_like(logp)).sum(-1)


def paper_objective(logits: Logits, reward: torch.Tensor) -> torch.Tensor:
    """The paper's literal form, ``E_pi[r] + H(P_pi)`` (entropy-regularised, no reference).  With a
    uniform reference and ``beta = 1`` it is the book's :func:`objective` plus ``H log V``, since
    ``KL(P_pi || uniform) = H log V - H(P_pi)``: the same maximiser, the same comparisons."""
    return (log_probs(logits).exp() * reward).sum(-1) + entropy(logits)

