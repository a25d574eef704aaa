"""Writing an output folder all at once: a failed or killed run leaves the old one intact.

Everything is written into a staging folder beside OUT, then swapped into place with one
rename (Linux's renameat2 RENAME_EXCHANGE where available), so OUT is always either the
previous complete output or the new complete output.

- Whether OUT can be written is checked before a run's work (`check_output_dir`: a probe
  file is made and removed where the staging folder will go), not found after the solve.
- Runs writing the same OUT take turns (a lock on `.OUT.lock` beside it, from copying the
  previous history to the swap), so each history record is numbered after the last one.
- OUT keeps its mode across runs (a web server publishing the calendars keeps its access);
  a new OUT gets 0777 less the umask, as `mkdir` gives.
- A full disk while writing is `DiskFull`, with OUT as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import secrets
import shutil
import stat
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from planner.messages import _

MARKER = ".planner-output"
# carried over from the previous output: records, not results. `records` holds the station's
# database of what was done (planner.records), `reports` the reports written from it: what a
# station entered is never lost to a new plan.
KEPT = ("history", "backups", "records", "reports")

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class OutputError(Exception):
    """OUT cannot be used (it holds someone else's files, is a file, or cannot be written)."""


class DiskFull(OSError):
    """The disk (or the user's quota) filled up while writing OUT; OUT is as it was."""

    def __init__(self, out: Path, error: OSError):
        super().__init__(error.errno, error.strerror, error.filename)
        self.out = out

    def __str__(self) -> str:
        return _("{out}: the disk is full ({why}); nothing was written and the previous outputs are as they were: "
                 "free some space and run again").format(out=self.out, why=self.strerror)


FULL = {errno.ENOSPC, errno.EDQUOT}
last_swapped: Path | None = None  # the last OUT this process put in place (what a stopped run did write)


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
        if not (pid.isascii() and pid.isdigit()):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:
            pass  # someone else's live process


def check_output_dir(out: Path) -> None:
    """OUT can take a run's outputs: new, empty or the planner's own, and the folder it is in
    (or would be made in) can be written; OutputError says why not."""
    given, out = out, _absolute(out)
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(_("{path} is a file, not a folder").format(path=given))
    if out.is_dir():
        try:
            foreign = any(out.iterdir()) and not (out / MARKER).exists()
        except OSError as e:
            raise OutputError(_("{path} cannot be read: {why}").format(path=given, why=e.strerror or e)) from None
        if foreign:
            raise OutputError(_("{path} already holds files the planner did not write; "
                                "choose a new or empty folder for the outputs").format(path=given))
    # the staging folder goes beside OUT: in its parent, or the nearest folder above that exists
    folder = next(f for f in (out.parent, *out.parent.parents) if os.path.lexists(f))
    if not folder.is_dir():
        raise OutputError(_("{folder} is a file, so {path} cannot be made inside it").format(folder=folder, path=given))
    try:
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise OutputError(_("cannot write in {folder}: {why}").format(folder=folder, why=e.strerror or e)) from None


def _absolute(out: Path | str) -> Path:
    """OUT as an absolute path, so that `-o .` has a real name and parent."""
    return Path(os.path.abspath(out))


@contextmanager
def _turn(out: Path) -> Iterator[None]:
    """Wait for any other run writing OUT, then hold OUT until the swap is done."""
    fd = os.open(out.parent / f".{out.name}.lock", os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(_("waiting for another planner run to finish writing {out}").format(out=out), file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _staging_folder(out: Path) -> Path:
    """A new folder beside OUT, named for this process, of mode 0777 less the umask."""
    while True:
        staging = out.parent / f".{out.name}.{os.getpid()}.{secrets.token_hex(4)}.new"
        try:
            os.mkdir(staging, 0o777)
            return staging
        except FileExistsError:
            continue


@contextmanager
def output_dir(out: Path, keep: Iterable[str] = KEPT) -> Iterator[Path]:
    """Yield a staging folder to write into; on success it becomes OUT in one step.

    `keep` names entries of the previous OUT copied into the new one first (history, and for
    `planner export` every output it does not re-render).
    """
    global last_swapped
    out = _absolute(out)
    check_output_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _turn(out):
        _remove_abandoned_staging(out)
        staging = _staging_folder(out)
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
            # what was written unsynced (the calendars: planner.atomic) reaches the disk before
            # the folder becomes OUT: one flush instead of two fsyncs per file
            if hasattr(os, "sync"):
                os.sync()
            if not out.exists():
                staging.rename(out)
                last_swapped = out
                return
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))  # OUT keeps its mode
            if _exchange(staging, out):
                last_swapped = out
                shutil.rmtree(staging, ignore_errors=True)  # now holds the previous output
                return
            previous = staging.with_suffix(".old")
            out.rename(previous)
            try:
                staging.rename(out)
            except BaseException:
                previous.rename(out)
                raise
            last_swapped = out
            shutil.rmtree(previous, ignore_errors=True)
        except OSError as e:
            if e.errno in FULL and not isinstance(e, DiskFull):
                raise DiskFull(out, e) from e
            raise
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
