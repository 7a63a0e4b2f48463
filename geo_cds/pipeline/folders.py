"""Writing a run folder and re-planning one: what the pipeline hands to the one writer.

:func:`write_outputs` writes everything an analysed run produced (tables, workbook, map,
summary, manifest) into a run folder through :func:`geo_cds.outputs.write.atomic_folder`;
:func:`replan` plans a finished run folder again and writes the new plan the same way.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import EllipsisType
from typing import TYPE_CHECKING

import pandas as pd

from geo_cds.analysis import operators
from geo_cds.errors import OutputExistsError
from geo_cds.outputs import summary as report
from geo_cds.outputs import write
from geo_cds.outputs.background import GpkgWriter
from geo_cds.pipeline.progress import Progress, Steps

if TYPE_CHECKING:
    from geo_cds.outputs.maps import RunMap
    from geo_cds.pipeline.result import RunResult
    from geo_cds.planning.replan import Replan


def _readable(table: pd.DataFrame) -> pd.DataFrame:
    """Shares to 4 decimals (0.01 %), dBm to 0.1: what a reader of the table can use.

    (``source_row``, the loader's pointer back into the input file, stays in villages.gpkg.)
    """
    table = table.drop(columns="source_row", errors="ignore")
    digits = {c: 4 for c in table.columns if "share" in c}
    digits |= {c: 1 for c in table.columns if "rsrp" in c}
    digits |= {c: 1 for c in table.columns if "mbps" in c or "latency" in c}
    return table.round(digits)


def input_reading(result: RunResult) -> dict:
    """How the inputs were read, for the summary: the blank reading of each yes/no column, the
    villages whose population was estimated or is unknown, those without a location."""
    from geo_cds import schema as s

    v = result.villages
    facts = {}
    if v is not None and len(v):
        estimated = v[s.POPULATION_ESTIMATED] if s.POPULATION_ESTIMATED in v else None
        unlocated = v[s.JOIN_STATUS].eq("no_location") if s.JOIN_STATUS in v else \
            pd.Series(False, index=v.index)
        gap = pd.Series(False, index=v.index)
        for col in (s.GAP_MOBILE, s.GAP_FIBRE):
            if col in v:
                gap |= v[col].fillna(False).astype(bool)
        facts = {
            "people_per_household": result.plan.villages.people_per_household,
            "population_estimated": int(estimated.fillna(False).sum())
            if estimated is not None else 0,
            "population_unknown": int(v[s.POPULATION].isna().sum()),
            "without_location": int(unlocated.sum()),
            "cost_needs_location": int((unlocated & gap).sum()),
        }
    return {"yes_no": result.inputs.yes_no.to_dict(orient="records"), "villages": facts}


def _map_layers(result: RunResult) -> dict:
    """What the map of a run shows: its layers, settings, caption and charts."""
    plan, inv = result.plan, result.investment
    return dict(
        communes=result.communes, villages=result.villages, parks=result.parks,
        streets=result.streets, interventions=inv.interventions, priority=inv.priority,
        rasters=plan.rasters, overlays=result.overlays, modelled=result.modelled,
        thresholds=plan.thresholds,
        lang=plan.lang,
        targets=result.targets, investment=inv,
        speeds=result.inputs.speeds, speed_info=(result.sources or {}).get("speeds"),
        speed_targets={t.id: t.threshold for t in plan.targets if t.unit == "Mb/s"},
        info={"run": plan.name, "date": result.started[:10],
              "sources": ", ".join(Path(p).name for p in result.inputs.files.values()),
              "generated": result.generated},
    )


def build_map(result: RunResult, **options) -> RunMap:
    """The run's interactive map as a ``folium.Map`` (what ``map.html`` holds).

    Display it in a notebook, add folium layers to it (``folium.GeoJson(...).add_to(m)``),
    then save it with :func:`geo_cds.outputs.maps.save_map` (or ``m.save(path)``): the saved
    page opens with no network.

    Parameters
    ----------
    result : RunResult
        What :func:`analyse` returned.
    **options
        Override what :func:`geo_cds.outputs.maps.make_map` gets from the run (``lang``,
        ``title``, ``simplify_tolerance``, …).

    Returns
    -------
    RunMap
        A ``folium.Map``; ``m.run_layers`` holds the run's layers as folium elements.
    """
    from geo_cds.outputs.maps import make_map

    return make_map(**{**_map_layers(result), **options})


def _write_run_files(result: RunResult, folder: Path, progress: Progress | None,
                     cache_dir: Path | None = None) -> None:
    """Every file of a run, written into ``folder`` (a staging folder of the writer).

    The GeoPackages are written by a second process (GDAL holds the GIL) and the inputs'
    checksums computed in a thread (hashing releases it) while this one writes the rest.
    """
    plan = result.plan
    t0 = time.perf_counter()
    steps = Steps(progress)  # step keys: their texts are in geo_cds.labels, section "stage"
    steps("write_tables")
    communes = _readable(result.communes)
    gpkgs = [(result.villages, folder / "villages.gpkg", "villages", plan.lang),
             (communes, folder / "communes.gpkg", "communes", plan.lang)]
    if result.parks is not None:
        # full precision: `geo-cds plan` re-plans from it and must reproduce the run
        gpkgs.append((result.parks, folder / "industrial_parks_5g.gpkg", "parks", plan.lang))
    with GpkgWriter() as gpkg, ThreadPoolExecutor(1, "geo-cds-checksums") as checksums:
        gpkg.start(gpkgs)  # forked before the thread below exists
        inputs = checksums.submit(report.input_files, result.inputs.files, set(result.generated))
        _write_the_rest(result, folder, communes, steps, cache_dir)
        steps("write_tables")  # what the GeoPackages still need
        gpkg.wait()
        inputs = inputs.result()
    steps()
    result.timings["write"] = time.perf_counter() - t0
    finished = datetime.now(UTC).astimezone().isoformat(timespec="seconds")
    write.write_json(
        report.manifest(plan=plan, inputs=inputs, timings=result.timings,
                        started=result.started, finished=finished, checks=result.checks),
        folder / "run.json",
    )


def _write_the_rest(result: RunResult, folder: Path, communes: pd.DataFrame, steps: Steps,
                    cache_dir: Path | None) -> None:
    """The tables, the workbook, the map and the summary."""
    from geo_cds.analysis.datacov import data_coverage
    from geo_cds.outputs.investment import write_investment_outputs
    from geo_cds.outputs.maps import save_map

    plan, inv = result.plan, result.investment
    write.write_csv(communes, folder / "communes.csv")
    steps("write_investment")
    coverage = data_coverage(result.communes, result.villages, plan.thresholds.min_known_share)
    write_investment_outputs(folder, inv, lang=plan.lang, data_coverage=coverage)
    steps("write_tables")
    if result.parks is not None:
        write.write_csv(_readable(result.parks), folder / "industrial_parks_5g.csv")
    if result.streets is not None:
        write.write_csv(_readable(result.streets), folder / "cashless_streets.csv")
    write.write_csv(result.problems.to_frame(), folder / "rejects.csv")
    candidates = operators.sharing_candidates(result.villages, result.communes)
    if candidates is not None:  # only when a technology has rasters of several operators
        write.write_csv(candidates, folder / "sharing_candidates.csv")
    steps("write_map")
    save_map(build_map(result, cache_dir=cache_dir), folder / "map.html", assets=plan.map_assets)
    steps("write_summary")
    date = result.started[:10]
    data = report.summary(name=plan.name, date=date, communes=result.communes,
                          villages=result.villages, targets=result.targets,
                          accounting=result.accounting, investment=inv.summary,
                          generated=result.generated, checks=result.checks,
                          reading=input_reading(result), sources=result.sources or None,
                          data_coverage=coverage,
                          min_known_share=plan.thresholds.min_known_share,
                          operators=operators.operator_figures(result.villages,
                                                               result.inputs.sites))
    write.write_json(data, folder / "summary.json")
    (folder / "summary.md").write_text(report.summary_markdown(data, plan.lang), encoding="utf-8")


def write_outputs(result: RunResult, folder: str | Path, *, overwrite: bool = False,
                  progress: Progress | None = None, cache_dir: str | Path | None = None) -> Path:
    """Write every output of an analysed run into a run folder, atomically.

    Parameters
    ----------
    result : RunResult
        What :func:`analyse` returned.
    folder : path
        The run folder to create (by convention ``<output_dir>/<name>``).
    overwrite : bool
        Replace an earlier run folder of geo-cds (a folder geo-cds did not create is never
        replaced).
    progress : callable, optional
        Told when each part of the writing starts and ends
        (:data:`geo_cds.pipeline.progress.Progress`).
    cache_dir : path, optional
        Where the map's commune and province geometry is cached between runs
        (``geo-cds run`` passes ``<output_dir>/.cache``); None computes it every time.

    Returns
    -------
    Path
        ``folder`` (also set as ``result.folder``).

    Raises
    ------
    geo_cds.errors.OutputExistsError
        ``folder`` exists and ``overwrite`` is false, or it was not created by geo-cds
        (:class:`~geo_cds.errors.ForeignFolderError`).
    geo_cds.errors.OutputError
        The disk refuses the writing (permissions, read-only, full); the message names the
        folder.
    """
    folder = Path(folder)
    with write.atomic_folder(folder, overwrite=overwrite) as staging:
        _write_run_files(result, staging, progress, cache_dir)
    result.folder = folder
    return folder


def replan(
    run_dir: str | Path,
    out_dir: str | Path | None = None,
    *,
    budget_vnd: float | None | EllipsisType = ...,
    preset: str | None = None,
    weights: Mapping[str, float] | None = None,
    method: str | None = None,
    lang: str | None = None,
    sweep: Sequence[float] | None = None,
    overwrite: bool = False,
) -> Replan:
    """Re-plan a finished run with another budget, preset or weights, into a new folder.

    Parameters
    ----------
    run_dir : path
        A folder written by :func:`run`.
    out_dir : path, optional
        Where to write; default ``<run>-<preset>-<budget>bn`` beside the run. The run folder
        itself (``out_dir == run_dir``) is replaced, with new priority and intervention files,
        only with ``overwrite``; any other existing folder likewise.
    budget_vnd : float or None, optional
        The budget (None: rank everything, no cut-off); default the run's.
    preset, weights, method, lang
        Score preset, weight overrides, ``"exact"`` or ``"greedy"``, label language;
        default the run's.
    sweep : sequence of float, optional
        Also compute people served at these budgets (``budget_sweep.csv``).
    overwrite : bool
        Replace an existing folder written by geo-cds.

    Returns
    -------
    geo_cds.planning.replan.Replan
        The new plan, with ``folder`` set to the folder written.

    Raises
    ------
    geo_cds.errors.LayerError
        ``run_dir`` is not a finished run.
    geo_cds.errors.OutputExistsError, geo_cds.errors.OutputError
        See :func:`write_outputs`.
    """
    from geo_cds.analysis.datacov import data_coverage
    from geo_cds.outputs.investment import write_investment_outputs
    from geo_cds.planning.replan import (
        default_folder,
        load_run,
        replan_investments,
        replan_settings,
    )

    run = load_run(run_dir)
    name, budget = replan_settings(run, budget_vnd=budget_vnd, preset=preset)
    out = Path(out_dir) if out_dir is not None else default_folder(run, name, budget)
    in_place = out.resolve() == run.folder.resolve()
    if in_place and not overwrite:
        raise OutputExistsError(f"{out} is the run folder itself; pass --overwrite to "
                                "replace its priority and intervention files")
    write.check_writable(out, overwrite)
    result = replan_investments(run, budget_vnd=budget, preset=preset, weights=weights,
                                method=method, lang=lang, sweep=sweep)
    with write.atomic_folder(out, overwrite=overwrite) as staging:
        if in_place:  # the run with its plan files replaced, swapped in whole
            shutil.copytree(run.folder, staging, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(write.MARKER))
        elif (run.folder / "communes.csv").exists():  # coverage is unchanged by re-planning
            shutil.copy2(run.folder / "communes.csv", staging / "communes.csv")
        coverage = data_coverage(run.communes, run.villages,
                                 result.plan.thresholds.min_known_share)
        write_investment_outputs(staging, result.investment, lang=result.plan.lang,
                                 sweep=result.sweep, data_coverage=coverage)
        if not in_place:
            write.write_json(result.record, staging / "replan.json")
    result.folder = out
    return result
