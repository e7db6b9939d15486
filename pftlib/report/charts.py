"""Altair charts that draw with no network, in the book and in any notebook front end.

Altair's default HTML output loads Vega from a CDN, so offline it shows an error box.  Instead
:func:`show` chooses by where it runs:

* **a page of the book** (``pft`` sets ``PFT_BOOK_PAGE=1`` while it executes one): ``text/html``
  that calls ``vegaEmbed`` from the bundle ``pft book`` vendors into the site (see
  :mod:`pftlib.publish.assets`);
* **anywhere else** (JupyterLab, VS Code, Colab, ``pft run --out``): the standard Vega-Lite
  mimetypes, which JupyterLab and VS Code draw with their own bundled renderer, no network.

Both carry an ``image/png`` rendered by vl-convert, for front ends that draw neither.  The chart
spec is the same either way.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
from html import escape as html_escape

import altair as alt
import pandas as pd
import vl_convert as vlc

from ..environment import BOOK_PAGE_ENV

_COUNTER = itertools.count()

PALETTE = ["#1f5f8b", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d96a3"]

# Altair 6 writes Vega-Lite 6 specs; JupyterLab 4 and VS Code register the v5 mimetype, whose
# renderer draws the book's charts (they use no v6-only feature), so both are offered.
VEGALITE_MIMETYPES = ("application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json")


def in_book_page() -> bool:
    """True while ``pft`` executes a page of the book (it sets ``PFT_BOOK_PAGE=1``)."""
    return os.environ.get(BOOK_PAGE_ENV) == "1"


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
    """A chart ready for display: HTML via the vendored ``vegaEmbed`` on a book page, the standard
    Vega-Lite mimetypes elsewhere, and a PNG for front ends that draw neither."""

    def __init__(self, chart: alt.TopLevelMixin):
        self.spec = chart.to_dict()

    def _html(self) -> str:
        spec = json.dumps(self.spec, sort_keys=True)
        div = f"pft-chart-{next(_COUNTER)}-{hashlib.sha1(spec.encode()).hexdigest()[:10]}"
        title = self.spec.get("title", "")
        title = title.get("text", "") if isinstance(title, dict) else title
        label = html_escape(f"Chart: {title}" if title else "Chart", quote=True)
        # focusable, so keyboard users can scroll a chart wider than the page (axe: scrollable-region-focusable)
        return (
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

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        png = base64.b64encode(vlc.vegalite_to_png(self.spec, scale=2)).decode()
        if in_book_page():
            return {"text/html": self._html(), "image/png": png}
        return {**{mime: self.spec for mime in VEGALITE_MIMETYPES}, "image/png": png}


def show(chart: alt.TopLevelMixin) -> None:
    """Display ``chart`` now, wherever the call sits in a cell (inside a function, or before more code).

    In the book, each cell that draws a chart carries a numbered caption in its metadata
    (``mystnb.figure``), so a cell draws at most one chart."""
    from IPython.display import display

    display(Figure(chart))


def mean_bars(stats, y: str, order: list[str], title: str | None, x_title: str, color=None, domain=None):
    """Horizontal bars of ``mean`` per ``y`` with a ``low``-``high`` rule (from
    :func:`pftlib.report.results.spread`); ``color`` an Altair colour encoding or a fixed colour.
    The data sit on the layer, so the chart can be faceted by another column of ``stats``."""
    axis = alt.Y(f"{y}:N", sort=order, title=None, axis=alt.Axis(labelLimit=320))
    scale = alt.Scale(domain=domain) if domain else alt.Scale(zero=False)
    bars = alt.Chart().mark_bar(**({"color": color} if isinstance(color, str) else {})).encode(
        y=axis, x=alt.X("mean:Q", title=x_title, scale=scale),
        tooltip=[y, alt.Tooltip("mean:Q", format=".3f"), alt.Tooltip("std:Q", title="sd", format=".3f")],
        **({"color": color} if color is not None and not isinstance(color, str) else {}))
    errors = alt.Chart().mark_rule(strokeWidth=2).encode(y=axis, x="low:Q", x2="high:Q")
    chart = alt.layer(bars, errors, data=stats).properties(width=420)
    return chart.properties(title=title) if title else chart


def mean_band(stats, x, color, y_title: str, tooltip: list):
    """Lines of ``mean`` against ``x``, one per ``color``, each in its ``low``-``high`` band (from
    :func:`pftlib.report.results.spread`); ``tooltip`` names the fields shown beside mean and sd."""
    base = alt.Chart(stats).encode(x=x, color=color)
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("low:Q", title=y_title, scale=alt.Scale(zero=False)), y2="high:Q")
    line = base.mark_line(point=True).encode(y="mean:Q", tooltip=[
        *tooltip, alt.Tooltip("mean:Q", format=".4f"), alt.Tooltip("std:Q", title="sd", format=".4f")])
    return band + line


def engine_timings(bench, title: str):
    """Seconds against completions, log-log, one line per implementation: the exact engine's
    benchmark rows (:func:`pftlib.theory.bench.benchmark`), engine beside the naive loop."""
    long = bench.melt(id_vars=["H", "completions"], value_vars=["engine s", "naive loop s"],
                      var_name="implementation", value_name="seconds").dropna()
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("completions:Q", scale=alt.Scale(type="log"), title="completions V^H (log scale)"),
        y=alt.Y("seconds:Q", scale=alt.Scale(type="log"), title="seconds (log scale)"),
        color=alt.Color("implementation:N", title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["H", "completions", "implementation", alt.Tooltip("seconds:Q", format=".2e")],
    ).properties(title=title)


def dial_panel(table, x: str, title: str):
    """One panel of the language-model gap dial: per verifier, the online edge over DPO (mean and
    95% interval over seeds) against ``x``, with the learned reward model as judge (solid) beside
    the gold verifier (dashed), from a :func:`pftlib.report.benchmarks.dial_tables` table."""
    rows = pd.DataFrame([{"verifier": r["verifier"], x: r[x], "online judge": label, "edge": r[arm],
                          "low": r[f"{arm} low"], "high": r[f"{arm} high"]}
                         for _, r in table.iterrows()
                         for arm, label in (("edge", "learned RM"), ("gold edge", "gold verifier"))])
    y_title = "online − DPO, true reward (mean, 95% CI)"
    y = alt.Y("edge:Q", title=y_title)
    base = alt.Chart(rows).encode(
        x=alt.X(f"{x}:Q", title=title), color=alt.Color("verifier:N", legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("online judge:N", legend=None),
        shape=alt.Shape("online judge:N", legend=alt.Legend(orient="bottom", title="online judge")))
    lines = base.mark_line(point=True).encode(
        y=y, tooltip=["verifier", "online judge", x, alt.Tooltip("edge:Q", format=".3f")])
    bars = base.mark_errorbar().encode(y=alt.Y("low:Q", title=y_title), y2="high:Q")
    zero = alt.Chart(pd.DataFrame({"edge": [0.0]})).mark_rule(color="gray").encode(y=y)
    return (lines + bars + zero).properties(width=260, height=200)


def gap_edge(table, points):
    """Online's edge against the measured generation–verification gap: one mark per setting (mean,
    with 95% intervals in both directions) from :func:`pftlib.report.benchmarks.gap_settings`, over
    faint dots for each seed's point (``gap``, ``edge``)."""
    table = table.assign(setting=[f"{r.verifier}, H={r.horizon}, {r.n_pairs} pairs" for r in table.itertuples()])
    x_title = "measured gap: RM agreement − DPO-implicit agreement"
    y_title = "Online DPO (SFT) − tuned DPO, true reward"
    x, y = alt.X("gap:Q", title=x_title), alt.Y("edge:Q", title=y_title)
    color = alt.Color("verifier:N", legend=alt.Legend(orient="bottom"))
    seeds = pd.DataFrame([{k: p[k] for k in ("verifier", "gap", "edge")} for p in points])
    dots = alt.Chart(seeds).mark_circle(size=18, opacity=0.35).encode(x=x, y=y, color=color)
    base = alt.Chart(table).encode(color=color)
    means = base.mark_point(filled=True, size=70).encode(
        x=x, y=y, shape=alt.Shape("horizon:O", legend=alt.Legend(orient="bottom")),
        tooltip=["setting", "seeds", alt.Tooltip("gap:Q", format=".3f"), alt.Tooltip("edge:Q", format=".3f"),
                 "edge verdict"])
    x_bars = base.mark_rule(aria=False).encode(x=alt.X("gap low:Q", title=x_title), x2="gap high:Q", y="edge:Q")
    y_bars = base.mark_rule(aria=False).encode(y=alt.Y("edge low:Q", title=y_title), y2="edge high:Q", x="gap:Q")
    zero = alt.Chart(pd.DataFrame({"edge": [0.0]})).mark_rule(color="gray", aria=False).encode(y="edge:Q")
    return (dots + x_bars + y_bars + means + zero).properties(
        width=420, height=260, title="Online's edge against the measured gap, per setting (95% intervals)")


