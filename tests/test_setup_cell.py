"""The set-up cell every chapter notebook opens with: in a checkout it moves to the root; on Colab
(no checkout) it clones the book at the stamped commit and installs pftlib from the clone."""

from __future__ import annotations

import glob
import os
import subprocess
import sys
import types

import nbformat
import pytest
from conftest import ROOT

from pftlib.publish.setup_cell import SETUP_CELL, is_setup, stamp


def run_cell(source: str, cwd, monkeypatch, pip_calls: list | None = None) -> None:
    """Execute the cell in ``cwd``; git runs for real, pip is recorded instead of installing."""
    monkeypatch.chdir(cwd)
    fake = types.SimpleNamespace(
        run=lambda cmd, **kw: pip_calls.append(cmd) if "pip" in cmd else subprocess.run(cmd, **kw))
    monkeypatch.setitem(sys.modules, "subprocess", fake)
    exec(compile(source, "setup-cell", "exec"), {})


@pytest.mark.parametrize("path", sorted(glob.glob(str(ROOT / "notebooks" / "*.ipynb"))))
def test_every_notebook_opens_with_the_set_up_cell(path):
    cells = nbformat.read(path, as_version=4).cells
    first = next(c for c in cells if c.cell_type == "code")
    assert is_setup(first) and first.source == SETUP_CELL and "remove-cell" in first.metadata["tags"]


def test_in_a_checkout_it_moves_to_the_root(monkeypatch):
    run_cell(SETUP_CELL, ROOT / "notebooks", monkeypatch)
    assert os.getcwd() == str(ROOT)


def test_outside_a_checkout_an_unstamped_cell_says_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="checkout of the book, or from a chapter's launch link"):
        run_cell(SETUP_CELL, tmp_path, monkeypatch)


def test_outside_a_checkout_a_stamped_cell_clones_the_commit_and_installs_from_it(tmp_path, monkeypatch):
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD~1"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP_CELL, metadata={"tags": ["pft-setup"]})])
    source = stamp(nb, str(ROOT), commit).cells[0].source
    pip_calls: list = []
    run_cell(source, tmp_path, monkeypatch, pip_calls)
    clone = tmp_path / "pftlib-book"
    assert os.getcwd() == str(clone) and (clone / "pftlib").is_dir()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=clone, capture_output=True, text=True).stdout
    assert head.startswith(commit)
    assert pip_calls == [[sys.executable, "-m", "pip", "install", "--quiet", str(clone)]]


def test_stamping_quotes_what_it_embeds():
    """A repository address with quotes or a backslash stays one string literal in the cell."""
    import ast

    odd = 'https://example.com/a"b\\c\'d.git'
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SETUP_CELL, metadata={"tags": ["pft-setup"]})])
    tree = ast.parse(stamp(nb, odd, "abc123").cells[0].source)
    values = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
              if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "").startswith("PFTLIB_")}
    assert values == {"PFTLIB_REPOSITORY": odd, "PFTLIB_COMMIT": "abc123"}
