"""Each chapter notebook's parameters cell, written from its schema.

Papermill injects a run's values after the cell tagged ``parameters``; the cell itself holds the
defaults a reader sees and edits in Jupyter.  It is one statement per parameter, in the schema's
order, ``name = default  # help`` (the help wrapped in comment lines at the code's line width), so
a config field's default and help (``pftlib.params.option``) are written once, in the config, and
``pft params`` copies them here (``--check`` only reports).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

from .chapters import CHAPTERS, Chapter

TAG = "parameters"
WIDTH = 120  # ruff's line length (pyproject.toml)


def parameters_cell(chapter: Chapter) -> str:
    """The chapter's parameters cell: ``name = default  # help`` per parameter, a long help
    continued on comment lines under its first."""
    lines = []
    for p in chapter.schema.params:
        code = f"{p.name} = {p.default!r}  # "
        help_lines = textwrap.wrap(p.help, WIDTH - len(code), break_on_hyphens=False) or [""]
        lines += [code + help_lines[0], *(" " * (len(code) - 2) + "# " + more for more in help_lines[1:])]
    return "\n".join(lines)


def sync(root: Path, check: bool = False) -> list[Chapter]:
    """Rewrite every source notebook's parameters cell that differs from its schema (with ``check``,
    write nothing); return those chapters.  A notebook without a parameters cell is an error."""
    stale = []
    for chapter in CHAPTERS:
        path = chapter.source(root)
        nb = nbformat.read(path, as_version=4)
        cell = next((c for c in nb.cells if TAG in c.metadata.get("tags", [])), None)
        if cell is None:
            raise ValueError(f"{path.relative_to(root)} has no cell tagged {TAG!r}")
        if cell.source != parameters_cell(chapter):
            stale.append(chapter)
            if not check:
                cell.source = parameters_cell(chapter)
                nbformat.write(nb, path)
    return stale
