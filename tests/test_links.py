"""Offline link check of the built site: every internal link and resource resolves to a file,
and every link into a page's section names an anchor that page has."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

EXTERNAL = ("http", "https", "mailto", "data", "javascript")


class Links(HTMLParser):
    """The link targets (``href``/``src``) and the anchor ids of one page."""

    def __init__(self):
        super().__init__()
        self.targets: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        for key in ("href", "src"):
            if attrs.get(key) and not (tag == "link" and attrs.get("rel") == "canonical"):
                self.targets.append(attrs[key])


def parse(page: Path) -> Links:
    links = Links()
    links.feed(page.read_text(errors="replace"))
    return links


def test_every_internal_link_in_the_built_site_resolves(built_book):
    root, result = built_book
    assert result.returncode == 0
    site = root / "_build" / "html"
    # _static/ holds the theme's Jinja macro files, copied verbatim: templates, not pages.
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    parsed = {page: parse(page) for page in pages}
    broken, checked = [], 0
    for page, links in parsed.items():
        for target in links.targets:
            url = urlsplit(target)
            if url.scheme in EXTERNAL or url.netloc:
                continue
            checked += 1
            path = (page.parent / unquote(url.path)).resolve() if url.path else page
            if path.is_dir():
                path = path / "index.html"
            if not path.is_file():
                broken.append(f"{page.relative_to(site)}: {target} (no such file)")
            elif url.fragment and path.suffix == ".html":
                ids = parsed[path].ids if path in parsed else parse(path).ids
                if unquote(url.fragment) not in ids:
                    broken.append(f"{page.relative_to(site)}: {target} (no anchor)")
    assert checked > 100, "the check found almost no links: is the site built?"
    assert not broken, "broken links:\n" + "\n".join(broken[:40])
