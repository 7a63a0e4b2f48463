"""GeoPackages written by a second process while this one writes the rest of a run folder.

GDAL writes a GeoPackage holding Python's GIL (pyogrio calls ``OGR_L_WriteArrowBatch`` without
releasing it): in a thread it would not overlap the Python work of the tables, the workbook
and the map. A child process does, on a second core; at 1,000,000 villages villages.gpkg alone
is ~5 s of GDAL and SQLite work.

The child is a fork: it has the frames as they are in memory (nothing copied or converted)
and writes them with :func:`geo_cds.outputs.write.write_gpkg`, exactly as this process would.
Its first error is raised here, as it was raised there, by :meth:`GpkgWriter.wait`. A child
that dies without a word (killed, out of memory) leaves its files to be written here instead.
Elsewhere than on Linux (or with one core) the files are written here, in turn.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import pickle
import sys
from pathlib import Path

log = logging.getLogger(__name__)

Job = tuple  # (GeoDataFrame, Path, layer, lang): the arguments of write_gpkg


def _child(jobs: list[Job], conn) -> None:
    """In the child: every file in turn; send None when done, else the first error."""
    from geo_cds.outputs.write import write_gpkg

    try:
        for job in jobs:
            write_gpkg(*job)
        conn.send(None)
    except BaseException as exc:  # noqa: BLE001 — every error goes back to the parent
        try:
            pickle.loads(pickle.dumps(exc))  # the parent must be able to read it back
        except Exception:  # an error that does not pickle: its type's name and its message
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        conn.send(exc)
    finally:
        conn.close()


def _can_fork() -> bool:
    # Linux only: on macOS a fork of a process that used the system's frameworks may crash
    return sys.platform.startswith("linux") and (os.cpu_count() or 1) > 1


class GpkgWriter:
    """Write GeoPackages in a forked child; :meth:`wait` before the folder is complete.

    Use as a context manager: leaving the block with an exception stops the child (nothing is
    written into the folder afterwards); what it wrote is left to the caller (the run folder's
    staging folder is removed whole).
    """

    def __init__(self, background: bool | None = None) -> None:
        self.background = _can_fork() if background is None else background
        self._jobs: list[Job] = []
        self._process = None
        self._conn = None

    def __enter__(self) -> GpkgWriter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        if self._process is not None:  # leaving early: the child's work is not wanted
            self._process.terminate()
            self._stop()

    def start(self, jobs: list[Job]) -> None:
        """Begin writing ``jobs`` (each the arguments of
        :func:`~geo_cds.outputs.write.write_gpkg`); only once."""
        assert not self._jobs, "already started"
        self._jobs = [(gdf, Path(path), *rest) for gdf, path, *rest in jobs]
        if not self.background or not self._jobs:
            return
        ctx = multiprocessing.get_context("fork")
        receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(self._jobs, send), daemon=True,
                                    name="geo-cds-gpkg")
        self._process.start()
        send.close()  # the child holds its own end: EOF here when it dies
        self._conn = receive

    def wait(self) -> None:
        """Wait for every file; raise the first error of writing one, as it was raised."""
        from geo_cds.outputs.write import write_gpkg

        jobs, self._jobs = self._jobs, []
        if self._process is None:
            for job in jobs:
                write_gpkg(*job)
            return
        try:
            error = self._conn.recv()
            died = False
        except EOFError:
            error, died = None, True
        code = self._stop()
        if died:
            log.warning("the process writing the GeoPackages stopped (exit code %s); writing "
                        "them here", code)
            for job in jobs:
                job[1].unlink(missing_ok=True)  # what it may have begun
                write_gpkg(*job)
        elif error is not None:
            raise error

    def _stop(self) -> int | None:
        self._process.join()
        code = self._process.exitcode
        self._process.close()
        self._conn.close()
        self._process = self._conn = None
        return code
