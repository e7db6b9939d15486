"""``datasets.Dataset`` objects in TRL's standard formats, for the synthetic task and for TL;DR.

* SFT: ``prompt`` / ``completion`` (a reference summary);
* evaluation: ``prompt`` / ``reference``;
* preferences (built from policy samples in :mod:`pftlib.llm`): ``prompt`` / ``chosen`` / ``rejected``.

:func:`load_tldr` reads the real Reddit TL;DR sets (``trl-lib/tldr``, ``trl-lib/tldr-preference``)
or any local folder or hub id in the same schema, and checks that schema before anything trains.
"""

from __future__ import annotations

import random

import datasets

from .budget import BudgetTask
from .priced import PricedTask
from .summarize import Task, parse_document

SCHEMAS = {"sft": ("prompt", "completion"), "preference": ("prompt", "chosen", "rejected")}


def _documents(task: Task | BudgetTask | PricedTask, n: int, seed: int) -> tuple[random.Random, list[list[str]]]:
    rng = random.Random(seed)
    return rng, [task.document(rng) for _ in range(n)]


def sft_dataset(task: Task | BudgetTask | PricedTask, n: int, seed: int) -> datasets.Dataset:
    """``n`` prompts with noisy reference summaries as completions."""
    rng, docs = _documents(task, n, seed)
    return datasets.Dataset.from_dict({
        "prompt": [task.prompt(d) for d in docs],
        "completion": [" " + " ".join(task.reference(d, rng)) for d in docs],
    })


def eval_prompts(task: Task | BudgetTask | PricedTask, n: int, seed: int) -> datasets.Dataset:
    """``n`` held-out prompts with their (noisy) reference summaries, for winrates."""
    rng, docs = _documents(task, n, seed)
    return datasets.Dataset.from_dict({
        "prompt": [task.prompt(d) for d in docs],
        "reference": [" " + " ".join(task.reference(d, rng)) for d in docs],
    })


def load_tldr(name: str, split: str, kind: str, limit: int | None = None) -> datasets.Dataset:
    """Load a TL;DR-schema data set (hub id or local folder) and check its columns.

    ``kind`` is ``sft`` (prompt/completion, as ``trl-lib/tldr``) or ``preference``
    (prompt/chosen/rejected, as ``trl-lib/tldr-preference``).  Raises ``ValueError`` naming the
    missing columns, or saying the split is empty or unreadable.
    """
    if kind not in SCHEMAS:
        raise ValueError(f"kind must be one of {sorted(SCHEMAS)}, got {kind!r}")
    try:
        data = datasets.load_dataset(name, split=split)
    except Exception as err:  # noqa: BLE001 -- any reader failure becomes one clear message
        why = ": ".join(filter(None, (type(err).__name__, str(err))))
        raise ValueError(f"{name} ({split}) cannot be read as a data set ({why})") from None
    missing = [c for c in SCHEMAS[kind] if c not in data.column_names]
    if missing:
        raise ValueError(f"{name} ({split}) lacks the {kind} columns {missing}; it has {data.column_names}")
    if len(data) == 0:
        raise ValueError(f"{name} ({split}) is empty")
    bad = next((c for c in SCHEMAS[kind] if not all(isinstance(v, str) and v for v in data[c])), None)
    if bad:
        raise ValueError(f"{name} ({split}): column '{bad}' must hold non-empty strings")
    return data.select(range(min(limit, len(data)))) if limit else data


def check_tldr_folder(folder: str, kind: str) -> None:
    """Read both splits of a local TL;DR-schema folder now, so a missing, empty or mis-shaped
    file is reported before anything trains (hub ids are checked when they are loaded)."""
    for split in ("train", "validation"):
        load_tldr(folder, split, kind)


def optimal_answers(task: Task | BudgetTask | PricedTask, prompts: list[str]) -> dict[str, int]:
    """How varied the best answers to ``prompts`` are: the number of distinct best summaries (as
    sets of words: every verifier here ignores order) and the fewest and most words one has.  A
    task whose best answer is a lookup on one prompt token has few; one that needs the document has
    many."""
    best = [tuple(sorted(task.ideal(parse_document(p)))) for p in prompts]
    return {"prompts": len(best), "distinct": len(set(best)), "fewest words": min(map(len, best)),
            "most words": max(map(len, best))}
