"""The whole run, one direction: load → join → coverage → gaps → priority → outputs.

``analyse(plan)`` does the work and returns a :class:`RunResult` without writing anything
(what a notebook calls); ``run(plan)`` analyses and writes the run folder atomically (what
``geo-cds run`` calls). Writing a run folder and re-planning one live in
:mod:`geo_cds.pipeline.folders`.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.analysis import gaps, operators
from geo_cds.checks import (
    Check,
    accounting_checks,
    enforce,
    shares_in_unit_interval,
    village_placement,
)
from geo_cds.errors import LayerError, ValidationFailed
from geo_cds.outputs import write
from geo_cds.outputs.maps.rasters import OVERLAY_MAX_PX
from geo_cds.pipeline.ahead import map_geometry_ahead
from geo_cds.pipeline.folders import build_map, replan, write_outputs
from geo_cds.pipeline.modelled import map_layers, modelled_rasters, prepare_model
from geo_cds.pipeline.progress import Progress
from geo_cds.pipeline.result import RunResult
from geo_cds.plan import Plan

log = logging.getLogger(__name__)

# Output column order of the commune table (others follow).
COMMUNE_OUT = [
    s.PROVINCE_CODE, s.PROVINCE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME, s.POPULATION, s.AREA_KM2,
    s.N_VILLAGES, s.VILLAGE_POPULATION, s.VILLAGE_HOUSEHOLDS, s.SHARE_4G, s.SHARE_5G,
    s.SHARE_FIBRE, s.SHARE_HH_FIBRE, s.SHARE_DIGITAL_TEAM, s.COMMUNE_HAS_FIBRE,
    s.HAS_SMART_VILLAGE, "villages_without_4g", "villages_without_fibre", s.N_VILLAGE_GAPS,
]


__all__ = ["RunResult", "Validation", "analyse", "build_map", "replan", "run", "validate",
           "write_outputs"]


@contextmanager
def _timed(timings: dict, stage: str, progress: Progress | None = None):
    """Time a stage into ``timings`` and tell ``progress`` when it starts and ends."""
    if progress:
        progress(stage, None)
    t0 = time.perf_counter()
    yield
    timings[stage] = time.perf_counter() - t0
    if progress:
        progress(stage, timings[stage])
    log.info("%s: %.2f s", stage, timings[stage])


def _prepare_coverage(plan: Plan, timings: dict, progress: Progress | None) -> None:
    """Compile the coverage kernels, announced, when numba's disk cache does not have them yet
    (a first run that did not go through ``make install``)."""
    if not _coverage_rasters(plan):
        return
    from geo_cds.analysis.coverage.prepare import ensure_ready

    seconds = ensure_ready(progress)
    if seconds is not None:
        timings["prepare"] = seconds


def _prepare_planning(timings: dict, progress: Progress | None) -> None:
    """Compile the planner's kernels, announced, when numba's disk cache does not have them
    (imported here: numba is not loaded by importing the pipeline)."""
    from geo_cds.planning.prepare import ensure_ready

    seconds = ensure_ready(progress)
    if seconds is not None:
        timings["prepare_plan"] = seconds


@contextmanager
def _raster_damage(plan: Plan):
    """A raster whose data fail to read midway (a damaged block the loader's checks did not
    sample) ends as a message naming the rasters, not as GDAL's traceback."""
    from rasterio.errors import RasterioError

    try:
        yield
    except RasterioError as exc:
        files = ", ".join(str(spec.path) for spec in plan.rasters.values())
        raise LayerError(
            f"a raster could not be read while measuring coverage ({exc}); rasters: {files} — "
            "fix: open each in QGIS to find the damaged one and export it again") from exc


def _coverage_rasters(plan: Plan) -> dict[str, str]:
    return {name: tech for name, spec in plan.rasters.items()
            if spec.kind in ("rsrp", "mask") and (tech := spec.technology)}


