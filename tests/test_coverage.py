"""Coverage engine on 4 × 4 rasters whose answers are worked out by hand.

The fixture raster (UTM 48N, 10 m cells, upper-left corner at x=500000, y=2000040), values in
dBm, ND = nodata; row 0 is the northern row:

    row 0:  -80   -90  -100  -110
    row 1: -120  -100   -95    ND
    row 2:  -70  -130    ND    ND
    row 3: -100  -100  -100  -100

With the threshold -105 dBm a cell is covered when its value is >= -105.
Zones are built in local metres (x, y from the corner at the bottom-left, 0..40) and shifted.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import rasterio
import shapely
from rasterio.transform import from_origin
from shapely.geometry import MultiPolygon, Point, Polygon, box

from geo_cds.analysis.coverage import values_at_points, zonal_coverage, zone_weights
from geo_cds.analysis.coverage import weights as weights_mod
from geo_cds.analysis.coverage.grid import Grid, band_height, windows_over
from geo_cds.errors import CrsError, LayerError

ND = -9999.0
X0, Y0 = 500_000.0, 2_000_000.0  # bottom-left corner of the raster
UTM = "EPSG:32648"
VALUES = np.array(
    [
        [-80, -90, -100, -110],
        [-120, -100, -95, ND],
        [-70, -130, ND, ND],
        [-100, -100, -100, -100],
    ],
    dtype="float32",
)


def write(path, data, *, crs=UTM, transform=None, nodata=ND):
    transform = transform or from_origin(X0, Y0 + 10 * data.shape[0], 10, 10)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=data.shape[1],
        height=data.shape[0],
        count=1,
        dtype=data.dtype,
        crs=crs,
        transform=transform,
        nodata=nodata,
    ) as dst:
        dst.write(data, 1)
    return path


def b(x0, y0, x1, y1):
    """A box in local metres (0..40 over the raster)."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def zones(*geoms, crs=UTM, index=None):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs, index=index)


@pytest.fixture
def rsrp(tmp_path):
    return write(tmp_path / "rsrp.tif", VALUES)


def cov(z, path, **kw):
    kw.setdefault("thresholds", {"r": -105})
    return zonal_coverage(z, {"r": path}, **kw)


def test_whole_cell(rsrp):
    out = cov(zones(b(0, 30, 10, 40)), rsrp)
    row = out.iloc[0]
    assert row["r_area_share"] == 1.0
    assert row["r_mean"] == row["r_min"] == row["r_max"] == -80.0
    assert row["r_valid_share"] == 1.0
    assert math.isnan(row["r_pop_share"])  # no population given


def test_columns_and_index(rsrp):
    z = zones(b(0, 30, 10, 40), b(0, 0, 10, 10), index=["a", "b"])
    out = zonal_coverage(z, {"x": rsrp, "y": rsrp})
    stats = ["area_share", "pop_share", "mean", "min", "max", "valid_share"]
    assert list(out.columns) == [f"{n}_{s}" for n in ("x", "y") for s in stats]
    assert list(out.index) == ["a", "b"]


def test_partial_cells_count_by_fraction(rsrp):
    # x 15..40, y 20..40: row 0 -> col 1 half (-90), col 2 (-100), col 3 (-110);
    # row 1 -> col 1 half (-100), col 2 (-95), col 3 nodata. Zone area = 5 cells.
    row = cov(zones(b(15, 20, 40, 40)), rsrp).iloc[0]
    # valid weight 0.5 + 1 + 1 + 0.5 + 1 = 4; covered 0.5 + 1 + 0.5 + 1 = 3
    assert row["r_area_share"] == pytest.approx(3 / 4)
    assert row["r_valid_share"] == pytest.approx(4 / 5)
    assert row["r_mean"] == pytest.approx((0.5 * -90 - 100 - 110 - 0.5 * 100 - 95) / 4)
    assert (row["r_min"], row["r_max"]) == (-110.0, -90.0)


def test_zone_covering_half_a_cell(rsrp):
    row = cov(zones(b(0, 35, 10, 40)), rsrp).iloc[0]
    assert row["r_mean"] == -80.0 and row["r_area_share"] == 1.0 and row["r_valid_share"] == 1


