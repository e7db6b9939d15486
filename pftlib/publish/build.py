"""``pft book``: execute every chapter listed in ``_toc.yml`` that is out of date, then build the site.

A page is up to date when its recorded code digest (notebook + pftlib sources) and parameters
match what this build wants; only out-of-date chapters are executed.  The HTML build runs
Jupyter Book 1 with warnings as errors, so a broken page fails the build.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from ..environment import SEED_WORKERS_ENV, available_cores, scoped_env
from ..progress import Board
from . import assets
from .chapters import START_ORDER, Chapter, by_stem
from .execute import STOPPING, code_digest, execute, page_record, remove_leftovers
from .failures import BuildFailed, ChapterFailed

CHAPTER_DIR = "book/chapters/"


def _files(entries: list) -> Iterator[str]:
    for entry in entries:
        if "file" in entry:
            yield entry["file"]
        for key in ("parts", "chapters", "sections"):
            yield from _files(entry.get(key, []))


def toc_files(root: Path) -> list[str]:
    """Every page ``_toc.yml`` lists (paths without suffix), in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    return [toc["root"], *_files(toc.get("parts", []) + toc.get("chapters", []))]


def toc_chapters(root: Path) -> list[Chapter]:
    """The chapters whose pages ``_toc.yml`` lists, in book order."""
    return [by_stem(f.removeprefix(CHAPTER_DIR)) for f in toc_files(root) if f.startswith(CHAPTER_DIR)]


def wanted_params(chapter: Chapter, root: Path, quick: bool, keep: bool) -> dict:
    """Defaults (or the quick profile); with ``keep``, the parameters the page was last run with."""
    recorded = page_record(chapter.page(root)) if keep else None
    if recorded:
        return chapter.schema.validate(recorded["provenance"]["parameters"])
    return chapter.schema.validate(chapter.schema.quick if quick else {})


def is_current(chapter: Chapter, root: Path, params: dict) -> bool:
    rec = page_record(chapter.page(root))
    return bool(rec) and rec["code"] == code_digest(chapter, root) and rec["provenance"]["parameters"] == params


def default_jobs() -> int:
    """Chapters executed side by side by default: one per available core."""
    return available_cores()


def _run_one(chapter: Chapter, root: Path, params: dict, board: Board) -> str | None:
    """Execute one chapter; return the failure message, or None on success."""
    board.say(f"[pft] {chapter.slug}: executing {chapter.source(root).relative_to(root)}")
    try:
        meta = execute(chapter, root, params, board=board)
    except ChapterFailed as err:
        (root / "_build" / "html" / CHAPTER_DIR / f"{chapter.stem}.html").unlink(missing_ok=True)
        board.say(f"[pft] FAILED: {err}", file=sys.stderr)
        return str(err)
    board.say(f"[pft] {chapter.slug}: done in {meta['provenance']['wall_s']:.1f} s")
    return None


def _stop_kernels() -> None:
    """Stop the kernels this process started.  Each leads a session of its own (with its seed
    workers), so Ctrl-C in a terminal never reaches them: without this, ``pft book`` would wait for
    every running chapter to finish."""
    import psutil

    STOPPING.set()  # their chapters were interrupted: they must not read as crashed,
    logging.getLogger("papermill").setLevel(logging.CRITICAL)  # nor log "Kernel died" (through papermill)
    for child in psutil.Process().children():
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.pid, signal.SIGTERM)


def execute_chapters(root: Path, quick: bool = False, force: bool = False, keep: bool = False,
                     jobs: int | None = None) -> None:
    """Execute the out-of-date chapters, ``jobs`` at a time (default: one per core), started in
    :data:`~pftlib.publish.chapters.START_ORDER`; chapters that read other pages run after the rest,
    one at a time.  Raise :class:`BuildFailed` naming every
    failed chapter.  Each chapter runs in its own kernel, and the language-model chapters pin their
    thread count (:func:`pftlib.llm.models.pin_threads`), so side by side gives the same pages as
    one by one."""
    for path in remove_leftovers(root / CHAPTER_DIR):
        print(f"[pft] removed {path.relative_to(root)}, left by an interrupted run", flush=True)
    jobs = jobs or default_jobs()
    first = {ch.stem: i for i, ch in enumerate(START_ORDER)}
    chapters = sorted(toc_chapters(root), key=lambda ch: first.get(ch.stem, len(first)))  # stable: then book order
    waves: dict[bool, list[tuple[Chapter, dict]]] = {False: [], True: []}
    for chapter in chapters:
        params = wanted_params(chapter, root, quick, keep)
        if not force and is_current(chapter, root, params):
            print(f"[pft] {chapter.slug}: up to date", flush=True)
        else:
            waves[chapter.reads_pages].append((chapter, params))
    # Kernels side by side get one OpenMP team each, or their spin-waits starve each other.  A
    # language-model chapter runs its seeds side by side on the cores it is given.
    n = str(max(1, default_jobs() // jobs))
    threads = {"OMP_NUM_THREADS": n, "MKL_NUM_THREADS": n} if jobs > 1 else {}
    failures, papermill_level = [], logging.getLogger("papermill").level
    try:
        with scoped_env(**threads, **{SEED_WORKERS_ENV: n}), Board() as board:
            for readers, wave in waves.items():  # readers of pages last, one at a time: they read each other
                with ThreadPoolExecutor(max_workers=1 if readers else jobs) as pool:
                    try:
                        running = [pool.submit(_run_one, chapter, root, params, board) for chapter, params in wave]
                        failures += [err for job in running if (err := job.result())]
                    except KeyboardInterrupt:  # Ctrl-C: no chapter starts, and the running ones fail now, by name
                        pool.shutdown(wait=False, cancel_futures=True)
                        _stop_kernels()
                        raise  # leaving the block waits for the running chapters to fail and remove their pages
    finally:  # what stopping the kernels changed lasts for this build only
        STOPPING.clear()
        logging.getLogger("papermill").setLevel(papermill_level)
    if failures:
        raise BuildFailed("\n".join(failures))


def build_html(root: Path) -> Path:
    """Run Jupyter Book 1 on ``root`` with warnings as errors; return the site folder."""
    assets.vendor(root)
    exe = shutil.which("jupyter-book", path=str(Path(sys.executable).parent)) or "jupyter-book"
    cmd = [exe, "build", str(root), "--builder", "html", "-W", "-n", "--keep-going"]
    print("[pft] " + " ".join(cmd[1:]), flush=True)
    if subprocess.run(cmd, cwd=root).returncode != 0:
        raise BuildFailed("the HTML build failed (warnings count as errors); see the messages above")
    return root / "_build" / "html"