def _suffix(plan: Plan, name: str) -> str:
    """A coverage raster's column suffix: ``4g``, or ``4g_viettel`` for an operator's."""
    spec = plan.rasters[name]
    return f"{spec.technology}_{spec.operator}" if spec.operator else spec.technology


def _population_raster(plan: Plan) -> dict:
    """The population raster's arguments to ``zonal_coverage`` (none: no population)."""
    pops = [spec for spec in plan.rasters.values() if spec.kind == "population"]
    return {"population": pops[0].path, "population_crs": pops[0].source_crs} if pops else {}


def zone_coverage(zones: gpd.GeoDataFrame, plan: Plan, cache_dir: Path | None,
                  display=None) -> pd.DataFrame | None:
    """Raster coverage of each zone, named by technology (``area_share_4g``, …) and operator
    (``area_share_4g_viettel``, … for a raster naming one); with ``display`` (a
    :class:`geo_cds.analysis.coverage.Displays`) the rasters it names are also averaged down
    for the map as they are read."""
    from geo_cds.analysis.coverage import zonal_coverage

    techs = _coverage_rasters(plan)
    if not techs or zones is None or not len(zones):
        return None
    rasters = {name: plan.rasters[name].path for name in techs}
    thresholds = {name: gaps.threshold(plan.thresholds, tech) for name, tech in techs.items()
                  if plan.rasters[name].kind == "rsrp"}
    source_crs = {name: plan.rasters[name].source_crs for name in techs}
    table = zonal_coverage(zones, rasters, thresholds=thresholds, source_crs=source_crs,
                           cache_dir=cache_dir, display=display, **_population_raster(plan))
    renamed = {}
    for name, tech in techs.items():
        for stat, new in (("area_share", "area_share"), ("pop_share", "pop_share"),
                          ("mean", "mean_rsrp"), ("min", "min_rsrp"), ("max", "max_rsrp"),
                          ("valid_share", "valid_share")):
            renamed[f"{name}_{stat}"] = f"{new}_{_suffix(plan, name)}"
    table = table.rename(columns=renamed)
    return table[[c for c in renamed.values() if c in table]]


def village_raster_coverage(
    villages: gpd.GeoDataFrame, plan: Plan, cache_dir: Path | None
) -> tuple[dict[tuple, np.ndarray], dict[tuple, np.ndarray]]:
    """What the rasters say of each village, per (technology, operator): (RSRP, covered).

    A village point takes the raster value at the point (or the best within
    ``point_search_radius_m``); a village polygon takes its zonal coverage and counts as
    covered when its population-weighted (else area) covered share reaches
    ``village_covered_share``. NaN where the rasters say nothing.
    """
    from geo_cds.analysis.coverage import values_at_points, zonal_coverage

    kind = villages.geometry.geom_type.to_numpy()
    points = kind == "Point"
    polygons = np.isin(kind, ["Polygon", "MultiPolygon", "GeometryCollection"])
    rsrp: dict[str, np.ndarray] = {}
    covered: dict[str, np.ndarray] = {}
    at = villages.geometry[points] if points.any() else None  # the points alone, taken once
    for name, tech in _coverage_rasters(plan).items():
        spec = plan.rasters[name]
        limit = gaps.threshold(plan.thresholds, tech) if spec.kind == "rsrp" else 0.5
        value = np.full(len(villages), np.nan)
        share = np.full(len(villages), np.nan)
        if points.any():
            value[points] = values_at_points(at, spec.path,
                                             radius_m=plan.thresholds.point_search_radius_m,
                                             source_crs=spec.source_crs)
            share[points] = np.where(np.isnan(value[points]), np.nan, value[points] >= limit)
        if polygons.any():
            z = zonal_coverage(villages[polygons], {name: spec.path}, thresholds={name: limit},
                               source_crs={name: spec.source_crs}, cache_dir=cache_dir,
                               **_population_raster(plan))
            value[polygons] = z[f"{name}_mean"].to_numpy()
            zone_share = z[f"{name}_pop_share"].fillna(z[f"{name}_area_share"]).to_numpy()
            share[polygons] = np.where(np.isnan(zone_share), np.nan,
                                       zone_share >= plan.thresholds.village_covered_share)
        covered[(tech, spec.operator)] = share
        if spec.kind == "rsrp":
            rsrp[(tech, spec.operator)] = value
    return rsrp, covered


