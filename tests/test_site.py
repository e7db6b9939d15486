"""The built site in a real browser: headless Chromium, every non-local request blocked.

Every page must load with no page error, no console error and no failed request; every chart
must have drawn (an svg or canvas inside each chart container); equations must be typeset.
Screenshots are kept in test-artifacts/screens/.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest
from conftest import ROOT

SCREENS = ROOT / "test-artifacts" / "screens"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


@pytest.fixture(scope="module")
def site(built_book):
    root, result = built_book
    assert result.returncode == 0, result.stderr[-3000:]
    html = root / "_build" / "html"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(html))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield html, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def pages(html: Path) -> list[str]:
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html") if "_static" not in p.parts)


def test_every_page_loads_offline_with_charts_and_math(site, browser):
    html, base = site
    SCREENS.mkdir(parents=True, exist_ok=True)
    checked = pages(html)
    assert {"index.html", "book/intro.html", "book/chapters/01_likelihood.html"} <= set(checked)
    total_charts = 0
    for rel in checked:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("requestfailed", lambda r: problems.append(f"failed request: {r.url}")
                if urlparse(r.url).hostname in LOCAL_HOSTS else None)

        def route(r, problems=problems):
            if urlparse(r.request.url).hostname in LOCAL_HOSTS:
                r.continue_()
            else:  # the network is blocked: any such request is a page that is not self-contained
                problems.append(f"non-local request: {r.request.url}")
                r.abort()

        page.route("**/*", route)
        page.goto(f"{base}/{rel}", wait_until="load")
        charts = page.locator(".pft-chart")
        for i in range(charts.count()):
            charts.nth(i).locator("svg, canvas").first.wait_for(state="attached", timeout=15_000)
            assert "failed to draw" not in charts.nth(i).inner_text()
        total_charts += charts.count()
        if page.locator("span.math, div.math").count():
            page.locator("mjx-container").first.wait_for(state="attached", timeout=15_000)
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENS / (rel.replace("/", "__") + ".png")), full_page=True)
        page.close()
        assert not problems, f"{rel}: " + "; ".join(problems)
    assert total_charts >= 4


def test_solutions_stay_hidden_until_the_reader_opens_them(site, browser):
    html, base = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/book/chapters/03_gap.html", wait_until="load")
    solution = page.locator("div.solution.dropdown").first
    solution.wait_for(state="attached")
    code = solution.locator("div.cell_input").first
    assert not code.is_visible(), "a solution is visible before the reader asks for it"
    solution.locator(".admonition-title").first.click()
    code.wait_for(state="visible", timeout=5_000)
    assert "H_next" in code.inner_text()
    exercise_numbers = page.locator("div.exercise .caption-number").all_inner_texts()
    assert [t.strip() for t in exercise_numbers] == ["Exercise 3.1", "Exercise 3.2"]
    page.close()


def test_every_chart_is_a_numbered_figure_with_a_caption(site, browser):
    html, base = site
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{base}/book/chapters/01_likelihood.html", wait_until="load")
    charts = page.locator(".pft-chart")
    assert charts.count() >= 4
    for i in range(charts.count()):
        caption = charts.nth(i).locator("xpath=ancestor::figure[1]/figcaption")
        assert caption.inner_text().startswith(f"Fig. 1.{i + 1}"), caption.inner_text()
    link = page.locator("a.reference.internal", has_text="Fig. 1.2").first
    assert link.get_attribute("href").endswith("#fig-likelihood-tilt")
    page.close()


def test_no_page_has_a_serious_or_critical_accessibility_violation(site, browser):
    """axe-core, run in the browser on every page after its charts and equations have drawn."""
    from axe_playwright_python.sync_playwright import Axe

    html, base = site
    axe = Axe()
    found = []
    for rel in pages(html):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{base}/{rel}", wait_until="load")
        page.wait_for_timeout(500)
        for v in axe.run(page).response["violations"]:
            if v["impact"] in ("serious", "critical"):
                found.append(f"{rel}: {v['id']} ({v['impact']}): {v['help']}; e.g. {v['nodes'][0]['html'][:160]}")
        page.close()
    assert not found, "\n".join(found)
