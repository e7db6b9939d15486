"""The book machinery: parameter schemas, chapters, papermill execution, charts and the site build.

Notebooks call :func:`parameters` first, to validate what papermill injected, and
:func:`pftlib.book.charts.show` to display charts.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

# Pages run without Jupyter widgets, and the chapters send training progress bars to a log, not
# the page: tqdm's advice to install ipywidgets would be the only thing it printed there.
warnings.filterwarnings("ignore", message="IProgress not found")

from .chapters import find  # noqa: E402 (the filter must come first: these imports load tqdm)
from .charts import show  # noqa: E402
from .params import ParameterError  # noqa: E402


def glue(name: str, value: Any) -> None:
    """Store ``value`` for ``{glue:text}`name``` in the page's prose (numpy and torch scalars
    become plain Python numbers, so format specs such as ``:.3f`` apply)."""
    from myst_nb import glue as _glue

    _glue(name, value.item() if hasattr(value, "item") else value, display=False)


def verdict(condition: bool, holds: str, fails: str) -> str:
    """The verdict a page shows, decided by the code at build time from the page's own numbers."""
    return holds if condition else fails


def parameters(chapter: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a notebook's parameters (taken from ``namespace``, e.g. ``globals()``) against
    the chapter's schema before any compute; raises :class:`ParameterError` with a clear message."""
    schema = find(chapter).schema
    return schema.validate({name: namespace[name] for name in schema.names() if name in namespace})


__all__ = ["ParameterError", "glue", "parameters", "show", "verdict"]
