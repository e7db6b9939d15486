"""Offline assets for the site: the Vega bundle for charts and MathJax for equations.

Both are copied from installed Python packages (vl-convert, django-static-mathjax) into
``_assets/`` at build time, so the published pages make no request outside the site.
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import vl_convert as vlc

ASSETS = "_assets"
VEGA_BUNDLE = "vega-bundle.js"
MATHJAX = "mathjax"
MATHJAX_PARTS = ("tex-svg.js", "input", "a11y", "ui")


def _write_if_changed(path: Path, text: str) -> None:
    if path.exists() and path.read_text() == text:
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def vendor(root: Path) -> Path:
    """Write (or refresh) ``root/_assets`` and return it."""
    out = root / ASSETS
    out.mkdir(exist_ok=True)
    # The bundle sets window.vegaEmbed; wrapping it keeps its top-level names out of the page.
    _write_if_changed(out / VEGA_BUNDLE, "(function(){\n" + vlc.javascript_bundle() + "\n})();\n")
    es5 = resources.files("mathjax") / "static" / "mathjax" / "es5"
    target = out / MATHJAX
    if not (target / MATHJAX_PARTS[0]).exists():
        tmp = out / (MATHJAX + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        for part in MATHJAX_PARTS:
            src = Path(str(es5 / part))
            if src.is_dir():
                shutil.copytree(src, tmp / part)
            else:
                shutil.copy2(src, tmp / part)
        shutil.rmtree(target, ignore_errors=True)
        tmp.replace(target)
    return out
