"""Display grids made by the coverage pass (geo_cds.analysis.coverage.display): the mean of the
valid cells of each k × k block of what the pass read, as the coverage statistics read cells.

Oracles: values read off tiny rasters written here, a brute-force block mean in plain loops,
and rasterio's own decimated read (Resampling.average) on a raster whose size divides evenly.
"""

from __future__ import annotations

import pickle

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from affine import Affine
from hypothesis import given, settings
from hypothesis import strategies as st
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.transform import from_origin
from shapely.geometry import box

from geo_cds.analysis.coverage import DisplayGrid, Displays, zonal_coverage
from geo_cds.analysis.coverage.display import BlockMean, block_factor
from geo_cds.analysis.coverage.grid import Grid

ND = -9999.0


def write(path, data, *, nodata=None, scale=1.0, offset=0.0, crs="EPSG:4326",
          transform=None):
    h, w = data.shape
    transform = transform or from_origin(100.0, 20.0, 1.0, 1.0)
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1,
                       dtype=data.dtype, crs=crs, transform=transform, nodata=nodata) as dst:
        dst.write(data, 1)
        if scale != 1.0 or offset != 0.0:
            dst.scales, dst.offsets = (scale,), (offset,)
    return path


def whole(path) -> gpd.GeoDataFrame:
    """One zone over the whole raster (every cell is read)."""
    with rasterio.open(path) as src:
        return gpd.GeoDataFrame(geometry=[box(*src.bounds)], crs=src.crs)


def display(zones, path, side) -> DisplayGrid:
    asked = Displays({"r"}, side)
    zonal_coverage(zones, {"r": path}, thresholds={"r": -105.0}, display=asked)
    return asked.grids["r"]


