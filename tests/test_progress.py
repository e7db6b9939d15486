"""Progress across the kernel boundary: what a process reports, how ``pft`` reads and shows it,
and the lines a real build prints for each stage of a language-model chapter."""

from __future__ import annotations

import io
import json
import os
import re
import time

import nbformat
import pytest

from pftlib import progress


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv(progress.ENV, str(tmp_path))
    monkeypatch.setattr(progress, "_mine", {"where": "", "stage": None, "since": 0.0, "at": 0.0})
    return tmp_path


def test_a_stage_reports_its_step_and_the_time_it_has_left(folder):
    progress.where("seed 2/3")
    progress.report("training SFT", 0, 10)
    [record] = progress.read(folder, time.time())
    assert (record["stage"], record["done"], record["total"]) == ("seed 2/3: training SFT", 0, 10)
    progress.report("training SFT", 3, 10)  # within the pace: not written
    assert progress.read(folder, time.time())[0]["done"] == 0
    progress.report("training SFT", 10, 10)  # a stage's end always is
    assert progress.read(folder, time.time())[0]["done"] == 10
    at_4 = {"stage": "s", "done": 4, "total": 10, "since": 100.0, "at": 140.0}
    assert progress.describe(at_4, now=140.0) == "s 4/10, 1:00 left"  # 10 s a step, 6 steps to go
    assert progress.describe({**at_4, "done": 0}, now=140.0) == "s 0/10"
    assert progress.describe({**at_4, "total": 1, "done": 0}, now=140.0) == "s"


def test_only_live_processes_at_work_are_shown(folder):
    progress.report("sampling 8 prompts x 2", 0, 2)
    (folder / "999999999.json").write_text(json.dumps({"stage": "gone", "done": 0, "total": 2, "since": 0, "at": 0}))
    (folder / f"{os.getppid()}.json").write_text("{half a rec")  # caught mid-write
    assert [r["stage"] for r in progress.read(folder, time.time())] == ["sampling 8 prompts x 2"]
    progress.report("sampling 8 prompts x 2", 2, 2)
    assert progress.read(folder, time.time()) != []
    assert progress.read(folder, time.time() + 60) == []  # finished long ago: work that reports nothing


def test_batches_report_as_steps(folder):
    assert list(progress.steps("scoring 5", list(range(5)), 2)) == [[0, 1], [2, 3], [4]]
    [record] = progress.read(folder, time.time())
    assert (record["stage"], record["done"], record["total"]) == ("scoring 5", 3, 3)


def test_without_the_variable_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(progress.ENV, raising=False)
    progress.report("training SFT", 0, 10)
    assert list(tmp_path.iterdir()) == []


def test_the_board_logs_each_chapter_with_its_cell_and_stages(tmp_path, monkeypatch):
    partial = tmp_path / "page.partial.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x") for _ in range(3)])
    nb.cells[0].metadata["papermill"] = nb.cells[1].metadata["papermill"] = {"start_time": "2026-12-03T00:00"}
    nbformat.write(nb, partial)
    log = io.StringIO()
    board = progress.Board(stream=log, log_every=0)
    with board.chapter("pipeline", partial) as env:
        monkeypatch.setenv(progress.ENV, env[progress.ENV])
        monkeypatch.setattr(progress, "_mine", {"where": "seed 1/2", "stage": None, "since": 0.0, "at": 0.0})
        progress.report("training RM search/6 epochs", 0, 12)
        board.draw()
        board.draw()  # unchanged: not printed again
        partial.write_text("{")  # papermill is writing it: the last cell read stays
        progress.report("training RM search/12 epochs", 0, 24)
        board.draw()
    assert log.getvalue().splitlines() == [
        "[pft] pipeline: cell 2/3 | seed 1/2: training RM search/6 epochs 0/12",
        "[pft] pipeline: cell 2/3 | seed 1/2: training RM search/12 epochs 0/24"]
    assert not os.path.exists(env[progress.ENV])  # the folder goes with its chapter


STAGES = ("SFT", "RM search", "DPO search", "DPO 2x", "Online DPO (SFT)", "sampling", "log-likelihoods")


def test_a_book_build_shows_each_stage_in_turn_for_chapters_side_by_side(built_book):
    """The session's ``pft book --quick --jobs 2`` (every change logged): Chapter 4's line names
    each stage in the order it trains them, while another chapter's lines come between its own."""
    _, result = built_book
    lines = [line for line in result.stderr.splitlines() if line.startswith("[pft] ")]
    chapter_4 = [i for i, line in enumerate(lines) if line.startswith("[pft] pipeline: ")]
    text = "\n".join(lines[i] for i in chapter_4)
    first = [re.search(rf"(training|waiting for another run to train|reusing) {re.escape(s)}|{re.escape(s)}", text)
             for s in STAGES]
    assert all(first), [s for s, m in zip(STAGES, first) if not m]
    order = [m.start() for m in first[:5]]
    assert order == sorted(order), dict(zip(STAGES, order))
    beside = {line.split(":")[0] for line in lines[chapter_4[0]:chapter_4[-1]] if "cell" in line}
    assert len(beside - {"[pft] pipeline"}) >= 1, beside