def test_zone_with_a_hole(rsrp):
    ring = b(0, 0, 40, 40).exterior.coords
    hole = b(10, 10, 30, 30).exterior.coords  # rows 1-2, cols 1-2 left out
    row = cov(zones(Polygon(ring, [hole])), rsrp).iloc[0]
    # 12 cells remain; 10 valid (two nodata in col 3): -80 -90 -100 -110 -120 -70 4×-100
    assert row["r_valid_share"] == pytest.approx(10 / 12)
    assert row["r_area_share"] == pytest.approx(8 / 10)
    assert row["r_mean"] == pytest.approx(-970 / 10)
    assert (row["r_min"], row["r_max"]) == (-120.0, -70.0)


def test_hole_orientation_does_not_matter(rsrp):
    # the same polygon with both rings in the same orientation (shapely does not normalise)
    outer = list(b(0, 0, 40, 40).exterior.coords)
    hole = list(b(10, 10, 30, 30).exterior.coords)
    a = cov(zones(Polygon(outer, [hole])), rsrp)
    c = cov(zones(Polygon(outer[::-1], [hole])), rsrp)
    np.testing.assert_allclose(a.to_numpy(), c.to_numpy())


def test_multipolygon(rsrp):
    mp = MultiPolygon([b(0, 30, 10, 40), b(0, 10, 10, 20)])  # -80 and -70
    row = cov(zones(mp), rsrp).iloc[0]
    assert row["r_mean"] == -75.0 and row["r_area_share"] == 1.0


def test_all_nodata_zone_is_nan_not_zero(rsrp):
    row = cov(zones(b(30, 10, 40, 30)), rsrp).iloc[0]
    for s in ("area_share", "mean", "min", "max"):
        assert math.isnan(row[f"r_{s}"])
    assert row["r_valid_share"] == 0.0  # it has area, but no valid data


def test_off_raster_and_partly_off(rsrp):
    out = cov(zones(b(100, 100, 110, 110), b(-10, 30, 10, 40)), rsrp)
    assert out.iloc[0].drop("r_valid_share").isna().all()
    assert out.iloc[0]["r_valid_share"] == 0.0
    assert out.iloc[1]["r_area_share"] == 1.0
    assert out.iloc[1]["r_valid_share"] == pytest.approx(0.5)  # half of it is off the raster


def test_empty_and_missing_geometries(rsrp):
    out = cov(zones(Polygon(), None, b(0, 30, 10, 40)), rsrp)
    assert out.iloc[:2].isna().all().all()
    assert out.iloc[2]["r_mean"] == -80.0


def test_no_zones(rsrp):
    out = cov(zones(), rsrp)
    assert len(out) == 0 and "r_area_share" in out.columns


def test_invalid_ring_is_repaired_and_counted(rsrp):
    # bow-tie over the top-left 2 × 2 cells: two triangles, each half of two cells
    bowtie = Polygon([(X0, Y0 + 40), (X0 + 20, Y0 + 20), (X0 + 20, Y0 + 40), (X0, Y0 + 20)])
    assert not bowtie.is_valid
    out = cov(zones(bowtie, b(0, 0, 10, 10)), rsrp)
    assert out.attrs["repaired_geometries"] == 1
    row = out.iloc[0]
    assert row["r_mean"] == pytest.approx((-80 - 90 - 120 - 100) / 4)
    assert row["r_area_share"] == pytest.approx(3 / 4)
    assert row["r_valid_share"] == pytest.approx(1.0)


def test_mask_raster_without_threshold_and_without_nodata(tmp_path):
    mask = write(tmp_path / "m.tif", (VALUES >= -105).astype("uint8"), nodata=None)
    row = zonal_coverage(zones(b(15, 20, 40, 40)), {"m": mask}).iloc[0]
    # no nodata: the nodata cell (value ND < -105) is a valid 0 here -> 3 / 5
    assert row["m_area_share"] == pytest.approx(3 / 5)
    assert row["m_valid_share"] == pytest.approx(1.0)


def test_nan_cells_are_nodata(tmp_path):
    data = VALUES.copy()
    data[data == ND] = np.nan
    path = write(tmp_path / "nan.tif", data, nodata=None)
    row = cov(zones(b(15, 20, 40, 40)), path).iloc[0]
    assert row["r_area_share"] == pytest.approx(3 / 4)


