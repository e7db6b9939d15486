"""Trained checkpoints shared between runs: one folder per key, written atomically.

A key hashes everything that produced a checkpoint: the stage, its settings and seed, the source
of ``pftlib`` itself, and the versions of torch, transformers and trl.  Change any of them and the
stage trains again.  The cache lives in ``$PFT_CACHE_DIR`` (``pft`` sets ``.cache/pft`` in the
book's checkout); without it nothing is cached.  An entry is copied into place under a temporary
name and renamed, so an interrupted or concurrent run never leaves half an entry: when two runs
train the same stage at once, the first rename wins and the other's copy is dropped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

CACHE_ENV = "PFT_CACHE_DIR"


@cache
def code_version() -> str:
    """A hash of the library's own source and of the versions of the libraries that train."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parents[1].rglob("*.py")):
        digest.update(path.read_bytes())
    for package in ("torch", "transformers", "trl"):
        digest.update(version(package).encode())
    return digest.hexdigest()


def key(stage: str, seed: int, **settings) -> str:
    """The cache key of a checkpoint: its stage, seed and settings (JSON-encoded), and the code."""
    text = json.dumps({"stage": stage, "seed": seed, "settings": settings, "code": code_version()},
                      sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def reuse(folder: Path, entry_key: str, train: Callable[[], object]) -> bool:
    """Fill ``folder`` from the cache entry ``entry_key`` if there is one; otherwise ``train()``
    (which saves into ``folder``) and store a copy.  Returns whether the cache was used."""
    root = os.environ.get(CACHE_ENV)
    if not root:
        train()
        return False
    entry = Path(root) / entry_key
    if entry.is_dir():
        shutil.copytree(entry, folder)
        return True
    train()
    entry.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(root) / f".{entry_key}.{os.getpid()}.partial"
    shutil.copytree(folder, partial)
    try:
        partial.rename(entry)
    except OSError:  # another run stored the same entry first
        shutil.rmtree(partial)
    return False