def measured_speeds(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame,
                    speeds: gpd.GeoDataFrame | None, plan: Plan):
    """Villages and communes with their measured speed (when the plan gives speed tests), and
    what the summary says of the sources: which one the download targets are judged on, where
    reported and modelled coverage disagree, where measured speed falls short."""
    from geo_cds.analysis import sources as src
    from geo_cds.analysis.speeds import commune_of_speeds, commune_speeds, village_speeds

    spec = plan.speeds
    judged = "measured" if spec is not None and spec.mobile else "reported"
    zone = None
    if spec is not None:
        t = plan.thresholds
        villages = villages.join(village_speeds(villages, speeds, radius_m=t.speed_radius_m,
                                                min_tests=t.min_speed_tests))
        communes = communes.join(commune_speeds(communes, speeds, min_tests=t.min_speed_tests))
        communes[s.SPEED_SOURCE] = spec.name or spec.kind
        zone = commune_of_speeds(communes, speeds) if speeds is not None else None
    info = {
        "speed_source": judged,
        "speeds": None if spec is None else {
            "kind": spec.kind, "name": spec.name or spec.kind, "generated": spec.generated,
            "mobile": spec.mobile, "min_tests": plan.thresholds.min_speed_tests,
            "radius_m": plan.thresholds.speed_radius_m, **src.speed_totals(speeds, zone)},
        "coverage": src.coverage_disagreement(villages),
        "speed": src.speed_disagreement(villages, plan) if judged == "measured" else [],
    }
    return villages, communes, info


def accounting(inputs, villages: pd.DataFrame | None) -> pd.DataFrame:
    """Every input row: used, repaired (a value changed) or rejected (with the reason).

    The loader counts its own rejects and repairs per layer; the join then rejects the
    villages it cannot place and repairs those it places by location (a row repaired twice
    counts once).
    """
    table = inputs.accounting.copy()
    if villages is not None and inputs.villages is not None:
        row = table["layer"] == "villages"
        dropped = len(inputs.villages) - len(villages)
        placed = villages[villages[s.JOIN_STATUS] == "placed_by_location"]
        files = placed["source_file"].astype(str) if "source_file" in placed else \
            [str(table.loc[row, "file"].iloc[0])] * len(placed)
        keys = set(zip(files, placed["source_row"].astype(int)))
        repaired = inputs.repaired_rows.get("villages", set())
        table.loc[row, "used"] = len(villages)
        table.loc[row, "rejected"] += dropped
        table.loc[row, "repaired"] += len(keys - repaired)
    return table


