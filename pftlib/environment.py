"""Environment variables set for a block of code and restored after it (the library and the book
both hand settings to code that reads them from the environment: kernels, TRL callbacks)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: How many seeds of a language-model chapter run side by side (``pft book`` sets its cores per
#: chapter; :func:`pftlib.llm.experiments.seed_workers` reads it).
SEED_WORKERS_ENV = "PFT_SEED_WORKERS"
#: Set to 1 while a chapter is executed as a page of the book (``pft``): its charts then embed
#: their specs for the site's vendored renderer (:mod:`pftlib.report.charts` reads it).
BOOK_PAGE_ENV = "PFT_BOOK_PAGE"
#: The fingerprint (:func:`pftlib.params.fingerprint`) of the parameters ``pft`` validated before it
#: started a chapter's kernel: the notebook's :func:`pftlib.report.parameters` trusts those very
#: values instead of checking them again (a data folder or a hub id is then read once, not twice).
VALIDATED_ENV = "PFT_VALIDATED"


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


def book_root(start: Path | None = None) -> Path | None:
    """The book's checkout: the nearest folder at or above ``start`` (default: the working folder)
    that is this project (its ``pyproject.toml`` names ``pftlib``, beside ``_toc.yml`` and
    ``notebooks/``), not any book; None if there is none."""
    start = (start or Path.cwd()).resolve()
    return next((folder for folder in (start, *start.parents) if (folder / "_toc.yml").is_file()
                 and (folder / "notebooks").is_dir() and _is_this_project(folder)), None)


def installed_from() -> Path | None:
    """The checkout this ``pftlib`` is installed from (an editable install), or None."""
    return book_root(Path(__file__).parent)


def _is_this_project(folder: Path) -> bool:
    try:
        return tomllib.loads((folder / "pyproject.toml").read_text()).get("project", {}).get("name") == "pftlib"
    except (OSError, tomllib.TOMLDecodeError):
        return False
