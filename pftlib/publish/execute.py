"""Execute one chapter notebook with papermill: validated parameters in, a rendered page out.

The page is written atomically (a temporary file in the same folder, then a rename), so an
interrupted run leaves either the previous page or the new one, never half of one; a failed run
removes the previous page, so no stale page survives.  Each page carries, in its metadata, the
digest of the code that produced it (notebook + pftlib sources) and its provenance, and shows a
"Reproduce this" box.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import sys
import tempfile
import threading
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import nbformat
import papermill as pm
from jupyter_client import AsyncKernelManager
from traitlets import Dict
from traitlets.config import Config

from ..environment import BOOK_PAGE_ENV, VALIDATED_ENV
from ..llm.cache import CACHE_ENV
from ..params import Validated, fingerprint
from ..progress import Board, last_started
from ..provenance import record
from .chapters import Chapter
from .failures import ChapterFailed
from .parameters_cell import TAG as PARAMETERS_TAG
from .setup_cell import launch_commit, repository_url, stamp

PACKAGE = Path(__file__).resolve().parents[1]

class ChapterKernel(AsyncKernelManager):
    """A kernel started with variables of its own on top of ``pft``'s environment: chapters side
    by side each get theirs (whether the page is the book's, where its progress goes), which one
    process-wide setting could not give."""

    extra_env = Dict(config=True, help="variables set in this kernel's environment only")

    async def start_kernel(self, **kw: Any) -> None:
        kw["env"] = {**kw.get("env", os.environ), **self.extra_env}
        await super().start_kernel(**kw)


def kernel_config(sockets: str, env: dict[str, str] | None = None) -> Config:
    """Kernels talk to ``pft`` over local sockets where the system has them, in the folder
    ``sockets`` (one per kernel: kernels side by side would otherwise pick the same socket names
    and read each other's messages).  No network port is opened, so the kernel has nothing to warn
    about ("running over TCP without encryption").  ``env``: a :class:`ChapterKernel`'s own variables."""
    config = Config({"ChapterKernel": {"extra_env": env or {}}})
    if os.name == "posix":
        config.KernelManager = Config({"transport": "ipc", "ip": os.path.join(sockets, "kernel")})
    return config


#: What a failure that is not an error raised by a cell means, by its exception's name.
FAILURES = {"DeadKernelError": "its kernel died (out of memory, a crash or a kill)",
            "CellTimeoutError": "a cell ran past its time limit",
            "KeyboardInterrupt": "interrupted"}

#: Set by ``pft book`` when Ctrl-C makes it stop its kernels: a chapter whose kernel dies after
#: that was interrupted, not crashed.
STOPPING = threading.Event()


def running_cell(partial: Path) -> tuple[int, str] | None:
    """The cell papermill was running when the run stopped (the last one it started), from the
    notebook it was writing: its index and first line, or None if unknown."""
    try:
        nb = nbformat.read(partial, as_version=4)
    except (OSError, ValueError, KeyError, nbformat.ValidationError):
        return None
    i = last_started(nb.cells)
    if i is None:
        return None
    return i, next((line.strip() for line in nb.cells[i].source.splitlines() if line.strip()), "")


def code_digest(chapter: Chapter, root: Path) -> str:
    """SHA-256 of the chapter's source notebook, every pftlib source file, and the data files the
    chapter reads (its ``inputs``)."""
    h = hashlib.sha256(chapter.source(root).read_bytes())
    files = [(p.relative_to(PACKAGE).as_posix(), p) for p in sorted(PACKAGE.rglob("*.py"))]
    files += [(p.relative_to(root).as_posix(), p) for pattern in chapter.inputs for p in sorted(root.glob(pattern))]
    for name, path in files:
        h.update(name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def page_record(page: Path) -> dict[str, Any] | None:
    """The ``pftlib`` metadata of an executed page, or None if there is no readable page (a missing,
    truncated or otherwise corrupt page is simply out of date)."""
    try:
        return nbformat.read(page, as_version=4).metadata.get("pftlib")
    except (OSError, ValueError, KeyError, nbformat.ValidationError):
        return None


def command(chapter: Chapter, params: dict[str, Any]) -> str:
    """The exact ``pft run`` command that reproduces ``params`` (non-default values spelled out)."""
    words = ["pft", "run", chapter.slug]
    for name, value in params.items():
        if value != chapter.schema.defaults()[name]:
            words += ["-p", name, str(value).lower() if isinstance(value, bool) else str(value)]
    return shlex.join(words)


def _reproduce_box(chapter: Chapter, meta: dict[str, Any]) -> str:
    prov = meta["provenance"]
    params = ", ".join(f"`{k}={v!r}`" for k, v in prov["parameters"].items())
    versions = ", ".join(f"{k} {v}" for k, v in prov["versions"].items())
    return "\n".join([
        ":::{admonition} Reproduce this page",
        ":class: tip dropdown",
        "From a checkout of the book, after the README's set-up:",
        "```bash",
        meta["command"],
        "```",
        "| | |",
        "|---|---|",
        f"| parameters | {params} |",
        f"| commit | `{prov['commit']}` |",
        f"| packages | {versions} |",
        f"| device | {prov['device']} |",
        f"| wall time | {prov['wall_s']:.1f} s, executed {prov['executed_utc']} |",
        ":::",
        "",
        f"```{{pft-launch}} notebooks/{chapter.stem}.ipynb",
        *([f":commit: {commit}"] if (commit := launch_commit(prov["commit"])) else []),
        *([":needs-pages:"] if chapter.reads_pages else []),
        "```",
    ])


def _kernel_env(root: Path) -> None:
    """Make papermill's ``python3`` kernel this interpreter, whatever kernels the user has.  The
    spec is replaced atomically: ``pft book`` starts chapters side by side, and a kernel starting
    beside this one must never read a half-written file."""
    spec_dir = root / "_build" / ".kernels" / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (pftlib)", "language": "python"}
    _atomic_write(json.dumps(spec, indent=1), spec_dir / "kernel.json")
    os.environ["JUPYTER_PATH"] = str(spec_dir.parents[1])
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.environ.setdefault(CACHE_ENV, str(root / ".cache" / "pft"))  # trained SFT models shared between chapters


def remove_leftovers(folder: Path, stem: str = "*") -> list[Path]:
    """Delete the temporary files that killed runs left in ``folder`` (of the page ``stem``, or of
    any page) and return them.  Each carries its process id (``.<stem>.<pid>.partial.ipynb`` or
    ``.tmp``), and only those of processes that are gone are removed, so a run going on beside this
    one keeps its own."""
    found = []
    for path in [*folder.glob(f".{stem}.*.partial.ipynb"), *folder.glob(f".{stem}.*.tmp")]:
        pid = path.name.split(".")[2]  # "", stem (no dots), pid, mkstemp's letters, suffix
        if pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)
            found.append(path)
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def _atomic_write(text: str, out: Path) -> None:
    """Write ``out`` through a temporary file renamed into place: a reader sees the old file or the
    new one, never a half-written one."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.{os.getpid()}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def execute(chapter: Chapter, root: Path, params: dict[str, Any], out: Path | None = None,
            board: Board | None = None) -> dict[str, Any]:
    """Run ``chapter`` with ``params`` (validated: a :class:`~pftlib.params.Validated` is trusted by
    the notebook, anything else it checks again); write the page to ``out`` (default: the
    book's page), showing its progress on ``board``.  Returns the page's ``pftlib`` metadata.
    Raises :class:`ChapterFailed`."""
    out = out or chapter.page(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    code = code_digest(chapter, root)  # before running: an edit made during the run makes the page stale
    _kernel_env(root)
    remove_leftovers(out.parent, out.stem)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.stem}.{os.getpid()}.", suffix=".partial.ipynb")
    os.close(fd)
    start = time.perf_counter()
    try:
        with (board.chapter(chapter.slug, Path(tmp)) if board else nullcontext({}) as shown,
              tempfile.TemporaryDirectory(prefix="pft-kernel-") as sockets):
            env = {BOOK_PAGE_ENV: "1" if out == chapter.page(root) else "0", **shown}  # charts: site or anywhere
            if isinstance(params, Validated):  # checked by the schema: the notebook need not check them again
                env[VALIDATED_ENV] = fingerprint({n: params[n] for n in chapter.schema.names() if n in params})
            pm.execute_notebook(
                str(chapter.source(root)), tmp, parameters=params, cwd=str(root), kernel_name="python3",
                progress_bar=False, log_output=False, kernel_manager_class=ChapterKernel,
                config=kernel_config(sockets, env),
            )
        nb = nbformat.read(tmp, as_version=4)
    except pm.PapermillExecutionError as err:
        if out == chapter.page(root):
            out.unlink(missing_ok=True)
        first_line = next((line for line in err.source.splitlines() if line.strip()), "")
        raise ChapterFailed(
            f"chapter '{chapter.slug}' ({chapter.source(root).relative_to(root)}) failed in cell "
            f"{err.cell_index + 1} of the executed notebook (execution count {err.exec_count}, "
            f"starting `{first_line.strip()}`): {err.ename}: {err.evalue}"
        ) from None
    except (Exception, KeyboardInterrupt) as err:  # the kernel died, a cell timed out, or the run was interrupted
        if out == chapter.page(root):
            out.unlink(missing_ok=True)
        where = running_cell(Path(tmp))
        kind = "KeyboardInterrupt" if STOPPING.is_set() else type(err).__name__
        raise ChapterFailed(
            f"chapter '{chapter.slug}' ({chapter.source(root).relative_to(root)}) failed"
            + (f" in cell {where[0] + 1} of the executed notebook (starting `{where[1]}`)" if where else "")
            + f": {FAILURES.get(kind, f'{kind}: {err}')}"
        ) from err
    finally:
        Path(tmp).unlink(missing_ok=True)
    meta = {
        "chapter": chapter.slug,
        "code": code,
        "command": command(chapter, params),
        "provenance": record(root, params, time.perf_counter() - start),
    }
    nb.metadata["pftlib"] = meta
    for cell in nb.cells:  # the page shows the injected values, not the defaults they replaced
        if PARAMETERS_TAG in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-cell"]
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(_reproduce_box(chapter, meta)))
    if (repository := repository_url(root)) and (commit := launch_commit(meta["provenance"]["commit"])):
        stamp(nb, repository, commit)  # the page's own notebook, downloaded, runs on Colab at this commit
    _atomic_write(nbformat.writes(nb) + "\n", out)  # as nbformat.write ends a file
    return meta
