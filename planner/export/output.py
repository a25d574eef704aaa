"""Writing an output folder all at once: a failed or killed run leaves the old one intact.

Everything is written into a staging folder beside OUT, then swapped into place with one
rename (Linux's renameat2 RENAME_EXCHANGE where available), so OUT is always either the
previous complete output or the new complete output.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

MARKER = ".planner-output"
# carried over from the previous output: records, not results. `records` holds the station's
# database of what was done (planner.records), `reports` the reports written from it: what a
# station entered is never lost to a new plan.
KEPT = ("history", "backups", "records", "reports")

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(Exception):
    """OUT cannot be used (it holds someone else's files, or is a file)."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths; False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _remove_abandoned_staging(out: Path) -> None:
    """Staging folders of runs that were killed (their process is gone)."""
    for folder in out.parent.glob(f".{out.name}.*.new"):
        pid = folder.name[len(out.name) + 2:].split(".", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # someone else's live process


def check_output_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(f"{out} already holds files the planner did not write; "
                          "choose a new or empty folder for the outputs")


@contextmanager
def output_dir(out: Path, keep: Iterable[str] = KEPT) -> Iterator[Path]:
    """Yield a staging folder to write into; on success it becomes OUT in one step.

    `keep` names entries of the previous OUT copied into the new one first (history, and for
    `planner export` every output it does not re-render).
    """
    out = Path(out)
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.{os.getpid()}.", suffix=".new", dir=out.parent))
    try:
        (staging / MARKER).write_text("written by planner; the whole folder is replaced on each run\n",
                                      encoding="utf-8")
        for name in keep:
            source = out / name
            if source.is_dir():
                shutil.copytree(source, staging / name)
            elif source.is_file():
                shutil.copy2(source, staging / name)
        yield staging
        if not out.exists():
            staging.rename(out)
            return
        if _exchange(staging, out):
            shutil.rmtree(staging, ignore_errors=True)  # now holds the previous output
            return
        previous = staging.with_suffix(".old")
        out.rename(previous)
        staging.rename(out)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        if staging.exists() and staging != out:
            shutil.rmtree(staging, ignore_errors=True)


def write_text_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
