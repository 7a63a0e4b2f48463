"""Small geometry helpers shared by the stages: the metric CRS for distances and areas."""

from __future__ import annotations

import geopandas as gpd
import numpy as np


def metric_crs(gdf: gpd.GeoDataFrame) -> str:
    """UTM 48N or 49N, whichever holds the layer's mean longitude (Vietnam spans both).

    Distances up to a few hundred km stay within ~0.1 % in either zone, which is well inside
    what a planning cost or a join tolerance needs.
    """
    lon = gdf.to_crs(4326).geometry.centroid.x if gdf.crs and not gdf.crs.is_geographic else None
    if lon is None:
        bounds = gdf.geometry.bounds
        lon = (bounds["minx"] + bounds["maxx"]) / 2
    mean = float(np.nanmean(lon)) if len(lon) else 105.0
    return "EPSG:32649" if mean >= 108.0 else "EPSG:32648"


def has_location(geoms: gpd.GeoSeries) -> np.ndarray:
    """True where a row has a usable, non-empty geometry."""
    return np.asarray(~(geoms.isna() | geoms.is_empty), dtype=bool)
