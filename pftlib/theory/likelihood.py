"""Chapter 1's demonstrations: soft RL is a likelihood projection, and DPO is a likelihood fit.

Each function measures one statement on one instance of the token tree, and returns plain numbers
or rows (one ``dict`` per point) for the chapter to chart:

* :func:`random_policies`: ``J(pi) = beta log Z - beta KL(P_pi || P*_r)`` at random policies of every
  temperature (the projection lemma, :mod:`pftlib.theory.soft_rl`);
* :func:`gradient_trace`: gradient ascent on ``J`` walks down ``KL(P_pi || P*_r)`` to zero;
* :func:`data_weights` and :func:`weighted_corr`: how well DPO's local reward recovers ``r*`` where
  the pairs put their weight (BT sees rewards only up to a constant, and only where compared);
* :func:`policy_rows`: expected true reward and KL to the reference of a few policies.
"""

from __future__ import annotations

import torch

from .preferences import Pairs
from .soft_rl import kl, objective
from .tree import Logits, Tree, log_probs, probs


def random_policies(tree: Tree, reward: torch.Tensor, ref: Logits, beta: float, log_p_star: torch.Tensor,
                    n: int, generator: torch.Generator) -> list[dict]:
    """``n`` random policies, from near-uniform (logit scale ``4/n``) to near-deterministic (scale 4):
    for each, ``KL(P_pi || P*_r)`` and ``J(pi)``, which the projection lemma puts on one line."""
    rows = []
    for k in range(n):
        logits = tree.random_logits(generator, scale=4.0 * (k + 1) / n)
        rows.append({"policy": k, "KL to P*": kl(log_probs(logits), log_p_star).item(),
                     "J": objective(logits, reward, ref, beta).item()})
    return rows


def gradient_trace(ref: Logits, reward: torch.Tensor, beta: float, log_p_star: torch.Tensor,
                   steps: int = 300, lr: float = 0.1) -> list[dict]:
    """Adam on ``-J(pi)`` from ``pi = pi_ref``, the policy-gradient route to soft RL: ``KL(P_pi || P*_r)``
    before each of ``steps`` steps and after the last."""
    logits = [layer.clone().requires_grad_(True) for layer in ref]
    opt = torch.optim.Adam(logits, lr=lr)
    trace = []
    for step in range(steps + 1):
        with torch.no_grad():
            trace.append({"step": step, "KL to P*": kl(log_probs(logits), log_p_star).item()})
        opt.zero_grad()
        (-objective(logits, reward, ref, beta).sum()).backward()
        opt.step()
    return trace


def data_weights(pairs: Pairs, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For prompt 0's ``n`` completions: how often each appears in the pairs, how often it wins, and
    its share of all appearances (the weights :func:`weighted_corr` uses)."""
    counts = torch.bincount(torch.cat([pairs.chosen, pairs.rejected]), minlength=n)
    wins = torch.bincount(pairs.chosen, minlength=n)
    return counts, wins, counts.double() / counts.sum()


def centre(reward: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Prompt 0's reward minus its ``weights``-mean: BT determines rewards only up to a constant."""
    return reward[0] - (weights * reward[0]).sum()


def weighted_corr(x: torch.Tensor, y: torch.Tensor, weights: torch.Tensor) -> float:
    """Correlation of two centred rewards under ``weights``: how well they agree where the data are."""
    return ((weights * x * y).sum() / ((weights * x**2).sum() * (weights * y**2).sum()).sqrt()).item()


def policy_rows(policies: dict[str, Logits], reward: torch.Tensor, log_p_ref: torch.Tensor) -> list[dict]:
    """Per named policy: its expected true reward ``E_pi[r*]`` and ``KL(P_pi || P_ref)`` (prompt 0)."""
    return [{"policy": name, "E[r*] (true reward)": (probs(p)[0] * reward[0]).sum().item(),
             "KL(P_π ‖ P_ref)": kl(log_probs(p), log_p_ref).item()} for name, p in policies.items()]
