"""Villages read the rasters: points at their cell, polygons by their covered share.

The 4 × 4 raster of 0.01° cells spans lon 106.00–106.04, lat 21.00–21.04: the two western
columns are at −90 dBm (4G-covered), the two eastern ones at −120 dBm.
"""

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import Point, box

from geo_cds.pipeline import village_raster_coverage
from geo_cds.plan import Plan, RasterSpec


@pytest.fixture
def plan(tmp_path):
    data = np.array([[-90, -90, -120, -120]] * 4, dtype="float32")
    path = tmp_path / "rsrp_4g.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="float32",
                       crs="EPSG:4326", transform=from_origin(106.0, 21.04, 0.01, 0.01)) as dst:
        dst.write(data, 1)
    return Plan(rasters={"rsrp_4g": RasterSpec(path=path, technology="4g")})


def villages():
    return gpd.GeoDataFrame(
        {"village_id": ["point-west", "half-and-half", "east", "off-raster"]},
        geometry=[
            Point(106.005, 21.035),                  # in a western cell
            box(106.01, 21.02, 106.03, 21.04),       # one western + one eastern column
            box(106.02, 21.00, 106.04, 21.02),       # eastern columns only
            Point(107.0, 22.0),                      # outside the raster
        ], crs="EPSG:4326")


def test_points_take_their_cell_and_polygons_their_share(plan):
    rsrp, covered = village_raster_coverage(villages(), plan, cache_dir=None)
    np.testing.assert_allclose(rsrp[("4g", None)], [-90, -105, -120, np.nan])  # polygon: zonal mean
    np.testing.assert_array_equal(covered[("4g", None)], [1, 1, 0, np.nan])  # share 0.5 ≥ 0.5


def test_the_village_share_threshold_decides_for_polygons(plan):
    stricter = dataclasses.replace(
        plan, thresholds=dataclasses.replace(plan.thresholds, village_covered_share=0.6))
    _, covered = village_raster_coverage(villages(), stricter, cache_dir=None)
    np.testing.assert_array_equal(covered[("4g", None)], [1, 0, 0, np.nan])
