"""What produced a page: parameters, commit, package versions, device and wall time."""

from __future__ import annotations

import platform
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .environment import available_cores

PACKAGES = (
    "pftlib", "torch", "transformers", "trl", "datasets", "accelerate", "altair",
    "papermill", "jupyter-book", "myst-nb",
)


def commit(root: Path) -> str:
    """The git commit of ``root``, with ``+dirty`` when tracked files differ; ``unknown`` outside git."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def versions() -> dict[str, str]:
    """Installed versions of Python and the packages the book depends on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def device() -> str:
    """The compute device in words, e.g. ``CPU x86_64, 2 cores, Linux`` or the GPU's name."""
    import torch

    cpu = f"CPU {platform.machine()}, {available_cores()} cores, {platform.system()}"
    if torch.cuda.is_available():
        return f"{torch.cuda.device_count()} x {torch.cuda.get_device_name(0)}; {cpu}"
    return cpu


def record(root: Path, parameters: dict, wall_s: float) -> dict:
    """The provenance record stored in an executed notebook's metadata."""
    return {
        "parameters": parameters,
        "commit": commit(root),
        "versions": versions(),
        "device": device(),
        "wall_s": round(wall_s, 2),
        "executed_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


LOCK = "constraints.txt"


def package_key(name: str) -> str:
    """A package name as pip compares it (case and - or _ do not matter)."""
    return name.lower().replace("_", "-")


def locked(root: Path) -> dict[str, str]:
    """The versions in the lock (``constraints.txt``: one ``name==version`` per line), by package."""
    path = root / LOCK
    lines = path.read_text().splitlines() if path.is_file() else []
    return {package_key(name): version for name, _, version in (line.partition("==") for line in lines)
            if version and not name.startswith("#")}


def off_lock(recorded: dict[str, str], lock: dict[str, str]) -> dict[str, tuple[str, str]]:
    """The packages whose recorded version differs from the lock, as ``{name: (recorded, locked)}``.
    A local label (``2.13.0+cpu``) is the same release as ``2.13.0``; packages the lock does not
    pin (Python, pftlib itself) are not compared."""
    out = {}
    for name, version in recorded.items():
        want = lock.get(package_key(name))
        if want is not None and version.split("+")[0] != want.split("+")[0]:
            out[name] = (version, want)
    return out

