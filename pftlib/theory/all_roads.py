"""Chapter 2's experiments: Theorem 2.2 (online and offline PFT share their optima) on random
instances across data coverage and sample size, and its SFT analogue (SFT = maximum-entropy
inverse RL, then soft RL).

An instance is a random reference policy and true reward on a tree of ``V ** H`` completions per
prompt, drawn from its own seed, with three coverage distributions the pairs are sampled from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import torch

from .compare import policy_residual, regret, reward_residual, within_component_gap
from .fit import Demos, fit_dpo, fit_irl, fit_online, fit_sft
from .preferences import components, dpo_loss, local_reward, sample_pairs
from .rewards import Tabular
from .settings import AllRoadsSettings
from .soft_rl import soft_optimal
from .tree import DTYPE, Tree, log_probs


@dataclass(frozen=True)
class AllRoads(AllRoadsSettings):
    """The computations of Chapter 2 on its settings."""

    @cached_property
    def tree(self) -> Tree:
        return Tree(self.V, self.H, self.prompts)

    @cached_property
    def tabular(self) -> Tabular:
        return Tabular(self.tree)

    @property
    def sizes(self) -> list[int]:
        """Five sample sizes from 10 to ``max_pairs``, evenly spaced on a log scale."""
        return sorted({int(n) for n in np.geomspace(10, self.max_pairs, 5).round()})

    def instance(self, s: int):
        """Instance ``s``: its generator (for the pairs drawn next), reference policy, true reward,
        and the log-probabilities of three coverage distributions (uniform, the reference, and the
        reference at temperature 1/3)."""
        g = torch.Generator().manual_seed(self.seed * 1000 + s)
        ref = self.tree.random_logits(g, scale=0.7)
        truth = self.reward_scale * torch.randn(self.prompts, self.tree.n, generator=g, dtype=DTYPE)
        coverage = {"uniform": torch.full((self.prompts, self.tree.n), -np.log(self.tree.n), dtype=DTYPE),
                    "reference": log_probs(ref), "narrow": log_probs([3 * layer for layer in ref])}
        return g, ref, truth, coverage

    def pairs(self, truth, coverage, n: int, g):
        return sample_pairs(truth, coverage, n, g).with_pseudocounts(self.pseudocount)

    def compare_routes(self, ref, pairs):
        """Fit both routes on the same data and measure how far apart their optima are: the gap in
        DPO loss, in rewards within each component of the comparison graph, and each route's
        gradient under the other's objective."""
        beta = self.beta
        online = fit_online(self.tabular, ref, beta, pairs)[1]
        offline = fit_dpo(ref, beta, pairs)
        comp = components(pairs, self.prompts, self.tree.n)
        r_on, r_off = local_reward(online, ref, beta), local_reward(offline, ref, beta)
        return online, offline, comp, {
            "loss gap": abs(dpo_loss(online, ref, beta, pairs) - dpo_loss(offline, ref, beta, pairs)).item(),
            "reward gap": within_component_gap(comp, r_on, r_off),
            "residual": max(reward_residual(r_off, pairs), policy_residual(online, ref, beta, pairs)),
            "identified": (comp >= 0).double().mean().item(),
        }

    def centred_rewards(self, ref, online, offline, comp) -> list[dict]:
        """Prompt 0's local rewards of both routes, each shifted by its own mean over the completion's
        component of the comparison graph (the data fix rewards only up to a constant per component);
        a completion no pair compares keeps its raw rewards, each route's own guess."""
        r_on, r_off = local_reward(online, ref, self.beta)[0], local_reward(offline, ref, self.beta)[0]
        rows = []
        for i in range(self.tree.n):
            c = int(comp[0, i])
            m = comp[0] == c
            shift_on, shift_off = (r_on[m].mean(), r_off[m].mean()) if c >= 0 else (0.0, 0.0)
            rows.append({"completion": i, "online": float(r_on[i] - shift_on), "offline": float(r_off[i] - shift_off),
                         "data": "identified by the data" if c >= 0 else "never compared"})
        return rows

    def sweep(self) -> list[dict]:
        """:meth:`compare_routes` and both routes' regrets for every instance, coverage and size."""
        records = []
        for s in range(self.seeds):
            g, ref, truth, coverage = self.instance(s)
            for name, cover in coverage.items():
                for n in self.sizes:
                    online, offline, _, row = self.compare_routes(ref, self.pairs(truth, cover, n, g))
                    records.append({"coverage": name, "pairs": n, "seed": s, **row,
                                    "regret online": regret(online, truth, ref, self.beta).mean().item(),
                                    "regret offline": regret(offline, truth, ref, self.beta).mean().item()})
        return records

    def sft_vs_irl(self, s: int):
        """On instance ``s``, ``n_demos`` demonstrations of the soft-optimal policy: the
        log-probabilities of SFT, of max-ent IRL then soft RL, and of the (smoothed) empirical
        distribution, with the demonstrations."""
        g, ref, truth, _ = self.instance(s)
        expert = log_probs(soft_optimal(truth, ref, self.beta)[0])
        demos = Demos.sample(expert, self.n_demos, g).with_pseudocounts(self.pseudocount, self.prompts, self.tree.n)
        empirical = demos.counts(self.prompts, self.tree.n)
        empirical = (empirical / empirical.sum(-1, keepdim=True)).log()
        sft = log_probs(fit_sft(ref, demos))
        irl = log_probs(fit_irl(self.tabular, ref, self.beta, demos)[1])
        return sft, irl, empirical, demos
