"""``pft pdf``: the built site printed into one PDF, every page in book order, solutions open."""

from __future__ import annotations

import re

from conftest import book_env, pft
from pypdf import PdfReader

from pftlib.publish.build import toc_chapters
from pftlib.publish.pdf import PDF_NAME, toc_pages


def test_the_pdf_holds_every_page_in_order_with_the_solutions_open(built_book):
    root, result = built_book
    assert result.returncode == 0
    printed = pft("pdf", cwd=root, env=book_env(root), timeout=600)
    assert printed.returncode == 0, printed.stderr[-2000:]
    pdf = PdfReader(root / "_build" / "html" / PDF_NAME)
    titles = [item.title for item in pdf.outline]
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
