"""The book's chapters: which notebook each runs, and the schema of its parameters (a
language-model chapter's slug is also its experiment's name in :mod:`pftlib.llm.experiments`).

Every chapter's schema is derived from its experiment's config (:mod:`pftlib.theory.settings`,
:mod:`pftlib.llm.config`; Chapter 6's exact H1 experiment's from
:class:`pftlib.theory.settings.RelabellingSettings`): their defaults are the only defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..llm import config as llm
from ..params import Constraint, Param, ParameterError, Schema, params_of, schema_of
from ..theory.settings import AllRoadsSettings, GapDialSettings, LikelihoodSettings, RelabellingSettings


@dataclass(frozen=True)
class Chapter:
    """A parameterised notebook ``notebooks/<stem>.ipynb`` rendered as ``book/chapters/<stem>.ipynb``.
    ``inputs`` are globs of data files the notebook reads: a change to them makes the page stale.
    A chapter whose inputs are other chapters' pages is executed after every other chapter."""

    slug: str
    stem: str
    title: str
    schema: Schema
    inputs: tuple[str, ...] = ()

    @property
    def reads_pages(self) -> bool:
        """Built from other chapters' executed pages, so executed after them."""
        return any(pattern.startswith("book/chapters/") for pattern in self.inputs)

    def source(self, root: Path) -> Path:
        return root / "notebooks" / f"{self.stem}.ipynb"

    def page(self, root: Path) -> Path:
        return root / "book" / "chapters" / f"{self.stem}.ipynb"


LIKELIHOOD = Chapter(
    slug="likelihood",
    stem="01_likelihood",
    title="Preference fine-tuning is likelihood",
    schema=schema_of(LikelihoodSettings, quick={"V": 2, "H": 3, "n_pairs": 300, "n_policies": 50, "bench_horizon": 5}),
)

ALL_ROADS = Chapter(
    slug="all-roads",
    stem="02_all_roads",
    title="All roads lead to likelihood",
    schema=schema_of(AllRoadsSettings, quick={"V": 2, "H": 2, "max_pairs": 100, "n_demos": 50, "seeds": 2}),
)

GAP = Chapter(
    slug="gap",
    stem="03_gap",
    title="Proper learning and the generation-verification gap",
    schema=schema_of(GapDialSettings, quick={"max_horizon": 3, "max_pairs": 100, "seeds": 2}),
)

FROM_JSON = Param("from_json", str, "", "render results saved by `python -m pftlib.llm.launch` instead of training")


def from_json_rule(experiment: str) -> Constraint:
    """``from_json`` is empty, or a results file of ``experiment`` that reads whole (checked by
    :func:`pftlib.llm.experiments.load` before any kernel starts; its error names the problem)."""
    def ok(p) -> bool:
        from ..llm.experiments import load

        return not p["from_json"] or bool(load(p["from_json"], experiment))
    return Constraint(("from_json",), ok, f"must be empty or a results file of {experiment} saved by "
                      "`python -m pftlib.llm.launch`", breaks={"from_json": "no/such/file.json"})
#: The language-model chapters' small profile (the tests' quick build).
QUICK_LM = {"seeds": 1, "size": "tiny", "rm_size": "tiny", "n_sft": 100, "n_pairs": 40, "n_eval": 20}

PIPELINE = Chapter(
    slug="pipeline",
    stem="04_pipeline",
    title="The language-model pipeline",
    schema=schema_of(llm.Pipeline, extra=(FROM_JSON,), constraints=(from_json_rule("pipeline"),),
                     quick={**QUICK_LM, "k": 2}),
)

REWARD_MODELS = Chapter(
    slug="reward-models",
    stem="05_reward_models",
    title="Reward models: local, global and DPO-implicit",
    schema=schema_of(llm.RewardStudy, exclude=("k",), extra=(FROM_JSON,),
                     constraints=(from_json_rule("reward-models"),),
                     quick={**QUICK_LM, "max_n": 4, "grid_sizes": "tiny"}),
)

HYPOTHESES = Chapter(
    slug="hypotheses",
    stem="06_hypotheses",
    title="The hypotheses H1-H5",
    schema=schema_of(llm.Hypotheses, exclude=llm.PAPER_SCALE, extra=params_of(RelabellingSettings, prefix="exact_"),
                     quick={**QUICK_LM, "k": 2, "betas": "0.3", "max_n": 4, "prompt_factor": 2.0}),
)

GAP_CLOSERS = Chapter(
    slug="gap-closers",
    stem="07_gap_closers",
    title="H6: closing the generation-verification gap",
    schema=schema_of(llm.GapClosers, exclude=llm.PAPER_SCALE, quick={**QUICK_LM, "k": 2}),
    inputs=("benchmarks/results/*.json",),  # it quotes the committed sweeps beside its own run
)

RESULTS_DIR = Param("results_dir", str, "benchmarks/results",
                    "folder of the committed benchmark results (relative to the book's root)")
PAGES_DIR = Param("pages_dir", str, "book/chapters",
                  "folder of the executed chapter pages (relative to the book's root)")


def folder_schema(param: Param) -> Schema:
    """The schema of a page whose one parameter, ``param``, names an existing folder or is its
    default (the build creates that one)."""
    exists = Constraint((param.name,), lambda p: p[param.name] == param.default or Path(p[param.name]).is_dir(),
                        "must be an existing folder (relative to the book's root), or the default",
                        breaks={param.name: "no/such/folder"})
    return Schema(params=(param,), constraints=(exists,))


BENCHMARKS = Chapter(
    slug="benchmarks",
    stem="90_benchmarks",
    title="Appendix: benchmarks",
    schema=folder_schema(RESULTS_DIR),
    inputs=("benchmarks/results/*.json",),
)

CLAIMS = Chapter(
    slug="claims",
    stem="00_claims",
    title="Claims at a glance",
    schema=folder_schema(PAGES_DIR),
    inputs=("book/chapters/0[1-7]_*.ipynb", "book/chapters/90_*.ipynb"),
)

REPRODUCIBILITY = Chapter(
    slug="reproducibility",
    stem="91_reproducibility",
    title="Appendix: how this build was made",
    schema=folder_schema(PAGES_DIR),
    inputs=("book/chapters/0*.ipynb", "book/chapters/90_*.ipynb", "constraints.txt"),
)

#: The chapters that train language models (DESIGN.md: at most 5 minutes each at defaults on 2 cores).
LANGUAGE_MODEL: tuple[Chapter, ...] = (PIPELINE, REWARD_MODELS, HYPOTHESES, GAP_CLOSERS)
#: The order ``pft book`` starts chapters in (the rest follow in book order): the longest first, and
#: Chapters 4 and 6 before 5 and 7, which reuse their cached checkpoints instead of training them.
START_ORDER: tuple[Chapter, ...] = (PIPELINE, HYPOTHESES, REWARD_MODELS, GAP_CLOSERS)
# The numbered chapters: each ends with exercises whose solutions run with the page.
TEACHING: tuple[Chapter, ...] = (LIKELIHOOD, ALL_ROADS, GAP, *LANGUAGE_MODEL)

CHAPTERS: tuple[Chapter, ...] = (CLAIMS, LIKELIHOOD, ALL_ROADS, GAP, PIPELINE, REWARD_MODELS, HYPOTHESES,
                                 GAP_CLOSERS, BENCHMARKS, REPRODUCIBILITY)


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
