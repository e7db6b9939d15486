"""The book's chapters: which notebook each runs, and the schema of its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .params import Constraint, Param, ParameterError, Schema


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

def _checkpoint_or_id(value: str) -> bool:
    """Empty (the default), an existing folder, or a hub id of the form ``owner/name``."""
    from ..llm.judges import is_checkpoint

    return not value or is_checkpoint(value)


def _local_data_ok(p) -> bool:
    """Local TL;DR-schema folders are read now: an empty, unreadable or mis-shaped file is a
    parameter error, found before anything trains (raises ``ValueError`` naming the problem)."""
    from ..tasks.datasets import check_tldr_folder

    for key, kind in (("sft_dataset", "sft"), ("pref_dataset", "preference")):
        if p[key] and Path(p[key]).is_dir():
            check_tldr_folder(p[key], kind)
    return True


def number_list(text: str) -> tuple[float, ...]:
    """``"0.03,0.3"`` as numbers (empty text: none); raises ``ValueError`` on anything else."""
    return tuple(float(v) for v in text.split(",")) if text else ()


def _betas_ok(p) -> bool:
    betas = number_list(p["betas"])
    return len(set(betas)) == len(betas) and all(0 < b <= 10 for b in betas)


def _size_list(text: str) -> bool:
    sizes = text.split(",")
    return bool(text) and len(set(sizes)) == len(sizes) and all(s in ("tiny", "small", "base") for s in sizes)


REPORT_TO = Param("report_to", str, "none", "experiment trackers TRL reports training to: none, or a comma-separated "
                  "list such as tensorboard (logs under runs/, or $PFT_LOG_DIR) or wandb")


def _trackers_ok(p) -> bool:
    """``none``, or trackers transformers knows and finds installed (raises ``ValueError`` naming them)."""
    if p["report_to"] == "none":
        return True
    from transformers.integrations.integration_utils import INTEGRATION_TO_CALLBACK, get_available_reporting_integrations

    names = p["report_to"].split(",")
    unknown = [n for n in names if n not in INTEGRATION_TO_CALLBACK]
    if unknown or len(set(names)) != len(names):
        known = ", ".join(sorted(INTEGRATION_TO_CALLBACK))
        raise ValueError(f"unknown or repeated tracker(s) {unknown or names}; known: {known}")
    missing = [n for n in names if n not in get_available_reporting_integrations()]
    if missing:
        raise ValueError(f"tracker(s) {', '.join(missing)} not installed here (pip install {' '.join(missing)})")
    return True


REPORT_TO_RULE = Constraint(("report_to",), _trackers_ok, "report_to is 'none' or installed trackers TRL supports",
                            breaks={"report_to": "no-such-tracker"})


def _judge_ok(p) -> bool:
    from ..llm.judges import check_spec

    check_spec(p["judge"])  # raises ValueError naming the problem
    return True


def _paper_scale() -> tuple[tuple[Param, ...], tuple[Constraint, ...]]:
    """The parameters that switch a chapter to a pretrained checkpoint, TL;DR-schema data and
    another judge, with the rules that keep them consistent."""
    params = (
        Param("model", str, "", "a pretrained checkpoint (hub id or folder) instead of a fresh `size` model"),
        Param("sft_dataset", str, "", "TL;DR-schema SFT data (e.g. trl-lib/tldr) instead of the synthetic task"),
        Param("pref_dataset", str, "", "TL;DR-schema preference pairs (e.g. trl-lib/tldr-preference)"),
        Param("judge", str, "verifier", "gold judge: verifier, rm:PATH (a reward model) or api:MODEL"),
        Param("from_json", str, "", "render results saved by `python -m pftlib.llm.launch` instead of training"),
    )
    constraints = (
        Constraint(("model", "sft_dataset", "pref_dataset"),
                   lambda p: all(_checkpoint_or_id(p[k]) for k in ("model", "sft_dataset", "pref_dataset")),
                   "each must be empty, an existing folder, or a hub id such as EleutherAI/pythia-1.4b-deduped",
                   breaks={"model": "no-such-folder"}),
        Constraint(("sft_dataset", "pref_dataset"), lambda p: bool(p["sft_dataset"]) == bool(p["pref_dataset"]),
                   "set both TL;DR-schema data sets, or neither (the synthetic task)",
                   breaks={"sft_dataset": "trl-lib/tldr"}),
        Constraint(("sft_dataset", "model"), lambda p: not p["sft_dataset"] or bool(p["model"]),
                   "real data sets need a pretrained model whose tokenizer reads them",
                   breaks={"sft_dataset": "a/b", "pref_dataset": "c/d"}),
        Constraint(("sft_dataset", "pref_dataset"), _local_data_ok,
                   "a local data folder needs train and validation files with non-empty string columns "
                   "prompt/completion (SFT) or prompt/chosen/rejected (preferences)",
                   breaks={"sft_dataset": str(Path(__file__).parent), "pref_dataset": str(Path(__file__).parent),
                           "model": "m/x", "judge": "rm:m/x"}),
        Constraint(("judge",), _judge_ok,
                   "a judge is 'verifier', 'rm:PATH' or 'api:MODEL', and an API judge needs its key in the "
                   "environment variable PFT_JUDGE_API_KEY (never a parameter)", breaks={"judge": "gpt-4o"}),
        Constraint(("from_json",), lambda p: not p["from_json"] or Path(p["from_json"]).is_file(),
                   "must be empty or an existing results file", breaks={"from_json": "no/such/file.json"}),
        Constraint(("judge", "sft_dataset"), lambda p: not (p["sft_dataset"] and p["judge"] == "verifier"),
                   "real data sets have no verifier: use judge rm:PATH or api:MODEL",
                   breaks={"sft_dataset": "a/b", "pref_dataset": "c/d", "model": "m/x"}),
    )
    return params, constraints


def language_model_schema(n_pairs: int, extra: tuple[Param, ...], quick: dict,
                          constraints: tuple[Constraint, ...] = (), paper_scale: bool = True,
                          n_sft: int = 4000) -> Schema:
    """The parameters the language-model chapters share: task, models, data and training settings;
    ``extra`` parameters, ``quick`` profile entries and ``constraints`` are the chapter's own.
    With ``paper_scale``, ``model``, ``sft_dataset`` and ``pref_dataset`` switch to a pretrained
    checkpoint and TL;DR-schema data (hub ids or local folders); an API judge's key comes only from
    the environment (``PFT_JUDGE_API_KEY``), never from a parameter.  Without it the chapter runs
    on the synthetic task only (it needs the verifier)."""
    scale, scale_rules = _paper_scale() if paper_scale else ((), ())
    return Schema(
        params=(
            Param("seeds", int, 3, "independent runs of the whole experiment (error bars)", low=1, high=10),
            Param("size", str, "small", "policy size (a fresh GPT-NeoX)", choices=("tiny", "small", "base")),
            Param("rm_size", str, "small", "global reward-model size", choices=("tiny", "small", "base")),
            Param("budget", int, 8, "the horizon: the summary budget in words (coverage, rouge), or the "
                  "largest budget token (budget)", low=1, high=10),
            Param("verifier", str, "budget", "the gold verifier: budget or budget-rouge (the budgeted summary), "
                  "coverage or rouge (the coverage summary)", choices=("budget", "budget-rouge", "coverage", "rouge")),
            Param("n_sft", int, n_sft, "SFT examples", low=50, high=200_000),
            Param("n_pairs", int, n_pairs, "preference pairs (and online prompts)", low=20, high=200_000),
            Param("n_eval", int, 200, "held-out prompts for winrates and validation pairs", low=10, high=10_000),
            Param("beta", float, 0.1, "DPO's KL-regularisation strength", low=0, high=10, low_open=True),
            Param("learning_rate", float, 1e-4, "DPO, online-DPO and local-RM learning rate", low=0, high=0.1,
                  low_open=True),
            Param("rm_learning_rate", float, 1e-3, "global reward-model learning rate", low=0, high=0.1, low_open=True),
            Param("sft_epochs", int, 4, "SFT epochs", low=1, high=100),
            Param("sft_learning_rate", float, 3e-3, "SFT learning rate", low=0, high=0.1, low_open=True),
            Param("batch_size", int, 32, "examples (SFT) or pairs (reward models, DPO) per training batch", low=1,
                  high=4096),
            Param("label_temperature", float, 0.05, "temperature of the Bradley-Terry draw that labels the "
                  "synthetic pairs (lower: labels follow the verifier more closely)", low=0, high=10, low_open=True),
            Param("rm_epochs", int, 12, "global reward-model epochs", low=1, high=100),
            Param("sample_temperature", float, 1.0, "sampling temperature (pairs, online DPO, best-of-N)", low=0,
                  high=5, low_open=True),
            *extra,
            REPORT_TO,
            *scale,
            SEED,
        ),
        constraints=(*scale_rules, *constraints, REPORT_TO_RULE),
        quick={"seeds": 1, "size": "tiny", "rm_size": "tiny", "n_sft": 100, "n_pairs": 40, "n_eval": 20, **quick},
    )


ONLINE_K = Param("k", int, 8, "online DPO: samples per prompt (best vs worst; the paper uses 25)", low=2, high=64)

PIPELINE = Chapter(
    slug="pipeline",
    stem="04_pipeline",
    title="The language-model pipeline",
    schema=language_model_schema(
        n_pairs=2500,
        extra=(
            ONLINE_K,
            Param("trl_online", bool, True, "also train TRL's fully online OnlineDPOTrainer"),
        ),
        quick={"k": 2},
    ),
)

REWARD_MODELS = Chapter(
    slug="reward-models",
    stem="05_reward_models",
    title="Reward models: local, global and DPO-implicit",
    schema=language_model_schema(
        n_pairs=3000,
        extra=(
            Param("max_n", int, 25, "best-of-N: the largest N (the paper's 1, 2, 5, 10, 25 up to it)", low=1,
                  high=256),
            Param("grid_sizes", str, "tiny,small", "sizes crossed in the RM-size vs policy-size grid "
                  "(comma-separated, from tiny, small, base)"),
        ),
        quick={"max_n": 4, "grid_sizes": "tiny"},
        constraints=(Constraint(("grid_sizes",), lambda p: _size_list(p["grid_sizes"]),
                                "a comma-separated list of distinct sizes from tiny, small, base",
                                breaks={"grid_sizes": "tiny,huge"}),),
    ),
)

HYPOTHESES = Chapter(
    slug="hypotheses",
    stem="06_hypotheses",
    title="The hypotheses H1-H5",
    schema=language_model_schema(
        n_pairs=1000,
        paper_scale=False,
        extra=(
            ONLINE_K,
            Param("betas", str, "0.03,0.3", "H2: the other betas both routes are trained at (comma-separated, "
                  "empty for none)"),
            Param("prompt_factor", float, 2.5, "H3: online DPO with this many times the prompts", low=1, high=10,
                  low_open=True),
            Param("max_n", int, 16, "H5: best-of-N with this N", low=1, high=256),
        ),
        quick={"k": 2, "betas": "0.3", "max_n": 4, "prompt_factor": 2.0},
        constraints=(Constraint(("betas",), _betas_ok,
                                "a comma-separated list of distinct numbers in (0, 10], or empty",
                                breaks={"betas": "0.1,-1"}),),
    ),
)

GAP_CLOSERS = Chapter(
    slug="gap-closers",
    stem="07_gap_closers",
    title="H6: closing the generation-verification gap",
    # Three full pipelines per seed: a smaller SFT set keeps the chapter within its 5 minutes.
    schema=language_model_schema(n_pairs=1000, n_sft=2500, paper_scale=False, extra=(ONLINE_K,), quick={"k": 2}),
)

RESULTS_DIR = Param("results_dir", str, "benchmarks/results",
                    "folder of the committed benchmark results (relative to the book's root)")
PAGES_DIR = Param("pages_dir", str, "book/chapters", "folder of the executed chapter pages (relative to the book's root)")


def existing_folder(param: Param) -> Constraint:
    """``param`` names an existing folder, or is its default (the build creates that one)."""
    return Constraint((param.name,), lambda p: p[param.name] == param.default or Path(p[param.name]).is_dir(),
                      "must be an existing folder (relative to the book's root), or the default",
                      breaks={param.name: "no/such/folder"})


BENCHMARKS = Chapter(
    slug="benchmarks",
    stem="90_benchmarks",
    title="Appendix: benchmarks",
    schema=Schema(params=(RESULTS_DIR,), constraints=(existing_folder(RESULTS_DIR),)),
    inputs=("benchmarks/results/*.json",),
)

CLAIMS = Chapter(
    slug="claims",
    stem="00_claims",
    title="Claims at a glance",
    schema=Schema(params=(PAGES_DIR,), constraints=(existing_folder(PAGES_DIR),)),
    inputs=("book/chapters/0[1-7]_*.ipynb",),
)

REPRODUCIBILITY = Chapter(
    slug="reproducibility",
    stem="91_reproducibility",
    title="Appendix: how this build was made",
    schema=Schema(params=(PAGES_DIR,), constraints=(existing_folder(PAGES_DIR),)),
    inputs=("book/chapters/0*.ipynb", "book/chapters/90_*.ipynb", "constraints.txt"),
)

#: The chapters that train language models (DESIGN.md: at most 5 minutes each at defaults on 2 cores).
LANGUAGE_MODEL: tuple[Chapter, ...] = (PIPELINE, REWARD_MODELS, HYPOTHESES, GAP_CLOSERS)
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
