"""A chapter run with plain papermill, outside ``pft``, then opened in a real JupyterLab in headless
Chromium with every non-local request blocked: every chart is standard Vega-Lite and draws."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import nbformat
import papermill as pm
import pytest
from conftest import copy_checkout, offline_env
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from pftlib.publish.chapters import LIKELIHOOD

VEGALITE = "application/vnd.vegalite.v5+json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """Chapter 1 at its quick profile, run by papermill in the notebooks folder, as a reader would."""
    root = copy_checkout(tmp_path_factory.mktemp("lab") / "book")
    params = {**LIKELIHOOD.schema.defaults(), **LIKELIHOOD.schema.quick}
    pm.execute_notebook(str(root / "notebooks" / "01_likelihood.ipynb"), str(root / "notebooks" / "run.ipynb"),
                        parameters=params, kernel_name="python3", progress_bar=False, cwd=str(root / "notebooks"))
    return root


@pytest.fixture(scope="module")
def lab(executed):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--IdentityProvider.token=",
         "--ServerApp.password=", f"--ServerApp.root_dir={executed}", "--allow-root"],
        env=offline_env(executed.parent / "lab-network.log"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{url}/api", timeout=1)
            break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("JupyterLab did not start within a minute")
    yield url
    server.terminate()
    server.wait(timeout=30)


def test_every_chart_of_a_plain_papermill_run_is_vega_lite(executed):
    nb = nbformat.read(executed / "notebooks" / "run.ipynb", as_version=4)
    figures = [c for c in nb.cells if "figure" in c.metadata.get("mystnb", {})]
    charts = [o.data for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(figures) >= 3 and len(charts) == len(figures)  # each figure cell drew one chart, no others
    assert all(VEGALITE in d and "text/html" not in d for d in charts)


def test_jupyterlab_draws_every_chart_offline(executed, lab, browser):
    nb = nbformat.read(executed / "notebooks" / "run.ipynb", as_version=4)
    n_charts = sum(VEGALITE in o.get("data", {}) for c in nb.cells for o in c.get("outputs", []))
    page = browser.new_page()
    outside = []

    def local_only(route):
        host = route.request.url.split("/")[2].split(":")[0]
        if host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(f"{lab}/lab/tree/notebooks/run.ipynb")
    count_drawn = ("[...document.querySelectorAll('.jp-RenderedVegaCommon5')]"
                   ".filter(e => e.querySelector('svg, canvas')).length")
    try:  # Vega draws asynchronously after the output appears
        page.wait_for_function(f"{count_drawn} >= {n_charts}", timeout=120_000)
    except PlaywrightTimeout:
        pass  # the assertion below says how many were drawn
    drawn = page.evaluate(count_drawn)
    assert drawn == n_charts, (drawn, n_charts, outside[:5])
    page.close()
