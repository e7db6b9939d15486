"""Every chapter notebook opens with a set-up cell, so it runs where readers open it.

* **The source notebooks** (``pft``, JupyterLab or VS Code on a checkout, Binder) carry
  :data:`SETUP_CELL`: it only moves to the checkout's root, where ``pft`` runs chapters, so relative
  paths such as ``benchmarks/results`` mean the same everywhere.
* **The copies that launch links open, and every page's own notebook**, carry :data:`LAUNCH_CELL`,
  which :func:`stamp` writes with the book's repository and the commit that built the page: in a
  checkout it too moves to the root; anywhere else (Colab) it clones the repository at that
  commit, installs ``pftlib`` from the clone (not editable, no test extras) and moves into it
  (``python -m pftlib.publish.setup_cell`` stamps files).

Both carry the tags ``pft-setup`` and ``remove-cell``, so the site does not show them; a test
keeps every source notebook's first code cell equal to :data:`SETUP_CELL`.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import nbformat
import yaml

TAG = "pft-setup"
REPOSITORY_ENV = "PFT_REPOSITORY_URL"
SETUP_CELL = '''\
# Set-up: run from the root of the book's checkout, as `pft` does (launch links open a copy that clones the book).
import os
import pathlib

roots = [p for p in (pathlib.Path.cwd(), *pathlib.Path.cwd().parents) if (p / "_toc.yml").is_file()]
if not roots:
    raise RuntimeError("open this notebook in a checkout of the book, or from a chapter's launch link")
os.chdir(roots[0])'''
LAUNCH_CELL = '''\
# Set-up: inside a checkout of the book, move to its root (where `pft` runs chapters); elsewhere
# (e.g. Colab) clone the book at the commit that built this page and install pftlib from it.
import os, pathlib, subprocess, sys

PFTLIB_REPOSITORY = ""
PFTLIB_COMMIT = ""
here = pathlib.Path.cwd()
root = next((p for p in (here, *here.parents) if (p / "_toc.yml").is_file() and (p / "pftlib").is_dir()), None)
if root is None:
    root = pathlib.Path("pftlib-book").resolve()
    if not root.is_dir():
        subprocess.run(["git", "clone", "--quiet", PFTLIB_REPOSITORY, str(root)], check=True)
        subprocess.run(["git", "-C", str(root), "checkout", "--quiet", PFTLIB_COMMIT], check=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", str(root)], check=True)
os.chdir(root)'''

_FIELDS = re.compile(r'^(PFTLIB_REPOSITORY|PFTLIB_COMMIT) = ""', re.M)


def repository_url(root: Path) -> str:
    """The book's public GitHub repository: ``PFT_REPOSITORY_URL`` if set (a fork publishes without
    editing files), else ``repository.url`` in ``_config.yml``; empty if neither names one."""
    config = yaml.safe_load((root / "_config.yml").read_text()) or {}
    return (os.environ.get(REPOSITORY_ENV) or (config.get("repository") or {}).get("url") or "").strip()


def launch_commit(commit: str) -> str | None:
    """The commit launch links may point at: a clean commit (``+dirty`` and ``unknown`` are not)."""
    return commit if re.fullmatch(r"[0-9a-f]{7,40}", commit) else None


def is_setup(cell) -> bool:
    return cell.cell_type == "code" and TAG in cell.metadata.get("tags", [])


def stamp(nb: nbformat.NotebookNode, repository: str, commit: str) -> nbformat.NotebookNode:
    """Replace the set-up cell by :data:`LAUNCH_CELL` with ``repository`` and ``commit`` filled in
    (in place; returns ``nb``)."""
    cell = next((c for c in nb.cells if is_setup(c)), None)
    if cell is None:
        raise ValueError("the notebook has no set-up cell (tagged pft-setup)")
    values = {"PFTLIB_REPOSITORY": repository, "PFTLIB_COMMIT": commit}
    cell.source = _FIELDS.sub(lambda m: f"{m[1]} = {values[m[1]]!r}", LAUNCH_CELL)  # a Python literal: quoted
    return nb


def main(argv: list[str] | None = None) -> int:
    """Stamp notebooks in place: ``python -m pftlib.publish.setup_cell REPOSITORY COMMIT FILE...``
    (the Pages workflow runs it before it tags the launch notebooks)."""
    ap = argparse.ArgumentParser(prog="python -m pftlib.publish.setup_cell", description=main.__doc__.split("\n")[0])
    ap.add_argument("repository")
    ap.add_argument("commit")
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args(argv)
    for path in args.files:
        nbformat.write(stamp(nbformat.read(path, as_version=4), args.repository, args.commit), path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