def analyse(plan: Plan, *, strict: bool = False, cache_dir: Path | None = None,
            progress: Progress | None = None,
            on_loaded: Callable[[gpd.GeoDataFrame], object] | None = None) -> RunResult:
    """Run every stage in memory: load, join, coverage, gaps, priority. Nothing is written.

    Parameters
    ----------
    plan : Plan
        From :func:`geo_cds.plan.load_plan` or :func:`geo_cds.plan.default_plan`.
    strict : bool
        Refuse to go on when any input row has an error (default: such rows are rejected and
        listed in ``result.problems``).
    cache_dir : Path, optional
        Where the coverage engine keeps zone weights between runs.
    progress : callable, optional
        Told when each stage starts and ends (:data:`geo_cds.pipeline.progress.Progress`).
    on_loaded : callable, optional
        Given the loaded communes as soon as they are usable (``run`` starts the map's
        geometry there, in a thread).

    Returns
    -------
    RunResult

    Raises
    ------
    ValidationFailed
        When an input is unusable as a whole (or, with ``strict``, when any row has an error).
    """
    from geo_cds.analysis.coverage.display import Displays
    from geo_cds.analysis.join import join_villages
    from geo_cds.inputs.read import load_inputs
    from geo_cds.planning.priority import plan_investments

    timings: dict[str, float] = {}
    started = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    with _timed(timings, "load", progress):
        inputs = load_inputs(plan)
    if inputs.problems.layer_errors():
        raise ValidationFailed(inputs.problems.problems)
    communes = inputs.communes
    if on_loaded is not None:
        on_loaded(communes)
    with _timed(timings, "join", progress):
        villages = join_villages(
            inputs.villages, communes, tolerance_m=plan.thresholds.join_tolerance_m,
            file=str(plan.villages.path), log=inputs.problems,
        )
    if strict and inputs.problems.errors:
        raise ValidationFailed(inputs.problems.problems)
    with ExitStack() as stack:
        coverage_plan = plan
        memory = None
        modelled = []
        if plan.coverage_model is not None:
            seconds = prepare_model(progress)
            if seconds is not None:
                timings["prepare_model"] = seconds
            with _timed(timings, "model", progress):
                memory = modelled_rasters(plan, inputs)
        if memory is not None:  # the model's layers stand in for rasters, as if given
            stack.enter_context(memory)
            modelled = map_layers(memory)
            coverage_plan = dataclasses.replace(plan, rasters={**plan.rasters, **memory.specs})
        _prepare_coverage(coverage_plan, timings, progress)
        # the map's coverage overlays, averaged down while the communes' pass reads the
        # rasters (the model's layers are drawn from memory: not asked for)
        overlays = Displays(names=set(_coverage_rasters(plan)), side=OVERLAY_MAX_PX)
        with _timed(timings, "coverage", progress), _raster_damage(coverage_plan):
            rsrp, covered = village_raster_coverage(villages, coverage_plan, cache_dir)
            commune_zonal = zone_coverage(communes, coverage_plan, cache_dir, overlays)
            park_zonal = operators.best_operator(
                zone_coverage(inputs.parks, coverage_plan, cache_dir))
    with _timed(timings, "gaps", progress):
        best, anyone = operators.any_operator(rsrp, covered)
        villages = gaps.village_gaps(
            gaps.village_coverage(villages, best, plan.thresholds, raster_covered=anyone), plan)
        villages = operators.village_operators(villages, rsrp, covered)
        communes = gaps.commune_table(communes, villages, commune_zonal,
                                      plan.thresholds.min_known_share)
        communes = operators.commune_operators(communes, villages)
        ordered = [c for c in COMMUNE_OUT if c in communes] + \
            [c for c in communes.columns if c not in COMMUNE_OUT]
        communes = communes[ordered]
        villages, communes, sources = measured_speeds(villages, communes, inputs.speeds, plan)
        parks = gaps.park_table(inputs.parks, park_zonal, plan) if inputs.parks is not None else None
        streets = gaps.street_table(inputs.streets, communes) if inputs.streets is not None else None
        targets = gaps.target_table(communes, villages, parks, plan,
                                    speed_source=sources["speed_source"])
    _prepare_planning(timings, progress)
    with _timed(timings, "priority", progress):
        investment = plan_investments(villages, communes, parks, inputs.sites, inputs.fibre, plan)
    plan = investment.plan  # the effective plan (preset resolved): what run.json records
    table = accounting(inputs, villages)
    result = RunResult(plan=plan, inputs=inputs, communes=communes, villages=villages,
                       parks=parks, streets=streets, investment=investment, targets=targets,
                       accounting=table, timings=timings, started=started, sources=sources,
                       modelled=modelled, overlays=overlays.grids)
    result.checks = self_checks(result)
    return result


