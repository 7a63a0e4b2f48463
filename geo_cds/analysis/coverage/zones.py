"""Coverage of the zones of a file: the ``geo-cds coverage`` command as one library call.

:func:`zone_coverage` reads the zones, checks every raster and option first (collecting every
problem, as the pipeline does), then runs the engine (:func:`zonal_coverage`) and returns the
zones' id columns joined to the coverage table. Nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import rasterio

from geo_cds.analysis.coverage import zonal_coverage
from geo_cds.analysis.coverage.grid import Grid
from geo_cds.errors import GeoCdsError, LayerError
from geo_cds.inputs.vector import read_vector
from geo_cds.plan import Thresholds
from geo_cds.problems import ProblemLog

# Without an explicit threshold, rasters named like a technology get the planning defaults
# (geo_cds.plan.Thresholds); any other raster is read as a 0/1 mask.
TECH_DEFAULTS = {"4g": "rsrp_4g_dbm", "5g": "rsrp_5g_dbm"}


@dataclass
class ZoneCoverage:
    """Result of :func:`zone_coverage`; ``table`` is None when ``problems`` has errors."""

    table: pd.DataFrame | None = None
    problems: ProblemLog = field(default_factory=ProblemLog)
    repaired_geometries: int = 0  # zone geometries repaired with make_valid


def zone_coverage(
    zones: str | Path,
    rasters: Mapping[str, str | Path],
    *,
    thresholds: Mapping[str, float] | None = None,
    population: str | Path | None = None,
    layer: str | None = None,
    id_columns: Sequence[str] = (),
    mode: str = "exact",
    cache_dir: str | Path | None = None,
    source_crs: Mapping[str, str] | None = None,
) -> ZoneCoverage:
    """Coverage of every zone of the file ``zones`` from coverage rasters.

    Parameters
    ----------
    zones : path-like
        Zone polygons (communes, village polygons, parks), any vector format and CRS.
    rasters : mapping of name to path
        Coverage rasters (GeoTIFF, band 1).
    thresholds : mapping of name to float, optional
        Covered when value >= threshold. A raster named ``4g``/``5g`` without one gets the
        planning default (:class:`geo_cds.plan.Thresholds`); any other is a 0/1 mask.
    population : path-like, optional
        People-per-cell raster for population-weighted shares (any grid).
    layer : str, optional
        Layer of a multi-layer ``zones`` file.
    id_columns : sequence of str
        Columns of ``zones`` kept in the table (default: every non-geometry column).
    mode, cache_dir
        As in :func:`zonal_coverage`.
    source_crs : mapping of name to CRS, optional
        Per raster name (or ``"population"``): a CRS replacing the raster's own, missing or
        wrong (as ``source_crs`` under ``[rasters.X]`` in a plan), e.g. ``{"4g": "EPSG:32648"}``.

    Returns
    -------
    ZoneCoverage
        The id columns joined to :func:`zonal_coverage`'s table (one row per zone), and every
        problem found (the zones unreadable or without CRS, each missing id column, each raster
        that cannot be used, each threshold or source CRS naming no raster, each CRS that is
        not one).

    Examples
    --------
    >>> result = zone_coverage("communes.gpkg", {"4g": "rsrp_4g.tif"})  # doctest: +SKIP
    >>> result.problems.errors or result.table                          # doctest: +SKIP
    """
    problems = ProblemLog()
    frame = _read_zones(Path(zones), layer, id_columns, problems)
    crs = _source_crs(source_crs or {}, rasters, population, problems)
    for name, path in {**rasters, **({"population": population} if population else {})}.items():
        _check_raster(Path(path), name, problems, crs.get(name))
    for name in sorted(set(thresholds or {}) - set(rasters)):
        problems.add(file="(options)", layer="thresholds", row=None, feature_id=None,
                     column=name, problem=f"a threshold is given for {name!r}, not a raster name",
                     fix=f"use one of the raster names {sorted(rasters)}")
    if frame is None or problems.errors:
        return ZoneCoverage(problems=problems)
    values = dict(thresholds or {})
    defaults = Thresholds()
    for name in rasters:
        if name not in values and name.lower() in TECH_DEFAULTS:
            values[name] = getattr(defaults, TECH_DEFAULTS[name.lower()])
    table = zonal_coverage(
        frame, rasters, thresholds=values, population=population, mode=mode, cache_dir=cache_dir,
        source_crs={n: crs.get(n) for n in rasters}, population_crs=crs.get("population"),
    )
    keep = list(id_columns) or [c for c in frame.columns if c != frame.geometry.name]
    return ZoneCoverage(
        frame[keep].join(table), problems, table.attrs.get("repaired_geometries", 0)
    )


def _read_zones(path: Path, layer, id_columns, problems: ProblemLog) -> gpd.GeoDataFrame | None:
    def say(problem, fix, column=None):
        problems.add(file=str(path), layer="zones", row=None, feature_id=None, column=column,
                     problem=problem, fix=fix)

    try:
        frame = read_vector(path, layer=layer)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise LayerError("the file has no geometry column")
    except Exception as exc:  # noqa: BLE001 - any reader failure is a problem of the zones
        say(f"cannot read the zones: {exc}", "check that the file opens in QGIS (and --layer)")
        return None
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for c in dict.fromkeys(id_columns):
        if c not in frame.columns:
            say(f"no column {c!r} (columns are {columns})", "name an existing column", c)
    if frame.crs is None:
        say("the zones have no CRS", "add a .prj, or set the CRS in QGIS", "geometry")
    return frame


def _source_crs(given: Mapping[str, str], rasters, population, problems: ProblemLog) -> dict:
    """The usable ``source_crs`` entries; every name that is no raster and every value that is
    no CRS is a problem."""
    names = sorted(rasters) + (["population"] if population else [])
    out = {}
    for name, value in given.items():
        def say(problem, fix):
            problems.add(file="(options)", layer="source_crs", row=None, feature_id=None,
                         column=name, problem=problem, fix=fix)

        if name not in names:
            say(f"a source CRS is given for {name!r}, not a raster name",
                f"use one of the raster names {names}")
            continue
        try:
            rasterio.crs.CRS.from_user_input(value)
        except rasterio.errors.CRSError as exc:
            say(f"{value!r} is not a CRS ({exc})", "give an EPSG code such as EPSG:32648")
            continue
        out[name] = value
    return out


def _check_raster(path: Path, name: str, problems: ProblemLog, crs=None) -> None:
    try:
        with rasterio.open(path) as src:
            Grid.of(src, path, crs)
    except (rasterio.errors.RasterioIOError, GeoCdsError) as exc:
        problems.add(file=str(path), layer=f"raster {name}", row=None, feature_id=None,
                     column=None, problem=f"cannot open or use the raster {name!r}: {exc}",
                     fix="check that it is a GeoTIFF with a CRS (gdalinfo); a missing or wrong "
                     f"CRS can be given: source_crs {{{name!r}: 'EPSG:…'}} "
                     f"(--source-crs {name}=EPSG:…)")
