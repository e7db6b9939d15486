"""What users do to the book: kill it mid-build, rerun it, feed it secrets or remote code."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import nbformat

from conftest import ROOT, pft
from pftlib.book.chapters import CHAPTERS


def test_a_book_build_killed_mid_run_resumes_and_leaves_nothing_half_written(checkout):
    run = subprocess.Popen([sys.executable, "-m", "pftlib.cli", "book", "--quick"], cwd=checkout,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    pages = checkout / "book" / "chapters"
    deadline = time.time() + 600
    while time.time() < deadline and not list(pages.glob(".*.partial.ipynb")):
        time.sleep(0.2)  # wait until a chapter is being executed
    time.sleep(2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    for page in pages.glob("[!.]*.ipynb"):  # whatever is there is whole
        nbformat.validate(nbformat.read(page, as_version=4))
    again = pft("book", "--quick", cwd=checkout)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "left by an interrupted run" in again.stdout
    assert not [p for p in pages.iterdir() if p.name.startswith(".")]
    assert {p.stem for p in pages.glob("*.ipynb")} == {ch.stem for ch in CHAPTERS}


def _glued(path) -> dict:
    nb = nbformat.read(path, as_version=4)
    return {o["metadata"]["scrapbook"]["name"]: json.dumps(o["data"], sort_keys=True)
            for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
            if o.get("metadata", {}).get("scrapbook")}


def test_same_parameters_and_seed_give_identical_numbers(checkout):
    for out in ("a.ipynb", "b.ipynb"):
        done = pft("run", "all-roads", "--quick", "--out", out, "--no-progress", cwd=checkout)
        assert done.returncode == 0, done.stderr[-2000:]
    first, second = _glued(checkout / "a.ipynb"), _glued(checkout / "b.ipynb")
    assert first and first == second


def test_no_remote_code_no_unsafe_loading_and_no_secret_parameters():
    sources = {p: p.read_text() for p in (ROOT / "pftlib").rglob("*.py")}
    for path, text in sources.items():
        assert not re.search(r"trust_remote_code\s*=\s*True", text), path
        for call in re.findall(r"torch\.load\([^)]*\)", text):
            assert "weights_only=True" in call, (path, call)
    secret = re.compile(r"key|token|secret|password|credential", re.I)
    assert not [(ch.slug, p.name) for ch in CHAPTERS for p in ch.schema.params if secret.search(p.name)]
