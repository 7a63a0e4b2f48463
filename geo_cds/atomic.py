"""Atomic replacement of files, stale-leftover cleanup and disk errors: the writer's foundation.

Every file geo-cds writes is first written under a temporary name beside its final place and
then renamed onto it, so a reader never sees half a file. :mod:`geo_cds.outputs.write` builds
whole run folders on top of this; the coverage engine's weight cache (an earlier stage, which
may not import from ``outputs``) uses :func:`atomic_file` directly.

Temporary names carry the writing process's id, so the leftovers of a killed run can be told
from the work of a run still going: :func:`clean_stale` removes only entries whose name has
the writer's pattern, whose process is gone and that have not changed for
:data:`STALE_AFTER_S` seconds — and, for folders, that hold the writer's :data:`MARKER`.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from geo_cds.errors import OutputError

log = logging.getLogger(__name__)

# The file in every folder the writer creates; a folder without it is never replaced or removed.
MARKER = ".geo-cds-run"
# Leftovers younger than this are left alone even when their process looks gone: the folder
# may be shared with another machine or container whose processes this one cannot see.
STALE_AFTER_S = 600.0
# .<name>.geo-cds-<kind>-<pid>-<token>[suffix]: temporary file, staging folder, backup folder.
_LEFTOVER = re.compile(r"^\..+\.geo-cds-(tmp|staging|backup)-(\d+)-[0-9a-f]{8}(\.[^.]*)?$")

_REASONS = {
    errno.ENOSPC: ("the disk is full", "free some space there"),
    errno.EDQUOT: ("the disk quota is exhausted", "free some space there"),
    errno.EACCES: ("permission denied", "make it writable"),
    errno.EPERM: ("operation not permitted", "make it writable"),
    errno.EROFS: ("the file system is read-only", "make it writable"),
}


def temp_name(target: Path, kind: str = "tmp") -> Path:
    """A fresh hidden name beside ``target`` for a temporary file (or a staging/backup folder)."""
    suffix = target.suffix if kind == "tmp" else ""
    return target.with_name(
        f".{target.name}.geo-cds-{kind}-{os.getpid()}-{secrets.token_hex(4)}{suffix}")


def is_leftover(path: Path) -> bool:
    """Whether ``path`` is named like the writer's temporary files, staging or backup folders."""
    return _LEFTOVER.match(Path(path).name) is not None


def output_error(exc: OSError, folder: Path) -> OutputError | None:
    """The clear message for a disk that refuses to be written (``None`` for other errors).

    An error about a file outside ``folder`` (e.g. an input that cannot be read) is not the
    output's fault and is left as it is.
    """
    if exc.errno not in _REASONS:
        return None
    if exc.filename is not None:
        where = Path(os.fsdecode(exc.filename)).absolute()
        inside = Path(folder).absolute()
        if where != inside and inside not in where.parents:
            return None
    what, fix = _REASONS[exc.errno]
    return OutputError(f"cannot write to {folder}: {what}; {fix} or choose another output "
                       "folder")


def atomic_file(path: Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` for a temporary path beside ``path``, then rename it onto ``path``.

    Parameters
    ----------
    path : Path
        The file to create or replace; its folder is created when missing.
    write : callable
        Writes the whole file to the path it is given (which does not exist yet).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    geo_cds.errors.OutputError
        The folder cannot be written (permissions, read-only or full disk). Nothing is left
        behind and an existing ``path`` is unchanged.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(path.parent)
        tmp = temp_name(path)
        try:
            write(tmp)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
    except OSError as exc:
        if (err := output_error(exc, path.parent)) is not None:
            raise err from exc
        raise
    return path


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _is_stale(entry: Path, pid: int, now: float) -> bool:
    try:
        age = now - entry.lstat().st_mtime
    except FileNotFoundError:
        return False
    return age >= STALE_AFTER_S and not _running(pid)


def clean_stale(folder: Path) -> list[Path]:
    """Remove what killed geo-cds runs left in ``folder``; return what was removed or restored.

    Only entries named by :func:`temp_name` whose process is gone and that have not changed
    for :data:`STALE_AFTER_S` seconds are touched, and a folder only when it holds
    :data:`MARKER`. A backup whose run folder is missing (a run killed between the two
    renames of its final swap) is renamed back into place instead of being removed.
    """
    folder = Path(folder)
    try:
        entries = list(folder.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []
    now = time.time()
    done = []
    for entry in sorted(entries):
        m = _LEFTOVER.match(entry.name)
        if not m or not _is_stale(entry, int(m.group(2)), now):
            continue
        kind = m.group(1)
        if entry.is_symlink() or (entry.is_dir() != (kind != "tmp")):
            continue
        if kind != "tmp" and not (entry / MARKER).is_file():
            continue
        original = folder / entry.name[1:entry.name.rindex(f".geo-cds-{kind}-")]
        try:
            if kind == "backup" and not original.exists():
                os.rename(entry, original)
                log.warning("restored %s from the backup a killed run left", original)
            elif kind == "tmp":
                entry.unlink(missing_ok=True)
            else:
                shutil.rmtree(entry)
        except OSError as exc:  # cleaning up is worth trying, never worth failing for
            log.warning("could not remove %s, left by a killed run: %s", entry, exc)
            continue
        done.append(entry)
    return done
