"""Training progress, seen from outside a chapter's kernel.

A chapter's kernel and its seed processes write where they are (:func:`report`) to the folder
named by ``$PFT_PROGRESS``: one small JSON file per process, ``<pid>.json``, holding the stage, its
step, its total and when the stage began.  ``pft`` gives each chapter's kernel a folder of its own
and draws a :class:`Board` from them: one line per running chapter with the cell it is in and,
for each of its processes, the stage, ``step/total`` and the time the stage has left (its pace so
far times the steps to go).  Without the variable (Jupyter, the launcher) nothing is written.

    report("reward model: RM search/12 epochs", 40, 120)   # seed processes label themselves (where)
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

ENV = "PFT_PROGRESS"
#: Seconds between a chapter's lines in a log (not a terminal); default 30.
LOG_EVERY_ENV = "PFT_PROGRESS_LOG_S"
_PACE_S = 0.5  # a process writes at most this often (and always at a stage's start and end)
_DONE_S = 3.0  # a finished stage stays on show this long
_mine: dict = {"where": "", "stage": None, "since": 0.0, "at": 0.0}


def where(label: str) -> None:
    """Name what this process is working on (``"seed 2/3"``), shown before each of its stages."""
    _mine["where"] = label


def report(stage: str, done: int, total: int) -> None:
    """Record that this process's ``stage`` is at step ``done`` of ``total``."""
    folder = os.environ.get(ENV)
    if not folder:
        return
    now = time.time()
    if stage != _mine["stage"]:
        _mine.update(stage=stage, since=now, at=0.0)
    elif 0 < done < total and now - _mine["at"] < _PACE_S:
        return
    _mine["at"] = now
    path = Path(folder) / f"{os.getpid()}.json"
    tmp = path.with_suffix(".tmp")
    label = f"{_mine['where']}: {stage}" if _mine["where"] else stage
    try:
        tmp.write_text(json.dumps({"stage": label, "done": done, "total": total, "since": _mine["since"], "at": now}))
        os.replace(tmp, path)
    except OSError:  # the folder went with its chapter: progress is never worth a failure
        pass


def steps(stage: str, items: list, size: int) -> Iterator[list]:
    """``items`` in batches of ``size``, reporting each batch as a step of ``stage``."""
    total = -(-len(items) // size)
    for i in range(total):
        report(stage, i, total)
        yield items[i * size:(i + 1) * size]
    report(stage, total, total)


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def describe(record: dict, now: float) -> str:
    """``stage step/total, M:SS left`` (the count when there is more than one step, the time left
    once a step is done: the pace so far times the steps to go)."""
    done, total = record["done"], record["total"]
    text = f"{record['stage']} {done}/{total}" if total > 1 else record["stage"]
    if 0 < done < total:
        text += f", {_clock((now - record['since']) / done * (total - done))} left"
    return text


def read(folder: Path, now: float) -> list[dict]:
    """The records of the live processes writing to ``folder`` that are working on a stage (one
    finished over ``_DONE_S`` seconds ago has been left for work that reports nothing)."""
    out = []
    for path in sorted(folder.glob("*.json")):
        try:
            os.kill(int(path.stem), 0)
            record = json.loads(path.read_text())
        except (ValueError, OSError):  # a process that is gone, or a file caught mid-write
            continue
        if record["done"] < record["total"] or now - record["at"] < _DONE_S:
            out.append(record)
    return out


def last_started(cells: list) -> int | None:
    """The index of the cell papermill started last (it stamps each cell's metadata as it starts
    it), or None before the first."""
    return next((i for i in reversed(range(len(cells)))
                 if cells[i].get("metadata", {}).get("papermill", {}).get("start_time")), None)


def _cell(partial: Path) -> str | None:
    """``cell i/N``: the cell papermill is running, read from the notebook it saves at each cell
    (None while the file cannot be read: papermill is writing it)."""
    try:
        cells = json.loads(partial.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return None
    i = last_started(cells)
    return "" if i is None else f"cell {i + 1}/{len(cells)}"


class Board:
    """One line per running chapter, redrawn in place every ``every`` seconds on a terminal; on
    anything else (a CI log) a chapter's line is printed when it changed, at most every
    ``log_every`` seconds (default ``$PFT_PROGRESS_LOG_S``, else 30; 0 logs every change, looking
    20 times a second).  Messages go through :meth:`say`, above the lines."""

    def __init__(self, stream: TextIO | None = None, every: float = 1.0, log_every: float | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.log_every = float(os.environ.get(LOG_EVERY_ENV, 30)) if log_every is None else log_every
        self.every = min(every, max(self.log_every, 0.05))  # a log of every change looks often
        self.chapters: dict[str, tuple[Path, Path]] = {}  # slug -> (progress folder, partial notebook)
        self.logged: dict[str, tuple[float, str]] = {}
        self.cells: dict[str, tuple[float, str]] = {}  # each chapter's notebook: when it was read, its cell
        self.drawn = 0  # lines of the block on screen
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    @contextmanager
    def chapter(self, slug: str, partial: Path) -> Iterator[dict[str, str]]:
        """Track ``slug`` while the block runs; yields the environment its kernel needs."""
        folder = Path(tempfile.mkdtemp(prefix="pft-progress-"))
        with self.lock:
            self.chapters[slug] = (folder, partial)
        try:
            yield {ENV: str(folder)}
        finally:
            with self.lock:
                del self.chapters[slug]
                self.logged.pop(slug, None)
                self.cells.pop(slug, None)
            shutil.rmtree(folder, ignore_errors=True)

    def line(self, slug: str, now: float) -> str:
        folder, partial = self.chapters[slug]
        seen, shown = self.cells.get(slug, (0.0, ""))
        try:
            changed = partial.stat().st_mtime
        except OSError:
            changed = seen
        # papermill saves the notebook at each cell: read it only then, and keep the last cell read
        # while papermill is writing it
        if changed != seen and (cell := _cell(partial)) is not None:
            self.cells[slug] = (changed, cell)
            shown = cell
        parts = [p for p in (shown, *(describe(r, now) for r in read(folder, now))) if p]
        return f"[pft] {slug}: " + (" | ".join(parts) or "starting")

    def say(self, message: str, file: TextIO | None = None) -> None:
        """Print ``message`` above the progress lines."""
        with self.lock:
            self._clear()
            print(message, file=file or sys.stdout, flush=True)

    def _clear(self) -> None:
        if self.live and self.drawn:
            self.stream.write(f"\x1b[{self.drawn}F\x1b[J")  # up to the block's first line, erase below
            self.stream.flush()
            self.drawn = 0

    def draw(self) -> None:
        now = time.time()
        with self.lock:
            lines = {slug: self.line(slug, now) for slug in self.chapters}
            if self.live:
                self._clear()
                width = shutil.get_terminal_size().columns - 1
                self.stream.write("".join(line[:width] + "\n" for line in lines.values()))
                self.drawn = len(lines)
            else:
                for slug, line in lines.items():
                    at, last = self.logged.get(slug, (0.0, ""))
                    if line != last and now - at >= self.log_every:
                        self.stream.write(line + "\n")
                        self.logged[slug] = (now, line)
            self.stream.flush()

    def __enter__(self) -> Board:
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()
        return self

    def _loop(self) -> None:
        while not self.stopped.wait(self.every):
            self.draw()

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()
        with self.lock:
            self._clear()
