"""The one reader of vector files: every place that reads a layer goes through here.

GeoPackage, Shapefile, GeoJSON, FlatGeobuf… through pyogrio (GDAL's drivers); GeoParquet with
geopandas/pyarrow — GDAL's Parquet driver is an optional system library that most builds lack;
a zipped shapefile (or any vector file inside a .zip, in a folder or not) through GDAL's
``/vsizip/`` once the file inside is found.
"""

from __future__ import annotations

import zipfile
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds.errors import LayerError

PARQUET = (".parquet", ".geoparquet")
# Files inside a .zip that are a layer (sidecars such as .dbf or .prj are not).
ZIPPED_LAYERS = (".shp", ".gpkg", ".geojson", ".json", ".fgb", ".gml", ".kml")


def read_vector(path, layer: str | None = None, **kwargs) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a vector file of any supported format.

    Parameters
    ----------
    path : path-like
    layer : str, optional
        The layer of a multi-layer file (a GeoPackage), or the file inside a .zip holding
        several (its name or stem).
    **kwargs
        Passed to :func:`pyogrio.read_dataframe` (``encoding``…); ignored for GeoParquet.

    Returns
    -------
    GeoDataFrame, or DataFrame for a table without geometry.

    Raises
    ------
    LayerError
        A .zip holding no vector file, or several and no ``layer`` to choose.
    """
    import pyogrio

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in PARQUET:
        try:
            return gpd.read_parquet(path)
        except ValueError:  # a plain Parquet table: no geometry metadata
            return pd.read_parquet(path)
    if suffix == ".zip":
        path, layer = _inside_zip(path, layer)
    if suffix == ".gpkg" and not kwargs:
        frame = _read_arrow(path, layer)
        if frame is not None:
            return frame
    return pyogrio.read_dataframe(path, **({"layer": layer} if layer else {}), **kwargs)


def _read_arrow(path: Path, layer: str | None) -> gpd.GeoDataFrame | pd.DataFrame | None:
    """A GeoPackage read through GDAL's Arrow stream (several times faster), with the columns
    exactly as the plain reader gives them; None when a column's type is not one whose
    reading is known to agree (the plain reader then reads the file).

    A file the Arrow stream cannot read is read by the plain reader too, whose error is the
    one reported. Two types differ from the plain reader: a yes/no field with nulls (plain: floats 1/0/NaN;
    Arrow: True/False/None objects) and a text field with no value at all (plain: None
    objects; Arrow: text NaN).
    """
    import pyogrio

    where = {"layer": layer} if layer else {}
    try:
        fields = pyogrio.read_info(path, **where)
        frame = pyogrio.read_dataframe(path, use_arrow=True, **where)
    except Exception:  # noqa: BLE001 - the plain reader reads it again and says what is wrong
        return None
    plain = dict(zip(fields["fields"], fields["dtypes"]))
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    if list(plain) != [c for c in frame.columns if c != geometry]:
        return None
    for name, expected in plain.items():
        column = frame[name]
        got = column.dtype
        if expected == "bool":
            if pd.api.types.is_bool_dtype(got):
                continue
            if not (pd.api.types.is_object_dtype(got)
                    and pd.api.types.infer_dtype(column, skipna=True) in ("boolean", "empty")):
                return None
            known = column.notna().to_numpy()
            values = np.full(len(column), np.nan)  # True/False/None -> 1.0/0.0/NaN
            values[known] = column[known].astype(bool).to_numpy()
            frame[name] = pd.Series(values, index=frame.index)
        elif expected == "object":
            if pd.api.types.is_object_dtype(got) or not pd.api.types.is_string_dtype(got):
                return None
            if column.isna().all():
                frame[name] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        elif str(got) != expected and not (expected.startswith("int") and got == "float64"):
            return None  # numbers keep their type (an integer field with nulls: floats)
    return frame


def vector_columns(path, layer: str | None = None) -> list[str]:
    """The attribute columns of a vector file (no geometry), read without the features."""
    import pyogrio

    path = Path(path)
    if path.suffix.lower() in PARQUET:
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
        geo = (schema.metadata or {}).get(b"geo")
        geometry = set()
        if geo:
            import json

            geometry = set(json.loads(geo).get("columns", {}))
        return [n for n in schema.names if n not in geometry and not n.startswith("__")]
    if path.suffix.lower() == ".zip":
        path, layer = _inside_zip(path, layer)
    return list(pyogrio.read_info(path, **({"layer": layer} if layer else {}))["fields"])


def _zip_members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [n for n in z.namelist()
                if PurePosixPath(n).suffix.lower() in ZIPPED_LAYERS
                and not PurePosixPath(n).name.startswith(".")
                and "__MACOSX" not in n]


def _inside_zip(path: Path, layer: str | None) -> tuple[str, str | None]:
    """``/vsizip/`` path of the vector file inside the zip, and the layer left to read in it
    (``layer`` names the file when the zip holds several, else a layer of that file)."""
    members = _zip_members(path)
    chosen = [m for m in members
              if layer and layer in (PurePosixPath(m).name, PurePosixPath(m).stem)]
    if chosen:
        members, layer = chosen, None
    if not members:
        raise LayerError(f"{path.name} holds no vector file (looked for "
                         f"{', '.join(ZIPPED_LAYERS)})")
    if len(members) > 1:
        raise LayerError(f"{path.name} holds {len(members)} vector files ({', '.join(members)}): "
                         "name the one to read as the layer")
    return f"/vsizip/{path.resolve()}/{members[0]}", layer