def brute_block_mean(values: np.ndarray, valid: np.ndarray, k: int) -> np.ndarray:
    """Mean of the valid cells of every k × k block, in plain loops (NaN: none valid)."""
    h, w = values.shape
    out = np.full((-(-h // k), -(-w // k)), np.nan)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total, n = 0.0, 0
            for r in range(i * k, min(h, i * k + k)):
                for c in range(j * k, min(w, j * k + k)):
                    if valid[r, c]:
                        total += float(values[r, c])
                        n += 1
            if n:
                out[i, j] = total / n
    return out


def test_hand_worked_blocks_skip_nodata_and_nan(tmp_path):
    """5 × 5 cells, blocks of 2 × 2 (side 3): the partial blocks of the last row and column
    average the cells they have; nodata and NaN cells count for nothing."""
    data = np.array([
        [-100, -90, -80, ND, -70],
        [ND, np.nan, -60, -40, -50],
        [ND, ND, -110, -120, np.nan],
        [ND, ND, -100, -100, ND],
        [-95, -85, -75, ND, -65],
    ], dtype="float32")
    path = write(tmp_path / "r.tif", data, nodata=ND)
    grid = display(whole(path), path, side=3)
    expected = np.array([
        [-95.0, (-80 - 60 - 40) / 3, -60.0],  # (-100 - 90) / 2; the last: (-70 - 50) / 2
        [np.nan, -107.5, np.nan],  # every cell nodata / NaN in the first and the last
        [-90.0, -75.0, -65.0],  # one row of cells only
    ])
    np.testing.assert_allclose(grid.values, expected, rtol=1e-6)
    assert grid.values.dtype == np.float32
    np.testing.assert_array_equal(np.isnan(grid.values), np.isnan(expected))
    # a block keeps its place: block (i, j) starts at cell (2i, 2j)
    assert grid.transform == from_origin(100.0, 20.0, 2.0, 2.0)
    assert CRS.from_wkt(grid.crs) == CRS.from_epsg(4326)
    np.testing.assert_allclose(grid.values, brute_block_mean(data, ~np.isnan(data) &
                                                             (data != ND), 2), rtol=1e-6)


def test_scale_and_offset_give_dbm_as_the_coverage_statistics_do(tmp_path):
    """An int16 band of dBm × 10 - 50 with scale 0.1 and offset -5: blocks in dBm."""
    stored = np.array([[-950, -1000, -32768, -1050],
                       [-900, -32768, -32768, -1050]], dtype="int16")
    path = write(tmp_path / "r.tif", stored, nodata=-32768, scale=0.1, offset=-5.0)
    zones = whole(path)
    grid = display(zones, path, side=2)
    # (-95 - 100 - 90) / 3 - 5 and (-105 - 105) / 2 - 5
    np.testing.assert_allclose(grid.values, [[-100.0, -110.0]], rtol=1e-6)
    stats = zonal_coverage(zones, {"r": path}, thresholds={"r": -105.0})
    assert stats["r_mean"].iloc[0] == pytest.approx((-100 - 105 - 95 - 110 - 110) / 5)


def test_blocks_no_zone_reads_are_nan(tmp_path):
    """A zone over the left 4 columns of 12: the blocks right of what was read stay NaN."""
    data = np.full((8, 12), -80.0, dtype="float32")
    path = write(tmp_path / "r.tif", data, nodata=ND)
    left = gpd.GeoDataFrame(geometry=[box(100.0, 12.0, 104.0, 20.0)], crs="EPSG:4326")
    grid = display(left, path, side=3)  # blocks of 4 × 4
    np.testing.assert_array_equal(grid.values[:, 0], [-80.0, -80.0])
    assert np.isnan(grid.values[:, 1:]).all()


@pytest.mark.parametrize("nodata_share", [0.0, 0.3])
def test_matches_rasterio_average_on_a_raster_that_divides_evenly(tmp_path, nodata_share):
    """Peer oracle: GDAL's average decimation of a 48 × 36 raster to 12 × 9 (blocks of 4)."""
    rng = np.random.default_rng(3)
    data = rng.uniform(-140.0, -60.0, (48, 36)).astype("float32")
    data[rng.random(data.shape) < nodata_share] = ND
    data[:4, :4] = ND  # one block with no valid cell
    path = write(tmp_path / "r.tif", data, nodata=ND, crs="EPSG:32648",
                 transform=from_origin(600_000.0, 1_700_000.0, 100.0, 100.0))
    grid = display(whole(path), path, side=12)
    with rasterio.open(path) as src:
        peer = src.read(1, out_shape=(12, 9), masked=True, resampling=Resampling.average)
        assert grid.transform == src.transform @ Affine.scale(48 / 12, 36 / 9)
    np.testing.assert_allclose(grid.values, peer.astype("float32").filled(np.nan), rtol=1e-5)
    assert np.isnan(grid.values[0, 0])


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 30), st.integers(1, 30), st.integers(1, 7), st.data())
def test_windows_in_row_order_add_up_to_the_brute_force_mean(h, w, k, data):
    """Any row bands, each as wide as it likes, folded in one after the other."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    values = rng.uniform(-140.0, -60.0, (h, w)).astype("float32")
    values[rng.random((h, w)) < 0.25] = np.nan
    values[rng.random((h, w)) < 0.25] = ND
    mean = BlockMean(Grid(CRS.from_epsg(4326), from_origin(0, 0, 1, 1), w, h), -(-max(h, w) // k))
    read = np.zeros((h, w), bool)
    cuts = sorted(set(data.draw(st.lists(st.integers(0, h), max_size=4)))) + [h]
    row = 0
    for cut in cuts:
        if cut <= row:
            continue
        c0 = data.draw(st.integers(0, w - 1))
        c1 = data.draw(st.integers(c0 + 1, w))
        mean.add(values[row:cut, c0:c1], row, c0, ND, True)
        read[row:cut, c0:c1] = True
        row = cut
    got = mean.finish().values
    expected = brute_block_mean(values, read & ~np.isnan(values) & (values != ND), mean.k)
    np.testing.assert_allclose(got, expected, rtol=1e-6)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))


def test_windows_out_of_row_order_are_refused():
    mean = BlockMean(Grid(CRS.from_epsg(4326), from_origin(0, 0, 1, 1), 8, 8), 4)
    mean.add(np.zeros((4, 8), "float32"), 4, 0, ND, True)
    with pytest.raises(ValueError, match="row order"):
        mean.add(np.zeros((2, 8), "float32"), 0, 0, ND, True)


def test_block_factor_keeps_the_long_side_within_side():
    assert block_factor(16416, 8100, 2400) == 7  # the national 100 m raster: 2346 × 1158
    assert block_factor(10, 4, 10) == 1
    for w, h, side in [(1, 1, 1), (4801, 3, 2400), (7, 9000, 13), (2400, 5, 2400)]:
        k, long = block_factor(w, h, side), max(w, h)
        assert -(-long // k) <= side  # fits
        assert k == 1 or -(-long // (k - 1)) > side  # and no smaller factor would


def test_pickles_small_and_whole():
    values = np.full((300, 200), np.nan, dtype="float32")
    values[100:120, 50:90] = np.linspace(-120, -70, 800).reshape(20, 40)
    grid = DisplayGrid(values, from_origin(102.0, 23.5, 0.007, 0.007), CRS.from_epsg(4326).to_wkt())
    blob = pickle.dumps(grid)
    assert len(blob) < values.nbytes / 10
    back = pickle.loads(blob)
    np.testing.assert_array_equal(back.values, values)  # NaN where NaN, values as they were
    assert back.values.dtype == np.float32
    assert back.transform == grid.transform and back.crs == grid.crs
