"""Offline link check of the built site: every internal link and resource resolves to a file,
every link into a page's section names an anchor that page has, and each chapter's launch and
download links point at notebooks that exist."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import nbformat
import pytest
from conftest import TEST_REPOSITORY
from sphinx.errors import ConfigError

from pftlib.publish.build import toc_chapters
from pftlib.publish.setup_cell import is_setup
from pftlib.publish.sphinx_ext import launch_urls

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
            if url.scheme in EXTERNAL or url.netloc or target == "../book.pdf":  # the PDF: tests/test_pdf.py
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


def git(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def test_launch_and_download_links_point_at_files_that_exist(built_book):
    """Every chapter page that can run outside a built book links its own source notebook at the
    commit that built it: on Binder (the repository at that commit) and on Colab (the tag
    launch-<commit>, made here by the Pages workflow's script, whose notebook installs that
    commit).  Pages that read other pages have no launch links.  Every page offers its source
    notebook and its executed page (stamped the same way) for download."""
    root, result = built_book
    assert result.returncode == 0
    site = root / "_build" / "html"
    owner_repo = urlsplit(TEST_REPOSITORY).path.strip("/")
    commit = git(root, "rev-parse", "--short=12", "HEAD").stdout.strip()
    tagged = subprocess.run(["bash", "scripts/tag_launch.sh"], cwd=root, capture_output=True, text=True,
                            env={**os.environ, "PFT_REPOSITORY_URL": TEST_REPOSITORY, "PYTHON": sys.executable})
    assert tagged.returncode == 0, tagged.stderr
    assert git(root, "status", "--porcelain", "--untracked-files=no").stdout == ""  # the tree is left alone
    for ch in toc_chapters(root):
        page = site / "book" / "chapters" / f"{ch.stem}.html"
        targets = parse(page).targets
        source = f"notebooks/{ch.stem}.ipynb"
        colab = [t for t in targets if t.startswith("https://colab.research.google.com/")]
        binder = [t for t in targets if t.startswith("https://mybinder.org/")]
        if ch.reads_pages:
            assert not colab and not binder and "runs in a checkout of the book after" in page.read_text()
        else:
            assert colab == [f"https://colab.research.google.com/github/{owner_repo}/blob/launch-{commit}/{source}"]
            assert len(binder) == 1 and parse_qs(urlsplit(binder[0]).query)["labpath"] == [source], (ch.stem, binder)
            assert urlsplit(binder[0]).path == f"/v2/gh/{owner_repo}/{commit}"
            assert git(root, "cat-file", "-e", f"{commit}:{source}").returncode == 0
            launched = nbformat.reads(git(root, "show", f"launch-{commit}:{source}").stdout, as_version=4)
            assert stamped(launched) == (TEST_REPOSITORY, commit)
            assert git(root, "rev-parse", f"launch-{commit}^").stdout.strip().startswith(commit)
        downloads = [t for t in targets if "_downloads/" in t and t.endswith(f"{ch.stem}.ipynb")]
        assert len(downloads) == 1, (ch.stem, downloads)
        assert (page.parent / downloads[0]).resolve().read_bytes() == (root / source).read_bytes()
        executed = [t for t in targets if t.endswith(f"_sources/book/chapters/{ch.stem}.ipynb")]
        assert executed, f"{ch.stem}: no download of the executed page"
        nb = nbformat.read((page.parent / executed[0]).resolve(), as_version=4)
        assert nb.metadata["pftlib"]["chapter"] == ch.slug and stamped(nb) == (TEST_REPOSITORY, commit)
        assert any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def stamped(nb) -> tuple[str, str]:
    """The repository and commit written into a notebook's set-up cell."""
    cell = next(c for c in nb.cells if is_setup(c))
    return tuple(ast.literal_eval(re.search(rf"^{name} = (.*)$", cell.source, re.M).group(1))
                 for name in ("PFTLIB_REPOSITORY", "PFTLIB_COMMIT"))


def test_launch_urls_accept_only_github_repositories():
    urls = launch_urls("https://github.com/a-b/c.d.git", "0123456789ab", "notebooks/01_likelihood.ipynb")
    assert urls["Colab"] == ("https://colab.research.google.com/github/a-b/c.d/blob/launch-0123456789ab/"
                             "notebooks/01_likelihood.ipynb")
    assert urls["Binder"] == "https://mybinder.org/v2/gh/a-b/c.d/0123456789ab?labpath=notebooks%2F01_likelihood.ipynb"
    for bad in ("https://gitlab.com/a/b", "github.com/a/b", "https://github.com/a"):
        with pytest.raises(ConfigError):
            launch_urls(bad, "0123456789ab", "x.ipynb")