def self_checks(result: RunResult) -> list[Check]:
    """The run's figures hold together: rows, villages, shares and money (every view of the
    plan against its ledger). A failing check raises :class:`geo_cds.errors.CheckFailed`."""
    villages_read = result.accounting.loc[result.accounting["layer"] == "villages", "rows_read"]
    checks = [
        *accounting_checks(result.accounting),
        village_placement(int(villages_read.sum()), result.villages, result.communes,
                          result.problems.rejected_rows("villages")),
        *shares_in_unit_interval({"communes": result.communes, "villages": result.villages,
                                  "parks": result.parks, "targets": result.targets}),
        *(result.investment.checks if result.investment is not None else []),
        *_speed_checks(result),
    ]
    return enforce(checks)


def _speed_checks(result: RunResult) -> list[Check]:
    """Every speed test read is counted in exactly one commune or outside them all."""
    sp = (result.sources or {}).get("speeds")
    if not sp:
        return []
    inside = int(result.communes[s.SPEED_TESTS_N].sum())
    outside = sp["tests_outside_communes"]
    ok = sp["tests"] == inside + outside
    return [Check("speed_tests", ok, (("read", sp["tests"]), ("in_communes", inside),
                                      ("outside_communes", outside)))]


def run(plan: Plan, *, overwrite: bool = False, strict: bool = False,
        progress: Progress | None = None) -> RunResult:
    """Analyse ``plan`` and write ``<output_dir>/<name>/`` atomically (``geo-cds run``).

    Parameters
    ----------
    plan : Plan
        From :func:`geo_cds.plan.load_plan` or :func:`geo_cds.plan.default_plan`.
    overwrite : bool
        Replace an earlier run of the same name.
    strict : bool
        Refuse to run when any input row has an error.
    progress : callable, optional
        Told when each stage starts and ends (:data:`geo_cds.pipeline.progress.Progress`).

    Returns
    -------
    RunResult
        With ``folder`` set to the run folder written.

    Raises
    ------
    geo_cds.errors.ValidationFailed, geo_cds.errors.OutputExistsError, geo_cds.errors.OutputError
        See :func:`analyse` and :func:`write_outputs`; the output folder is checked before
        the inputs are read.
    """
    target = Path(plan.output_dir) / plan.name
    write.check_writable(target, overwrite)
    cache_dir = Path(plan.output_dir) / ".cache"
    with map_geometry_ahead(cache_dir) as start_map_geometry:
        result = analyse(plan, strict=strict, cache_dir=cache_dir, progress=progress,
                         on_loaded=start_map_geometry)
    write_outputs(result, target, overwrite=overwrite, progress=progress, cache_dir=cache_dir)
    return result


@dataclass
class Validation:
    """What :func:`validate` found: every problem, and the rows used per layer."""

    problems: object  # ProblemLog
    accounting: pd.DataFrame


def validate(plan: Plan) -> Validation:
    """Load every input and place the villages in their communes; collect every problem.

    Parameters
    ----------
    plan : Plan
        The plan whose inputs to check.

    Returns
    -------
    Validation
        ``problems`` (every problem: file, row or feature, what, fix, severity) and
        ``accounting`` (rows read, used, repaired, rejected per layer). Nothing is written.
    """
    from geo_cds.analysis.join import join_villages
    from geo_cds.inputs.read import load_inputs

    inputs = load_inputs(plan)
    villages = None  # not joined: the accounting then counts what the loader found
    if (inputs.villages is not None and len(inputs.communes)
            and not inputs.problems.layer_errors()):
        villages = join_villages(inputs.villages, inputs.communes,
                                 tolerance_m=plan.thresholds.join_tolerance_m,
                                 file=str(plan.villages.path), log=inputs.problems)
    return Validation(inputs.problems, accounting(inputs, villages))
