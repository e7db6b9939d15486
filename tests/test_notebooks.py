"""The source notebooks agree with their schemas, their prose uses exactly what they glue, every
numbered chapter ends with exercises whose solutions are code, and every chart is a numbered,
captioned, referenced figure."""

from __future__ import annotations

import re

import nbformat
import papermill as pm
import pytest
from conftest import ROOT, exercises, figures

from pftlib.publish.chapters import CHAPTERS, TEACHING
from pftlib.report.pages import CLAIMS, glued


def test_notebook_defaults_match_the_schema():
    for ch in CHAPTERS:
        found = pm.inspect_notebook(str(ch.source(ROOT)))
        assert list(found) == ch.schema.names()
        for name, default in ch.schema.defaults().items():
            assert eval(found[name]["default"]) == default  # noqa: S307 - our own notebook's literals


def test_every_parameters_cell_is_what_its_schema_writes():
    """Names, order, defaults and help: ``pft params`` rewrites the cells that differ."""
    from pftlib.publish.parameters_cell import sync

    stale = [ch.stem for ch in sync(ROOT, check=True)]
    assert not stale, f"parameters cells out of date (run `pft params`): {stale}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_every_glued_number_is_used_and_every_used_number_is_glued(built_book, chapter):
    """Read from the quick build's executed page: a value may be glued by name in the notebook or
    by a library function (``glue(**findings)``), and only the page knows which it got."""
    root, _ = built_book
    stored = set(glued(chapter.page(root)))
    nb = nbformat.read(chapter.source(ROOT), as_version=4)
    used = set(re.findall(r"\{glue:\w+\}`(\w+)", "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")))
    assert used <= stored, f"prose uses numbers nobody computes: {used - stored}"
    shown_elsewhere = {name for name in stored if name.startswith("claim_")} & CLAIM_STATUSES  # on the claims page
    shown_elsewhere |= {name for name in stored if name.startswith("paper_")}  # the paper's numbers: glued whole
    assert stored <= used | shown_elsewhere, f"computed but never shown: {stored - used - shown_elsewhere}"


CLAIM_STATUSES = {status for _, _, _, status, _ in CLAIMS}


def test_the_claims_page_reads_a_status_every_chapter_glues(built_book):
    """Each status the claims page reads is glued by some chapter's executed page (so none can go missing)."""
    root, _ = built_book
    glued_statuses = {name for ch in CHAPTERS if ch.page(root).exists() for name in glued(ch.page(root))
                      if name.startswith("claim_")}
    assert len(CLAIM_STATUSES) >= 15 and CLAIM_STATUSES == glued_statuses


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda ch: ch.slug)
def test_source_notebooks_carry_no_outputs(chapter):
    nb = nbformat.read(chapter.source(ROOT), as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("chapter", TEACHING, ids=lambda ch: ch.slug)
def test_every_chapter_ends_with_exercises_whose_solutions_are_hidden_code(chapter):
    nb = nbformat.read(chapter.source(ROOT), as_version=4)
    found = exercises(nb)
    assert len(found) >= 2, f"{chapter.stem}: fewer than two exercises"
    for label, cells in found.items():
        assert label.startswith("ex-"), label
        assert cells, (f"{chapter.stem}: exercise {label} has no solution with code (a dropdown between "
                       "solution-start and solution-end)")
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and c.source.startswith("## Exercises"))
    assert all("{exercise}" not in c.source for c in nb.cells[:first] if c.cell_type == "markdown")


def test_every_figure_has_a_unique_name_a_caption_and_a_reference_in_its_chapter():
    names = []
    for ch in CHAPTERS:
        nb = nbformat.read(ch.source(ROOT), as_version=4)
        prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        for cell in figures(nb):
            fig = cell.metadata["mystnb"]["figure"]
            assert fig["name"].startswith("fig-") and len(fig["caption"]) > 40, fig
            assert f"{{numref}}`{fig['name']}`" in prose, f"{ch.stem}: {fig['name']} is never referenced"
            names.append(fig["name"])
    assert len(names) == len(set(names)) >= 20
