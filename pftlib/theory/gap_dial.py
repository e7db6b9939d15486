"""Chapter 3's experiments: Theorem 3.1 (proper learning) by two computations, and the gap dial,
online RLHF with a simple verifier class against DPO as the horizon and the sample size grow.

Each instance is a reference policy and a true reward *inside* the simple verifier class
(``features``), drawn from its own seed, so the online route's reward class is well specified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .compare import proper_by_search, regret
from .fit import fit_dpo, fit_online, fit_proper
from .optimize import recording
from .rewards import reward_class
from .settings import GapDialSettings
from .soft_rl import soft_optimal
from .tree import DTYPE, Tree, log_probs, token_log_probs

#: The routes of the dial, as the page labels them.
ROUTES = {"online, simple verifier (RLHF)": "online", "offline (DPO)": "offline",
          "online, tabular verifier": "rich"}


@dataclass(frozen=True)
class GapDial(GapDialSettings):
    """The computations of Chapter 3 on its settings."""

    @property
    def horizons(self) -> list[int]:
        return sorted({h for h in (1, 2, 3, 4, 6, 8, 10, 12) if h <= self.max_horizon} | {self.max_horizon})

    @property
    def sizes(self) -> list[int]:
        """Four sample sizes from 30 to ``max_pairs``, evenly spaced on a log scale."""
        return sorted({int(n) for n in np.geomspace(30, self.max_pairs, 4).round()})

    def instance(self, H: int, s: int):
        """Instance ``s`` at horizon ``H``: its generator (for the pairs drawn next), tree, simple
        class, reference policy and true reward (inside the simple class)."""
        g = torch.Generator().manual_seed(self.seed * 1000 + 37 * H + s)
        tree = Tree(self.V, H)
        simple = reward_class(self.features, tree)
        ref = tree.random_logits(g, scale=0.7)
        w = self.reward_scale * torch.randn(1, simple.features.shape[1], generator=g, dtype=DTYPE)
        return g, tree, simple, ref, simple([w])

    def pairs(self, truth, ref, n: int, g):
        from .preferences import sample_pairs

        return sample_pairs(truth, log_probs(ref), n, g).with_pseudocounts(self.pseudocount)

    def class_sizes(self) -> list[dict]:
        """Per horizon: the completions ``V**H``, the free numbers of the tabular policy class
        (``sum_h V**h (V - 1)``, one softmax per prefix) and the simple verifier class's weights."""
        verifier = f"verifier class ({self.features}): numbers"
        return [{"H": H, "completions V^H": self.V**H,
                 "policy class: free numbers": sum(self.V**h * (self.V - 1) for h in range(H)),
                 verifier: reward_class(self.features, Tree(self.V, H)).features.shape[1]} for H in self.horizons]

    def credit(self, H: int) -> tuple[list[dict], float]:
        """Credit assignment on instance 0 at horizon ``H``, per completion and token position: the
        global reward ``r*`` puts all its credit on the last token, while the local reward of
        ``pi*`` spreads it as soft advantages ``beta log(pi*(a_h|s_h) / pi_ref(a_h|s_h))``.  Returns
        those rows and the largest error of the identity ``sum_h (local credit) = r* - beta log Z``."""
        _, tree, _, ref, truth = self.instance(H, 0)
        optimal, log_z = soft_optimal(truth, ref, self.beta)
        local = self.beta * (token_log_probs(optimal) - token_log_probs(ref))[0]
        globl = torch.zeros_like(local)
        globl[:, -1] = truth[0]
        rows = [{"completion": label, "token": h, "credit": float(m[i, h]), "reward model": name}
                for name, m in [("global reward r*: credit at the end", globl),
                                ("local reward of π*: soft advantages", local)]
                for i, label in enumerate(tree.labels()) for h in range(tree.H)]
        return rows, (local.sum(1) - truth[0] + self.beta * log_z[0]).abs().max().item()

    def proper(self, grad_tol: float) -> tuple[list[dict], list]:
        """Theorem 3.1 on the first four horizons: the largest log-probability gap between the
        online route (reward likelihood, then soft RL) and the proper route (the DPO likelihood of
        soft-optimal policies), and, for V = 2 token counts, a brute-force search; with every fit's
        record (:func:`pftlib.theory.optimize.recording`)."""
        rows, searchable = [], self.V == 2 and self.features == "token_counts"
        with recording() as fits:
            for H in self.horizons[:4]:
                for s in range(self.seeds):
                    g, tree, simple, ref, truth = self.instance(H, s)
                    pairs = self.pairs(truth, ref, self.sizes[1], g)
                    _, online = fit_online(simple, ref, self.beta, pairs, grad_tol)
                    row = {"H": H, "seed": s,
                           "online vs proper": _gap(online, fit_proper(simple, ref, self.beta, pairs, grad_tol))}
                    if searchable:
                        row["online vs search"] = _gap(online, proper_by_search(tree, ref, self.beta, pairs)[0])
                    rows.append(row)
        return rows, fits

    def sweep(self, tol: float) -> list[dict]:
        """Every route's regret at every horizon, sample size and instance."""
        records = []
        for H in self.horizons:
            for s in range(self.seeds):
                g, tree, simple, ref, truth = self.instance(H, s)
                rich = reward_class("tabular", tree)
                for n in self.sizes:
                    pairs = self.pairs(truth, ref, n, g)
                    policies = {"online": fit_online(simple, ref, self.beta, pairs, tol)[1],
                                "offline": fit_dpo(ref, self.beta, pairs, tol),
                                "rich": fit_online(rich, ref, self.beta, pairs, tol)[1]}
                    records += [{"H": H, "pairs": n, "seed": s, "route": name,
                                 "regret": regret(policies[key], truth, ref, self.beta).item()}
                                for name, key in ROUTES.items()]
        return records

    def route_regrets(self, H: int, s: int, tol: float, misspecified: bool = False) -> tuple[float, float]:
        """Regrets of online RLHF (the simple verifier) and of DPO on instance ``s`` at horizon ``H``,
        both fitted on the largest number of pairs.  With ``misspecified``, the true reward is drawn
        i.i.d. per completion instead (standard deviation ``reward_scale``): outside the simple
        class, so the online route's verifier class is wrong."""
        g, tree, simple, ref, truth = self.instance(H, s)
        if misspecified:
            truth = self.reward_scale * torch.randn(1, tree.n, generator=g, dtype=DTYPE)
        pairs = self.pairs(truth, ref, max(self.sizes), g)
        online = fit_online(simple, ref, self.beta, pairs, tol)[1]
        offline = fit_dpo(ref, self.beta, pairs, tol)
        return regret(online, truth, ref, self.beta).item(), regret(offline, truth, ref, self.beta).item()


def _gap(a, b) -> float:
    return (log_probs(a) - log_probs(b)).abs().max().item()
