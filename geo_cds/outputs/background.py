"""GeoPackages written by a second process while this one writes the rest of a run folder.

GDAL writes a GeoPackage holding Python's GIL (pyogrio calls ``OGR_L_WriteArrowBatch`` without
releasing it): in a thread it would not overlap the Python work of the tables, the workbook
and the map. A child process does, on a second core. At 1,000,000 villages villages.gpkg is
~5 s of GDAL and SQLite work.

The frame is handed over as an Arrow (Feather) file beside the GeoPackage; the child reads it
back (the same columns, types, values and geometry) and writes it with
:func:`geo_cds.outputs.write.write_gpkg`, exactly as this process would. Its errors are raised
here, as they are, by :meth:`GpkgWriter.wait`. A child that dies (killed, out of memory) or
cannot be started leaves the file to be written here instead.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import geopandas as gpd

from geo_cds.atomic import temp_name

log = logging.getLogger(__name__)


def _write_from(frame: Path, path: Path, layer: str, lang: str) -> None:
    """In the child: the handed-over frame to ``path``."""
    from geo_cds.outputs.write import write_gpkg

    write_gpkg(gpd.read_feather(frame), path, layer, lang)


class GpkgWriter:
    """Write GeoPackages in a child process; :meth:`wait` before using them.

    Use as a context manager: leaving the block with an exception waits for the child to
    stop (so that nothing is written into the folder afterwards) and removes the handed-over
    frames; the GeoPackages written so far are left to the caller (the run folder's staging
    folder is removed whole).
    """

    def __init__(self, background: bool = True) -> None:
        self.background = background  # False: each file written here, at once
        self._pool: ProcessPoolExecutor | None = None
        self._jobs: list[tuple[Future | None, Path | None, tuple]] = []

    def __enter__(self) -> GpkgWriter:
        return self

    def __exit__(self, kind, exc, tb) -> None:
        self.close(cancel=exc is not None)

    def start(self) -> None:
        """Start the child now: its imports overlap the work done here until the first file."""
        if self.background and self._pool is None:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
            self._pool.submit(int)  # the pool starts its process with the first task

    def write(self, gdf: gpd.GeoDataFrame, path: Path, layer: str, lang: str = "vi") -> None:
        """Hand ``gdf`` to the child, to be written as :func:`~geo_cds.outputs.write.
        write_gpkg` would; errors are raised by :meth:`wait`."""
        from geo_cds.outputs.write import write_gpkg

        if not self.background:
            write_gpkg(gdf, path, layer, lang)
            return
        self.start()
        frame = temp_name(Path(path).with_suffix(".feather"))
        args = (gdf, Path(path), layer, lang)
        try:
            gdf.to_feather(frame)
        except Exception:  # a column Arrow cannot store: written here, as before
            frame.unlink(missing_ok=True)
            self._jobs.append((None, None, args))
            return
        self._jobs.append((self._pool.submit(_write_from, frame, Path(path), layer, lang),
                           frame, args))

    def wait(self) -> None:
        """Wait for every file; raise the first error of writing one (as it was raised)."""
        from geo_cds.outputs.write import write_gpkg

        while self._jobs:
            future, frame, args = self._jobs[0]
            try:
                if future is None:
                    write_gpkg(*args)
                else:
                    future.result()
            except BrokenProcessPool:
                log.debug("the child writing %s stopped; written here", args[1].name)
                args[1].unlink(missing_ok=True)  # what it may have begun
                write_gpkg(*args)
            finally:
                if frame is not None:
                    frame.unlink(missing_ok=True)
                self._jobs.pop(0)

    def close(self, cancel: bool = False) -> None:
        """Stop the child (after its current file); ``cancel`` drops the files not begun."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=cancel)
            self._pool = None
        for _, frame, _ in self._jobs:
            if frame is not None:
                frame.unlink(missing_ok=True)
        self._jobs = []
