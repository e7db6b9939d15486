"""The pages readers see: every `pft run` command the book and README tell readers to type is
accepted by the chapter it names, every citation has a bibliography entry, and the claims table
shows what the chapters computed."""

from __future__ import annotations

import html
import re
import shlex

import nbformat
import pytest
from conftest import ROOT

from pftlib.publish.chapters import CHAPTERS, find
from pftlib.report.pages import glued

COMMAND = re.compile(r"`(pft run [^`]+)`")


def prose() -> dict[str, str]:
    """Every page's text a reader sees: the Markdown pages, the README and the notebooks' prose."""
    texts = {str(p.relative_to(ROOT)): p.read_text() for p in [*(ROOT / "book").glob("*.md"), ROOT / "README.md"]}
    for ch in CHAPTERS:
        nb = nbformat.read(ch.source(ROOT), as_version=4)
        texts[f"notebooks/{ch.stem}"] = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return texts


COMMANDS = sorted({(where, cmd) for where, text in prose().items() for cmd in COMMAND.findall(text)})


def test_the_pages_do_tell_readers_what_to_run():
    assert len(COMMANDS) >= 15 and any(where == "book/course.md" for where, _ in COMMANDS)


@pytest.mark.parametrize("where, command", COMMANDS, ids=[f"{w}: {c}" for w, c in COMMANDS])
def test_every_command_on_the_pages_is_accepted(where, command):
    words = shlex.split(command)[2:]
    chapter, rest = find(words[0]), words[1:]
    pairs, quick = [], False
    while rest:
        if rest[0] == "--quick":
            quick, rest = True, rest[1:]
        elif rest[0] == "-p" and len(rest) >= 3:
            pairs.append((rest[1], rest[2]))
            rest = rest[3:]
        else:
            pytest.fail(f"{where}: cannot read {command!r} at {rest[0]!r}")
    base = dict(chapter.schema.quick) if quick else {}
    chapter.schema.validate({**base, **chapter.schema.parse(pairs)})


def test_every_citation_has_an_entry_and_every_entry_is_cited():
    entries = set(re.findall(r"@\w+\{([\w-]+),", (ROOT / "references.bib").read_text()))
    cited = {key.strip() for text in prose().values()
             for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for key in group.split(",")}
    assert cited <= entries, f"cited without an entry: {cited - entries}"
    assert entries <= cited, f"never cited: {entries - cited}"


def test_the_claims_table_shows_what_the_chapters_computed(built_book):
    root, result = built_book
    assert result.returncode == 0
    pages = root / "book" / "chapters"
    claims = glued(pages / "00_claims.ipynb")
    assert claims["n_claims"] == (claims["n_reproduced"] + claims["n_untestable"] + claims["n_not"]
                                  + claims["n_undecided"]) >= 15
    table = html.unescape(next(o["data"]["text/html"] for c in nbformat.read(pages / "00_claims.ipynb", 4).cells
                               for o in c.get("outputs", []) if "text/html" in o.get("data", {})))
    hypotheses = glued(pages / "06_hypotheses.ipynb")
    for name in ("h1_status", "h2_status", "h3_status", "h4_status", "h5_status"):
        assert f">{hypotheses[name]}<" in table
    assert f">{glued(pages / '07_gap_closers.ipynb')['h6_status']}<" in table
