"""The language-model experiments' settings: one frozen dataclass per experiment.

Their defaults are the only defaults: each chapter's parameters (``pft list``) are derived from
its experiment's config (:func:`pftlib.params.schema_of`), and each field carries its help and
allowed range, as TRL's configs carry ``help``.  A config checks itself when built, by the same
rules ``pft run`` applies (``RULES``), so ``Pipeline(n_pairs=-1)`` fails as ``-p n_pairs -1`` does.

* :class:`Setup`: what every experiment shares (task, models, data, training), and the seeds;
* :class:`Pipeline` (Chapter 4), :class:`RewardStudy` (Chapter 5), :class:`Hypotheses`
  (Chapter 6) and :class:`GapClosers` (Chapter 7) add or change what is their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from ..params import Constraint, option, override, validated
from ..tasks import BudgetTask, PricedTask, SyntheticTask, Task
from .judges import check_checkpoint, check_spec, is_checkpoint

SIZES = ("tiny", "small", "base")
PAPER_SCALE = ("model", "sft_dataset", "pref_dataset", "judge")


def synthetic_task(budget: int = 8, verifier: str = "priced") -> SyntheticTask:
    """The book's synthetic tasks (10 words, 12-word documents), by verifier:

    * ``budget``: the budgeted summary (:class:`~pftlib.tasks.BudgetTask`), ``budget`` the largest
      budget token (budgets from min(2, budget) up to it), the horizon;
    * ``budget-rouge``: the same task judged by ROUGE-L against its optimal summary;
    * ``priced`` and ``priced-rouge``: the priced summary (:class:`~pftlib.tasks.PricedTask`), whose
      best answer depends on the document's prices; budgets from min(7, budget) up to ``budget``;
    * ``coverage`` and ``rouge``: the coverage summary (:class:`~pftlib.tasks.Task`), ``budget``
      its length limit in words.
    """
    if verifier.startswith("budget"):
        return BudgetTask(min_budget=min(2, budget), max_budget=budget,
                          verifier="rouge" if verifier == "budget-rouge" else "budget")
    if verifier.startswith("priced"):
        return PricedTask(min_budget=min(7, budget), max_budget=budget,
                          verifier="rouge" if verifier == "priced-rouge" else "priced")
    return Task(vocab=10, doc_length=12, budget=budget, verifier=verifier)


def number_list(text: str) -> tuple[float, ...]:
    """``"0.03,0.3"`` as numbers (empty text: none); raises ``ValueError`` on anything else."""
    return tuple(float(v) for v in text.split(",")) if text else ()


def _local_data_ok(p) -> bool:
    """Local TL;DR-schema folders are read now: an empty, unreadable or mis-shaped file is a
    parameter error, found before anything trains (raises ``ValueError`` naming the problem)."""
    for key, kind in (("sft_dataset", "sft"), ("pref_dataset", "preference")):
        if p[key] and Path(p[key]).is_dir():
            from ..tasks.datasets import check_tldr_folder  # loads datasets: only for a folder to check

            check_tldr_folder(p[key], kind)
    return True


def _trackers_ok(p) -> bool:
    """``none``, or trackers transformers knows and finds installed (raises ``ValueError`` naming them)."""
    if p["report_to"] == "none":
        return True
    from transformers.integrations.integration_utils import (
        INTEGRATION_TO_CALLBACK,
        get_available_reporting_integrations,
    )

    names = p["report_to"].split(",")
    unknown = [n for n in names if n not in INTEGRATION_TO_CALLBACK]
    if unknown or len(set(names)) != len(names):
        known = ", ".join(sorted(INTEGRATION_TO_CALLBACK))
        raise ValueError(f"unknown or repeated tracker(s) {unknown or names}; known: {known}")
    missing = [n for n in names if n not in get_available_reporting_integrations()]
    if missing:
        raise ValueError(f"tracker(s) {', '.join(missing)} not installed here (pip install {' '.join(missing)})")
    return True


def _judge_ok(p) -> bool:
    check_spec(p["judge"])  # raises ValueError naming the problem
    return True


@dataclass(frozen=True)
class Setup:
    """Everything a language-model experiment's numbers depend on: the synthetic task (the
    priced summary by default), the models, the data and each TRL stage's settings.

    The reward model and DPO train at the epochs one held-out rule chooses from the same budget,
    {E, 2E} (:mod:`pftlib.llm.tuning`; E is ``rm_epochs`` for the reward model, 1 for DPO).  The
    learning rates came from earlier probes, before any of the current results: the reward model's
    1e-3 from a probe on random summaries of training-style prompts (its numbers were not
    committed), DPO's 1e-4 from a one-seed probe on the coverage summary (best among 1e-3, 3e-4,
    1e-4).  ``margin`` is fixed before any run: a difference whose 95% interval lies inside it counts
    as equivalent (:mod:`pftlib.report.verdicts`).  ``model``, ``sft_dataset`` and
    ``pref_dataset`` switch to a pretrained checkpoint and TL;DR-schema data (the paper's scale);
    ``judge`` names the gold judge (:mod:`pftlib.llm.judges`).
    """

    seeds: int = option(3, "independent runs of the whole experiment (error bars)", low=1, high=10)
    size: str = option("small", "policy size (a fresh GPT-NeoX)", choices=SIZES)
    rm_size: str = option("small", "global reward-model size", choices=SIZES)
    budget: int = option(8, "the horizon: the largest budget token (priced, budget), or the summary budget in "
                         "words (coverage, rouge)", low=1, high=10)
    verifier: str = option("priced", "the gold verifier: priced or priced-rouge (the priced summary), budget or "
                           "budget-rouge (the budgeted summary), coverage or rouge (the coverage summary)",
                           choices=("budget", "budget-rouge", "priced", "priced-rouge", "coverage", "rouge"))
    n_sft: int = option(4000, "SFT examples", low=50, high=200_000)
    n_pairs: int = option(2500, "preference pairs (and online prompts)", low=20, high=200_000)
    n_eval: int = option(200, "held-out prompts for winrates and validation pairs", low=10, high=10_000)
    beta: float = option(0.1, "DPO's KL-regularisation strength (DPOConfig.beta)", low=0, high=10, low_open=True)
    learning_rate: float = option(1e-4, "DPO, online-DPO and local-RM learning rate", low=0, high=0.1, low_open=True)
    rm_learning_rate: float = option(1e-3, "global reward-model learning rate", low=0, high=0.1, low_open=True)
    sft_epochs: int = option(4, "SFT epochs", low=1, high=100)
    sft_learning_rate: float = option(3e-3, "SFT learning rate", low=0, high=0.1, low_open=True)
    batch_size: int = option(32, "examples (SFT) or pairs (reward models, DPO) per training batch", low=1, high=4096)
    lr_scheduler_type: str = option("cosine", "every stage's learning-rate schedule (TRL's lr_scheduler_type)",
                                    choices=("cosine", "linear", "constant"))
    label_temperature: float = option(0.05, "temperature of the Bradley-Terry draw that labels the synthetic pairs "
                                      "(lower: labels follow the verifier more closely)", low=0, high=10, low_open=True)
    rm_epochs: int = option(6, "global reward-model epochs E: the held-out rule chooses E or 2E", low=1, high=100)
    sample_temperature: float = option(1.0, "sampling temperature (pairs, online DPO, best-of-N); below 0.01 sampling "
                                       "is greedy in all but name, and a prompt's samples coincide", low=0.01, high=5)
    k: int = option(8, "online DPO: samples per prompt (best vs worst; the paper uses 25)", low=2, high=64)
    report_to: str = option("none", "experiment trackers TRL reports training to: none, or a comma-separated list "
                            "such as tensorboard (logs under runs/, or $PFT_LOG_DIR) or wandb")
    model: str = option("", "a pretrained checkpoint (hub id or folder) instead of a fresh `size` model")
    sft_dataset: str = option("", "TL;DR-schema SFT data (e.g. trl-lib/tldr) instead of the synthetic task")
    pref_dataset: str = option("", "TL;DR-schema preference pairs (e.g. trl-lib/tldr-preference)")
    judge: str = option("verifier", "gold judge: verifier, rm:PATH (a reward model) or api:MODEL")
    seed: int = option(0, "random seed (run s of `seeds` uses seed * 100 + s)", low=0, high=2**31 - 1)
    margin: float = option(0.05, "equivalence margin in mean true reward (or winrate): a difference whose 95% "
                           "interval lies inside +-margin counts as equivalent", low=0, high=10)

    RULES: ClassVar[tuple[Constraint, ...]] = (
        Constraint(("model", "sft_dataset", "pref_dataset"),
                   lambda p: all(not p[k] or is_checkpoint(p[k]) for k in ("model", "sft_dataset", "pref_dataset")),
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
        Constraint(("judge", "sft_dataset"), lambda p: not (p["sft_dataset"] and p["judge"] == "verifier"),
                   "real data sets have no verifier: use judge rm:PATH or api:MODEL",
                   breaks={"sft_dataset": "a/b", "pref_dataset": "c/d", "model": "m/x"}),
        Constraint(("report_to",), _trackers_ok, "report_to is 'none' or installed trackers TRL supports",
                   breaks={"report_to": "no-such-tracker"}),
        Constraint(("model",), lambda p: not p["model"] or check_checkpoint(p["model"], "model") is None,
                   "a model folder must hold a saved model, and a hub id must be cached here or downloadable",
                   breaks={"model": str(Path(__file__).parent)}),
    )

    def __post_init__(self) -> None:
        validated(self)

    @cached_property
    def task(self) -> SyntheticTask:
        return synthetic_task(self.budget, self.verifier)

    @property
    def source(self):
        """Where data come from: the synthetic task, or TL;DR-schema data sets (:mod:`pftlib.llm.sources`)."""
        from .sources import TLDR, Synthetic  # loads datasets and transformers: only when data are needed

        if self.sft_dataset:
            return TLDR(self.sft_dataset, self.pref_dataset)
        return Synthetic(self.task, self.label_temperature)

    @property
    def run_seeds(self) -> list[int]:
        """The seed of each run: ``seed * 100 + s`` for run ``s``."""
        return [self.seed * 100 + s for s in range(self.seeds)]


@dataclass(frozen=True)
class Pipeline(Setup):
    """Chapter 4: SFT, the global reward model, DPO and DPO 2x, the paper's online DPO rounds, and
    TRL's fully online trainer."""

    trl_online: bool = option(False, "also train TRL's fully online OnlineDPOTrainer (off by default: its time "
                              "goes to tuning DPO)")


@dataclass(frozen=True)
class RewardStudy(Setup):
    """Chapter 5: three reward models by likelihood and best-of-N, and reward-model size against
    policy size.  Its SFT, pairs, reward model and DPO are Chapter 4's (the same settings), so the
    book trains them once (:mod:`pftlib.llm.cache`)."""

    max_n: int = option(25, "best-of-N: the largest N (the paper's 1, 2, 5, 10, 25 up to it)", low=1, high=256)
    grid_sizes: str = option("tiny,small", "sizes crossed in the RM-size vs policy-size grid (comma-separated, "
                             "from tiny, small, base)")

    RULES: ClassVar[tuple[Constraint, ...]] = (*Setup.RULES, Constraint(
        ("grid_sizes",), lambda p: _distinct(p["grid_sizes"].split(","), SIZES),
        "a comma-separated list of distinct sizes from tiny, small, base", breaks={"grid_sizes": "tiny,huge"}))

    @property
    def sizes(self) -> tuple[str, ...]:
        return tuple(self.grid_sizes.split(","))


@dataclass(frozen=True)
class Hypotheses(Setup):
    """Chapter 6: the hypotheses H1-H5 on the language model."""

    n_pairs: int = override(Setup, "n_pairs", 1000)
    betas: str = option("0.03,0.3", "H2: the other betas both routes are trained at (comma-separated, empty for none)")
    prompt_factor: float = option(2.5, "H3: online DPO with this many times the prompts", low=1, high=10,
                                  low_open=True)
    max_n: int = option(16, "H5: best-of-N with this N", low=1, high=256)
    agreement_margin: float = option(0.02, "H1: equivalence margin in held-out agreement with the verifier (the "
                                     "refit against the original reward model)", low=0, high=1)

    RULES: ClassVar[tuple[Constraint, ...]] = (*Setup.RULES, Constraint(
        ("betas",),
        lambda p: _distinct(number_list(p["betas"]), None) and all(0 < b <= 10 for b in number_list(p["betas"])),
        "a comma-separated list of distinct numbers in (0, 10], or empty", breaks={"betas": "0.1,-1"}))

    @property
    def beta_sweep(self) -> tuple[float, ...]:
        return number_list(self.betas)


@dataclass(frozen=True)
class GapClosers(Setup):
    """Chapter 7: the pipeline in three settings (Chapter 4's task, a one-word horizon, the ROUGE-L
    verifier).  Its first setting has Chapter 6's settings, so the book trains its SFT, reward model
    and DPO once, for both (:mod:`pftlib.llm.cache`)."""

    n_pairs: int = override(Setup, "n_pairs", 1000)


def _distinct(values, allowed) -> bool:
    values = list(values)
    return len(set(values)) == len(values) and (allowed is None or all(v in allowed for v in values))
