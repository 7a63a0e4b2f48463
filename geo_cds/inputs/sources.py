"""Sources and formats: which files a layer names, and reading each into a raw frame.

A layer's path may be a glob (several files make one layer). Vector files (GeoPackage,
Shapefile, GeoJSON, GeoParquet…) are read with pyogrio; CSV and Excel tables are read as text,
with the header found below any title rows. Text is decoded (:mod:`geo_cds.inputs.decode`);
georeferencing and column mapping come after (:mod:`geo_cds.inputs.georef`,
:mod:`geo_cds.inputs.coerce`).
"""

from __future__ import annotations

import glob
import io
import unicodedata
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds.inputs import legacy
from geo_cds.inputs.checks import file_problem, read_failure
from geo_cds.inputs.columns import find_header_row
from geo_cds.inputs.decode import decode_csv, decode_frame, decode_sheet, latin1_only
from geo_cds.inputs.layer import SOURCE_ROW, Layer
from geo_cds.inputs.vector import PARQUET, read_vector

VECTOR_SUFFIXES = {
    ".gpkg",
    ".shp",
    ".dbf",
    ".geojson",
    ".json",
    ".fgb",
    ".gml",
    ".kml",
    ".parquet",
    ".geoparquet",
    ".zip",
}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}


def has_glob(path: Path) -> bool:
    return any(ch in str(path) for ch in "*?[")


def source_paths(layer: Layer) -> list[Path]:
    """The files the layer's path names (a glob may name several); [] with a problem if none."""
    path = Path(layer.spec.path)
    if has_glob(path):
        found = sorted(Path(p) for p in glob.glob(str(path)))
        if not found:
            layer.layer_error(
                "no file matches this pattern",
                "check the path in the plan (relative paths are relative to the plan file)",
            )
        return found
    if not path.exists():
        layer.layer_error(
            "file not found",
            "check the path in the plan (relative paths are relative to the "
            "plan file's folder)",
        )
        return []
    return [path]


def read_source(layer: Layer, path: Path) -> pd.DataFrame | None:
    """One file of the layer as read: decoded text, ``source_row`` numbered, blank rows dropped.

    A GeoDataFrame (with its CRS) for a vector file, a DataFrame for a table; None when the
    file cannot be read (a layer problem is recorded).
    """
    suffix = path.suffix.lower()
    key = layer.name if not has_glob(Path(layer.spec.path)) else f"{layer.name}:{path.name}"
    layer.files[key] = path
    if suffix == ".shp":
        # The sidecars carry the attributes, the CRS and the code page: checksum them too.
        for ext in (".dbf", ".shx", ".prj", ".cpg"):
            for side in (path.with_suffix(ext), path.with_suffix(ext.upper())):
                if side.exists():
                    layer.files[f"{key}{ext}"] = side
                    break
    unreadable = file_problem(path)
    if unreadable is not None:
        layer.layer_error(*unreadable, file=path)
        return None
    try:
        if suffix in TABLE_SUFFIXES:
            raw = _read_table(layer, path)
        else:
            raw = _read_vector(layer, path)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a layer problem
        layer.layer_error(
            read_failure(exc),
            "open it in QGIS or a spreadsheet to check it is not damaged, and "
            "that the format matches its extension",
            file=path,
        )
        return None
    if raw is None:
        return None
    raw = raw.reset_index(drop=True)
    raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)
    if suffix in TABLE_SUFFIXES:
        # Blank spreadsheet rows are layout, not data.
        cells = raw.drop(columns=[SOURCE_ROW]).astype("object")
        blank = (cells.isna() | cells.map(lambda v: isinstance(v, str) and not v.strip())).all(
            axis=1
        )
        raw = raw[~blank.to_numpy()].reset_index(drop=True)
    layer.rows_read += len(raw)
    return decode_frame(layer, raw, path)


def _read_vector(layer: Layer, path: Path) -> gpd.GeoDataFrame | pd.DataFrame:
    import pyogrio

    spec = layer.spec
    if path.suffix.lower() in PARQUET:
        return read_vector(path)
    enc = legacy.normalise_encoding_name(spec.encoding)
    kwargs = {"layer": spec.layer} if spec.layer else {}
    if path.suffix.lower() == ".gpkg" and not spec.layer:
        layers = pyogrio.list_layers(path)
        if len(layers) > 1:
            layer.layer_warning(
                f"the GeoPackage has {len(layers)} layers "
                f"({', '.join(layers[:, 0])}); read the first",
                "set layer = '<name>' for this input in the plan",
                file=path,
            )
    if enc in legacy.LEGACY_ENCODINGS:
        kwargs["encoding"] = "latin1"
    elif enc:
        kwargs["encoding"] = enc
    frame = read_vector(path, **kwargs)
    if (enc is None and path.suffix.lower() in (".shp", ".dbf", ".zip")
            and latin1_only(frame)):
        # GDAL hands legacy bytes over as Latin-1 when the .dbf has no code page; re-read
        # explicitly as Latin-1 so the bytes are intact for decoding.
        frame = read_vector(path, **{**kwargs, "encoding": "latin1"})
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name is None:
        return pd.DataFrame(frame)
    if frame.geometry.name != "geometry":
        frame = frame.rename_geometry("geometry")
    return frame


def _read_table(layer: Layer, path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        sheet = layer.spec.layer if layer.spec.layer else 0
        raw = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None)
        raw = decode_sheet(layer, raw, path)
        return _with_header(layer, raw, path, "sheet row")
    text = decode_csv(layer, path)
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(sep):
        sep = "\t"
    raw = pd.read_csv(
        io.StringIO(text),
        dtype=str,
        keep_default_na=False,
        sep=sep,
        header=None,
        skip_blank_lines=False,
        on_bad_lines="error",
        engine="python",
    )
    return _with_header(layer, raw, path, "line")


def _with_header(layer: Layer, raw: pd.DataFrame, path: Path, unit: str) -> pd.DataFrame:
    """Use the row that looks like the header (title rows above it are common)."""
    row = find_header_row(raw, layer.columns)
    if row > 0:
        layer.layer_warning(
            f"the header is on {unit} {row + 1} (rows above it are titles); row numbers "
            f"in messages count the data rows below it (row 1 = {unit} {row + 2})",
            "none needed",
            file=path,
        )
    names = []
    for j, v in enumerate(raw.iloc[row] if len(raw) else []):
        name = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
        name = unicodedata.normalize("NFC", name) or f"column_{j + 1}"
        while name in names:
            name += "_"
        names.append(name)
    frame = raw.iloc[row + 1 :].reset_index(drop=True)
    frame.columns = names
    return frame
