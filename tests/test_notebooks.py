"""The source notebooks agree with their schemas, and their prose uses exactly what they glue."""

from __future__ import annotations

import re

import nbformat
import papermill as pm
import pytest

from conftest import ROOT
from pftlib.book.chapters import CHAPTERS


def test_notebook_defaults_match_the_schema():
    for ch in CHAPTERS:
        found = pm.inspect_notebook(str(ch.source(ROOT)))
        assert list(found) == ch.schema.names()
        for name, default in ch.schema.defaults().items():
            assert eval(found[name]["default"]) == default  # noqa: S307 - our own notebook's literals


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_every_glued_number_is_used_and_every_used_number_is_glued(chapter):
    nb = nbformat.read(chapter.source(ROOT), as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    stored = set(re.findall(r'glue\("(\w+)"', code))
    used = set(re.findall(r"\{glue:\w+\}`(\w+)", prose))
    assert used <= stored, f"prose uses numbers nobody computes: {used - stored}"
    assert stored <= used, f"computed but never shown: {stored - used}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_source_notebooks_carry_no_outputs(chapter):
    nb = nbformat.read(chapter.source(ROOT), as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
