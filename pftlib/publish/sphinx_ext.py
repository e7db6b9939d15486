"""A Sphinx extension for the book's site: launch and download links for each chapter, each page
loading each script once, and a bibliography without invalid ARIA roles.

``{pft-launch} notebooks/<stem>.ipynb`` (written into every chapter's "Reproduce this page" box,
with the ``:commit:`` that built the page) renders a download of the source notebook and links
that open it at that commit: on Binder (the repository at the commit; ``.binder/`` installs
pftlib from it) and on Colab (the tag ``launch-<commit>``, which the Pages workflow pushes: the
same notebooks with their set-up cell stamped to clone and install the book at the commit, see
:mod:`pftlib.publish.setup_cell`).  ``:needs-pages:`` marks chapters that read the other chapters'
executed pages: they get no launch links, only the instructions to build the book first.  The
notebook must exist in the repository, or the build fails.  The links need the book's public
GitHub repository (:func:`pftlib.publish.setup_cell.repository_url`) and a clean commit; without
them the box says so instead of guessing an address.

sphinx-thebe (loaded by Jupyter Book 1) registers its inline configuration script twice, which
declares ``const THEBE_JS_URL`` twice and raises a SyntaxError in every page.  Sphinx only
de-duplicates scripts as they are added, so this drops repeated ones per page.  It runs early
(priority 100): the event stops at the first handler that returns a template name.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from docutils.parsers.rst import directives
from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

from .setup_cell import repository_url

LAUNCH_TAG = "launch-"  # the Pages workflow tags each build's stamped notebooks launch-<commit>
GITHUB = re.compile(r"https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?")


def launch_urls(repository: str, commit: str, path: str) -> dict[str, str]:
    """Colab and Binder addresses that open ``path`` (relative to the repository root) at ``commit``."""
    match = GITHUB.fullmatch(repository)
    if not match:
        raise ConfigError(f"repository URL {repository!r} is not https://github.com/OWNER/REPO "
                          "(Colab and Binder open notebooks from GitHub)")
    owner, repo = match["owner"], match["repo"]
    return {
        "Colab": f"https://colab.research.google.com/github/{owner}/{repo}/blob/{LAUNCH_TAG}{commit}/{path}",
        "Binder": f"https://mybinder.org/v2/gh/{owner}/{repo}/{commit}?labpath={quote(path, safe='')}",
    }


class LaunchLinks(SphinxDirective):
    """``{pft-launch} PATH``: open the source notebook at PATH on Colab or Binder, or download it."""

    required_arguments = 1
    option_spec = {"commit": directives.unchanged_required, "needs-pages": directives.flag}

    def run(self) -> list:
        path = self.arguments[0]
        if not (Path(self.env.srcdir) / path).is_file():
            raise self.error(f"pft-launch: {path} is not a file in the repository")
        download = f"{{download}}`download the source notebook </{path}>`"
        url, commit = self.config.pft_repository_url, self.options.get("commit")
        if "needs-pages" in self.options:
            text = (f"Source notebook: `{path}` ({download}). This chapter reads the other chapters' executed "
                    "pages, so it runs in a checkout of the book after `make book`, not on Colab or Binder.")
        elif not url:
            text = (f"Source notebook: `{path}` ({download}). Colab and Binder links appear here once "
                    "`repository.url` in `_config.yml` names the book's GitHub repository.")
        elif not commit:
            text = (f"Source notebook: `{path}` ({download}). Colab and Binder links appear on pages built "
                    "from a clean commit (this one was built from uncommitted changes).")
        else:
            links = " · ".join(f"[open in {name}]({href})" for name, href in launch_urls(url, commit, path).items())
            text = (f"Source notebook `{path}` at commit `{commit}`: {links} · {download}. Its first cell "
                    "installs pftlib from that commit where there is no checkout (Colab).")
        return self.parse_text_to_nodes(text)


def _repository(app, config) -> None:
    config.pft_repository_url = repository_url(Path(app.srcdir))
    if config.pft_repository_url:
        launch_urls(config.pft_repository_url, "0" * 12, "")  # fail early on a bad URL


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    seen: set[tuple[Any, ...]] = set()
    unique = []
    for script in context.get("script_files", []):
        # the same inline script arrives once with filename None and once with ''
        attrs = tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items()))
        key = (str(getattr(script, "filename", script) or ""), attrs)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique  # in place: later handlers (MathJax) append to this list


def _citation_list_roles(app, pagename, templatename, context, doctree) -> None:
    """docutils marks the bibliography ``role="list"`` around entries that are not list items, and
    gives each the deprecated ``doc-biblioentry`` role: axe-core calls both violations (one
    critical).  Plain divs read the same to a screen reader."""
    if "body" in context:
        context["body"] = (context["body"]
                           .replace('<div role="list" class="citation-list">', '<div class="citation-list">')
                           .replace(' role="doc-biblioentry"', ""))


def setup(app) -> dict[str, Any]:
    app.add_config_value("pft_repository_url", "", "env")  # set from repository.url (see _repository)
    app.add_directive("pft-launch", LaunchLinks)
    app.connect("config-inited", _repository)
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _citation_list_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
