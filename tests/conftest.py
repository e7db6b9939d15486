"""Shared fixtures: scratch copies of the book's checkout, and the site built from one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("HF_HUB_OFFLINE", "1")


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


NETGUARD = Path(__file__).parent / "netguard"


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


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fresh, clean copy of the checkout for one test."""
    return copy_checkout(tmp_path / "book")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """A clean copy of the checkout after ``pft book --quick`` with the network blocked:
    (its root, the command's result); refused connections are logged to ``../network.log``."""
    root = copy_checkout(tmp_path_factory.mktemp("built") / "book")
    for stray in (".pytest_cache/README.md", "scratch/notes.md"):  # what tools and readers leave behind
        (root / stray).parent.mkdir(parents=True, exist_ok=True)
        (root / stray).write_text("# not part of the book\n")
    return root, pft("book", "--quick", cwd=root, env=offline_env(root.parent / "network.log"))
