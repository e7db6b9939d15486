"""What users do to the book: kill it mid-build, rerun it, feed it bad data, secrets or remote code."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from conftest import ROOT, pft

from pftlib.publish.chapters import CHAPTERS, PIPELINE


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


BAD_PREFERENCE_FILES = {
    "empty": ("", "cannot be read as a data set"),
    "mis-shaped": ('{"prompt": "a", "answer": "b"}\n', "lacks the preference columns ['chosen', 'rejected']"),
    "not JSON": ("not json {\n", "cannot be read as a data set"),
    "blank strings": ('{"prompt": "a", "chosen": "", "rejected": "c"}\n', "column 'chosen' must hold non-empty"),
}


@pytest.mark.parametrize("case", BAD_PREFERENCE_FILES)
def test_a_bad_local_dataset_stops_before_compute_with_exit_2(checkout, case):
    content, message = BAD_PREFERENCE_FILES[case]
    folder = checkout / "my-prefs"
    folder.mkdir()
    for split in ("train", "validation"):
        (folder / f"{split}.jsonl").write_text(content)
    result = pft("run", "pipeline", "-p", "model", "some/checkpoint", "-p", "judge", "rm:gold",
                 "-p", "sft_dataset", str(ROOT / "tests/fixtures/tldr"), "-p", "pref_dataset", str(folder),
                 cwd=checkout, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "pref_dataset" in result.stderr and message in result.stderr
    assert not PIPELINE.page(checkout).exists() and not (checkout / "_build").exists()