def selection_lines(table):
    """The checking-or-selecting sweep: the online round's edge over the tuned DPO (mean and 95%
    interval over seeds) against K, one line per judge, one panel per sampling temperature, from
    :func:`pftlib.report.benchmarks.selection_table`."""
    y_title = "online round − tuned DPO, true reward"
    base = alt.Chart(table).encode(
        x=alt.X("K:Q", scale=alt.Scale(type="log"), title="samples per prompt K (log scale)"),
        color=alt.Color("judge:N", legend=alt.Legend(orient="bottom")))
    lines = base.mark_line(point=True).encode(
        y=alt.Y("edge:Q", title=y_title), tooltip=["judge", "temperature", "K", alt.Tooltip("edge:Q", format=".3f"),
                                                   alt.Tooltip("pair accuracy:Q", format=".3f"), "verdict"])
    bars = base.mark_errorbar().encode(y=alt.Y("edge low:Q", title=y_title), y2="edge high:Q")
    zero = alt.Chart(table).mark_rule(color="gray", aria=False).encode(y=alt.datum(0))
    return (lines + bars + zero).properties(width=230, height=200).facet(
        column=alt.Column("temperature:O", title="sampling temperature")).properties(
        title="Online DPO (SFT) by judge, K and temperature (mean, 95% CI over seeds)")
