"""Environment variables set for a block of code and restored after it (the library and the book
both hand settings to code that reads them from the environment: kernels, TRL callbacks)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

#: How many seeds of a language-model chapter run side by side (``pft book`` sets its cores per
#: chapter; :func:`pftlib.llm.experiments.seed_workers` reads it).
SEED_WORKERS_ENV = "PFT_SEED_WORKERS"
#: Set to 1 while a chapter is executed as a page of the book (``pft``): its charts then embed
#: their specs for the site's vendored renderer (:mod:`pftlib.report.charts` reads it).
BOOK_PAGE_ENV = "PFT_BOOK_PAGE"


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system has one)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@contextmanager
def scoped_env(**values: str) -> Iterator[None]:
    """Set environment variables (processes started inside inherit them) and restore them after."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old
