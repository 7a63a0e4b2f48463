"""Raster values at points: a village's own cell, or the best cell within a radius."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import rasterio
import shapely

from geo_cds.analysis.coverage import _kernels
from geo_cds.analysis.coverage.grid import (
    DEFAULT_BLOCK_BYTES,
    GDAL_ENV,
    Band,
    Grid,
    band_height,
    open_raster,
    windows_over,
)
from geo_cds.errors import CrsError, LayerError
from geo_cds.geom import plain_points, projected_points


def _metres_per_cell(grid: Grid, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Metres per cell along rows (fy) and columns (fx) at each point (grid CRS coordinates)."""
    t = grid.transform
    if grid.crs.is_geographic:
        # local scale of a degree on the WGS 84 ellipsoid (within 0.1 % over a few km)
        lat = np.radians(y)
        m_lat = 111132.954 - 559.822 * np.cos(2 * lat) + 1.175 * np.cos(4 * lat)
        m_lon = 111412.84 * np.cos(lat) - 93.5 * np.cos(3 * lat)
        return np.abs(t.e) * m_lat, np.abs(t.a) * m_lon
    factor = grid.crs.linear_units_factor[1] if grid.crs.is_projected else 1.0
    ones = np.ones_like(x)
    return ones * abs(t.e) * factor, ones * abs(t.a) * factor


def _projected_xy(geo: gpd.GeoSeries, crs) -> tuple[np.ndarray, np.ndarray]:
    """x and y of each point of ``geo.to_crs(crs)`` (NaN where missing or empty): the plain
    points by :func:`geo_cds.geom.projected_points` (the same numbers), the others (3D)
    through ``to_crs``."""
    g = np.asarray(geo.values, dtype=object)
    plain = plain_points(g)
    xy, rest = projected_points(geo, crs)
    x, y = np.full(len(g), np.nan), np.full(len(g), np.nan)
    x[plain], y[plain] = xy[:, 0], xy[:, 1]
    r = np.asarray(rest.values, dtype=object)
    at = ~(shapely.is_missing(r) | shapely.is_empty(r))
    rows = np.flatnonzero(~plain)[at]
    x[rows], y[rows] = shapely.get_x(r[at]), shapely.get_y(r[at])
    return x, y


def values_at_points(
    points: gpd.GeoDataFrame | gpd.GeoSeries,
    raster: str | Path,
    *,
    radius_m: float = 0.0,
    source_crs: str | None = None,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
) -> np.ndarray:
    """Raster value at each point (NaN for nodata, off the raster, or a missing point).

    Parameters
    ----------
    points : points in any CRS (reprojected to the raster's).
    raster : GeoTIFF path (band 1).
    radius_m : with ``radius_m > 0``, the best (largest) valid value among the point's own cell
        and every cell whose centre is within ``radius_m`` metres of the point (metric distance,
        also for rasters in degrees).
    source_crs : CRS replacing the raster's own; values are read as in :func:`zonal_coverage`.

    Returns
    -------
    float64 array aligned with ``points``.
    """
    if radius_m < 0:
        raise ValueError(f"radius_m must be >= 0, got {radius_m}")
    geo = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
    if geo.crs is None:
        raise CrsError("the points have no CRS; set one (GeoDataFrame.set_crs) first")
    out = np.full(len(geo), np.nan)
    with rasterio.Env(**GDAL_ENV), open_raster(raster, str(raster)) as src:
        grid = Grid.of(src, raster, source_crs)
        g = np.asarray(geo.values, dtype=object)
        ok = ~(shapely.is_missing(g) | shapely.is_empty(g))
        if ok.any() and (shapely.get_type_id(g[ok]) != 0).any():
            raise LayerError(
                "values_at_points needs point geometries (use zonal_coverage for polygons)"
            )
        idx = np.flatnonzero(ok)
        if idx.size == 0:
            return out
        if geo.crs != grid.crs:  # as geo.to_crs(grid.crs) places them, no point rebuilt
            x, y = _projected_xy(geo, grid.crs)
            x, y = x[idx], y[idx]
        else:
            x = shapely.get_x(g[idx])
            y = shapely.get_y(g[idx])
        pcol, prow = grid.to_pixel(x, y)
        fy, fx = _metres_per_cell(grid, x, y)
        ry = np.ceil(radius_m / fy).astype(np.int64) if radius_m > 0 else np.zeros(idx.size, int)
        rx = np.ceil(radius_m / fx).astype(np.int64) if radius_m > 0 else np.zeros(idx.size, int)
        row = np.floor(prow)
        col = np.floor(pcol)
        near = (
            (row + ry >= 0) & (row - ry < grid.height) & (col + rx >= 0) & (col - rx < grid.width)
        )
        if not near.any():
            return out
        band = Band(src)
        vals = np.full(idx.size, np.nan)
        sel = np.flatnonzero(near)
        windows = windows_over(
            (row - ry)[sel],
            (row + ry + 1)[sel],
            (col - rx)[sel],
            (col + rx + 1)[sel],
            grid.height,
            grid.width,
            band_height(src, block_bytes),
        )
        for win in windows:
            w0, w1 = win.row_off, win.row_off + win.height
            here = sel[(row[sel] + ry[sel] >= w0) & (row[sel] - ry[sel] < w1)]
            if here.size == 0:
                continue
            block, nodata, has_nodata = band.read(win)
            part = vals[here]
            _kernels.point_values(
                block,
                int(w0),
                int(win.col_off),
                prow[here],
                pcol[here],
                ry[here],
                rx[here],
                fy[here],
                fx[here],
                float(radius_m),
                nodata,
                has_nodata,
                part,
            )
            vals[here] = part
        out[idx] = vals
    return out
