"""What the chapters' notebooks call: parameter validation, glue for the prose, charts, verdicts and
the language-model results helpers (:mod:`pftlib.report.results`).

Notebooks call :func:`parameters` first, to validate what papermill injected, and
:func:`pftlib.report.charts.show` to display charts.  (``pft`` itself, which executes the
notebooks and builds the site, is :mod:`pftlib.publish`.)
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import Any

# Pages run without Jupyter widgets, and the chapters send training progress bars to a log, not
# the page: tqdm's advice to install ipywidgets would be the only thing it printed there.
warnings.filterwarnings("ignore", message="IProgress not found")

from ..environment import VALIDATED_ENV  # noqa: E402
from ..params import ParameterError, fingerprint  # noqa: E402 (the filter must come first: these imports load tqdm)
from ..publish.chapters import find  # noqa: E402
from .charts import show  # noqa: E402
from .verdicts import HYPOTHESIS_CLAIM, Difference, describe  # noqa: E402


def glue(name: str | None = None, value: Any = None, /, **named: Any) -> None:
    """Store values for ``{glue:text}`name``` in the page's prose: ``glue("n", 3)`` or
    ``glue(n=3, m=4)`` (numpy and torch scalars become plain Python numbers, so format specs such
    as ``:.3f`` apply)."""
    from myst_nb import glue as _glue

    for key, v in (({name: value} if name is not None else {}) | named).items():
        _glue(key, v.item() if hasattr(v, "item") else v, display=False)


def glue_difference(name: str, d: Difference, a: str, b: str) -> None:
    """Glue a comparison ``a - b`` as ``<name>_diff`` (its mean) and ``<name>_verdict`` (the
    four-outcome rule in words, with the 95% interval)."""
    glue(**{f"{name}_diff": d.mean, f"{name}_verdict": describe(d, a, b)})


def glue_comparisons(frame, column: str, by: str = "policy", margin: float = 0.0, **arms: tuple[str, ...]) -> dict:
    """For each ``name=(a, b[, why])``: ``a - b`` in ``column`` over seeds, judged against the
    equivalence ``margin`` (:func:`pftlib.report.results.versus`), glued by
    :func:`glue_difference`; an arm that was not trained is glued as NaN and "not trained (why)",
    and returned as None."""
    from .results import versus

    out = {}
    for name, (a, b, *why) in arms.items():
        if {a, b} <= set(frame[by]):
            out[name] = versus(frame, a, b, column, by=by, margin=margin)
            glue_difference(name, out[name], a, b)
        else:
            out[name] = None
            glue(**{f"{name}_diff": float("nan"), f"{name}_verdict": f"not trained ({''.join(why) or 'this run'})"})
    return out


def glue_rule(config, **named: Any) -> None:
    """Glue what every language-model page says of its verdict rule: the number of seeds
    (``n_seeds``), the equivalence ``margin``, and the rule's power at those seeds against a true
    difference of one and of two seed standard deviations (``power_1sd``, ``power_2sd``); and any
    other ``named`` values of the page's settings."""
    from .verdicts import power

    glue(n_seeds=config.seeds, margin=config.margin, power_1sd=power(config.seeds), power_2sd=power(config.seeds, 2.0),
         **named)


def glue_paper() -> None:
    """Glue every number the paper reports (:func:`pftlib.report.paper.named`), so that prose
    quotes the paper through ``{glue:text}`paper_...``` and never by hand."""
    from . import paper

    glue(**paper.named())


def glue_hypothesis(name: str, status: str) -> str:
    """Glue a hypothesis's verdict as ``<name>_status`` and the claims page's status for it as
    ``claim_<name>`` (:data:`pftlib.report.verdicts.HYPOTHESIS_CLAIM`); return the verdict."""
    glue(**{f"{name}_status": status, f"claim_{name}": HYPOTHESIS_CLAIM[status]})
    return status


def verdict(condition: bool, holds: str, fails: str) -> str:
    """The verdict a page shows, decided by the code at build time from the page's own numbers."""
    return holds if condition else fails


def parameters(chapter: str, namespace: Mapping[str, Any]) -> dict[str, Any]:
    """Validate a notebook's parameters (taken from ``namespace``, e.g. ``globals()``) against
    the chapter's schema before any compute; raises :class:`ParameterError` with a clear message.
    Values ``pft`` validated before it started this kernel (:data:`~pftlib.environment.VALIDATED_ENV`)
    are trusted as they are: a parameter is checked once, where it enters."""
    schema = find(chapter).schema
    values = {name: namespace[name] for name in schema.names() if name in namespace}
    if os.environ.get(VALIDATED_ENV) == fingerprint(values):
        return {**schema.defaults(), **values}
    return schema.validate(values)


__all__ = ["ParameterError", "glue", "glue_comparisons", "glue_difference", "glue_hypothesis", "glue_paper",
           "glue_rule", "parameters", "show", "verdict"]
