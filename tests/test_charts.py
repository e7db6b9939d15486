"""Charts draw wherever a notebook is opened: Vega-Lite mimetypes outside the book, the site's
vegaEmbed on a book page, and a PNG everywhere."""

from __future__ import annotations

import base64
import os

import altair as alt
import pandas as pd
import pytest

from pftlib.environment import BOOK_PAGE_ENV
from pftlib.report.charts import VEGALITE_MIMETYPES, Figure


def chart() -> alt.Chart:
    data = pd.DataFrame({"x": [0, 1, 2], "y": [0.0, 1.0, 4.0]})
    return alt.Chart(data, title="squares").mark_line().encode(x="x:Q", y="y:Q")


def png_ok(bundle: dict) -> bool:
    return base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_outside_the_book_a_chart_is_standard_vega_lite_and_a_png(monkeypatch):
    monkeypatch.delenv(BOOK_PAGE_ENV, raising=False)
    fig = Figure(chart())
    bundle = fig._repr_mimebundle_()
    assert "text/html" not in bundle  # an HTML box that waits for a bundle only the site loads would outrank the rest
    for mime in VEGALITE_MIMETYPES:
        assert bundle[mime] == fig.spec and bundle[mime]["mark"]["type"] == "line"
    assert png_ok(bundle)


def test_on_a_book_page_a_chart_calls_the_sites_vega_embed(monkeypatch):
    monkeypatch.setenv(BOOK_PAGE_ENV, "1")
    bundle = Figure(chart())._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png"}
    assert "vegaEmbed(" in bundle["text/html"] and 'aria-label="Chart: squares"' in bundle["text/html"]
    assert png_ok(bundle)


@pytest.mark.parametrize("value", ["0", ""])
def test_only_the_exact_flag_means_a_book_page(monkeypatch, value):
    monkeypatch.setenv(BOOK_PAGE_ENV, value)
    assert "text/html" not in Figure(chart())._repr_mimebundle_()


def test_executing_a_book_page_leaves_the_callers_environment_alone(monkeypatch):
    """pft sets PFT_BOOK_PAGE only while it runs a page: a later notebook run in the same process
    (a test, a reader's script) still gets live charts."""
    from pftlib.environment import scoped_env

    monkeypatch.delenv(BOOK_PAGE_ENV, raising=False)
    with scoped_env(**{BOOK_PAGE_ENV: "1"}):
        assert "text/html" in Figure(chart())._repr_mimebundle_()
    assert BOOK_PAGE_ENV not in os.environ


def test_the_engine_chart_draws_one_line_per_implementation_where_it_was_timed():
    from pftlib.report.charts import engine_timings

    bench = pd.DataFrame({"H": [1, 2], "completions": [4, 16], "engine s": [0.1, 0.2], "naive loop s": [0.3, None]})
    spec = engine_timings(bench, "timings").to_dict()
    rows = spec["datasets"][spec["data"]["name"]]
    drawn = sorted((r["implementation"], r["H"]) for r in rows)
    assert drawn == [("engine s", 1), ("engine s", 2), ("naive loop s", 1)]  # no point where it was not timed


def test_a_mean_band_layers_the_band_under_its_line():
    from pftlib.report.charts import mean_band

    stats = pd.DataFrame({"x": [1, 2], "arm": ["a", "a"], "mean": [0.5, 0.6], "std": [0.1, 0.1],
                          "low": [0.4, 0.5], "high": [0.6, 0.7]})
    spec = mean_band(stats, "x:Q", "arm:N", "reward", ["arm"]).to_dict()
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["area", "line"] and spec["layer"][0]["encoding"]["y2"]["field"] == "high"


def test_a_dial_panel_shows_the_learned_and_the_gold_judged_arm():
    from pftlib.report.charts import dial_panel

    table = pd.DataFrame({"verifier": ["budget", "budget"], "horizon": [2, 8], "edge": [0.1, 0.3],
                          "edge low": [0.0, 0.1], "edge high": [0.2, 0.5], "gold edge": [0.2, 0.5],
                          "gold edge low": [0.1, 0.4], "gold edge high": [0.3, 0.6]})
    spec = dial_panel(table, "horizon", "horizon").to_dict()  # to_dict validates the spec
    rows = spec["datasets"][spec["data"]["name"]]  # the lines' and error bars' data (the zero rule has its own)
    assert sorted({r["online judge"] for r in rows}) == ["gold verifier", "learned RM"] and len(rows) == 4
    assert {(r["low"], r["high"]) for r in rows if r["online judge"] == "learned RM"} == {(0.0, 0.2), (0.1, 0.5)}


def test_the_gap_chart_draws_each_setting_with_both_intervals_over_the_seeds():
    from pftlib.report.charts import gap_edge

    table = pd.DataFrame({"verifier": ["budget"], "horizon": [8], "n_pairs": [2500], "seeds": [5], "gap": [0.2],
                          "gap low": [0.1], "gap high": [0.3], "edge": [0.1], "edge low": [-0.1], "edge high": [0.3],
                          "edge verdict": ["undecided"]})
    points = [{"verifier": "budget", "gap": 0.2 + d, "edge": 0.1 - d, "seed": s, "true reward": {}}
              for s, d in enumerate((-0.05, 0.0, 0.05))]
    spec = gap_edge(table, points).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["circle", "rule", "rule", "point", "rule"]
    assert spec["layer"][1]["encoding"]["x2"]["field"] == "gap high"
    assert spec["layer"][2]["encoding"]["y2"]["field"] == "edge high"
