"""Measured speed per village and per commune: test-weighted means of speed tests.

The rules (the same for Ookla tiles and for point tests):

* **village** — a point village takes every tile (or test point) that touches the disc of
  ``radius_m`` around it (``radius_m = 0``: the tile holding the point); a polygon village
  takes those that touch its polygon. A tile near several villages counts for each of them.
* **commune** — each tile (or point) counts in the one commune holding its centre, so every
  test counts once and the communes add up to the province.
* **the figure** — the mean of the rows' averages weighted by their tests
  (``Σ speed × tests / Σ tests``; upload and latency over the rows that give them). With fewer
  than ``min_tests`` tests the place is *not measurable*: its speed is missing (NaN), its test
  count is still shown. With no test at all it has no data: missing, never 0.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.inputs.crs import metric_crs

MEASURED = {s.SPEED_DOWNLOAD: s.DOWNLOAD_MEASURED, s.SPEED_UPLOAD: s.UPLOAD_MEASURED,
            s.SPEED_LATENCY: s.LATENCY_MEASURED}
SPEED_STATUSES = ("measured", "too_few_tests", "no_tests")


def _weighted(place: np.ndarray, rows: np.ndarray, speeds: pd.DataFrame, n: int,
              min_tests: int) -> pd.DataFrame:
    """Test-weighted means per place from (place, speed row) pairs."""
    tests = speeds[s.SPEED_TESTS].to_numpy(float)[rows]
    total = np.bincount(place, weights=tests, minlength=n)
    out = {}
    for col, measured in MEASURED.items():
        value = speeds[col].to_numpy(float)[rows] if col in speeds else np.full(len(rows), np.nan)
        known = ~np.isnan(value)
        num = np.bincount(place[known], weights=(value * tests)[known], minlength=n)
        den = np.bincount(place[known], weights=tests[known], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[measured] = np.where((den > 0) & (total >= min_tests), num / den, np.nan)
    out[s.SPEED_TESTS_N] = total.round().astype("int64")
    out[s.SPEED_STATUS] = np.select([total == 0, total < min_tests],
                                    ["no_tests", "too_few_tests"], "measured")
    return pd.DataFrame(out)


def village_speeds(villages: gpd.GeoDataFrame, speeds: gpd.GeoDataFrame, *,
                   radius_m: float, min_tests: int) -> pd.DataFrame:
    """Measured speed of each village (see the module's rules), indexed like ``villages``.

    Returns
    -------
    DataFrame
        ``download_mbps_measured``, ``upload_mbps_measured``, ``latency_ms_measured`` (NaN
        when not measurable), ``speed_tests`` (int) and ``speed_status`` (one of
        :data:`SPEED_STATUSES`).
    """
    n = len(villages)
    if not n or speeds is None or not len(speeds):
        return _weighted(np.zeros(0, int), np.zeros(0, int), _empty(speeds), n, min_tests) \
            .set_axis(villages.index)
    crs = metric_crs(villages)
    shapes = np.asarray(villages.geometry.to_crs(crs).values, dtype=object)
    located = ~(shapely.is_missing(shapes) | shapely.is_empty(shapes))
    points = located & (shapely.get_type_id(np.where(located, shapes, None)) == 0)
    if radius_m > 0:
        shapes[points] = shapely.buffer(shapes[points], radius_m, quad_segs=16)
    tree = shapely.STRtree(np.asarray(speeds.geometry.to_crs(crs).values, dtype=object))
    where = np.flatnonzero(located)
    pairs = tree.query(shapes[where], predicate="intersects")
    place, rows = where[pairs[0]], pairs[1]
    return _weighted(place, rows, speeds, n, min_tests).set_axis(villages.index)


def commune_of_speeds(communes: gpd.GeoDataFrame, speeds: gpd.GeoDataFrame) -> np.ndarray:
    """For each speed row, the position in ``communes`` of the commune holding its centre
    (-1 outside every commune; on a shared edge, the first commune)."""
    if speeds is None or not len(speeds):
        return np.zeros(0, int)
    centres = shapely.centroid(np.asarray(speeds.geometry.values, dtype=object))
    tree = shapely.STRtree(np.asarray(communes.geometry.values, dtype=object))
    rows, zone = tree.query(centres, predicate="intersects")
    out = np.full(len(speeds), -1, dtype=int)
    first = np.unique(rows, return_index=True)[1]
    out[rows[first]] = zone[first]
    return out


def commune_speeds(communes: gpd.GeoDataFrame, speeds: gpd.GeoDataFrame | None, *,
                   min_tests: int) -> pd.DataFrame:
    """Measured speed of each commune (tiles by their centre), indexed like ``communes``."""
    n = len(communes)
    if speeds is None or not len(speeds):
        return _weighted(np.zeros(0, int), np.zeros(0, int), _empty(speeds), n, min_tests) \
            .set_axis(communes.index)
    zone = commune_of_speeds(communes, speeds)
    rows = np.flatnonzero(zone >= 0)
    return _weighted(zone[rows], rows, speeds, n, min_tests).set_axis(communes.index)


def _empty(speeds) -> pd.DataFrame:
    return pd.DataFrame({s.SPEED_TESTS: pd.Series(dtype=float),
                         **{c: pd.Series(dtype=float) for c in MEASURED}}) \
        if speeds is None else speeds
