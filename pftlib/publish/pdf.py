"""``pft pdf``: the whole book as one PDF, printed offline from the built site by headless Chromium.

Jupyter Book 1's single-page builders cannot render myst-nb's hidden code cells, and its
``pdfhtml`` builder downloads its own Chromium.  Instead each page of ``_toc.yml`` is opened, in
book order, from ``_build/html`` (a ``file://`` address: no network), its charts are left to draw,
every exercise solution and hidden block is opened, and Chromium prints it; pypdf joins the pages
into ``_build/html/book.pdf``, with one bookmark per page, where the site links to it.
"""

from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

from .build import toc_files
from .failures import BuildFailed

PDF_NAME = "book.pdf"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Open everything a reader would click open: sphinx-togglebutton opens its toggles on `beforeprint`.
_OPEN_ALL = """() => {
  window.dispatchEvent(new Event('beforeprint'));
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
}"""
# Paper has no horizontal scroll: long code lines wrap instead of running off the page.
_PRINT_CSS = "pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }"
_CHARTS_DRAWN = "() => [...document.querySelectorAll('.pft-chart')].every(el => el.querySelector('svg, canvas'))"


def toc_pages(root: Path) -> list[Path]:
    """Every page of the built site, in ``_toc.yml`` order."""
    return [root / "_build" / "html" / f"{f}.html" for f in toc_files(root)]


def chromium_path() -> str:
    return os.environ.get("PFT_CHROMIUM", DEFAULT_CHROMIUM)


def build_pdf(root: Path) -> Path:
    """Print the built site (``pft book`` first) into ``_build/html/book.pdf``; return its path."""
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader, PdfWriter
    from tqdm import tqdm

    pages = toc_pages(root)
    missing = [p for p in pages if not p.is_file()]
    if missing:
        raise BuildFailed(f"build the site first (pft book): {missing[0].relative_to(root)} is missing")
    if not Path(chromium_path()).is_file():
        raise BuildFailed(f"no Chromium at {chromium_path()}: install it (Debian: apt-get install chromium) "
                          "or set PFT_CHROMIUM")
    out = root / "_build" / "html" / PDF_NAME
    writer = PdfWriter()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path())
        page = browser.new_page()
        for path in tqdm(pages, desc="[pft] printing pages", unit="page"):
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_function(_CHARTS_DRAWN, timeout=60_000)
            page.evaluate(_OPEN_ALL)
            page.add_style_tag(content=_PRINT_CSS)
            page.emulate_media(media="print")
            first = len(writer.pages)
            reader = PdfReader(BytesIO(page.pdf(format="A4", print_background=True,
                                                  margin={"top": "15mm", "bottom": "15mm",
                                                          "left": "12mm", "right": "12mm"})))
            for p in reader.pages:
                writer.add_page(p)
            writer.add_outline_item(page.title().split("—")[0].strip() or path.stem, first)
        browser.close()
    tmp = out.with_suffix(".pdf.tmp")
    with tmp.open("wb") as f:
        writer.write(f)
    tmp.replace(out)
    return out

