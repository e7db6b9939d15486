"""How fast is the exact engine?  Vectorised tree computations against a naive per-node loop.

Both sides compute the same things for a random reference policy and reward: every trajectory
log-likelihood ``log P_ref(xi)``, and the soft values and soft-optimal policy of the reward.  The
engine also computes a BT log-likelihood and its gradient with respect to the policy logits;
the naive loop, written the way one would by hand, does the first two only.
"""

from __future__ import annotations

import math
import time

import torch

from .preferences import dpo_loss, sample_pairs
from .soft_rl import soft_optimal
from .tree import DTYPE, Logits, Tree, log_probs


def naive_log_probs(tree: Tree, logits: Logits) -> list[float]:
    """``log P(xi)`` completion by completion, walking the tree token by token (prompt 0)."""
    tables = [torch.log_softmax(layer[0], -1).tolist() for layer in logits]
    out = []
    for i in range(tree.n):
        total, prefix = 0.0, 0
        for h in range(tree.H):
            a = (i // tree.V ** (tree.H - 1 - h)) % tree.V
            total += tables[h][prefix][a]
            prefix = prefix * tree.V + a
        out.append(total)
    return out


def naive_soft_optimal(tree: Tree, reward: list[float], logits: Logits, beta: float) -> tuple[list, float]:
    """Soft value iteration node by node: returns ``log pi*`` tables and ``log Z`` (prompt 0)."""
    ref = [torch.log_softmax(layer[0], -1).tolist() for layer in logits]
    values = [r / beta for r in reward]
    policy: list = [None] * tree.H
    for h in range(tree.H - 1, -1, -1):
        new_values, table = [], []
        for s in range(tree.V**h):
            q = [ref[h][s][a] + values[s * tree.V + a] for a in range(tree.V)]
            top = max(q)
            w = top + math.log(sum(math.exp(x - top) for x in q))
            new_values.append(w)
            table.append([x - w for x in q])
        values, policy[h] = new_values, table
    return policy, values[0]


def _best_of(fn, repeats: int) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def time_engine(V: int, H: int, n_pairs: int = 10_000, beta: float = 0.5, repeats: int = 3) -> float:
    """Seconds (best of ``repeats``) for: soft-optimal policy, BT log-likelihood and its gradient."""
    g = torch.Generator().manual_seed(0)
    tree = Tree(V, H)
    ref = tree.random_logits(g)
    reward = torch.randn(1, tree.n, generator=g, dtype=DTYPE)
    pairs = sample_pairs(reward, log_probs(ref), n_pairs, g)

    def run() -> None:
        pi, _ = soft_optimal(reward, ref, beta)
        policy = [layer.clone().requires_grad_(True) for layer in pi]
        dpo_loss(policy, ref, beta, pairs).backward()

    return _best_of(run, repeats)


def time_naive(V: int, H: int, beta: float = 0.5, repeats: int = 1) -> float:
    """Seconds for the naive loop: every trajectory log-likelihood, then soft value iteration."""
    g = torch.Generator().manual_seed(0)
    tree = Tree(V, H)
    ref = tree.random_logits(g)
    reward = torch.randn(tree.n, generator=g, dtype=DTYPE).tolist()
    return _best_of(lambda: (naive_log_probs(tree, ref), naive_soft_optimal(tree, reward, ref, beta)), repeats)


def benchmark(V: int = 4, max_horizon: int = 10, naive_max: int = 262_144) -> list[dict]:
    """Time the engine for ``H = 1..max_horizon`` and the naive loop up to ``naive_max`` completions."""
    rows = []
    for H in range(1, max_horizon + 1):
        n = V**H
        rows.append({"H": H, "completions": n, "engine s": time_engine(V, H),
                     "naive loop s": time_naive(V, H) if n <= naive_max else None})
    return rows
