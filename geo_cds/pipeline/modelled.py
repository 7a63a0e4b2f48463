"""``[coverage_model]`` in a run: the model's layers as in-memory rasters for the coverage
stage (see :mod:`geo_cds.analysis.radio`)."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np

from geo_cds import schema as s
from geo_cds.analysis import gaps
from geo_cds.errors import LayerError
from geo_cds.outputs.maps.rasters import GridLayer
from geo_cds.pipeline.progress import Progress
from geo_cds.plan import Plan

log = logging.getLogger(__name__)


def prepare_model(progress: Progress | None = None) -> float | None:
    """Compile the model's kernels unless numba's cache has them (announced to ``progress``);
    the seconds spent, None when cached."""
    from geo_cds.analysis.radio.prepare import ensure_ready

    return ensure_ready(progress)


def modelled_rasters(plan: Plan, inputs, *, per_operator: bool | None = None):
    """``[coverage_model]``: model RSRP from the station list on a grid over the communes and
    return it as in-memory rasters (:class:`geo_cds.analysis.radio.memory.MemoryRasters`, a
    context manager; ``specs`` holds each operator's layer, ``modelled_4g_viettel``… with its
    ``operator``, or ``modelled_4g``/``modelled_5g`` when a station's operator is not known),
    or None without one.

    ``per_operator`` (default: the plan's ``per_operator``) False: only the best-server
    layers. The grid: ``crs`` (default UTM 48N/49N by the communes' centre) at
    ``resolution_m`` (``resolution_deg`` in a geographic CRS), over the communes' bounds.
    """
    settings = plan.coverage_model
    if settings is None:
        return None
    from rasterio.warp import transform_bounds

    from geo_cds.analysis.radio import ModelGrid, model_coverage, utm_crs
    from geo_cds.analysis.radio.memory import MemoryRasters

    per_operator = settings.per_operator if per_operator is None else per_operator
    if inputs.stations is None or not len(inputs.stations):
        raise LayerError(f"{settings.stations}: no usable base station for the coverage model "
                         "— fix: see the problems listed for the station list")
    communes = inputs.communes
    lon = float(np.mean(communes.total_bounds[[0, 2]]))
    crs = settings.crs or utm_crs(lon)
    grid_crs = gpd.GeoSeries([], crs=crs).crs
    bounds = transform_bounds("EPSG:4326", grid_crs, *communes.total_bounds, densify_pts=21)
    cell = settings.resolution_deg if grid_crs.is_geographic else settings.resolution_m
    grid = ModelGrid.covering(bounds, grid_crs, cell)
    techs = list(settings.technologies)
    limits = {t: gaps.threshold(plan.thresholds, t) for t in techs if t in gaps.TECHS}
    # per operator when every station's operator is known (as [rasters.X] operator = …),
    # else one best-server layer per technology
    unknown = sorted({str(o) for o in inputs.stations[s.OPERATOR]
                      if o is None or s.operator_key(o) is None})
    if unknown and per_operator:
        log.warning("%s: operator(s) %s not known: the coverage model feeds the run one "
                    "best-server layer per technology, not one per operator",
                    settings.stations, ", ".join(unknown))
    modelled = model_coverage(inputs.stations, grid, techs, thresholds=limits,
                              environment=settings.environment,
                              max_distance_km=settings.max_distance_km,
                              mobile_height_m=settings.mobile_height_m,
                              keep_operators=per_operator and not unknown, dem=settings.dem)
    return MemoryRasters(modelled, per_operator=per_operator and not unknown,
                         generated=settings.generated)


def map_layers(memory) -> list[GridLayer]:
    """The model's best-server layer per technology (a
    :class:`~geo_cds.analysis.radio.memory.MemoryRasters`' arrays) as the map's modelled
    coverage overlays, their source the station list."""
    from geo_cds.analysis.radio.memory import FED_TECHNOLOGIES, layer_name

    grid = memory.modelled.grid
    return [GridLayer(name=layer_name(tech), values=values, transform=grid.transform,
                      crs=grid.crs, technology=tech, source="source_modelled_stations",
                      generated=memory.generated)
            for tech, values in memory.modelled.best.items() if tech in FED_TECHNOLOGIES]
