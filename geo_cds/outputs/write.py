"""Writing outputs: one folder per run, built aside and moved into place in one step.

The one writer of geo-cds. Every command that writes and the coverage weight cache go through
it (single files through :func:`atomic_file`, from :mod:`geo_cds.atomic`). What it guarantees:

- **Nothing half-written.** A run folder is written into a hidden staging folder beside the
  target, which becomes the target by one rename only when all of it is there.
- **Nothing lost.** Replacing an existing run renames it to a backup, renames the staging
  folder into place, then removes the backup; when the second rename fails the backup is
  renamed back, so the previous run is kept whole.
- **Only its own.** Every folder it creates holds a :data:`MARKER` file; an existing folder
  without one is never replaced, not even with ``overwrite``. An existing run is replaced
  only with ``overwrite``.
- **No leftovers.** Staging folders, backups and temporary files of killed runs are removed
  the next time the writer works in that folder (see :func:`geo_cds.atomic.clean_stale`).
- **Clear disk errors.** A read-only folder, missing permissions or a full disk raise
  :class:`geo_cds.errors.OutputError` naming the folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyogrio

from geo_cds._version import __version__
from geo_cds.atomic import (
    MARKER,
    atomic_file,
    clean_stale,
    is_leftover,
    output_error,
    temp_name,
)
from geo_cds.errors import ForeignFolderError, OutputError, OutputExistsError
from geo_cds.outputs.csvfile import neutralise_cell, neutralise_text, write_csv
from geo_cds.outputs.qgis import add_default_style

__all__ = ["MARKER", "atomic_file", "atomic_folder", "check_writable", "replace_files",
           "neutralise_cell", "neutralise_text", "write_csv", "write_gpkg", "write_json"]


def _mark(folder: Path) -> None:
    """Sign ``folder`` as created by geo-cds (what allows replacing it later)."""
    write_json({"written_by": "geo-cds", "version": __version__}, folder / MARKER)


def _exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()


def check_writable(target: Path, overwrite: bool = False, *, folder: bool = True) -> None:
    """Refuse early (before any work) when ``target`` may not be written.

    Parameters
    ----------
    target : Path
        The run folder (or, with ``folder=False``, the file) about to be written.
    overwrite : bool
        Whether an existing output of geo-cds may be replaced.
    folder : bool
        ``target`` is a folder: an existing one is replaced only when it holds :data:`MARKER`.

    Raises
    ------
    geo_cds.errors.ForeignFolderError
        ``target`` exists and was not created by geo-cds (whatever ``overwrite`` says).
    geo_cds.errors.OutputExistsError
        ``target`` exists and ``overwrite`` is false.
    geo_cds.errors.OutputError
        The folder that would hold ``target`` cannot be written.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        clean_stale(target.parent)
        probe = temp_name(target)
        probe.touch(exist_ok=False)
        probe.unlink()
    except OSError as exc:
        if (err := output_error(exc, target.parent)) is not None:
            raise err from exc
        raise
    if not _exists(target):
        return
    if target.is_symlink():
        why = "it is a symbolic link"
    elif folder and not target.is_dir():
        why = "it is not a folder"
    elif folder and not (target / MARKER).is_file():
        why = f"it has no {MARKER} file"
    elif not folder and not target.is_file():
        why = "it is not a file"
    else:
        why = None
    if why:
        raise ForeignFolderError(
            f"{target} exists and was not written by geo-cds ({why}): it is never replaced, "
            "not even with --overwrite; choose another run name or output folder, or move "
            f"{target} away yourself")
    if not overwrite and not folder:
        raise OutputExistsError(f"{target} exists; pass --overwrite to replace it")
    if not overwrite:
        raise OutputExistsError(
            f"output {target} already exists; choose another run name or pass --overwrite"
        )


@contextlib.contextmanager
def atomic_folder(target: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder; on success it becomes ``target`` in one rename.

    Parameters
    ----------
    target : Path
        The run folder to create, or to replace (only with ``overwrite``, and only when
        geo-cds created it).
    overwrite : bool
        Replace an existing run folder.

    Yields
    ------
    Path
        The staging folder to write every file into.

    Raises
    ------
    geo_cds.errors.ForeignFolderError, geo_cds.errors.OutputExistsError, geo_cds.errors.OutputError
        See :func:`check_writable`; ``OutputError`` also when writing into the staging folder
        or the final swap meets a full or read-only disk.

    Notes
    -----
    On any exception the staging folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    check_writable(target, overwrite)
    staging = temp_name(target, "staging")
    try:
        staging.mkdir()
        try:
            _mark(staging)
            yield staging
            _swap(staging, target, overwrite)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        if (err := output_error(exc, target.parent)) is not None:
            raise err from exc
        raise


def _swap(staging: Path, target: Path, overwrite: bool) -> None:
    """Move ``staging`` onto ``target``; on failure the previous ``target`` is put back."""
    check_writable(target, overwrite)  # it may have appeared while we worked
    if not _exists(target):
        os.rename(staging, target)
        return
    backup = temp_name(target, "backup")
    os.rename(target, backup)
    try:
        os.rename(staging, target)
    except BaseException as exc:
        try:
            os.rename(backup, target)
        except OSError:
            raise OutputError(
                f"cannot replace {target} ({exc}); the previous run is kept whole in {backup}: "
                f"rename it back to {target.name}") from exc
        raise
    shutil.rmtree(backup, ignore_errors=True)


@contextlib.contextmanager
def replace_files(folder: Path) -> Iterator[Path]:
    """Yield a staging folder; on success each file in it replaces its namesake in ``folder``.

    For a set of files kept in a shared folder (the sample layers beside their plan file):
    every file is complete before any of them replaces its old version; other files of
    ``folder`` are left alone.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        clean_stale(folder)
        staging = temp_name(folder / "files", "staging")
        staging.mkdir()
        try:
            _mark(staging)
            yield staging
            for f in sorted(staging.iterdir()):
                if f.name != MARKER:
                    os.replace(f, folder / f.name)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        if (err := output_error(exc, folder)) is not None:
            raise err from exc
        raise


def write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str, lang: str = "vi") -> Path:
    """One layer to a GeoPackage; the layers geo-cds knows (communes, villages, parks,
    interventions) get a default QGIS style matching the map (:mod:`geo_cds.outputs.qgis`).

    Raises
    ------
    geo_cds.errors.OutputError
        GDAL (or SQLite, for the style) refused the write: they tell a full disk or a refused
        file only in words, not as an ``OSError``; the message names the output folder and
        gives their words.
    """
    path = Path(path)
    try:
        try:
            # through Arrow: the columns go to GDAL whole, not feature by feature (3× faster)
            gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", use_arrow=True)
        except pa.ArrowException:  # a column Arrow cannot type (text and numbers mixed):
            # refused before the file is created
            gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
        add_default_style(path, layer, gdf, lang)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
            sqlite3.Error) as exc:
        folder = path.parent
        if is_leftover(folder):  # a staging folder: name the output folder it is for
            folder = folder.parent
        raise OutputError(f"cannot write {path.name} to {folder}: {exc}; check the free space "
                          "and the permissions there, or choose another output folder") from exc
    return path


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return None if np.isnan(value) else float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, Path):
        return str(value)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def clean_json(value):
    """Replace float NaN by None recursively (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_json(v) for v in value]
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def write_json(data, path: Path) -> Path:
    path.write_text(
        json.dumps(clean_json(data), ensure_ascii=False, indent=2, default=_json_default) + "\n",
        encoding="utf-8",
    )
    return path
