"""Reward classes: functions of the whole completion ("global" reward models, verifiers).

* :class:`Tabular` — a free number per completion and prompt.  It is isomorphic to the local
  reward class of tabular policies: every table is ``beta log(P_pi / P_ref)`` plus a constant.
* :class:`Linear` — ``r(xi) = w_p . phi(xi)`` for fixed features ``phi``: a *simple* verifier
  class ``R_sim`` with ``d`` parameters per prompt, however long the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .tree import DTYPE, Tree


@dataclass(frozen=True)
class Tabular:
    """Any reward on completions: parameters are the ``(P, V**H)`` table itself."""

    tree: Tree
    name = "tabular"

    def init(self) -> list[torch.Tensor]:
        return [torch.zeros(self.tree.prompts, self.tree.n, dtype=DTYPE)]

    def __call__(self, params: list[torch.Tensor]) -> torch.Tensor:
        return params[0]

    def identified(self) -> Tabular:
        return self


@dataclass(frozen=True)
class Linear:
    """``r_p(xi) = w_p . phi(xi)`` with a ``(V**H, d)`` feature matrix ``phi``."""

    tree: Tree
    features: torch.Tensor
    name = "linear"

    def init(self) -> list[torch.Tensor]:
        return [torch.zeros(self.tree.prompts, self.features.shape[1], dtype=DTYPE)]

    def __call__(self, params: list[torch.Tensor]) -> torch.Tensor:
        return params[0] @ self.features.T

    def identified(self) -> Linear:
        """The same rewards up to a constant, with no weight direction that only adds a constant.
        Comparisons and soft RL cannot see such a direction (e.g. ``token_counts``: every
        completion has ``H`` tokens), and an optimiser drifts along it until rounding swamps the
        rest; the features' centred row space (by SVD) is what the data can determine."""
        centred = self.features - self.features.mean(0)
        _, s, vh = torch.linalg.svd(centred, full_matrices=False)
        return Linear(self.tree, self.features @ vh[s > s.max() * 1e-10].T)


def token_counts(tree: Tree) -> torch.Tensor:
    """``phi(xi)_v`` = how often token ``v`` occurs in ``xi`` (a bag of tokens, ``d = V``)."""
    return torch.nn.functional.one_hot(tree.tokens(), tree.V).sum(1).to(DTYPE)


def token_at_position(tree: Tree) -> torch.Tensor:
    """One-hot of (position, token): ``d = H V``; rewards that add up per position."""
    return torch.nn.functional.one_hot(tree.tokens(), tree.V).reshape(tree.n, -1).to(DTYPE)


FEATURES = {"token_counts": token_counts, "token_at_position": token_at_position}


def reward_class(name: str, tree: Tree) -> Tabular | Linear:
    """``tabular`` or a linear class named by its features (``token_counts``, ``token_at_position``)."""
    if name == "tabular":
        return Tabular(tree)
    if name in FEATURES:
        return Linear(tree, FEATURES[name](tree))
    raise ValueError(f"unknown reward class {name!r}; choose tabular or one of {sorted(FEATURES)}")
