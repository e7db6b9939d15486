"""A Sphinx extension for the book's site: launch and download links for each chapter, each page
loading each script once, and a bibliography without invalid ARIA roles.

``{pft-launch} notebooks/<stem>.ipynb`` (written into every chapter's "Reproduce this page" box)
renders links that open that source notebook on Colab and Binder, and a download of it.  The
notebook must exist in the repository, or the build fails.  The links need the book's public
GitHub repository: ``repository.url`` in ``_config.yml``, or the ``PFT_REPOSITORY_URL``
environment variable (which wins, so a fork can publish without editing the file).  With neither,
the box says so instead of guessing an address.

sphinx-thebe (loaded by Jupyter Book 1) registers its inline configuration script twice, which
declares ``const THEBE_JS_URL`` twice and raises a SyntaxError in every page.  Sphinx only
de-duplicates scripts as they are added, so this drops repeated ones per page.  It runs early
(priority 100): the event stops at the first handler that returns a template name.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sphinx.errors import ConfigError
from sphinx.util.docutils import SphinxDirective

GITHUB = re.compile(r"https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?")


def launch_urls(repository: str, branch: str, path: str) -> dict[str, str]:
    """Colab and Binder addresses that open ``path`` (relative to the repository root) at ``branch``."""
    match = GITHUB.fullmatch(repository)
    if not match:
        raise ConfigError(f"repository URL {repository!r} is not https://github.com/OWNER/REPO "
                          "(Colab and Binder open notebooks from GitHub)")
    owner, repo = match["owner"], match["repo"]
    return {
        "Colab": f"https://colab.research.google.com/github/{owner}/{repo}/blob/{branch}/{path}",
        "Binder": f"https://mybinder.org/v2/gh/{owner}/{repo}/{branch}?labpath={quote(path, safe='')}",
    }


class LaunchLinks(SphinxDirective):
    """``{pft-launch} PATH``: open the source notebook at PATH on Colab or Binder, or download it."""

    required_arguments = 1

    def run(self) -> list:
        path = self.arguments[0]
        if not (Path(self.env.srcdir) / path).is_file():
            raise self.error(f"pft-launch: {path} is not a file in the repository")
        download = f"{{download}}`download the source notebook </{path}>`"
        url = self.config.pft_repository_url
        if not url:
            text = (f"Source notebook: `{path}` ({download}). Colab and Binder links appear here once "
                    "`repository.url` in `_config.yml` names the book's GitHub repository.")
        else:
            links = " · ".join(f"[open in {name}]({href})" for name, href in
                               launch_urls(url, self.config.pft_repository_branch, path).items())
            text = (f"Source notebook `{path}`: {links} · {download}. On Colab, run "
                    f"`!pip install git+{url}` first.")
        return self.parse_text_to_nodes(text)


def _repository(app, config) -> None:
    options = config.html_theme_options or {}
    config.pft_repository_url = (os.environ.get("PFT_REPOSITORY_URL") or options.get("repository_url") or "").strip()
    config.pft_repository_branch = options.get("repository_branch") or "main"
    if config.pft_repository_url:
        launch_urls(config.pft_repository_url, config.pft_repository_branch, "")  # fail early on a bad URL


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
        context["body"] = (context["body"].replace('<div role="list" class="citation-list">', '<div class="citation-list">')
                           .replace(' role="doc-biblioentry"', ""))


def setup(app) -> dict[str, Any]:
    app.add_config_value("pft_repository_url", "", "env")  # set from repository.url (see _repository)
    app.add_config_value("pft_repository_branch", "main", "env")
    app.add_directive("pft-launch", LaunchLinks)
    app.connect("config-inited", _repository)
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    app.connect("html-page-context", _citation_list_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
