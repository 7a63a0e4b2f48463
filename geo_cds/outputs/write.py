"""Writing outputs: one folder per run, built aside and moved into place in one step.

Nothing half-written is ever left under the run's name: every file is written into a hidden
temporary folder beside the target, which replaces the target only when all of it is there.
An existing run is never replaced unless ``overwrite`` is given.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds.errors import OutputExistsError
from geo_cds.outputs.qgis import add_default_style


def check_writable(target: Path, overwrite: bool) -> None:
    """Refuse early (before any work) when ``target`` exists and may not be replaced."""
    if target.exists() and not overwrite:
        raise OutputExistsError(
            f"output {target} already exists; choose another run name or pass --overwrite"
        )


@contextlib.contextmanager
def atomic_folder(target: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder; on success it becomes ``target`` in one rename.

    On any exception the staging folder is removed and ``target`` is left as it was.
    """
    target = Path(target)
    check_writable(target, overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield staging
        _normalise_permissions(staging)
        if target.exists():
            check_writable(target, overwrite)  # appeared while we worked
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _normalise_permissions(folder: Path) -> None:
    """Temporary files and folders are private (0600/0700); a run is for others to read too."""
    umask = os.umask(0)
    os.umask(umask)
    folder.chmod(0o777 & ~umask)
    for p in folder.rglob("*"):
        p.chmod((0o777 if p.is_dir() else 0o666) & ~umask)


def atomic_file(path: Path, write, *, suffix: str | None = None) -> Path:
    """Call ``write(tmp_path)`` then move the temporary file onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent
    )
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """UTF-8 with a byte-order mark, so spreadsheet programs show Vietnamese diacritics.

    Codes are string columns and are written as they are, leading zeros included.
    """
    df = df.drop(columns="geometry", errors="ignore")
    df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\n")
    return path


def write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str, lang: str = "vi") -> Path:
    """One layer to a GeoPackage; the layers geo-cds knows (communes, villages, parks,
    interventions) get a default QGIS style matching the map (:mod:`geo_cds.outputs.qgis`)."""
    gdf.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
    add_default_style(path, layer, gdf, lang)
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