def test_zones_in_another_crs_than_the_raster(tmp_path):
    # raster in EPSG:4326 (0.001° cells), zones in UTM 48N
    path = write(
        tmp_path / "geo.tif",
        VALUES,
        crs="EPSG:4326",
        transform=from_origin(105.0, 20.004, 0.001, 0.001),
    )
    geo = zones(box(105.0015, 20.002, 105.004, 20.004), crs="EPSG:4326")
    direct = cov(geo, path)
    via_utm = cov(geo.to_crs(UTM), path)
    np.testing.assert_allclose(via_utm.to_numpy(), direct.to_numpy(), atol=1e-6)
    assert direct.iloc[0]["r_area_share"] == pytest.approx(3 / 4)


@pytest.mark.parametrize("raster_crs", [UTM, "EPSG:9216"])  # UTM 48N; VN-2000 TM-3 107°30'
def test_zones_in_wgs84_over_a_projected_raster(tmp_path, raster_crs):
    x0, y0 = (X0, Y0) if raster_crs == UTM else (450_000.0, 1_600_000.0)
    tr = from_origin(x0, y0 + 40, 10, 10)
    path = write(tmp_path / "p.tif", VALUES, crs=raster_crs, transform=tr)
    # edges off the grid lines: the VN-2000 datum shift round trip moves vertices by ~1 mm,
    # which must not change which cells a zone touches
    z = zones(box(x0 + 15.5, y0 + 20.5, x0 + 39.5, y0 + 39.5), crs=raster_crs)
    native = cov(z, path)
    assert native.iloc[0]["r_min"] == -110.0  # rows 0-1 only; -130 of row 2 is not touched
    from_wgs84 = cov(z.to_crs("EPSG:4326"), path)
    np.testing.assert_allclose(from_wgs84.to_numpy(), native.to_numpy(), atol=1e-4)


def test_two_rasters_share_one_pass_of_weights(rsrp, tmp_path, monkeypatch):
    mask = write(tmp_path / "m.tif", np.where(VALUES == ND, ND, VALUES >= -105).astype("float32"))
    calls = []
    real = weights_mod.compute_weights

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr("geo_cds.analysis.coverage.compute_weights", counting)
    out = zonal_coverage(zones(b(15, 20, 40, 40)), {"r": rsrp, "m": mask}, thresholds={"r": -105})
    assert len(calls) == 1
    assert out.iloc[0]["r_area_share"] == pytest.approx(out.iloc[0]["m_area_share"])


def test_cache_hit_gives_identical_results(rsrp, tmp_path, monkeypatch):
    z = zones(
        b(15, 20, 40, 40),
        Polygon(b(0, 0, 40, 40).exterior.coords, [b(10, 10, 30, 30).exterior.coords]),
    )
    first = cov(z, rsrp, cache_dir=tmp_path / "cache")
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1

    def fail(*a, **k):
        raise AssertionError("weights recomputed despite the cache")

    monkeypatch.setattr("geo_cds.analysis.coverage.compute_weights", fail)
    second = cov(z, rsrp, cache_dir=tmp_path / "cache")
    assert first.equals(second)
    # other boundaries miss the cache (and would recompute)
    with pytest.raises(AssertionError, match="recomputed"):
        cov(zones(b(0, 0, 10, 10)), rsrp, cache_dir=tmp_path / "cache")


def test_population_weighting_same_grid(rsrp, tmp_path):
    pop = np.zeros((4, 4), "float32")
    pop[:2, :2] = [[1, 2], [3, 4]]
    path = write(tmp_path / "pop.tif", pop, nodata=None)
    row = cov(zones(b(0, 20, 20, 40)), rsrp, population=path).iloc[0]
    # covered: -80 (1 person), -90 (2), -100 (4); not -120 (3)
    assert row["r_pop_share"] == pytest.approx(7 / 10)
    assert row["r_area_share"] == pytest.approx(3 / 4)


