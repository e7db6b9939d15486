"""The theory chapters' settings: one frozen dataclass per experiment, with each field's default,
help and range (``pft list`` shows them), that checks itself when it is made.  Nothing here
imports torch, so ``pft`` reads and checks parameters at once; the computations subclass these
(:class:`~pftlib.theory.all_roads.AllRoads`, :class:`~pftlib.theory.gap_dial.GapDial`,
:class:`~pftlib.theory.compare.Relabelling`); Chapter 1's demonstrations are functions of
:mod:`pftlib.theory.likelihood` that its notebook calls with these settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..params import Constraint, option, validated

#: The smallest KL strength beta and reward scale the theory chapters accept.  Far below it the
#: exact numbers leave float64 (``-p beta 1e-300`` published a NaN correlation, ``-p reward_scale
#: 1e-300`` an infinite one); at this floor against the largest scale (50), and the reverse, every
#: theory chapter's numbers are finite (checked with ``pft run CHAPTER --quick``).
SCALE_FLOOR = 0.01


def size_rule(horizon: str, limit: int, why: str) -> Constraint:
    """The parameter rule ``V ** horizon <= limit``: the number of completions a chapter enumerates."""
    return Constraint(("V", horizon), lambda p: p["V"] ** p[horizon] <= limit, f"{why}: keep V**{horizon} <= {limit:,}")


class _Checked:
    """Checks every field against its range and the class's ``RULES`` when an instance is made."""

    def __post_init__(self) -> None:
        validated(self)


@dataclass(frozen=True)
class LikelihoodSettings(_Checked):
    """Chapter 1: soft RL as a reverse-KL projection, Bradley–Terry likelihood and DPO, exactly, on
    one token tree."""

    V: int = option(3, "vocabulary size (tokens per step)", low=2, high=16)
    H: int = option(4, "horizon: tokens per completion", low=1, high=20)
    beta: float = option(0.5, "KL-regularisation strength", low=SCALE_FLOOR, high=100)
    reward_scale: float = option(2.0, "standard deviation of the true reward", low=SCALE_FLOOR, high=50)
    n_pairs: int = option(2000, "number of labelled preference pairs for DPO", low=1, high=1_000_000)
    n_policies: int = option(200, "random policies in the projection check", low=1, high=10_000)
    seed: int = option(0, "random seed", low=0, high=2**31 - 1)
    bench_horizon: int = option(10, "engine benchmark: time trees of 4 tokens per step up to this horizon",
                                low=1, high=10)

    RULES: ClassVar = (size_rule("H", 2**20, "the tree is enumerated exactly"),)


@dataclass(frozen=True)
class AllRoadsSettings(_Checked):
    """Chapter 2: Theorem 2.2 on random instances across coverage and sample size, and SFT as
    inverse RL."""

    V: int = option(3, "vocabulary size (tokens per step)", low=2, high=8)
    H: int = option(3, "horizon: tokens per completion", low=1, high=12)
    prompts: int = option(2, "number of prompts", low=1, high=4)
    beta: float = option(0.5, "KL-regularisation strength", low=SCALE_FLOOR, high=100)
    reward_scale: float = option(2.0, "standard deviation of the true reward", low=SCALE_FLOOR, high=50)
    pseudocount: float = option(0.1, "pseudo-observations of each outcome per compared pair", low=0, high=10,
                                low_open=True)
    max_pairs: int = option(1000, "largest number of preference pairs in the sweep", low=10, high=100_000)
    n_demos: int = option(200, "demonstrations for SFT vs inverse RL", low=1, high=100_000)
    seeds: int = option(3, "random instances per setting", low=1, high=20)
    seed: int = option(0, "random seed", low=0, high=2**31 - 1)

    RULES: ClassVar = (size_rule("H", 4096, "the sweep fits every route many times"),)


@dataclass(frozen=True)
class GapDialSettings(_Checked):
    """Chapter 3: Theorem 3.1 by two computations, and the gap dial over horizon and sample size."""

    V: int = option(2, "vocabulary size (tokens per step)", low=2, high=4)
    max_horizon: int = option(8, "the gap dial turns H from 1 up to this", low=1, high=12)
    beta: float = option(0.5, "KL-regularisation strength", low=SCALE_FLOOR, high=100)
    reward_scale: float = option(1.0, "standard deviation of the true verifier weights", low=SCALE_FLOOR, high=50)
    pseudocount: float = option(0.01, "pseudo-observations of each outcome per compared pair", low=0, high=10,
                                low_open=True)
    max_pairs: int = option(1000, "largest number of preference pairs", low=30, high=100_000)
    seeds: int = option(3, "random instances per setting (at least 2 for error bands)", low=2, high=20)
    features: str = option("token_counts", "the simple verifier class", choices=("token_counts", "token_at_position"))
    seed: int = option(0, "random seed", low=0, high=2**31 - 1)

    RULES: ClassVar = (size_rule("max_horizon", 4096, "the sweep fits every route many times"),)


@dataclass(frozen=True)
class RelabellingSettings(_Checked):
    """H1's exact experiment (Chapter 6): random tabular instances on which the online route is
    refitted with on-policy pairs, relabelled by its own reward model or by the true labeller."""

    V: int = option(3, "exact H1: vocabulary size", low=2, high=6)
    H: int = option(3, "exact H1: horizon", low=1, high=5)
    prompts: int = option(2, "exact H1: prompts", low=1, high=4)
    beta: float = option(0.5, "exact H1: KL-regularisation strength", low=SCALE_FLOOR, high=100)
    reward_scale: float = option(2.0, "exact H1: standard deviation of the true reward", low=SCALE_FLOOR, high=50)
    pairs: int = option(300, "exact H1: labelled pairs before relabelling", low=10, high=100_000)
    pseudocount: float = option(0.1, "exact H1: pseudo-observations of each outcome per compared pair", low=0,
                                high=10, low_open=True)
