"""Every chapter notebook opens with a set-up cell, so it runs where readers open it.

* **In a checkout of the book** (``pft``, JupyterLab or VS Code on a clone, Binder) the cell only
  moves to the checkout's root, where ``pft`` runs chapters, so relative paths such as
  ``benchmarks/results`` mean the same everywhere.
* **Anywhere else** (Colab) it clones the book's repository at one commit, installs ``pftlib``
  from that clone (not editable, no test extras), and moves into it.  The repository and commit
  are blank in the source notebooks; :func:`stamp` fills them in the copies that launch links open,
  with the commit that built the page (``python -m pftlib.book.setup_cell`` stamps files).

The cell's text is :data:`SETUP_CELL` (a test keeps every notebook's first code cell equal to it);
it carries the tags ``pft-setup`` and ``remove-cell``, so the site does not show it.
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
# Set-up: inside a checkout of the book, move to its root (where `pft` runs chapters); elsewhere
# (e.g. Colab) clone the book at the commit that built this page and install pftlib from it.
import os, pathlib, subprocess, sys

PFTLIB_REPOSITORY = ""  # written into the notebooks that launch links open
PFTLIB_COMMIT = ""
here = pathlib.Path.cwd()
root = next((p for p in (here, *here.parents) if (p / "_toc.yml").is_file() and (p / "pftlib").is_dir()), None)
if root is None:
    if not PFTLIB_COMMIT:
        raise RuntimeError("open this notebook in a checkout of the book, or from a chapter's launch link")
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
    """Fill the set-up cell's repository and commit (in place; returns ``nb``)."""
    cell = next((c for c in nb.cells if is_setup(c)), None)
    if cell is None:
        raise ValueError("the notebook has no set-up cell (tagged pft-setup)")
    values = {"PFTLIB_REPOSITORY": repository, "PFTLIB_COMMIT": commit}
    cell.source = _FIELDS.sub(lambda m: f'{m[1]} = "{values[m[1]]}"', cell.source)
    return nb


def main(argv: list[str] | None = None) -> int:
    """Stamp notebooks in place: ``python -m pftlib.book.setup_cell REPOSITORY COMMIT FILE...``
    (the Pages workflow runs it before it tags the launch notebooks)."""
    ap = argparse.ArgumentParser(prog="python -m pftlib.book.setup_cell", description=main.__doc__.split("\n")[0])
    ap.add_argument("repository")
    ap.add_argument("commit")
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args(argv)
    for path in args.files:
        nbformat.write(stamp(nbformat.read(path, as_version=4), args.repository, args.commit), path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
