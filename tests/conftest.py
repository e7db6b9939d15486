"""Shared fixtures: scratch copies of the book's checkout, and the site built from one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before anything loads datasets or transformers

from pftlib.llm.config import Setup  # noqa: E402
from pftlib.progress import LOG_EVERY_ENV  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
#: The TRL options every chapter stage trains with at its defaults (batch size, schedule), for tests
#: that call the trainer wrappers directly.
TRL = {"per_device_train_batch_size": Setup.batch_size, "lr_scheduler_type": Setup.lr_scheduler_type}


def copy_checkout(dest: Path) -> Path:
    """Copy the files git would ship (tracked, plus untracked but not ignored) into ``dest``:
    a clean tree with no executed pages and no built site."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def commit_all(root: Path) -> str:
    """Make ``root`` a git repository with everything committed; return the short commit."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    git("init", "--quiet")
    git("add", "--all")
    git("-c", "user.name=pft tests", "-c", "user.email=tests@example.invalid", "commit", "--quiet", "-m", "build")
    return git("rev-parse", "--short=12", "HEAD")


NETGUARD = Path(__file__).parent / "netguard"
# The test build's repository address, for the launch links (the real one is set in _config.yml).
TEST_REPOSITORY = "https://github.com/pft-tests/companion"


def offline_env(log: Path) -> dict[str, str]:
    """The environment with every non-local connection refused and logged to ``log``
    (``tests/netguard/sitecustomize.py`` loads in each Python process, kernels included)."""
    path = os.pathsep.join(filter(None, (str(NETGUARD), os.environ.get("PYTHONPATH"))))
    return {**os.environ, "PYTHONPATH": path, "PFT_NETGUARD_LOG": str(log)}


def pft(*args: str, cwd: Path, timeout: int = 900, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the ``pft`` command line in ``cwd`` and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "pftlib.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout,
        env=env,
    )


def two_chapter_book(root: Path, code: str) -> None:
    """Make the checkout at ``root`` a book of Chapters 1 and 2 only, with ``code`` as a cell of
    Chapter 1 (the 5th of its executed notebook, after the injected parameters)."""
    import nbformat
    import yaml

    from pftlib.publish.chapters import LIKELIHOOD

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    toc["parts"] = [{"caption": "I", "chapters": [{"file": "book/chapters/01_likelihood"},
                                                  {"file": "book/chapters/02_all_roads"}]}]
    (root / "_toc.yml").write_text(yaml.safe_dump(toc))
    nb = nbformat.read(LIKELIHOOD.source(root), as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(code))
    nbformat.write(nb, LIKELIHOOD.source(root))


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fresh, clean copy of the checkout for one test."""
    return copy_checkout(tmp_path / "book")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A clean copy of the checkout after ``pft book --quick --jobs 2`` with the network blocked
    and every change of a progress line logged: (its root, the command's result); refused
    connections are logged to ``../network.log``."""
    root = copy_checkout(tmp_path_factory.mktemp("built") / "book")
    commit_all(root)  # a clean commit, as the Pages workflow builds from: the launch links need one
    for stray in (".pytest_cache/README.md", "scratch/notes.md"):  # what tools and readers leave behind
        (root / stray).parent.mkdir(parents=True, exist_ok=True)
        (root / stray).write_text("# not part of the book\n")
    return root, pft("book", "--quick", "--jobs", "2", cwd=root, env={**book_env(root), LOG_EVERY_ENV: "0"})


#: The test files that read the session's built book (they name the fixture).
BOOK_FILES = {p.name for p in Path(__file__).parent.glob("test_*.py") if "built_book" in p.read_text()}
#: The other test files with a fixture made once per file (the teacher's kit, a JupyterLab server).
MODULE_FILES = {p.name for p in Path(__file__).parent.glob("test_*.py") if 'scope="module"' in p.read_text()}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``make test`` runs two pytest-xdist workers.  The files that read the built book go to one
    worker as one scope, so the book is built once; a file with a module-scoped fixture is a scope
    of its own, so the fixture is made once (tests of one file split between workers, or run apart
    on one, would each make it again); every other test is a scope of its own.  (xdist's
    ``loadgroup`` marks cannot do this under pytest 9.2, whose node ids are read-only.)"""
    from xdist.scheduler import LoadScopeScheduling

    class BookOnOneWorker(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::")[0]
            if Path(file).name in BOOK_FILES:
                return "the built book"
            return file if Path(file).name in MODULE_FILES else nodeid

    return BookOnOneWorker(config, log)


def book_env(root: Path) -> dict[str, str]:
    """How the session's book is built (and rebuilt): network blocked, the test repository named."""
    return {**offline_env(root.parent / "network.log"), "PFT_REPOSITORY_URL": TEST_REPOSITORY}


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (the system's: Playwright cannot download browsers here)."""
    from playwright.sync_api import sync_playwright

    from pftlib.publish.pdf import chromium_path

    if not Path(chromium_path()).exists():
        pytest.fail(f"no Chromium at {chromium_path()}: run scripts/install-browser.sh (or set PFT_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ])
        yield b
        b.close()


EXERCISE = re.compile(r"^```\{exercise\}[^\n]*\n:label: (\S+)", re.M)
SOLUTION_START = re.compile(r"^```\{solution-start\} (\S+)\n:class: dropdown\n```", re.M)
SOLUTION_END = "```{solution-end}\n```"


def exercises(nb) -> dict[str, list]:
    """Each exercise's label, with the code cells of its solution (between ``solution-start`` and
    ``solution-end``, a dropdown); a label with no solution maps to an empty list."""
    out: dict[str, list] = {}
    current = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            out.update({label: [] for label in EXERCISE.findall(cell.source)})
            start = SOLUTION_START.search(cell.source)
            current = start.group(1) if start else current
            if SOLUTION_END in cell.source:
                current = None
        elif current is not None:
            out.setdefault(current, []).append(cell)
    return out


def figures(nb) -> list:
    """The code cells that draw a numbered figure (``mystnb.figure`` in their metadata)."""
    return [c for c in nb.cells if c.cell_type == "code" and "figure" in c.metadata.get("mystnb", {})]