def test_population_on_a_coarser_grid_is_spread_by_area(rsrp, tmp_path):
    # 20 m population cells: top-left 4 people per 10 m cell, top-right 100, bottom none
    pop = np.array([[16, 400], [0, 0]], "float32")
    path = write(
        tmp_path / "pop20.tif", pop, nodata=None, transform=from_origin(X0, Y0 + 40, 20, 20)
    )
    row = cov(zones(b(0, 0, 40, 40)), rsrp, population=path).iloc[0]
    # top-left quadrant: 3 of 4 cells covered; top-right: -100 and -95 covered, -110 not,
    # the nodata cell carries no weight -> (3·4 + 2·100) / (4·4 + 3·100)
    assert row["r_pop_share"] == pytest.approx(212 / 316)


def test_zero_population_gives_nan(rsrp, tmp_path):
    path = write(tmp_path / "pop0.tif", np.zeros((4, 4), "float32"), nodata=None)
    assert math.isnan(cov(zones(b(0, 0, 40, 40)), rsrp, population=path).iloc[0]["r_pop_share"])


def test_windowed_reading_gives_the_same_answer(rsrp, tmp_path):
    # one-row strips and a 1-byte budget: every row is its own window
    striped = tmp_path / "striped.tif"
    with rasterio.open(rsrp) as src:
        profile = {**src.profile, "blockysize": 1}
        with rasterio.open(striped, "w", **profile) as dst:
            dst.write(src.read())
    with rasterio.open(striped) as src:
        assert band_height(src, block_bytes=1) == 1
    z = zones(b(15, 20, 40, 40), b(3, 3, 37, 37), b(0, 0, 40, 40))
    whole = cov(z, rsrp)
    by_row = cov(z, striped, block_bytes=1)
    np.testing.assert_allclose(by_row.to_numpy(), whole.to_numpy())


def test_windows_cover_only_what_is_needed():
    # two rectangles in band 0 (rows 0-3), one spanning bands 1 and 2
    wins = windows_over(
        np.array([0, 2, 5]),
        np.array([1, 3, 10]),
        np.array([2, 6, 0]),
        np.array([4, 7, 3]),
        height=12,
        width=8,
        band_h=4,
    )
    got = [(w.row_off, w.row_off + w.height, w.col_off, w.col_off + w.width) for w in wins]
    assert got == [(0, 3, 2, 7), (5, 8, 0, 3), (8, 10, 0, 3)]


def test_fast_mode_counts_cells_by_their_centre(rsrp):
    z = zones(b(4, 20, 14, 40))
    fast = cov(z, rsrp, mode="fast").iloc[0]
    exact = cov(z, rsrp).iloc[0]
    # centres at x=5 are inside, x=15 not: cells -80 and -120
    assert fast["r_mean"] == -100.0 and fast["r_area_share"] == 0.5
    # exact: col 0 weight 0.6, col 1 weight 0.4: covered 0.6 + 0.4 + 0.4 of 2
    assert exact["r_area_share"] == pytest.approx(1.4 / 2)


def test_weights_of_a_polygon_sum_to_its_area(rsrp):
    grid = Grid(rasterio.crs.CRS.from_user_input(UTM), from_origin(X0, Y0 + 40, 10, 10), 4, 4)
    tri = Polygon([(X0 + 1, Y0 + 1), (X0 + 38, Y0 + 7), (X0 + 13, Y0 + 33)])
    w = zone_weights(gpd.GeoSeries([tri], crs=UTM), grid)
    total = (w.run_b - w.run_a).sum() + w.cell_w.sum()
    assert total == pytest.approx(tri.area / 100)
    assert w.area[0] == pytest.approx(tri.area / 100)


def test_errors(rsrp):
    with pytest.raises(ValueError, match="mode"):
        cov(zones(b(0, 0, 10, 10)), rsrp, mode="approx")
    with pytest.raises(CrsError):
        cov(gpd.GeoDataFrame(geometry=[b(0, 0, 10, 10)]), rsrp)
    with pytest.raises(LayerError, match="polygons"):
        cov(zones(Point(X0 + 5, Y0 + 5)), rsrp)
    with pytest.raises(LayerError, match="cannot open"):
        cov(zones(b(0, 0, 10, 10)), rsrp.parent / "missing.tif")
    with pytest.raises(ValueError, match="unknown raster"):
        zonal_coverage(zones(b(0, 0, 10, 10)), {"r": rsrp}, thresholds={"q": 1})


