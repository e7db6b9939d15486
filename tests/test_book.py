"""``pft book``: builds the site from a clean tree, skips what is current, fails loudly."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import nbformat
from conftest import ROOT, book_env, exercises, figures, offline_env, pft, two_chapter_book

from pftlib.publish.build import toc_chapters
from pftlib.publish.chapters import ALL_ROADS, CHAPTERS, LIKELIHOOD, TEACHING


def test_book_quick_builds_the_site_from_a_clean_tree(built_book):
    root, result = built_book
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    site = root / "_build" / "html"
    for ch in toc_chapters(root):
        assert (site / "book" / "chapters" / f"{ch.stem}.html").is_file()
        assert nbformat.read(ch.page(root), as_version=4).metadata["pftlib"]["provenance"]["parameters"] == \
            ch.schema.validate(ch.schema.quick)
    assert (site / "_static" / "vega-bundle.js").is_file() and (site / "_static" / "mathjax" / "tex-svg.js").is_file()


def test_the_book_builds_with_the_network_blocked(built_book):
    root, result = built_book
    assert result.returncode == 0
    log = root.parent / "network.log"
    assert not log.exists(), "the build tried to reach the network:\n" + log.read_text()


def test_the_network_guard_refuses_and_logs_a_remote_connection(tmp_path):
    log = tmp_path / "network.log"
    fetch = "import urllib.request; urllib.request.urlopen('http://example.com', timeout=5)"
    result = subprocess.run([sys.executable, "-c", fetch], env=offline_env(log), capture_output=True, text=True)
    assert result.returncode != 0 and "network blocked by tests/netguard" in result.stderr
    assert "example.com" in log.read_text()


def test_a_second_build_skips_current_chapters(built_book):
    root, _ = built_book
    result = pft("book", "--quick", cwd=root, env=book_env(root))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "likelihood: up to date" in result.stdout and "executing" not in result.stdout


def test_a_book_build_killed_mid_run_resumes_and_leaves_nothing_half_written(built_book, tmp_path):
    """SIGKILL ``pft book`` (nothing can clean up) while it executes a chapter of a built book two of
    whose pages are gone, then build again: every page left is whole, and the rerun removes what the
    killed run left, executes only what is not current, and completes the book."""
    root = tmp_path / "book"
    shutil.copytree(built_book[0], root, symlinks=True)
    pages = root / "book" / "chapters"
    for chapter in (LIKELIHOOD, ALL_ROADS):
        chapter.page(root).unlink()
    run = subprocess.Popen([sys.executable, "-m", "pftlib.cli", "book", "--quick"], cwd=root, env=book_env(root),
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 300
    while not list(pages.glob(".*.partial.ipynb")):
        assert run.poll() is None and time.monotonic() < deadline, "no chapter started executing"
        time.sleep(0.2)
    time.sleep(2)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    for page in pages.glob("[!.]*.ipynb"):  # whatever is there is whole
        nbformat.validate(nbformat.read(page, as_version=4))
    again = pft("book", "--quick", cwd=root, env=book_env(root))
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    assert "left by an interrupted run" in again.stdout and "pipeline: up to date" in again.stdout
    assert not [p for p in pages.iterdir() if p.name.startswith(".")]
    assert {p.stem for p in pages.glob("*.ipynb")} == {ch.stem for ch in CHAPTERS}


def test_a_failing_chapter_fails_the_build_naming_chapter_and_cell(checkout):
    two_chapter_book(checkout, 'raise RuntimeError("boom")')  # two chapters are enough: the build stops anyway
    LIKELIHOOD.page(checkout).parent.mkdir(parents=True)
    LIKELIHOOD.page(checkout).write_text(json.dumps({"stale": True}))  # a page from an earlier run
    result = pft("book", "--quick", cwd=checkout)
    assert result.returncode == 1
    assert "chapter 'likelihood'" in result.stderr and "boom" in result.stderr
    assert "starting `raise RuntimeError(\"boom\")`" in result.stderr
    assert not LIKELIHOOD.page(checkout).exists()  # no stale page survives
    assert not (checkout / "_build" / "html").exists()  # and no site is built


def test_a_notebook_edited_during_its_run_leaves_the_page_stale(checkout, monkeypatch):
    """The page records the digest of the code it ran, not of the code present when it finished."""
    from pathlib import Path

    from pftlib.publish import execute as ex
    from pftlib.publish.build import is_current

    real = ex.pm.execute_notebook

    def edit_then_run(source, *args, **kwargs):
        result = real(source, *args, **kwargs)
        Path(source).write_text(Path(source).read_text().replace("random seed", "random seed (edited)"))
        return result

    monkeypatch.setattr(ex.pm, "execute_notebook", edit_then_run)
    params = LIKELIHOOD.schema.validate(LIKELIHOOD.schema.quick)
    ex.execute(LIKELIHOOD, checkout, params)
    assert not is_current(LIKELIHOOD, checkout, params)


def test_every_exercise_solution_ran_on_the_built_pages(built_book):
    root, result = built_book
    assert result.returncode == 0
    for ch in TEACHING:
        found = exercises(nbformat.read(ch.page(root), as_version=4))
        assert len(found) >= 2
        for label, cells in found.items():
            for cell in cells:
                assert cell.execution_count is not None, f"{ch.stem}: solution {label} did not run"
                assert not [o for o in cell.outputs if o.output_type == "error"], f"{ch.stem}: solution {label} failed"
            assert any(c.outputs for c in cells), f"{ch.stem}: solution {label} shows nothing"


def test_no_built_page_carries_a_widget_or_a_progress_bar(built_book):
    """Training runs inside the chapters keep their progress bars off the page: with ipywidgets
    installed (otter-grader brings it) tqdm would draw them as widgets the site cannot show."""
    root, _ = built_book
    for ch in toc_chapters(root):
        outputs = [o for c in nbformat.read(ch.page(root), as_version=4).cells for o in c.get("outputs", [])]
        assert not [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})], ch.stem
        assert not [o for o in outputs if "it/s]" in o.get("text", "")], ch.stem


def test_every_chart_on_the_built_pages_is_a_numbered_figure(built_book):
    """Each figure cell drew exactly one chart, and no chart was drawn outside a figure cell."""
    root, result = built_book
    assert result.returncode == 0

    def charts(cell):
        return sum("pft-chart" in o.get("data", {}).get("text/html", "") for o in cell.get("outputs", []))

    for ch in toc_chapters(root):
        nb = nbformat.read(ch.page(root), as_version=4)
        figs = figures(nb)
        assert [charts(c) for c in figs] == [1] * len(figs), ch.stem
        loose = [c for c in nb.cells if c.cell_type == "code" and charts(c) and c not in figs]
        assert not loose, f"{ch.stem}: a chart without a numbered caption"
    site = (root / "_build" / "html" / "book" / "chapters" / "03_gap.html").read_text()
    assert 'Fig. 3.1' in site and 'Exercise 3.1' in site


def test_pages_built_off_the_lock_are_told_apart(tmp_path):
    from pftlib.provenance import locked, off_lock

    (tmp_path / "constraints.txt").write_text("# comment\ntorch==2.13.0\nJupyter_Book==1.0.4.post1\ntrl==1.16.0\n")
    lock = locked(tmp_path)
    assert lock == {"torch": "2.13.0", "jupyter-book": "1.0.4.post1", "trl": "1.16.0"}
    recorded = {"python": "3.11.7", "torch": "2.13.0+cpu", "jupyter-book": "1.0.4.post1", "trl": "1.17.0",
                "pftlib": "0.1.0"}
    assert off_lock(recorded, lock) == {"trl": ("1.17.0", "1.16.0")}


def test_this_environment_matches_the_committed_lock():
    """The suite runs with what constraints.txt pins (scripts/install.sh installs with it)."""
    from pftlib.provenance import locked, off_lock, versions

    assert off_lock(versions(), locked(ROOT)) == {}
