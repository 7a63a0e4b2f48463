"""The coverage model: path loss worked by hand, the best-server kernel against brute force,
station lists (OpenCelliD and a Vietnamese register) through the reader, the plan section."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geo_cds.analysis.radio import ModelGrid, model_coverage
from geo_cds.analysis.radio.model import best_server_layer
from geo_cds.analysis.radio.pathloss import CARRIERS, path_loss_db
from geo_cds.errors import PlanError
from geo_cds.inputs.read import read_layer
from geo_cds.plan import InputSpec, load_plan, plan_from_record
from geo_cds.problems import ProblemLog

# --- COST-231 Hata worked by hand -----------------------------------------------------------
# f = 1800 MHz, hb = 30 m, hm = 1.5 m, d = 2 km (COST 231 Final Report, 4.4):
#   log10 f = 3.2552725, log10 hb = 1.4771213, log10 d = 0.3010300
#   a(hm) = (1.1 · 3.2552725 − 0.7) · 1.5 − (1.56 · 3.2552725 − 0.8)
#         = 2.8807998 · 1.5 − 4.2782251 = 4.3211996 − 4.2782251 = 0.0429745
#   L = 46.3 + 33.9 · 3.2552725 − 13.82 · 1.4771213 − 0.0429745
#       + (44.9 − 6.55 · 1.4771213) · 0.3010300
#     = 46.3 + 110.3537378 − 20.4138164 − 0.0429745 + 35.2248555 · 0.3010300
#     = 136.1969469 + 10.6037383 = 146.8006852 dB   (urban: C = 0)
URBAN_2KM = 146.8006852
# Suburban: C = −2 (log10(1800/28))² − 5.4 = −2 · 1.8081150² − 5.4 = −6.5385596 − 5.4
SUBURBAN_2KM = URBAN_2KM - 11.9385596
# Quasi-open rural: C = −4.78 · 3.2552725² + 18.33 · 3.2552725 − 35.94
#                     = −4.78 · 10.5967991 + 59.6691450 − 35.94
#                     = −50.6526996 + 59.6691450 − 35.94 = −26.9235546
RURAL_2KM = URBAN_2KM - 26.9235546
# 4G reference signal: 46 dBm over 1,200 subcarriers (10 log10 1200 = 30.7918125),
# + 17 dBi − 2 dB feeder = 30.2081875 dBm per resource element.
EIRP_4G = 30.2081875


def test_cost231_hata_by_hand():
    for env, expected in (("urban", URBAN_2KM), ("suburban", SUBURBAN_2KM),
                          ("rural", RURAL_2KM), ("dense_urban", URBAN_2KM + 3.0)):
        assert path_loss_db(1800.0, 30.0, 2.0, env) == pytest.approx(expected, abs=1e-5), env
    # one decade of distance adds the slope 44.9 − 6.55 log10 hb = 35.2248555 dB
    assert (path_loss_db(1800.0, 30.0, 20.0, "urban") - path_loss_db(1800.0, 30.0, 2.0, "urban")
            == pytest.approx(35.2248555, abs=1e-6))
    assert CARRIERS["4g"].eirp_re_dbm == pytest.approx(EIRP_4G, abs=1e-6)


def _stations(rows, crs="EPSG:32648"):
    frame = pd.DataFrame(rows, columns=["x", "y", "operator", "technology", "height_m",
                                        "environment"])
    return gpd.GeoDataFrame(frame.drop(columns=["x", "y"]),
                            geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=crs)


def test_one_station_rsrp_by_hand():
    # a 100 m grid; the station sits 2,000 m west of the centre of cell (row 0, col 20)
    grid = ModelGrid.covering((0.0, 0.0, 4100.0, 100.0), "EPSG:32648", 100.0)
    stations = _stations([(50.0, 50.0, "Viettel", "4g", 30.0, "urban")])
    out = model_coverage(stations, grid, ["4g"])
    assert out.best["4g"][0, 20] == pytest.approx(EIRP_4G - URBAN_2KM, abs=1e-3)  # −116.59
    assert out.by_operator[("4g", "Viettel")][0, 20] == out.best["4g"][0, 20]
    # −116.6 < −105: no operator covers that cell; at the station's own cell (50 m floor) one
    assert out.operators_covering["4g"][0, 20] == 0
    assert out.operators_covering["4g"][0, 0] == 1


def test_beyond_reach_is_the_floor_and_any_operator_is_the_max():
    grid = ModelGrid.covering((0.0, 0.0, 30_000.0, 1000.0), "EPSG:32648", 1000.0)
    stations = _stations([(500.0, 500.0, "Viettel", "4g", 30.0, "rural"),
                          (2500.0, 500.0, "VNPT", "4g", 40.0, "rural")])
    out = model_coverage(stations, grid, ["4g"], max_distance_km=20.0)
    both = np.maximum(out.by_operator[("4g", "Viettel")], out.by_operator[("4g", "VNPT")])
    assert np.array_equal(out.best["4g"], both)
    assert out.best["4g"][0, 25] == -140.0  # 24.5 km from the nearest: not heard
    assert out.operators_covering["4g"][0, 1] == 2  # both within 2 km of cell 1


def _brute(grid, x, y, a, b, max_d):
    kx, ky = grid.metre_scales()
    cx = grid.x0 + (np.arange(grid.width) + 0.5) * grid.cell
    cy = grid.y0 - (np.arange(grid.height) + 0.5) * grid.cell
    dx = (cx[None, :, None] - x) * kx[:, None, None]
    dy = (cy[:, None, None] - y) * ky
    d = np.sqrt(dx**2 + dy**2)
    v = np.where(d <= max_d, a - b * np.log10(np.maximum(d, 50.0)), -np.inf)
    return v.max(axis=-1)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 60), st.integers(0, 2**31 - 1), st.booleans())
def test_kernel_equals_brute_force(n, seed, geographic):
    """Pruning never changes the answer: every cell equals the all-pairs maximum."""
    rng = np.random.default_rng(seed)
    if geographic:
        grid = ModelGrid.covering((105.0, 20.0, 105.25, 20.2), "EPSG:4326", 0.005)
        x, y = rng.uniform(104.9, 105.35, n), rng.uniform(19.9, 20.3, n)
    else:
        grid = ModelGrid.covering((0.0, 0.0, 30_000.0, 20_000.0), "EPSG:32648", 500.0)
        x, y = rng.uniform(-8000, 38_000, n), rng.uniform(-8000, 28_000, n)
    a, b = rng.uniform(60, 120, n), rng.uniform(25, 45, n)
    got = best_server_layer(x, y, a, b, grid, 12.0)
    want = _brute(grid, x, y, a, b, 12_000.0)
    assert np.array_equal(np.isfinite(got), np.isfinite(want))
    fin = np.isfinite(want)
    assert np.allclose(got[fin], want[fin], atol=1e-3)


def test_geographic_distance_close_to_geodesic():
    # one station, a 0.001° grid at 21°N: the local metres per degree the kernel uses give the
    # RSRP of the WGS 84 geodesic distance (pyproj) to within 0.02 dB at up to 15 km
    from pyproj import Geod

    grid = ModelGrid.covering((105.8, 21.0, 105.95, 21.01), "EPSG:4326", 0.001)
    got = best_server_layer(np.array([105.8005]), np.array([21.0055]), np.array([100.0]),
                            np.array([35.0]), grid, 20.0)[5]
    lon = grid.x0 + (np.arange(grid.width) + 0.5) * grid.cell
    lat = np.full_like(lon, grid.y0 - 5.5 * grid.cell)
    _, _, d = Geod(ellps="WGS84").inv(np.full_like(lon, 105.8005), np.full_like(lon, 21.0055),
                                      lon, lat)
    want = 100.0 - 35.0 * np.log10(np.maximum(d, 50.0))
    assert np.abs(got - want).max() < 0.02


# --- station lists through the reader --------------------------------------------------------

OPENCELLID = """radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal
LTE,452,4,10201,123456,0,108.80,15.12,1000,5,1,1500000000,1600000000,0
NR,452,02,10201,99,0,108.81,15.13,1000,5,1,1500000000,1600000000,0
LTE,452,1,10201,7,0,108.82,15.13,1000,5,1,1500000000,1600000000,0
GSM,452,09,10201,5,0,108.81,15.13,1000,5,1,1500000000,1600000000,0
LTE,310,4,10201,5,0,108.81,15.13,1000,5,1,1500000000,1600000000,0
CDMA,452,1,10201,6,0,108.81,15.13,1000,5,1,1500000000,1600000000,0
"""


def test_opencellid_csv(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text(OPENCELLID, encoding="utf-8")
    log = ProblemLog()
    frame = read_layer(InputSpec(path=path), "stations", log)
    assert frame["operator"].tolist() == ["Viettel", "VNPT", "MobiFone"]
    assert frame["technology"].tolist() == ["4g", "5g", "4g"]
    assert frame["station_id"].tolist() == ["452-04-10201-123456", "452-02-10201-99",
                                            "452-01-10201-7"]
    assert frame["height_m"].tolist() == [30.0, 30.0, 30.0]  # OpenCelliD has none: assumed
    problems = log.to_frame()
    rejected = problems[problems["severity"] == "error"].set_index("row")
    assert sorted(rejected.index) == [4, 5, 6]
    assert "09" in rejected.loc[4, "problem"] and "MNC" in rejected.loc[4, "problem"]
    assert "310" in rejected.loc[5, "problem"]
    assert "CDMA" in rejected.loc[6, "problem"]


def test_vietnamese_register_xlsx(tmp_path):
    path = tmp_path / "tram.xlsx"
    pd.DataFrame({
        "Mã trạm": ["QNI001", "QNI002", "QNI003"],
        "Nhà mạng": ["Vinaphone", "Viettel", "Mobifone"],
        "Kinh độ": [108.8, 108.9, 108.7], "Vĩ độ": [15.1, 15.2, 15.0],
        "Công nghệ": ["2G/3G/4G", "4G, 5G", "4G"],
        "Băng tần (MHz)": [None, 2600, 1800],
        "Độ cao anten (m)": [42, 36, 500],
    }).to_excel(path, index=False)
    log = ProblemLog()
    frame = read_layer(InputSpec(path=path), "stations", log)
    assert list(zip(frame["station_id"], frame["operator"], frame["technology"])) == [
        ("QNI001", "VNPT", "2g"), ("QNI001", "VNPT", "3g"), ("QNI001", "VNPT", "4g"),
        ("QNI002", "Viettel", "4g"), ("QNI002", "Viettel", "5g")]
    assert frame["height_m"].tolist() == [42.0] * 3 + [36.0] * 2
    assert frame.loc[4, "band_mhz"] == 2600.0 and np.isnan(frame.loc[0, "band_mhz"])
    bad = log.to_frame().query("severity == 'error'")
    assert bad["row"].tolist() == [3] and "500" in bad["problem"].iloc[0]


def test_environment_by_station_density():
    from geo_cds.analysis.radio import station_environments

    # nine stations 300 m apart (urban core), one 5 km away with two neighbours, one alone
    rows = [(300.0 * i, 0.0) for i in range(9)] + [(5000.0, 5000.0), (5400.0, 5000.0),
                                                   (5800.0, 5000.0), (20_000.0, 20_000.0)]
    stations = _stations([(x, y, "Viettel", "4g", 30.0, None) for x, y in rows])
    env = station_environments(stations)
    assert env[4] == "urban" and env[10] == "suburban" and env[12] == "rural"
    stations.loc[12, "environment"] = "urban"  # a station's own value wins
    assert station_environments(stations)[12] == "urban"
    assert set(station_environments(stations, "open")[:12]) == {"open"}


# --- the plan section --------------------------------------------------------------------------

def _plan(tmp_path, body: str):
    (tmp_path / "plan.toml").write_text(
        '[inputs.communes]\npath = "c.gpkg"\n[inputs.villages]\npath = "v.gpkg"\n' + body,
        encoding="utf-8")
    return load_plan(tmp_path / "plan.toml")


def test_plan_section(tmp_path):
    plan = _plan(tmp_path, '[coverage_model]\nstations = "tram.csv"\nresolution_m = 50\n'
                           'technologies = ["4G"]\ndem = "srtm.tif"\n')
    model = plan.coverage_model
    assert model.stations == (tmp_path / "tram.csv").resolve()
    assert model.dem == (tmp_path / "srtm.tif").resolve()
    assert model.technologies == ("4g",) and model.resolution_m == 50
    assert plan.to_dict()["coverage_model"]["stations"] == str(model.stations)
    # run.json's record gives the same section back (geo-cds plan re-plans from it)
    assert plan_from_record(plan.to_dict()).coverage_model == model
    for body, named in (('[coverage_model]\nresolution_m = 50\n', "stations"),
                        ('[coverage_model]\nstations = "t.csv"\ntechnologies = ["6g"]\n', "6g"),
                        ('[coverage_model]\nstations = "t.csv"\nresolution_m = -1\n',
                         "resolution_m"),
                        ('[coverage_model]\nstations = "t.csv"\n[rasters.r]\npath = "r.tif"\n'
                         'technology = "4g"\n', "both")):
        with pytest.raises(PlanError, match=named):
            _plan(tmp_path, body)


def test_stations_point_geometry():
    # the reader gives points in EPSG:4326 that the model takes in any CRS
    stations = _stations([(108.8005, 15.1005, "Viettel", "4g", 30.0, "urban")],
                         crs="EPSG:4326")
    assert isinstance(stations.geometry.iloc[0], Point)
    grid = ModelGrid.covering((108.79, 15.09, 108.81, 15.11), "EPSG:4326", 0.001)
    out = model_coverage(stations, grid, ["4g"])
    assert out.best["4g"].max() == pytest.approx(
        EIRP_4G - path_loss_db(1800.0, 30.0, 0.05, "urban").item(), abs=0.01)


def test_one_pass_best_server_equals_max_over_operators():
    rng = np.random.default_rng(3)
    rows = [(x, y, op, "4g", h, None) for x, y, op, h in zip(
        rng.uniform(0, 20_000, 40), rng.uniform(0, 20_000, 40),
        rng.choice(["Viettel", "VNPT", "MobiFone"], 40), rng.uniform(20, 50, 40))]
    stations = _stations(rows)
    grid = ModelGrid.covering((0.0, 0.0, 20_000.0, 20_000.0), "EPSG:32648", 250.0)
    each = model_coverage(stations, grid, ["4g"])
    once = model_coverage(stations, grid, ["4g"], keep_operators=False)
    assert np.array_equal(each.best["4g"], once.best["4g"])
    assert not once.by_operator and not once.operators_covering


# --- terrain: single knife-edge diffraction (ITU-R P.526) -----------------------------------

def _dem(tmp_path, heights, grid):
    import rasterio

    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=grid.width, height=grid.height, count=1,
                       dtype="float32", crs=grid.crs.to_wkt(), transform=grid.transform,
                       nodata=-9999.0) as dst:
        dst.write(heights.astype("float32"), 1)
    return path


def test_ridge_knife_edge_by_hand(tmp_path):
    # Flat ground at 0 m; the station (hb 30 m, 1800 MHz) at the centre of cell (0, 0); the
    # receiver (1.5 m) at cell (0, 20), 2,000 m east; a 40 m ridge one cell wide at column 10.
    # The profile's sample at the middle (d1 = d2 = 1000 m) meets the ridge:
    #   line of sight there: 30 + (1.5 − 30) / 2 = 15.75 m; Earth bulge (k = 4/3):
    #   1000 · 1000 / (2 · 4/3 · 6,371,000) = 0.0588605 m → clearance h = 40.0588605 − 15.75
    #   = 24.3088605 m; λ = 299.792458 / 1800 = 0.1665514 m;
    #   v = h · sqrt(2 · 2000 / (λ · 1000 · 1000)) = 24.3088605 · sqrt(0.0240166)
    #     = 24.3088605 · 0.1549729 = 3.7672150
    #   J(v) = 6.9 + 20 log10(sqrt((v − 0.1)² + 1) + v − 0.1)
    #        = 6.9 + 20 log10(sqrt(13.4484657 + 1) + 3.6672150) = 6.9 + 20 log10(7.4683226)
    #        = 6.9 + 17.4643 = 24.3643 dB  (the samples beside the ridge are at 0 m: v < 0)
    grid = ModelGrid.covering((0.0, 0.0, 2100.0, 100.0), "EPSG:32648", 100.0)
    flat = np.zeros((1, 21))
    ridge = flat.copy()
    ridge[0, 10] = 40.0
    # (open area, so that the value stays above the −140 dBm floor: −84.7 − 24.4 dBm)
    stations = _stations([(50.0, 50.0, "Viettel", "4g", 30.0, "open")])
    plain = model_coverage(stations, grid, ["4g"]).best["4g"][0, 20]
    on_flat = model_coverage(stations, grid, ["4g"], dem=_dem(tmp_path, flat, grid)).best["4g"]
    assert on_flat[0, 20] == pytest.approx(plain, abs=1e-4)  # clear line of sight: J = 0
    (tmp_path / "dem.tif").unlink()
    hill = model_coverage(stations, grid, ["4g"], dem=_dem(tmp_path, ridge, grid)).best["4g"]
    assert hill[0, 20] == pytest.approx(plain - 24.3643, abs=2e-3)
    assert hill[0, 5] == pytest.approx(on_flat[0, 5], abs=1e-4)  # before the ridge: no loss


def test_terrain_only_lowers_and_unknown_heights_cost_nothing(tmp_path):
    rng = np.random.default_rng(5)
    grid = ModelGrid.covering((0.0, 0.0, 10_000.0, 8000.0), "EPSG:32648", 200.0)
    heights = rng.uniform(0, 300, (grid.height, grid.width))
    rows = [(x, y, op, "4g", 30.0, "rural") for x, y, op in zip(
        rng.uniform(0, 10_000, 12), rng.uniform(0, 8000, 12), ["A", "B", "C"] * 4)]
    stations = _stations(rows)
    plain = model_coverage(stations, grid, ["4g"]).best["4g"]
    hilly = model_coverage(stations, grid, ["4g"], dem=_dem(tmp_path, heights, grid)).best["4g"]
    assert (hilly <= plain + 1e-4).all() and (hilly < plain - 1).any()
    (tmp_path / "dem.tif").unlink()
    unknown = model_coverage(stations, grid, ["4g"],
                             dem=_dem(tmp_path, np.full_like(heights, -9999.0), grid)).best["4g"]
    assert np.allclose(unknown, plain, atol=1e-4)