def test_agrees_with_exactextract_on_random_polygons(tmp_path):
    exactextract = pytest.importorskip("exactextract")
    rng = np.random.default_rng(7)
    data = rng.normal(-100, 12, (50, 70)).astype("float32")
    data[10:14, 20:30] = ND
    tr = from_origin(106.0, 21.0, 0.003, 0.002)  # non-square cells in degrees
    path = write(tmp_path / "rand.tif", data, crs="EPSG:4326", transform=tr)
    mask = write(
        tmp_path / "mask.tif",
        np.where(data == ND, ND, data >= -105).astype("float32"),
        crs="EPSG:4326",
        transform=tr,
    )
    polys = []
    for _ in range(60):
        cx, cy = 106 + rng.uniform(-0.02, 0.23), 21 - rng.uniform(-0.02, 0.12)
        ang = np.sort(rng.uniform(0, 2 * np.pi, rng.integers(3, 25)))
        rad = rng.uniform(0.002, 0.05, ang.size)
        p = shapely.make_valid(Polygon(np.c_[cx + rad * np.cos(ang), cy + rad * np.sin(ang)]))
        polys.append(p.difference(Point(cx, cy).buffer(0.004)))
    z = zones(*polys, crs="EPSG:4326")
    z = z[z.geom_type.isin(["Polygon", "MultiPolygon"]) & ~z.is_empty].reset_index(drop=True)
    ours = cov(z, path)
    ee = exactextract.exact_extract(
        [str(path), str(mask)], z, ["mean", "min", "max"], output="pandas"
    )
    np.testing.assert_allclose(ours["r_area_share"], ee["mask_mean"], atol=1e-6)
    np.testing.assert_allclose(ours["r_mean"], ee["rand_mean"], atol=1e-4)
    np.testing.assert_array_equal(ours["r_min"], ee["rand_min"])
    np.testing.assert_array_equal(ours["r_max"], ee["rand_max"])


# --------------------------------------------------------------------------- points


def pts(*xy, crs=UTM):
    return gpd.GeoDataFrame(geometry=[Point(X0 + x, Y0 + y) for x, y in xy], crs=crs)


def test_values_at_points(rsrp):
    # cell centres of (0,0), (2,0), (1,2), a nodata cell (2,2), and one off the raster
    v = values_at_points(pts((5, 35), (5, 15), (25, 25), (25, 15), (55, 5)), rsrp)
    np.testing.assert_array_equal(v[:3], [-80, -70, -95])
    assert np.isnan(v[3:]).all()


def test_values_at_points_within_a_radius(rsrp):
    # at the nodata cell (2,2): neighbours at 10 m are -95 (up), -100 (down), -130 (left), ND
    v = values_at_points(pts((25, 15), (5, 35)), rsrp, radius_m=10)
    assert v[0] == -95.0
    assert v[1] == -80.0  # its own cell is the best
    # 9 m reaches no neighbour centre of the first point
    assert np.isnan(values_at_points(pts((25, 15)), rsrp, radius_m=9)[0])
    # a point just off the raster sees the cells within the radius
    assert values_at_points(pts((45, 35)), rsrp, radius_m=11)[0] == -110.0  # 10 m away


def test_values_at_points_other_crs_and_missing(rsrp):
    p = pts((5, 35), (25, 25)).to_crs("EPSG:4326")
    p.loc[2] = None
    p = p.set_crs("EPSG:4326", allow_override=True)
    v = values_at_points(p, rsrp)
    assert v[0] == -80.0 and v[1] == -95.0 and np.isnan(v[2])


def test_values_at_points_radius_on_a_degree_raster(tmp_path):
    # 0.001° cells; at 20°N a column is ~104.6 m wide and a row ~110.7 m high
    path = write(
        tmp_path / "g.tif",
        VALUES,
        crs="EPSG:4326",
        transform=from_origin(105.0, 20.004, 0.001, 0.001),
    )
    p = gpd.GeoDataFrame(geometry=[Point(105.0025, 20.0015)], crs="EPSG:4326")  # cell (2,2)
    assert np.isnan(values_at_points(p, path, radius_m=100)[0])
    assert values_at_points(p, path, radius_m=108)[0] == -130.0  # left/right: -130, ND
    assert values_at_points(p, path, radius_m=112)[0] == -95.0  # up: -95
