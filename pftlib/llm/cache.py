"""Trained checkpoints shared between runs: one folder per key, written atomically.

A key hashes everything that produced a checkpoint: the stage, its settings and seed, the source
of ``pftlib`` itself, and the versions of torch, transformers and trl.  Change any of them and the
stage trains again.  The cache lives in ``$PFT_CACHE_DIR`` (``pft`` sets ``.cache/pft`` in the
book's checkout); without it nothing is cached.  An entry is copied into place under a temporary
name and renamed, so an interrupted run never leaves half an entry.  Runs that want the same entry
at once (``pft book`` runs chapters side by side) take turns on a lock file: one trains, the others
wait and copy its entry, so no stage is trained twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

from .. import progress

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
    """The cache key of a checkpoint: its stage, seed and settings (JSON-encoded, each value that
    JSON cannot hold as :func:`encoded` gives it), and the code."""
    text = json.dumps({"stage": stage, "seed": seed, "settings": settings, "code": code_version()},
                      sort_keys=True, default=encoded)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def encoded(value) -> str:
    """A setting as a key holds it: a tokenizer by a hash of its vocabulary (tokens and ids), a data
    set (a ``datasets.Dataset``) by a hash of its rows, so data that differ in any text or in their
    order give different keys, and anything else by its ``repr``."""
    if hasattr(value, "get_vocab"):
        rows = sorted(value.get_vocab().items())
    elif hasattr(value, "to_dict"):
        rows = value.to_dict()
    else:
        return repr(value)
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def reuse(folder: Path, entry_key: str, train: Callable[[], object]) -> bool:
    """Fill ``folder`` from the cache entry ``entry_key`` if there is one; otherwise ``train()``
    (which saves into ``folder``) and store a copy.  Returns whether the cache was used.  While one
    run trains an entry, others that want it wait for it."""
    root = os.environ.get(CACHE_ENV)
    if not root:
        train()
        return False
    entry = Path(root) / entry_key
    entry.parent.mkdir(parents=True, exist_ok=True)
    with open(Path(root) / f".{entry_key}.lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another run is training this entry: wait for it
            progress.report(f"waiting for another run to train {folder.name}", 0, 1)
            fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        if entry.is_dir():
            progress.report(f"reusing {folder.name} from the cache", 1, 1)
            shutil.copytree(entry, folder)
            return True
        train()
        partial = Path(root) / f".{entry_key}.{os.getpid()}.partial"
        shutil.copytree(folder, partial)
        partial.rename(entry)
    return False
