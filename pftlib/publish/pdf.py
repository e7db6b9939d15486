"""``pft pdf``: the whole book as one PDF, printed offline from the built site by headless Chromium.

Jupyter Book 1's single-page builders cannot render myst-nb's hidden code cells, and its
``pdfhtml`` builder downloads its own Chromium.  Instead each page of ``_toc.yml`` is opened, in
book order, from ``_build/html`` (a ``file://`` address: no network), its charts are left to draw,
every exercise solution and hidden block is opened, and Chromium prints it.  pypdf joins the
pages into ``_build/html/book.pdf``, where the site links to it, and makes it a book:

* a table of contents first, each entry a link to its page (:func:`_contents`);
* a page number at the foot of every page (:func:`_numbers`, stamped on);
* every link between the book's pages jumps inside the PDF, to its anchor; a link to any other
  local file is dropped, so none points at the build machine (:func:`_relink`);
* one bookmark per page.
"""

from __future__ import annotations

import html
import os
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

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
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path())
        page = browser.new_page()
        printed, titles = [], []
        for path in tqdm(pages, desc="[pft] printing pages", unit="page"):
            page.goto(path.as_uri(), wait_until="load")
            page.wait_for_function(_CHARTS_DRAWN, timeout=60_000)
            page.evaluate(_OPEN_ALL)
            page.add_style_tag(content=_PRINT_CSS)
            page.emulate_media(media="print")
            printed.append(PdfReader(BytesIO(page.pdf(format="A4", print_background=True, margin=_MARGIN))))
            titles.append(page.title().split("—")[0].strip() or path.stem)
        starts = [sum(len(r.pages) for r in printed[:i]) for i in range(len(printed))]
        contents = _contents(page, titles, [0] * len(titles))  # once for its length, then with the numbers
        contents = _contents(page, titles, [len(contents.pages) + s + 1 for s in starts])
        total = len(contents.pages) + starts[-1] + len(printed[-1].pages)
        numbers = _numbers(page, total)
        browser.close()
    writer = PdfWriter()
    for reader in (contents, *printed):
        for p in reader.pages:
            writer.add_page(p)
    first = [len(contents.pages) + s for s in starts]
    _relink(writer, contents, printed, pages, first)
    for i, p in enumerate(writer.pages):
        p.merge_page(numbers.pages[i])
    writer.add_outline_item("Contents", 0)
    for title, start in zip(titles, first):
        writer.add_outline_item(title, start)
    tmp = out.with_suffix(".pdf.tmp")
    with tmp.open("wb") as f:
        writer.write(f)
    tmp.replace(out)
    return out


_MARGIN = {"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"}
#: A link in the contents to the page numbered N is printed as ``<_TO_PAGE>N``, then made a jump.
_TO_PAGE = "https://pft-page.invalid/"


def _print_html(page, body: str, style: str, margin: dict | None = None):
    from pypdf import PdfReader

    page.set_content(f"<!doctype html><html><head><meta charset='utf-8'><style>{style}</style></head>"
                     f"<body>{body}</body></html>")
    return PdfReader(BytesIO(page.pdf(format="A4", print_background=False, margin=margin or _MARGIN)))


def _contents(page, titles: list[str], numbers: list[int]):
    """The table of contents: each page's title and number, linked to it."""
    rows = "".join(f"<li><a href='{_TO_PAGE}{n}'><span>{html.escape(t)}</span><b>{n or ''}</b></a></li>"
                   for t, n in zip(titles, numbers))
    style = ("body{font:11pt sans-serif} h1{font-size:20pt} ol{list-style:none;padding:0} li{margin:0 0 6pt}"
             "a{display:flex;gap:8pt;color:#000;text-decoration:none} span{flex:1;border-bottom:1px dotted #999}"
             "b{font-weight:normal;min-width:3em;text-align:right}")
    return _print_html(page, f"<h1>Contents</h1><ol>{rows}</ol>", style)


def _numbers(page, total: int):
    """``total`` blank A4 pages, each with its number at the foot, to stamp on the book's pages."""
    style = ("@page{size:A4;margin:0} body{margin:0} div{height:296mm;position:relative}"
             "div+div{break-before:page} span{position:absolute;bottom:6mm;left:0;right:0;text-align:center;"
             "font:9pt sans-serif;color:#444}")
    body = "".join(f"<div><span>{i}</span></div>" for i in range(1, total + 1))
    return _print_html(page, body, style, margin={"top": "0", "bottom": "0", "left": "0", "right": "0"})


def _relink(writer, contents, printed: list, pages: list[Path], first: list[int]) -> None:
    """Make every link between the book's pages a jump inside the PDF: to the anchor's page and
    height where Chromium kept the anchor, else to the page's first page; drop links to other
    local files.  ``first``: where each printed page starts in ``writer``."""
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NullObject

    starts = {path.resolve(): start for path, start in zip(pages, first)}
    anchors = {}  # (page file, anchor) -> (page index in writer, top)
    for path, reader, start in zip(pages, printed, first):
        for name, dest in reader.named_destinations.items():
            anchors[(path.resolve(), name.lstrip("/"))] = (start + reader.get_destination_page_number(dest),
                                                          dest.top)
    sources = [None] * len(contents.pages) + [p.resolve() for p, r in zip(pages, printed) for _ in r.pages]
    for i, pdf_page in enumerate(writer.pages):
        kept = []
        for ref in pdf_page.get("/Annots", []) or []:
            annot = ref.get_object()
            target = _target(annot, sources[i], starts, anchors)
            if target == "drop":
                continue
            if target is not None:
                index, top = target
                annot[NameObject("/Dest")] = ArrayObject([writer.pages[index].indirect_reference, NameObject("/XYZ"),
                                                          NullObject(), FloatObject(top) if top is not None
                                                          else NullObject(), NullObject()])
                annot.pop("/A", None)
            kept.append(ref)
        if "/Annots" in pdf_page:
            pdf_page[NameObject("/Annots")] = ArrayObject(kept)


def _target(annot, here: Path | None, starts: dict, anchors: dict):
    """Where a link annotation should jump: ``(page index, top)``, None to leave it (a web link),
    or "drop" (a local file that is not a page of the book)."""
    action = annot.get("/A", {})
    if "/Dest" in annot:  # Chromium's jump to an anchor of the same page, by name
        dest = annot["/Dest"]
        return anchors.get((here, str(dest).lstrip("/")), "drop") if isinstance(dest, str) else None
    uri = str(action.get("/URI", ""))
    if uri.startswith(_TO_PAGE):
        return int(uri[len(_TO_PAGE):]) - 1, None
    if not uri.startswith("file:"):
        return None
    parts = urlsplit(uri)
    path = Path(unquote(parts.path)).resolve()
    if path not in starts:
        return "drop"
    return anchors.get((path, parts.fragment), (starts[path], None))
