"""Atomic file writes: a temporary file beside the target, flushed to disk, then one rename.

A reader never sees half a file, and a failed or interrupted write leaves the old file as it
was. The target keeps its mode; a new file gets 0666 less the umask, like any file the user
writes (mkstemp's files would be 0600).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

__all__ = ["write_bytes", "write_text"]


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; folders cannot be opened on Windows, so skip there."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse to fsync a folder; the data itself is synced
        pass
    finally:
        os.close(fd)


def write_bytes(path: Path | str, data: bytes, *, sync: bool = True) -> Path:
    """Write `data` to `path` atomically; → the path. `sync=False`: not flushed to disk here, for
    files written into a staging folder that is flushed once before it becomes OUT
    (planner.export.output.output_dir): two fsyncs per file were most of the calendars' time."""
    path = Path(path)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(temporary, flags, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if sync:
        _fsync_folder(path.parent)
    return path


def write_text(path: Path | str, text: str) -> Path:
    """Write `text` as UTF-8 to `path` atomically; → the path."""
    return write_bytes(path, text.encode("utf-8"))
