"""Altair charts that draw with no network: one book theme, a vendored Vega bundle, a PNG fallback.

Altair's default HTML output loads Vega from a CDN, so offline it shows an error box.  Instead
:func:`show` emits ``text/html`` that calls ``vegaEmbed`` from the bundle that ``pft book``
vendors into the site (see :mod:`pftlib.book.assets`), plus an ``image/png`` rendered by
vl-convert for notebook viewers and other builders.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
from html import escape as html_escape

import altair as alt
import vl_convert as vlc

_COUNTER = itertools.count()

PALETTE = ["#1f5f8b", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3"]
ROUTE_COLORS = {"online": "#d1495b", "offline": "#1f5f8b"}


@alt.theme.register("pft", enable=True)
def theme() -> alt.theme.ThemeConfig:
    """The book's chart theme: readable labels, a colour-blind-safe palette, no chart border."""
    font = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"
    return {
        "config": {
            "font": font,
            "view": {"continuousWidth": 420, "continuousHeight": 260, "stroke": None},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 320},
            "title": {"fontSize": 14, "anchor": "start"},
            "range": {"category": PALETTE},
        }
    }


class Figure:
    """A chart ready for display in a notebook and in the book (HTML via vegaEmbed, PNG fallback)."""

    def __init__(self, chart: alt.TopLevelMixin):
        self.spec = chart.to_dict()

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        spec = json.dumps(self.spec, sort_keys=True)
        div = f"pft-chart-{next(_COUNTER)}-{hashlib.sha1(spec.encode()).hexdigest()[:10]}"
        title = self.spec.get("title", "")
        title = title.get("text", "") if isinstance(title, dict) else title
        label = html_escape(f"Chart: {title}" if title else "Chart", quote=True)
        # focusable, so keyboard users can scroll a chart wider than the page (axe: scrollable-region-focusable)
        html = (
            f'<div class="pft-chart" id="{div}" tabindex="0" role="group" aria-label="{label}"></div>\n'
            "<script>(function () {\n"
            f"  var el = document.getElementById('{div}');\n"
            "  function draw() {\n"
            f"    vegaEmbed(el, {spec}, {{renderer: 'svg', actions: false}})\n"
            "      .catch(function (e) { el.textContent = 'Chart failed to draw: ' + e; });\n"
            "  }\n"
            "  if (window.vegaEmbed) { draw(); } else { window.addEventListener('load', draw); }\n"
            "})();</script>"
        )
        png = base64.b64encode(vlc.vegalite_to_png(self.spec, scale=2)).decode()
        return {"text/html": html, "image/png": png}


def show(chart: alt.TopLevelMixin) -> None:
    """Display ``chart`` now, wherever the call sits in a cell (inside a function, or before more code).

    In the book, each cell that draws a chart carries a numbered caption in its metadata
    (``mystnb.figure``), so a cell draws at most one chart."""
    from IPython.display import display

    display(Figure(chart))
