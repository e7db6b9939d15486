"""The executed pages read back: the values a page glued into its prose, and its provenance.

The claims table and the reproducibility appendix are built from the other chapters' pages, so
they always show what those pages computed in this build, never a copy.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import nbformat


def glued(page: Path) -> dict[str, Any]:
    """Every value the page glued, by name (``glue("name", value)`` in its code)."""
    out = {}
    for cell in nbformat.read(page, as_version=4).cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                text = next(iter(output["data"].values()))
                try:
                    out[name] = ast.literal_eval(text)
                except (ValueError, SyntaxError):
                    out[name] = text
    return out


def provenance(page: Path) -> dict[str, Any]:
    """The page's provenance record: parameters, commit, versions, device, wall time."""
    return nbformat.read(page, as_version=4).metadata["pftlib"]["provenance"]
