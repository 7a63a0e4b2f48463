"""Coverage engine: raster coverage per zone (communes, village polygons, parks) and at points.

``zonal_coverage(zones, rasters)`` gives, per zone and raster, the covered area share, the
population-weighted covered share, mean/min/max of the values and the valid-data share.
``values_at_points(points, raster)`` gives the raster value at each point, or the best value
within a radius.

How it works (see ``_kernels`` for the algorithm):

1. The zones are reprojected to each raster grid's CRS, invalid rings repaired (counted in
   ``result.attrs["repaired_geometries"]``), and each zone's cells with their covered fraction
   computed once per grid (``weights.ZoneWeights``) — exactly (exactextract's definition: the
   fraction of the cell's area inside the polygon, in the raster's CRS) or, with
   ``mode="fast"``, 1 for every cell whose centre lies inside (rasterstats' default).
2. Each raster is read once, in bands of whole tile rows and only as wide as the zones in the
   band need (so tiles no zone touches are never decompressed, and memory does not grow with
   the raster), and every window is folded into per-zone sums by one compiled pass over the
   weights. Rasters on the same grid share step 1 and each window of the population raster.
   Asked for (``display``), the same windows are also folded into each raster's display grid
   for the map (:mod:`~geo_cds.analysis.coverage.display`), so the map never reads a raster.
3. With ``cache_dir`` the weights are stored under a hash of the boundaries (WKB + CRS) and the
   grid, and a later run on the same boundaries and grid skips step 1.

Population on a different grid than a coverage raster is resampled onto the coverage grid with
GDAL's ``average`` (the area-weighted mean of the population cells overlapping each coverage
cell, i.e. a density). Population shares only use the *relative* population of the cells of one
zone, so this equals a sum-preserving reallocation of people to coverage cells as long as the
population cells have equal areas within a zone (exactly so on a projected grid; in EPSG:4326
the cell area changes with cos(latitude), by < 0.1 % across a commune).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
from rasterio.enums import Resampling
from rasterio.vrt import WarpedVRT

from geo_cds.analysis.coverage import _kernels
from geo_cds.analysis.coverage.display import BlockMean, DisplayGrid, Displays
from geo_cds.analysis.coverage.grid import (
    DEFAULT_BLOCK_BYTES,
    GDAL_ENV,
    Band,
    Grid,
    band_height,
    open_raster,
)
from geo_cds.analysis.coverage.points import values_at_points
from geo_cds.analysis.coverage.weights import (
    MODES,
    ZoneWeights,
    boundaries_digest,
    cache_path,
    compute_weights,
    repair,
)
from geo_cds.errors import CrsError, OutputError

__all__ = ["STATS", "DisplayGrid", "Displays", "Grid", "ZoneWeights", "values_at_points",
           "zonal_coverage", "zone_weights"]

log = logging.getLogger(__name__)

STATS = ("area_share", "pop_share", "mean", "min", "max", "valid_share")
MASK_THRESHOLD = 0.5


def zone_weights(
    zones: gpd.GeoDataFrame | gpd.GeoSeries,
    grid: Grid,
    *,
    mode: str = "exact",
    cache_dir: str | Path | None = None,
    timings: dict | None = None,
) -> ZoneWeights:
    """The zones' cell weights on ``grid``, from the cache when there is one.

    Zones are reprojected to the grid's CRS and repaired before the weights are computed; the
    cache key is taken from the zones as given (before both), so a hit skips all that work.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    geo = zones.geometry if isinstance(zones, gpd.GeoDataFrame) else zones
    if geo.crs is None:
        raise CrsError("the zones have no CRS; set one (GeoDataFrame.set_crs) before coverage")
    t0 = time.perf_counter()
    path = None
    if cache_dir is not None:
        digest = boundaries_digest(np.asarray(geo.values, dtype=object), geo.crs.to_wkt())
        path = cache_path(cache_dir, digest, grid, mode)
        if path.exists():
            try:
                w = ZoneWeights.load(path)
            except (OSError, ValueError, KeyError) as exc:  # a damaged file is recomputed
                log.warning("ignoring unreadable weight cache %s: %s", path, exc)
            else:
                if w.grid_key == grid.key() and w.n_zones == len(geo) and w.mode == mode:
                    if timings is not None:
                        timings["weights_cached"] = time.perf_counter() - t0
                    return w
    if grid.crs != geo.crs:
        geo = geo.to_crs(grid.crs)
    geoms, n_repaired = repair(np.asarray(geo.values, dtype=object))
    if n_repaired:
        log.warning(
            "repaired %d invalid zone geometr%s (make_valid)",
            n_repaired,
            "y" if n_repaired == 1 else "ies",
        )
    w = compute_weights(geoms, grid, mode, n_repaired=n_repaired)
    if path is not None:
        try:
            w.save(path)
        except OutputError as exc:  # the cache only saves time: go on without it
            log.warning("zone weights not cached: %s", exc)
    if timings is not None:
        timings["weights"] = time.perf_counter() - t0
    return w


