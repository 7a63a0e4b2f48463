"""GeoPackages read through GDAL's Arrow stream give exactly what the plain reader gives.

The oracle is pyogrio's plain (non-Arrow) reader on the same file: every column, its type,
its values (NaN and None where they were), the geometry (as WKB) and the CRS must agree, for
every field type a GeoPackage holds, with no null, some nulls or only nulls.
"""

from __future__ import annotations

import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from shapely.geometry import Point, box

from geo_cds.inputs.vector import _read_arrow, read_vector

N = 4
PATTERNS = {"full": [0, 1, 2, 3], "some": [0, 2], "none": []}  # rows that hold a value


def _column(kind: str, rows: list[int]):
    values = {
        "int64": [10, -2, 3_000_000_000, 0], "int32": [1, 2, 3, 4], "int16": [7, 8, 9, 10],
        "bool": [True, False, True, True], "float64": [1.5, -0.0, 1e20, 2.25],
        "float32": [0.5, 1.5, 2.5, 3.5], "str": ["Xã Hòa An", " x ", "", "07795"],
        "date": [datetime.date(2023, 3, 26)] * N,
        "datetime": [pd.Timestamp("2024-01-02 03:04:05")] * N,
    }[kind]
    cells = [v if i in rows else None for i, v in enumerate(values)]
    if kind in ("int64", "int32", "int16"):
        return pd.array(cells, dtype=kind.capitalize())
    if kind == "bool":
        return pd.array(cells, dtype="boolean")
    if kind in ("float64", "float32"):
        return np.array([np.nan if v is None else v for v in cells], dtype=kind)
    if kind == "datetime":
        return pd.to_datetime(cells)
    return pd.Series(cells, dtype=object)


KINDS = ["int64", "int32", "int16", "bool", "float64", "float32", "str", "date", "datetime"]


def _write(tmp_path, geometry="points") -> str:
    data = {f"{kind}_{pattern}": _column(kind, rows)
            for kind in KINDS for pattern, rows in PATTERNS.items()}
    geoms = [Point(105.1, 21.0), Point(106.0, 20.5), None, Point(107.0, 16.0)] \
        if geometry == "points" else [box(105, 21, 105.1, 21.1)] * N
    path = tmp_path / "layer.gpkg"
    gpd.GeoDataFrame(data, geometry=geoms, crs="EPSG:4326").to_file(
        path, layer="layer", driver="GPKG", engine="pyogrio")
    return path


def _assert_same(got, want):
    assert list(got.columns) == list(want.columns)
    assert got.crs == want.crs
    for c in want.columns:
        if c == "geometry":
            assert shapely.to_wkb(got[c].values).tolist() == shapely.to_wkb(
                want[c].values).tolist()
            continue
        assert got[c].dtype == want[c].dtype, c
        pd.testing.assert_series_equal(got[c], want[c], check_exact=True)
        # None and NaN are both "missing" to pandas: the objects must agree too
        assert [type(v) for v in got[c]] == [type(v) for v in want[c]], c


@pytest.mark.parametrize("geometry", ["points", "polygons"])
def test_every_field_type_and_null_pattern_reads_as_the_plain_reader(tmp_path, geometry):
    path = _write(tmp_path, geometry)
    assert _read_arrow(path, None) is not None  # the Arrow reading is the one compared
    _assert_same(read_vector(path), pyogrio.read_dataframe(path))
    _assert_same(read_vector(path, layer="layer"), pyogrio.read_dataframe(path, layer="layer"))


def test_a_table_without_geometry_reads_as_the_plain_reader(tmp_path):
    path = tmp_path / "table.gpkg"
    frame = pd.DataFrame({"code": ["07795", None], "n": pd.array([1, None], dtype="Int64"),
                          "ok": pd.array([None, None], dtype="boolean")})
    pyogrio.write_dataframe(frame, path, layer="t", driver="GPKG")
    want = pyogrio.read_dataframe(path)
    got = read_vector(path)
    assert type(got) is type(want)
    for c in want.columns:
        pd.testing.assert_series_equal(got[c], want[c], check_exact=True)


def test_a_damaged_geopackage_fails_as_with_the_plain_reader(tmp_path):
    path = _write(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    with pytest.raises(Exception) as plain:
        pyogrio.read_dataframe(path)
    with pytest.raises(Exception) as ours:
        read_vector(path)
    assert type(ours.value) is type(plain.value) and str(ours.value) == str(plain.value)
