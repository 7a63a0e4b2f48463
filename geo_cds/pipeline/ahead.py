"""The map's commune and province geometry, computed in a thread while the analysis goes on.

Simplifying 3,300 communes and uniting them into province outlines is ~6 s of GEOS work at
national scale, needed only by the map at the very end, and GEOS releases the GIL: started as
soon as the communes are loaded, it runs beside the join, the coverage pass and the planning
on a second core. It only fills the map's geometry cache (:mod:`geo_cds.outputs.maps.geocache`),
which the map then reads; if it fails for any reason the map computes the geometry itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd

from geo_cds.outputs.maps import prepare_geometry

log = logging.getLogger(__name__)


def _prepare(communes: gpd.GeoDataFrame, cache_dir: Path) -> None:
    try:
        prepare_geometry(communes, cache_dir)
    except Exception:  # an optimisation only: the map computes what is missing
        log.debug("map geometry not prepared ahead", exc_info=True)


@contextmanager
def map_geometry_ahead(cache_dir: Path) -> Iterator[Callable[[gpd.GeoDataFrame], None]]:
    """Yield ``start(communes)``, which begins the map's geometry in a thread (on a copy of
    the communes: the analysis goes on changing its own); leaving the block waits for it."""
    with ThreadPoolExecutor(1, thread_name_prefix="geo-cds-map-geometry") as pool:
        yield lambda communes: pool.submit(_prepare, communes.copy(), cache_dir)
