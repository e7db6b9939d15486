"""Measurements that compare the routes: optimal values, identified rewards, optimality, regret,
H1's relabelling experiment, and the book's conventions against the paper's literal form."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .fit import fit_dpo, fit_online
from .preferences import Pairs, bt_log_likelihood, dpo_loss, relabel, sample_pairs
from .rewards import Linear, Tabular, token_counts
from .settings import RelabellingSettings
from .soft_rl import kl, objective, paper_objective, soft_optimal
from .tree import DTYPE, Logits, Tree, log_probs


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


def proper_by_search(tree: Tree, ref: Logits, beta: float, pairs: Pairs, span: float = 40.0,
                     points: int = 801) -> tuple[Logits, float]:
    """Theorem 3.1's right-hand side by brute force on the smallest simple class: ``V = 2`` token
    counts and one prompt.  There ``r_w = w_0 c_0 + w_1 c_1`` with ``c_0 + c_1 = H``, so only
    ``u = w_0 - w_1`` moves the policy.  The DPO loss of ``soft_optimal(u c_0)`` is evaluated on a
    grid of ``u`` in ``[-span, span]``, and the best cell narrowed by golden-section search, which
    compares loss values only (no gradient, no reward-model likelihood).  Returns the policy and
    the width of the final bracket in ``u``."""
    if tree.V != 2 or tree.prompts != 1:
        raise ValueError("the brute-force search needs V = 2 and one prompt (one direction that matters)")
    counts = token_counts(tree)[:, 0]

    def loss(u: float) -> float:
        return float(dpo_loss(soft_optimal((u * counts)[None], ref, beta)[0], ref, beta, pairs))

    grid = torch.linspace(-span, span, points, dtype=DTYPE).tolist()
    best = min(range(points), key=lambda i: loss(grid[i]))
    lo, hi = grid[max(best - 1, 0)], grid[min(best + 1, points - 1)]
    ratio = (5 ** 0.5 - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = loss(a), loss(b)
    while hi - lo > 1e-12 * max(1.0, abs(lo)) and a < b:
        if fa <= fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = loss(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = loss(b)
    u = (lo + hi) / 2
    return soft_optimal((u * counts)[None], ref, beta)[0], hi - lo


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


@dataclass(frozen=True)
class Relabelling(RelabellingSettings):
    """H1's exact relabelling on its settings."""

    def regrets(self, seed: int, instance: int, n_relabelled: int | None = None) -> dict[str, float]:
        """:func:`relabel_regrets` on random instance ``instance`` (reference, true reward and pairs
        drawn from seed ``seed * 1000 + instance``), with ``n_relabelled`` fresh pairs (default:
        as many as the labelled pairs)."""
        g = torch.Generator().manual_seed(seed * 1000 + instance)
        tree = Tree(self.V, self.H, self.prompts)
        ref = tree.random_logits(g, scale=0.7)
        truth = self.reward_scale * torch.randn(self.prompts, tree.n, generator=g, dtype=DTYPE)
        pairs = sample_pairs(truth, log_probs(ref), self.pairs, g).with_pseudocounts(self.pseudocount)
        return relabel_regrets(Tabular(tree), ref, truth, self.beta, pairs, n_relabelled or self.pairs,
                               self.pseudocount, g)


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


def paper_form_gaps(tree: Tree, true_reward: torch.Tensor, n_pairs: int, n_policies: int,
                    generator: torch.Generator) -> dict[str, float]:
    """The book's conventions against the paper's literal form (beta = 1, uniform reference), as the
    largest discrepancy of each: the soft-RL objective against E[r] + entropy (less H log V) over
    ``n_policies`` random policies (``objective``); the DPO loss against the BT loss of sum log pi
    (``dpo``); soft value iteration against e^r / Z (``tilt``); and Theorem 2.2's optimal losses
    in that form (``thm``)."""
    uniform = tree.uniform_logits()
    shift = tree.H * torch.log(torch.tensor(float(tree.V), dtype=DTYPE))
    randoms = [tree.random_logits(generator) for _ in range(n_policies)]
    pairs = sample_pairs(true_reward, log_probs(uniform), n_pairs, generator).with_pseudocounts(0.1)
    star, _ = soft_optimal(true_reward, uniform, 1.0)
    online = fit_online(Tabular(tree), uniform, 1.0, pairs)[1]
    return {
        "objective": max((objective(pi, true_reward, uniform, 1.0) - (paper_objective(pi, true_reward) - shift))
                         .abs().max().item() for pi in randoms),
        "dpo": max(abs(dpo_loss(pi, uniform, 1.0, pairs) + bt_log_likelihood(log_probs(pi), pairs)).item()
                   for pi in randoms),
        "tilt": (log_probs(star) - torch.log_softmax(true_reward, dim=-1)).abs().max().item(),
        "thm": abs(dpo_loss(online, uniform, 1.0, pairs) - dpo_loss(fit_dpo(uniform, 1.0, pairs), uniform, 1.0,
                                                                      pairs)).item(),
    }
