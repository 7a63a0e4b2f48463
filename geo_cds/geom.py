"""Small geometry helpers shared by the stages."""

from __future__ import annotations

import geopandas as gpd
import numpy as np


def has_location(geoms: gpd.GeoSeries) -> np.ndarray:
    """True where a row has a usable, non-empty geometry."""
    return np.asarray(~(geoms.isna() | geoms.is_empty), dtype=bool)
