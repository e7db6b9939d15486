"""A Sphinx extension for the book's site: each page loads each script once.

sphinx-thebe (loaded by Jupyter Book 1) registers its inline configuration script twice, which
declares ``const THEBE_JS_URL`` twice and raises a SyntaxError in every page.  Sphinx only
de-duplicates scripts as they are added, so this drops repeated ones per page.  It runs early
(priority 100): the event stops at the first handler that returns a template name.
"""

from __future__ import annotations

from typing import Any


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


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _dedupe_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
