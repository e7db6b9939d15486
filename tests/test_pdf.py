"""``pft pdf``: the built site printed into one PDF, every page in book order, solutions open, with
a table of contents, page numbers and links that jump inside it."""

from __future__ import annotations

import re

import pytest
from conftest import book_env, pft
from pypdf import PdfReader

from pftlib.publish.build import toc_chapters
from pftlib.publish.pdf import PDF_NAME, toc_pages


@pytest.fixture(scope="module")
def pdf(built_book):
    root, result = built_book
    assert result.returncode == 0
    printed = pft("pdf", cwd=root, env=book_env(root), timeout=600)
    assert printed.returncode == 0, printed.stderr[-2000:]
    return root, PdfReader(root / "_build" / "html" / PDF_NAME)


def test_the_pdf_holds_every_page_in_order_with_the_solutions_open(pdf):
    root, pdf = pdf
    titles = [item.title for item in pdf.outline][1:]  # after "Contents"
    assert len(titles) == len(toc_pages(root))  # one bookmark per page of _toc.yml
    text = " ".join(page.extract_text() for page in pdf.pages)
    flat = re.sub(r"\s+", " ", text)
    def plain(text: str) -> str:  # the registry writes "-" where the page's heading has an en dash
        return text.replace("\u2013", "-").replace("\u2014", "-")

    for ch in toc_chapters(root):
        assert any(plain(ch.title) in plain(t) for t in titles), (ch.title, titles)
    n_exercises = len(re.findall(r"Exercise \d+\.\d+", flat))
    n_solutions = len(re.findall(r"Solution to Exercise \d+\.\d+", flat))
    assert n_solutions >= 7 and n_exercises > n_solutions  # every numbered chapter shows its solutions
    intro = (root / "_build" / "html" / "book" / "intro.html").read_text()
    assert 'href="../book.pdf"' in intro  # the site links to it


def _jumps(page) -> list[int]:
    """The page indices the page's links jump to (a link to a file or the web counts as -1)."""
    out = []
    for ref in page.get("/Annots", []) or []:
        annot = ref.get_object()
        dest = annot.get("/Dest")
        out.append(dest[0].get_object().indirect_reference.idnum if isinstance(dest, list) else -1)
    return out


def test_the_pdf_has_page_numbers_contents_and_links_that_stay_inside(pdf):
    root, pdf = pdf
    index = {page.indirect_reference.idnum: i for i, page in enumerate(pdf.pages)}
    for i, page in enumerate(pdf.pages):  # every page carries its number at its foot
        assert str(i + 1) in [line.strip() for line in page.extract_text().strip().splitlines()[-3:]], i + 1
    contents = pdf.pages[0].extract_text()
    starts = [pdf.get_destination_page_number(item) for item in pdf.outline]
    assert contents.startswith("Contents") and starts[0] == 0
    for item, start in zip(pdf.outline[1:], starts[1:]):  # each entry: its title and the page it starts on
        assert re.search(re.escape(item.title[:30]) + r".*?\b" + str(start + 1) + r"\b", contents, re.S), item.title
    assert [index.get(j) for j in _jumps(pdf.pages[0])] == starts[1:]  # and jumps there
    annots = [ref.get_object() for page in pdf.pages for ref in page.get("/Annots", []) or []]
    uris = [str(a["/A"]["/URI"]) for a in annots if "/URI" in a.get("/A", {})]
    assert not [u for u in uris if not u.startswith(("https://", "http://", "mailto:"))], uris[:5]  # no local path
    chapters = list(zip(starts[1:], [*starts[2:], len(pdf.pages)]))
    crossing = [(i, index[j]) for i, page in enumerate(pdf.pages) for j in _jumps(page) if j in index and i > 0
                and not any(a <= i < b and a <= index[j] < b for a, b in chapters)]
    assert len(crossing) >= 10  # the claims page, the bibliography and the chapters link to each other
