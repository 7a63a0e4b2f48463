"""Small geometry helpers shared by the stages."""

from __future__ import annotations

import functools

import geopandas as gpd
import numpy as np
import shapely
from pyproj import CRS, Transformer


def has_location(geoms: gpd.GeoSeries) -> np.ndarray:
    """True where a row has a usable, non-empty geometry."""
    return np.asarray(~(geoms.isna() | geoms.is_empty), dtype=bool)


@functools.lru_cache(maxsize=16)
def _transformer(src: CRS, dst: CRS) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def plain_points(geoms: np.ndarray) -> np.ndarray:
    """True where a geometry is a plain 2D point (not empty, missing or 3D): the rows
    :func:`projected_points` gives as coordinates."""
    return (shapely.get_type_id(geoms) == 0) & ~shapely.has_z(geoms) & ~shapely.is_empty(geoms)


def projected_points(geoms: gpd.GeoSeries, crs) -> tuple[np.ndarray, gpd.GeoSeries]:
    """``geoms.to_crs(crs)`` split in two: the plain 2D points as projected coordinates, the
    rest (lines, polygons, 3D, empty or missing) as projected geometries.

    The coordinates are the numbers ``to_crs`` gives (the same transformation), without
    building a geometry per point, which is most of the cost for a million villages.

    Returns
    -------
    xy : array (n, 2)
        Projected x, y of the plain points, in order.
    rest : GeoSeries
        The other rows, projected (index kept).
    """
    crs = CRS.from_user_input(crs)
    g = np.asarray(geoms.array, dtype=object)
    plain = plain_points(g)
    xy = shapely.get_coordinates(g[plain])
    if len(xy) and not CRS.from_user_input(geoms.crs).is_exact_same(crs):
        x, y = _transformer(CRS.from_user_input(geoms.crs), crs).transform(xy[:, 0], xy[:, 1])
        xy = np.column_stack([x, y])
    return xy, geoms[~plain].to_crs(crs)
