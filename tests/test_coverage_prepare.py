"""Kernels compiled ahead of the first run: every raster type runs on the two prepared
versions, and ``is_ready`` reads numba's disk cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import Point, box

from geo_cds.analysis.coverage import _kernels, prepare, values_at_points, zonal_coverage

REPO = Path(__file__).resolve().parent.parent
# 0/1 coverage with no-data cells (N), row 0 northern; 1 m cells from (0, 0) to (4, 4)
N = -1
MASK = np.array([[1, 0, 1, 1], [0, N, 1, 0], [1, 1, N, N], [0, 0, 0, 1]])


def _raster(path, dtype, nodata):
    data = np.where(MASK == N, nodata, MASK).astype(dtype)
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype=dtype,
                       crs="EPSG:32648", transform=from_origin(0, 4, 1, 1),
                       nodata=nodata) as dst:
        dst.write(data, 1)
    return path


def _window_types(kernel) -> set[str]:
    return {str(sig[0].dtype) for sig in kernel.signatures}


@pytest.mark.skipif(not _kernels.HAVE_NUMBA, reason="numba compiles nothing without numba")
@pytest.mark.parametrize("dtype, nodata", [
    ("uint8", 255), ("int16", -32768), ("uint16", 65535), ("int32", -2147483647),
    ("float64", -9999.0),
])
def test_every_raster_type_runs_on_the_prepared_kernels(tmp_path, dtype, nodata):
    prepare.prepare()
    zones = gpd.GeoDataFrame(geometry=[box(0, 0, 4, 4), box(0.5, 1.5, 2.5, 3.5)],
                             crs="EPSG:32648")
    got = zonal_coverage(zones, {"r": _raster(tmp_path / "r.tif", dtype, nodata)},
                         thresholds={"r": 0.5})
    # worked out from MASK: 13 valid cells of 16, 7 of them covered
    assert got["r_valid_share"].iloc[0] == pytest.approx(13 / 16)
    assert got["r_area_share"].iloc[0] == pytest.approx(7 / 13)
    # the second zone (x 0.5–2.5, y 1.5–3.5): quarter cells at its corners, half cells on its
    # sides, the full cell at row 1, col 1 (no data); no data also in the quarter at row 2,
    # col 2: valid weight 2.75; covered .25 (r0c0) + .25 (r0c2) + .5 (r1c2) + .25 + .5 (r2)
    assert got["r_area_share"].iloc[1] == pytest.approx(1.75 / 2.75)
    pts = gpd.GeoDataFrame(geometry=[Point(0.5, 3.5), Point(1.5, 2.5)], crs="EPSG:32648")
    v = values_at_points(pts, tmp_path / "r.tif")
    assert v[0] == 1 and np.isnan(v[1])
    # no new compilation: the kernels only ever see float32 or float64 windows
    assert _window_types(_kernels.accumulate) <= {"float32", "float64"}
    assert _window_types(_kernels.point_values) <= {"float32", "float64"}


@pytest.mark.skipif(not _kernels.HAVE_NUMBA, reason="numba compiles nothing without numba")
def test_is_ready_reads_numbas_disk_cache(tmp_path):
    prepare.prepare()
    assert prepare.is_ready()
    # an empty cache folder: nothing compiled there yet
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path),
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run(
        [sys.executable, "-c",
         "from geo_cds.analysis.coverage.prepare import is_ready; print(is_ready())"],
        env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_ensure_ready_announces_the_compilation_only_when_needed(monkeypatch):
    calls = []
    monkeypatch.setattr(prepare, "is_ready", lambda: True)
    assert prepare.ensure_ready(lambda *a: calls.append(a)) is None
    assert calls == []
    monkeypatch.setattr(prepare, "is_ready", lambda: False)
    seconds = prepare.ensure_ready(lambda *a: calls.append(a))
    assert calls[0] == (prepare.ANNOUNCEMENT, None)
    assert calls[1] == (prepare.ANNOUNCEMENT, seconds) and seconds > 0