class _Population:
    """The population raster, presented on a given coverage grid (resampled when needed)."""

    def __init__(self, path: str | Path, stack: ExitStack, crs=None):
        self.src = stack.enter_context(open_raster(path, "population"))
        self.grid = Grid.of(self.src, path, crs)
        self.stack = stack
        self._views: dict[str, object] = {}

    def on(self, grid: Grid):
        key = grid.key()
        if key not in self._views:
            if self.grid.key() == key:
                self._views[key] = Band(self.src)
            else:
                log.info("population raster resampled onto the coverage grid (GDAL average)")
                self._views[key] = Band(self.stack.enter_context(
                    WarpedVRT(
                        self.src,
                        src_crs=self.grid.crs,
                        crs=grid.crs,
                        transform=grid.transform,
                        width=grid.width,
                        height=grid.height,
                        resampling=Resampling.average,
                        src_nodata=self.src.nodata,
                        nodata=np.nan,
                        dtype="float32",
                    )
                ))
        return self._views[key]


def zonal_coverage(
    zones: gpd.GeoDataFrame,
    rasters: Mapping[str, str | Path],
    *,
    thresholds: Mapping[str, float] | None = None,
    population: str | Path | None = None,
    source_crs: Mapping[str, str | None] | None = None,
    population_crs: str | None = None,
    mode: str = "exact",
    cache_dir: str | Path | None = None,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
    display: Displays | None = None,
    timings: dict | None = None,
) -> pd.DataFrame:
    """Coverage statistics of every zone for every raster.

    Parameters
    ----------
    zones : GeoDataFrame of (Multi)Polygons in any CRS (reprojected to each raster's CRS).
        Empty or missing geometries are allowed (their row is NaN).
    rasters : mapping name -> GeoTIFF path (band 1 is read).
    thresholds : name -> value; a cell is covered when its value >= threshold. A raster with no
        threshold is a 0/1 mask (covered when value >= 0.5).
    population : people-per-cell raster, for population-weighted shares; resampled onto each
        coverage grid when its grid differs (see the module docstring).
    source_crs : name -> CRS replacing the raster's own (none, or wrong); ``population_crs``
        the same for the population raster. Every raster's band 1 is read with its scale and
        offset applied; nodata, NaN and GDAL mask bands (per-dataset mask, alpha) are no data.
    mode : "exact" (partial cells by covered fraction, as exactextract) or "fast" (cells whose
        centre is inside the zone, as rasterstats' default).
    cache_dir : folder for the zone-weight cache (keyed by the boundaries and the grid).
    block_bytes : largest window read at once, in bytes of the raster's data type.
    display : if given, each raster named in ``display.names`` is also averaged down to a
        display grid from the windows read (:mod:`~geo_cds.analysis.coverage.display`), put in
        ``display.grids``; the rasters are not read again for it.
    timings : if given, filled with seconds spent per step ("weights", "read+aggregate", …).

    Returns
    -------
    DataFrame indexed like ``zones`` with, for each raster name r, the columns
    ``{r}_area_share``, ``{r}_pop_share``, ``{r}_mean``, ``{r}_min``, ``{r}_max``,
    ``{r}_valid_share``:

    - ``area_share``: covered cell fraction / valid cell fraction inside the zone;
    - ``pop_share``: the same weighted by people per cell (NaN without population, or with no
      people in the zone's valid cells);
    - ``mean`` (coverage-weighted), ``min``, ``max`` of the valid values;
    - ``valid_share``: valid cell fraction / zone area (cells off the raster or nodata count as
      not valid), 0 for a zone with area but no valid data.

    Every statistic except ``valid_share`` is NaN — never 0 — for a zone that is empty, off the
    raster or only over nodata; ``valid_share`` is NaN only for an empty zone. The number of
    zone geometries repaired with ``make_valid`` is in ``result.attrs["repaired_geometries"]``.

    Examples
    --------
    >>> table = zonal_coverage(communes, {"4g": "rsrp_4g.tif"}, thresholds={"4g": -105},
    ...                        population="population.tif")  # doctest: +SKIP
    >>> table["4g_area_share"]  # doctest: +SKIP
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    thresholds = dict(thresholds or {})
    source_crs = dict(source_crs or {})
    unknown = set(thresholds) - set(rasters)
    if unknown:
        raise ValueError(f"thresholds given for unknown raster name(s) {sorted(unknown)}")
    timings = timings if timings is not None else {}
    n = len(zones)
    columns: dict[str, np.ndarray] = {}
    repaired = 0
    with ExitStack() as stack, rasterio.Env(**GDAL_ENV):
        srcs = {name: stack.enter_context(open_raster(path, name)) for name, path in rasters.items()}
        pop = _Population(population, stack, population_crs) if population is not None else None
        by_grid: dict[str, list[str]] = {}
        grids: dict[str, Grid] = {}
        for name, src in srcs.items():
            g = Grid.of(src, rasters[name], source_crs.get(name))
            grids.setdefault(g.key(), g)
            by_grid.setdefault(g.key(), []).append(name)
        for key, names in by_grid.items():
            grid = grids[key]
            w = zone_weights(zones, grid, mode=mode, cache_dir=cache_dir, timings=timings)
            repaired = max(repaired, w.n_repaired)
            t0 = time.perf_counter()
            pop_src = pop.on(grid) if pop is not None else None
            thr = [float(thresholds.get(name, MASK_THRESHOLD)) for name in names]
            means = [BlockMean(grid, display.side)
                     if display is not None and name in display.names else None
                     for name in names]
            stats = _aggregate([srcs[name] for name in names], pop_src, w, thr, block_bytes,
                               means)
            for name, mean in zip(names, means, strict=True):
                if mean is not None:
                    display.grids[name] = mean.finish()
            for name, st in zip(names, stats, strict=True):
                for stat, values in st.items():
                    columns[f"{name}_{stat}"] = values
            timings["read+aggregate"] = timings.get("read+aggregate", 0.0) + (
                time.perf_counter() - t0
            )
    ordered = {f"{name}_{s}": columns[f"{name}_{s}"] for name in rasters for s in STATS}
    out = (
        pd.DataFrame(ordered, index=zones.index)
        if n
        else pd.DataFrame({c: pd.Series(dtype=float) for c in ordered}, index=zones.index)
    )
    out.attrs["repaired_geometries"] = repaired
    out.attrs["mode"] = mode
    return out


def _aggregate(
    srcs: list,
    pop_src,
    w: ZoneWeights,
    thresholds: list[float],
    block_bytes: int,
    means: list[BlockMean | None],
) -> list[dict[str, np.ndarray]]:
    """Read the rasters of one grid window by window and fold them into per-zone statistics
    (and into the block sums of ``means[k]`` for raster k, when not None).

    Windows are the outer loop so that the population window is read once for all rasters.
    """
    n = w.n_zones
    accs = [np.zeros((n, 5)) for _ in srcs]
    vmins = [np.full(n, np.inf) for _ in srcs]
    vmaxs = [np.full(n, -np.inf) for _ in srcs]
    bands = [Band(src) for src in srcs]
    empty_pop = np.zeros((1, 1), np.float32)
    for win in w.windows(band_height(srcs[0], block_bytes)):
        if pop_src is not None:
            pop, pnd, has_pnd = pop_src.read(win)
            pop = pop.astype(np.float32)
            if has_pnd:
                pop[pop == np.float32(pnd)] = np.nan
        else:
            pop = empty_pop
        for k, band in enumerate(bands):
            block, nodata, has_nodata = band.read(win)
            if means[k] is not None:
                means[k].add(block, win.row_off, win.col_off, nodata, has_nodata)
            _kernels.accumulate(
                block,
                pop,
                pop_src is not None,
                int(win.row_off),
                int(win.col_off),
                nodata,
                has_nodata,
                thresholds[k],
                w.run_ptr,
                w.run_z,
                w.run_a,
                w.run_b,
                w.cell_ptr,
                w.cell_z,
                w.cell_c,
                w.cell_w,
                accs[k],
                vmins[k],
                vmaxs[k],
            )
    return [
        _finish(accs[k], vmins[k], vmaxs[k], w.area, pop_src is not None) for k in range(len(srcs))
    ]


def _finish(acc, vmin, vmax, area, with_pop) -> dict[str, np.ndarray]:
    sw = acc[:, 0]
    has = sw > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        area_share = np.where(has, acc[:, 1] / sw, np.nan)
        mean = np.where(has, acc[:, 2] / sw, np.nan)
        pop_ok = has & (acc[:, 3] > 0) if with_pop else np.zeros(sw.size, bool)
        pop_share = np.where(pop_ok, acc[:, 4] / acc[:, 3], np.nan)
        valid = np.where(area > 0, np.minimum(sw / area, 1.0), np.nan)
        # the zone area (shoelace) and the summed weights agree to ~1e-14: call a whole zone 1
        valid = np.where(np.abs(valid - 1.0) < 1e-9, 1.0, valid)
    return {
        "area_share": np.clip(area_share, 0.0, 1.0),
        "pop_share": np.clip(pop_share, 0.0, 1.0),
        "mean": mean,
        "min": np.where(has, vmin, np.nan),
        "max": np.where(has, vmax, np.nan),
        "valid_share": valid,
    }
