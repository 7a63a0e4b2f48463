"""Measured speeds on tiles whose answers are worked out by hand.

    tile  bounds (lon, lat)                 download  upload  tests
    A     106.000-106.005, 16.000-16.005    50 Mb/s   –       10
    B     106.005-106.010, 16.000-16.005    100 Mb/s  20      30
    C     106.100-106.105, 16.100-16.105    10 Mb/s   5       5

A degree of longitude at 16° N is ~107 km: a village at A's centre lies ~267 m from B's west
edge (inside a 500 m disc) and ~10 km from C.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point, box

from geo_cds import schema as s
from geo_cds.analysis import gaps
from geo_cds.analysis.sources import coverage_disagreement, speed_disagreement
from geo_cds.analysis.speeds import commune_speeds, village_speeds
from geo_cds.errors import PlanError
from geo_cds.inputs.speeds import quadkey_at, quadkey_bounds, quadkey_tile, read_speeds
from geo_cds.plan import Plan, SpeedSpec, Thresholds, plan_from_dict
from geo_cds.problems import ProblemLog

A = box(106.000, 16.000, 106.005, 16.005)
B = box(106.005, 16.000, 106.010, 16.005)
C = box(106.100, 16.100, 106.105, 16.105)


@pytest.fixture
def tiles():
    return gpd.GeoDataFrame({
        "download_mbps": [50.0, 100.0, 10.0], "upload_mbps": [np.nan, 20.0, 5.0],
        "latency_ms": [30.0, 20.0, 60.0], "tests": [10, 30, 5], "devices": [4, 12, 2],
    }, geometry=[A, B, C], crs="EPSG:4326")


# ---- quadkeys ---------------------------------------------------------------------------

def test_quadkey_bounds_hand_worked():
    # zoom 1: "0" is the north-west quarter of the web-mercator world (up to 85.0511° N)
    w, south, e, n = quadkey_bounds("0")
    assert (w, south, e) == (-180.0, 0.0, 0.0) and n == pytest.approx(85.0511287798)
    # zoom 2, "13": digit 1 sets x's high bit (x=2), digit 3 sets both low bits (x=3, y=1):
    # lon 90..180; lat from the equator up to atan(sinh(π/2)) = 66.5133° N
    assert quadkey_tile("13") == (3, 1, 2)
    w, south, e, n = quadkey_bounds("13")
    assert (w, south, e) == (90.0, 0.0, 180.0) and n == pytest.approx(66.51326044)
    # zoom 16, Ookla's: the tile is 360/65536 = 0.0054931640625° wide
    qk = quadkey_at(108.8, 15.12)
    w, south, e, n = quadkey_bounds(qk)
    assert len(qk) == 16 and e - w == pytest.approx(360 / 65536)
    # x = floor((108.8 + 180) / 360 × 65536) = floor(52574.45) = 52574
    assert quadkey_tile(qk)[0] == 52574 and w == pytest.approx(52574 / 65536 * 360 - 180)


@given(st.floats(-179.9, 179.9), st.floats(-84.0, 84.0), st.integers(1, 20))
def test_quadkey_of_a_point_holds_the_point(lon, lat, zoom):
    w, south, e, n = quadkey_bounds(quadkey_at(lon, lat, zoom))
    assert w - 1e-9 <= lon <= e + 1e-9 and south - 1e-9 <= lat <= n + 1e-9


def test_a_bad_quadkey_is_refused():
    with pytest.raises(ValueError, match="quadkey"):
        quadkey_bounds("1234")


# ---- reading -------------------------------------------------------------------------------

def _ookla_frame() -> pd.DataFrame:
    qk = [quadkey_at(106.001, 16.001), quadkey_at(106.2, 16.2), "1234", quadkey_at(106.3, 16.3)]
    return pd.DataFrame({"quadkey": qk, "avg_d_kbps": [50_000, 120_500, 1000, None],
                         "avg_u_kbps": [10_000, 20_000, 1000, 1000],
                         "avg_lat_ms": [30, 20, 10, 10], "tests": [10, 0, 3, 4],
                         "devices": [5, 1, 2, 2]})


def test_ookla_quadkey_table_read_in_mbps_with_bad_rows_rejected(tmp_path):
    path = tmp_path / "tiles.csv"
    _ookla_frame().to_csv(path, index=False)
    log = ProblemLog()
    frame, account = read_speeds(SpeedSpec(path=path), log)
    assert account == {"layer": "speeds", "file": str(path), "rows_read": 4, "used": 1,
                       "repaired": 0, "rejected": 3}
    assert frame["download_mbps"].tolist() == [50.0] and frame["upload_mbps"].tolist() == [10.0]
    assert frame["tests"].tolist() == [10] and frame["source_row"].tolist() == [1]
    # the tile is the quadkey's square
    assert frame.geometry.iloc[0].bounds == pytest.approx(quadkey_bounds(_ookla_frame().quadkey[0]))
    rows = {p.row: p.problem for p in log.errors}
    assert set(rows) == {2, 3, 4}
    assert "test count" in rows[2] and "no place" in rows[3] and "download" in rows[4]


def test_ookla_parquet_with_tile_wkt_keeps_the_tile(tmp_path):
    df = _ookla_frame().iloc[[0]].assign(tile="POLYGON((106 16, 106.01 16, 106.01 16.01, "
                                              "106 16.01, 106 16))")
    df.to_parquet(tmp_path / "t.parquet", index=False)
    frame, _ = read_speeds(SpeedSpec(path=tmp_path / "t.parquet"), ProblemLog())
    assert frame.geometry.iloc[0].bounds == pytest.approx((106, 16, 106.01, 16.01))


def test_point_tests_one_row_each(tmp_path):
    path = tmp_path / "pts.csv"
    pd.DataFrame({"lon": [106.001, 106.002], "lat": [16.001, 16.002],
                  "download_mbps": [30.0, 50.0]}).to_csv(path, index=False)
    frame, account = read_speeds(SpeedSpec(path=path, kind="points"), ProblemLog())
    assert frame["tests"].tolist() == [1, 1] and account["used"] == 2
    assert frame.geometry.iloc[1].equals(Point(106.002, 16.002))


def test_missing_columns_and_missing_file_are_layer_errors(tmp_path):
    path = tmp_path / "x.csv"
    pd.DataFrame({"quadkey": ["13"], "speed": [1]}).to_csv(path, index=False)
    log = ProblemLog()
    assert read_speeds(SpeedSpec(path=path), log)[0] is None
    assert "avg_d_kbps" in log.layer_errors()[0].problem
    log = ProblemLog()
    assert read_speeds(SpeedSpec(path=tmp_path / "none.parquet"), log)[0] is None
    assert "not found" in log.layer_errors()[0].problem


def test_plan_section_and_unknown_kind(tmp_path):
    base = {"inputs": {"communes": {"path": "c.gpkg"}, "villages": {"path": "v.gpkg"},
                       "speeds": {"path": "t.parquet", "kind": "ookla_fixed"}},
            "thresholds": {"min_speed_tests": 3}}
    plan = plan_from_dict(base, tmp_path)
    assert plan.speeds.kind == "ookla_fixed" and not plan.speeds.mobile
    assert plan.thresholds.min_speed_tests == 3 and Thresholds().min_speed_tests == 10
    base["inputs"]["speeds"]["kind"] = "ookla"
    with pytest.raises(PlanError, match="kind"):
        plan_from_dict(base, tmp_path)


# ---- village and commune speeds -----------------------------------------------------------

def _villages():
    polygon = box(106.001, 16.001, 106.002, 16.002)  # inside A only
    return gpd.GeoDataFrame({"village_id": ["v1", "v2", "v3", "v4", "v5"]}, geometry=[
        Point(106.0025, 16.0025), Point(106.1025, 16.1025), Point(107.0, 17.0), None, polygon,
    ], crs="EPSG:4326")


def test_village_takes_the_tile_holding_it_or_the_tiles_in_its_disc(tiles):
    v = _villages()
    alone = village_speeds(v, tiles, radius_m=0, min_tests=1)
    assert alone.loc[0, s.DOWNLOAD_MEASURED] == 50.0 and alone.loc[0, s.SPEED_TESTS_N] == 10
    disc = village_speeds(v, tiles, radius_m=500, min_tests=1)
    # A and B: (50 × 10 + 100 × 30) / 40 = 87.5; upload only from B (A gives none): 20
    assert disc.loc[0, s.DOWNLOAD_MEASURED] == pytest.approx(87.5)
    assert disc.loc[0, s.UPLOAD_MEASURED] == pytest.approx(20.0)
    assert disc.loc[0, s.LATENCY_MEASURED] == pytest.approx((30 * 10 + 20 * 30) / 40)
    assert disc.loc[0, s.SPEED_TESTS_N] == 40
    assert disc.loc[4, s.DOWNLOAD_MEASURED] == 50.0  # the polygon touches A only


def test_too_few_tests_is_not_measurable_and_no_tests_no_data(tiles):
    out = village_speeds(_villages(), tiles, radius_m=500, min_tests=10)
    assert out[s.SPEED_STATUS].tolist() == ["measured", "too_few_tests", "no_tests",
                                            "no_tests", "measured"]
    assert np.isnan(out.loc[1, s.DOWNLOAD_MEASURED]) and out.loc[1, s.SPEED_TESTS_N] == 5
    assert np.isnan(out.loc[2, s.DOWNLOAD_MEASURED]) and out.loc[2, s.SPEED_TESTS_N] == 0
    assert np.isnan(out.loc[3, s.DOWNLOAD_MEASURED])  # no location: unknown, not 0


def test_commune_counts_each_tile_once_by_its_centre(tiles):
    communes = gpd.GeoDataFrame({"commune_code": ["00001", "00002", "00003"]}, geometry=[
        box(105.99, 15.99, 106.006, 16.01),  # A's centre (106.0025); B straddles, centre out
        box(106.006, 15.99, 106.2, 16.2),  # B's centre (106.0075) and C's
        box(110, 10, 111, 11),  # no tile
    ], crs="EPSG:4326")
    out = commune_speeds(communes, tiles, min_tests=1)
    assert out.loc[0, s.DOWNLOAD_MEASURED] == 50.0
    assert out.loc[1, s.DOWNLOAD_MEASURED] == pytest.approx((100 * 30 + 10 * 5) / 35)
    assert out[s.SPEED_TESTS_N].tolist() == [10, 35, 0]  # 45: every test once
    assert np.isnan(out.loc[2, s.DOWNLOAD_MEASURED])
    assert commune_speeds(communes, tiles, min_tests=12)[s.SPEED_STATUS].tolist() == [
        "too_few_tests", "measured", "no_tests"]


# ---- sources kept apart, targets judged on measurements ---------------------------------

def test_reported_and_modelled_kept_apart_and_their_disagreement_counted():
    v = pd.DataFrame({"has_4g": pd.array([True, False, None, True], dtype="boolean"),
                      "rsrp_4g_dbm": [np.nan, np.nan, -100.0, np.nan]})
    raster = {"4g": np.array([-120.0, -90.0, -120.0, np.nan])}
    out = gaps.village_coverage(v, raster, Thresholds())
    assert out["covered_4g_reported"].tolist() == [True, False, True, True]
    assert out["covered_4g_modelled"].tolist() == [False, True, False, pd.NA]
    assert out["covered_4g"].tolist() == [True, False, True, True]  # reported first
    assert out["coverage_source"].tolist() == ["reported"] * 4
    assert out["covered_5g_reported"].isna().all() and out["coverage_source_5g"].eq("none").all()
    four = coverage_disagreement(out)[0]
    assert four == {"technology": "4g", "both_known": 3, "reported_only": 1, "modelled_only": 0,
                    "reported_yes_modelled_no": 2, "reported_no_modelled_yes": 1}


def _judged():
    communes = gpd.GeoDataFrame({"commune_code": ["00001"], "commune_name": ["Xã A"],
                                 "province_code": ["24"], "province_name": ["Bắc Ninh"]},
                                geometry=[box(0, 0, 1, 1)], crs="EPSG:4326")
    v = pd.DataFrame({
        "commune_code": ["00001"] * 3, "population": [1] * 3, "households": [1] * 3,
        "covered_4g": pd.array([True, True, True], dtype="boolean"),
        "covered_5g": pd.array([False, False, False], dtype="boolean"),
        "has_fibre": pd.array([True] * 3, dtype="boolean"), "fibre_household_share": [1.0] * 3,
        "has_digital_team": pd.array([True] * 3, dtype="boolean"),
        "has_power": pd.array([True] * 3, dtype="boolean"),
        "download_mbps": [10.0, 10.0, 90.0],  # reported: mean 36.7 < 40
        "download_mbps_measured": [30.0, 60.0, np.nan],  # measured: mean 45 ≥ 40, 1 below
    })
    v = gaps.village_gaps(v, Plan())
    return gaps.commune_table(communes, v, None), v


def test_download_targets_judged_on_measurements_and_the_source_named():
    c, v = _judged()
    measured = gaps.target_table(c, v, None, Plan(), speed_source="measured")
    row = measured[measured.province_code == "all"].set_index("target_id")
    assert row.loc["download_4g", "value"] == pytest.approx(45.0)
    assert row.loc["download_4g", "base_units"] == 2 and row.loc["download_4g", "status"] == "met"
    assert row.loc["download_4g", "source"] == "measured"
    assert row.loc["village_fibre", "source"] == "reported"
    reported = gaps.target_table(c, v, None, Plan()).set_index("target_id")
    assert reported.loc["download_4g", "value"].iloc[-1] == pytest.approx(110 / 3)
    assert reported.loc["download_4g", "source"].iloc[-1] == "reported"
    four = speed_disagreement(v, Plan())[0]
    # 30 is below 40 (reported 10: below too); 60 is above (reported 10: below) → 1 differs
    assert four == {"target_id": "download_4g", "threshold": 40.0, "villages": 3,
                    "measured": 2, "measured_below": 1, "both_measured_and_reported": 2,
                    "judged_differently": 1}


def test_speed_radius_is_metric():
    # 500 m at 16° N is 0.0047° of longitude: a tile 0.004° east is in, 0.006° is out
    v = gpd.GeoDataFrame({"village_id": ["v"]}, geometry=[Point(106.0, 16.0)], crs="EPSG:4326")
    near = box(106.004, 15.999, 106.0045, 16.001)
    far = box(106.006, 15.999, 106.0065, 16.001)
    t = gpd.GeoDataFrame({"download_mbps": [20.0, 80.0], "tests": [1, 1]},
                         geometry=[near, far], crs="EPSG:4326")
    out = village_speeds(v, t, radius_m=500, min_tests=1)
    assert out.loc[0, s.DOWNLOAD_MEASURED] == 20.0
    assert 0.004 * 111.32e3 * math.cos(math.radians(16)) < 500 < 0.006 * 107e3


def test_self_check_fails_when_a_test_is_lost_or_counted_twice():
    from types import SimpleNamespace

    from geo_cds.pipeline import _speed_checks

    communes = pd.DataFrame({s.SPEED_TESTS_N: [10, 35, 0]})
    sources = {"speeds": {"tests": 45, "tests_outside_communes": 0}}
    assert _speed_checks(SimpleNamespace(sources=sources, communes=communes))[0].ok
    sources["speeds"]["tests"] = 50  # five tests in no commune and not counted outside
    check = _speed_checks(SimpleNamespace(sources=sources, communes=communes))[0]
    assert not check.ok and "outside every commune 0" in check.detail("en")
    assert _speed_checks(SimpleNamespace(sources={}, communes=communes)) == []


def test_points_with_their_own_column_names(tmp_path):
    path = tmp_path / "ispeed.csv"
    pd.DataFrame({"kinh_do": [106.0], "vi_do": [16.0], "toc_do_tai": [42.5],
                  "so_lan_do": [3]}).to_csv(path, index=False)
    spec = SpeedSpec(path=path, kind="points", network="fixed",
                     columns={"download_mbps": "toc_do_tai", "tests": "so_lan_do"})
    frame, _ = read_speeds(spec, ProblemLog())
    assert frame["download_mbps"].tolist() == [42.5] and frame["tests"].tolist() == [3]
    assert not spec.mobile


def test_ookla_shapefile_in_another_crs_keeps_its_squares(tmp_path):
    tiles = gpd.GeoDataFrame({"quadkey": ["x"], "avg_d_kbps": [25_000], "avg_u_kbps": [5_000],
                              "avg_lat_ms": [40], "tests": [2], "devices": [1]},
                             geometry=[A], crs="EPSG:4326").to_crs("EPSG:32648")
    tiles.to_file(tmp_path / "tiles.shp")
    frame, account = read_speeds(SpeedSpec(path=tmp_path / "tiles.shp"), ProblemLog())
    assert account["used"] == 1 and frame["download_mbps"].tolist() == [25.0]
    assert frame.geometry.iloc[0].bounds == pytest.approx(A.bounds, abs=1e-7)
