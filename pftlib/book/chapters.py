"""The book's chapters: which notebook each runs, and the schema of its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .params import Constraint, Param, ParameterError, Schema


@dataclass(frozen=True)
class Chapter:
    """A parameterised notebook ``notebooks/<stem>.ipynb`` rendered as ``book/chapters/<stem>.ipynb``."""

    slug: str
    stem: str
    title: str
    schema: Schema

    def source(self, root: Path) -> Path:
        return root / "notebooks" / f"{self.stem}.ipynb"

    def page(self, root: Path) -> Path:
        return root / "book" / "chapters" / f"{self.stem}.ipynb"


# Parameters several chapters share.
BETA = Param("beta", float, 0.5, "KL-regularisation strength", low=0, high=100, low_open=True)
SEED = Param("seed", int, 0, "random seed", low=0, high=2**31 - 1)


def vocabulary(default: int, high: int) -> Param:
    return Param("V", int, default, "vocabulary size (tokens per step)", low=2, high=high)


def reward_scale(default: float, of: str = "the true reward") -> Param:
    return Param("reward_scale", float, default, f"standard deviation of {of}", low=0, high=50, low_open=True)


def pseudocount(default: float) -> Param:
    return Param("pseudocount", float, default, "pseudo-observations of each outcome per compared pair",
                 low=0, high=10, low_open=True)


def tree_limit(horizon: str, limit: int, why: str) -> Constraint:
    """``V ** horizon <= limit``: the number of completions the chapter enumerates."""
    return Constraint(("V", horizon), lambda p: p["V"] ** p[horizon] <= limit,
                      f"{why}: keep V**{horizon} <= {limit:,}")


LIKELIHOOD = Chapter(
    slug="likelihood",
    stem="01_likelihood",
    title="Preference fine-tuning is likelihood",
    schema=Schema(
        params=(
            vocabulary(3, high=16),
            Param("H", int, 4, "horizon: tokens per completion", low=1, high=20),
            BETA,
            reward_scale(2.0),
            Param("n_pairs", int, 2000, "number of labelled preference pairs for DPO", low=1, high=1_000_000),
            Param("n_policies", int, 200, "random policies in the projection check", low=1, high=10_000),
            SEED,
            Param("bench_horizon", int, 10, "engine benchmark: time trees with V=4 up to this horizon", low=1, high=10),
        ),
        constraints=(tree_limit("H", 2**20, "the tree is enumerated exactly"),),
        quick={"V": 2, "H": 3, "n_pairs": 300, "n_policies": 50, "bench_horizon": 5},
    ),
)

ALL_ROADS = Chapter(
    slug="all-roads",
    stem="02_all_roads",
    title="All roads lead to likelihood",
    schema=Schema(
        params=(
            vocabulary(3, high=8),
            Param("H", int, 3, "horizon: tokens per completion", low=1, high=12),
            Param("prompts", int, 2, "number of prompts", low=1, high=4),
            BETA,
            reward_scale(2.0),
            pseudocount(0.1),
            Param("max_pairs", int, 1000, "largest number of preference pairs in the sweep", low=10, high=100_000),
            Param("n_demos", int, 200, "demonstrations for SFT vs inverse RL", low=1, high=100_000),
            Param("seeds", int, 3, "random instances per setting", low=1, high=20),
            SEED,
        ),
        constraints=(tree_limit("H", 4096, "the sweep fits every route many times"),),
        quick={"V": 2, "H": 2, "max_pairs": 100, "n_demos": 50, "seeds": 2},
    ),
)

GAP = Chapter(
    slug="gap",
    stem="03_gap",
    title="Proper learning and the generation-verification gap",
    schema=Schema(
        params=(
            vocabulary(2, high=4),
            Param("max_horizon", int, 8, "the gap dial turns H from 1 up to this", low=1, high=12),
            BETA,
            reward_scale(1.0, of="the true verifier weights"),
            pseudocount(0.01),
            Param("max_pairs", int, 1000, "largest number of preference pairs", low=30, high=100_000),
            Param("seeds", int, 3, "random instances per setting (at least 2 for error bands)", low=2, high=20),
            Param("features", str, "token_counts", "the simple verifier class",
                  choices=("token_counts", "token_at_position")),
            SEED,
        ),
        constraints=(tree_limit("max_horizon", 4096, "the sweep fits every route many times"),),
        quick={"max_horizon": 3, "max_pairs": 100, "seeds": 2},
    ),
)

PIPELINE = Chapter(
    slug="pipeline",
    stem="04_pipeline",
    title="The language-model pipeline",
    schema=Schema(
        params=(
            Param("seeds", int, 3, "independent runs of the whole pipeline (error bars)", low=1, high=10),
            Param("size", str, "small", "policy and reward-model size", choices=("tiny", "small", "base")),
            Param("budget", int, 3, "summary budget in words: the horizon", low=1, high=5),
            Param("verifier", str, "coverage", "the gold verifier", choices=("coverage", "rouge")),
            Param("n_sft", int, 4000, "SFT examples", low=50, high=100_000),
            Param("n_pairs", int, 3000, "preference pairs (and online prompts)", low=20, high=100_000),
            Param("n_eval", int, 200, "held-out prompts for the winrates", low=10, high=10_000),
            Param("beta", float, 0.1, "DPO's KL-regularisation strength", low=0, high=10, low_open=True),
            Param("learning_rate", float, 1e-4, "DPO and online-DPO learning rate", low=0, high=0.1, low_open=True),
            Param("rm_learning_rate", float, 3e-3, "reward-model learning rate", low=0, high=0.1, low_open=True),
            Param("k", int, 4, "online DPO: samples per prompt (best vs worst)", low=2, high=64),
            SEED,
        ),
        quick={"seeds": 1, "size": "tiny", "n_sft": 100, "n_pairs": 40, "n_eval": 20, "k": 2},
    ),
)

CHAPTERS: tuple[Chapter, ...] = (LIKELIHOOD, ALL_ROADS, GAP, PIPELINE)


def find(name: str) -> Chapter:
    """A chapter by slug, notebook stem or number (``likelihood``, ``01_likelihood``, ``1``)."""
    for ch in CHAPTERS:
        if name in {ch.slug, ch.stem} or (name.isdigit() and int(name) == int(ch.stem.split("_")[0])):
            return ch
    known = ", ".join(ch.slug for ch in CHAPTERS)
    raise ParameterError(f"unknown chapter '{name}'; chapters: {known}")


def by_stem(stem: str) -> Chapter:
    for ch in CHAPTERS:
        if ch.stem == stem:
            return ch
    raise ParameterError(f"_toc.yml lists book/chapters/{stem}, but pftlib has no chapter with that notebook")
