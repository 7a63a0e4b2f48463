"""GeoPackages written through Arrow, checked against SQLite (a peer reader) and against
GDAL's feature-by-feature path (a peer writer)."""

import sqlite3

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point, box

from geo_cds.outputs.write import write_gpkg


def _villages() -> gpd.GeoDataFrame:
    """Every column kind a run writes: codes and names as text, nullable counts and yes/no,
    floats with NaN, plain ints and bools, a missing geometry."""
    return gpd.GeoDataFrame({
        "village_id": pd.array(["07795-001", None, "07795-003"], dtype="string"),
        "village_name": pd.Series(["Thôn Văn Hà", "=1+1", ""], dtype="str"),
        "population": pd.array([1100, None, 0], dtype="Int64"),
        "has_power": pd.array([True, None, False], dtype="boolean"),
        "rsrp_4g_dbm": [-105.5, np.nan, -90.25],
        "n_gaps": np.array([2, 0, 1], dtype="int64"),
        "gap_mobile": [True, False, True],
        "notes": pd.Series([None, "a\r\nb", "x"], dtype=object),
    }, geometry=[Point(105.8, 21.0), None, Point(106.1, 20.5)], crs="EPSG:4326")


def _rows(path, layer):
    con = sqlite3.connect(path)
    try:
        columns = [r[1] for r in con.execute(f'PRAGMA table_info("{layer}")')]
        rows = con.execute(f'SELECT * FROM "{layer}" ORDER BY fid').fetchall()
        types = {r[1]: r[2] for r in con.execute(f'PRAGMA table_info("{layer}")')}
    finally:
        con.close()
    return [dict(zip(columns, r)) for r in rows], types


def test_values_read_back_by_sqlite_as_the_frame_holds_them(tmp_path):
    frame = _villages()
    path = write_gpkg(frame, tmp_path / "villages.gpkg", "villages")
    rows, _ = _rows(path, "villages")
    assert [r["fid"] for r in rows] == [1, 2, 3]
    assert [r["village_id"] for r in rows] == ["07795-001", None, "07795-003"]
    assert [r["village_name"] for r in rows] == ["Thôn Văn Hà", "=1+1", ""]
    assert [r["population"] for r in rows] == [1100, None, 0]
    assert [r["has_power"] for r in rows] == [1, None, 0]
    assert [r["rsrp_4g_dbm"] for r in rows] == [-105.5, None, -90.25]
    assert [r["n_gaps"] for r in rows] == [2, 0, 1]
    assert [r["gap_mobile"] for r in rows] == [1, 0, 1]
    assert [r["notes"] for r in rows] == [None, "a\r\nb", "x"]
    assert rows[1]["geom"] is None
    back = gpd.read_file(path, layer="villages", engine="pyogrio")
    assert back.crs.to_epsg() == 4326
    assert back.geometry.iloc[0].equals(Point(105.8, 21.0))


@pytest.mark.parametrize("make", [
    _villages,
    lambda: gpd.GeoDataFrame({"commune_code": ["07795", "21433"], "area_ha": [1.5, 2.0]},
                             geometry=[box(0, 0, 1, 1), box(1, 1, 3, 3).union(box(5, 5, 6, 6))],
                             crs="EPSG:32648"),
    lambda: gpd.GeoDataFrame({"a": pd.Series([], dtype="str")},
                             geometry=gpd.GeoSeries([], crs="EPSG:4326")),
])
def test_same_layer_as_gdal_feature_by_feature(tmp_path, make):
    """Column types, geometry type, CRS, extent and every stored value: as GDAL's own
    feature-by-feature writer stores them."""
    frame = make()
    ours = write_gpkg(frame, tmp_path / "ours.gpkg", "layer")
    peer = tmp_path / "peer.gpkg"
    pyogrio.write_dataframe(frame, peer, layer="layer", driver="GPKG", use_arrow=False)
    assert _rows(ours, "layer") == _rows(peer, "layer")
    info, peer_info = (pyogrio.read_info(p, layer="layer") for p in (ours, peer))
    for key in ("crs", "fields", "dtypes", "geometry_type", "features", "total_bounds"):
        assert np.array_equal(info[key], peer_info[key]), key
    con = sqlite3.connect(peer)
    contents = con.execute("SELECT data_type, srs_id FROM gpkg_contents").fetchall()
    geometry = con.execute("SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns").fetchall()
    con.close()
    con = sqlite3.connect(ours)
    assert con.execute("SELECT data_type, srs_id FROM gpkg_contents").fetchall() == contents
    assert con.execute(
        "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns").fetchall() == geometry
    con.close()


def test_a_column_arrow_cannot_type_is_written_as_before(tmp_path):
    frame = gpd.GeoDataFrame({"mixed": ["x", 1]}, geometry=[Point(0, 0), Point(1, 1)],
                             crs="EPSG:4326")
    path = write_gpkg(frame, tmp_path / "m.gpkg", "m")
    rows, types = _rows(path, "m")
    assert [r["mixed"] for r in rows] == ["x", "1"] and types["mixed"] == "TEXT"


def test_missing_values_of_an_object_column_are_null_not_the_text_na(tmp_path):
    # interventions.site_id is an object column of pd.NA when no site is upgraded: GDAL's
    # feature-by-feature path stored the text "<NA>" in every row
    frame = gpd.GeoDataFrame({"site_id": pd.Series([pd.NA, pd.NA], dtype=object),
                              "park_ids": pd.Series(["KCN-01", pd.NA], dtype=object)},
                             geometry=[Point(0, 0), Point(1, 1)], crs="EPSG:4326")
    rows, types = _rows(write_gpkg(frame, tmp_path / "i.gpkg", "interventions"), "interventions")
    assert [(r["site_id"], r["park_ids"]) for r in rows] == [(None, "KCN-01"), (None, None)]
    assert types["park_ids"] == "TEXT"
