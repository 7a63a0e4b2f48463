"""Re-plan a finished run folder: another budget, preset or weights, written beside it."""

from __future__ import annotations

import dataclasses
import json
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType

import geopandas as gpd
import pandas as pd

from geo_cds import schema as s
from geo_cds.errors import LayerError, PlanError
from geo_cds.plan import InputSpec, Plan, plan_from_record
from geo_cds.planning.priority import (
    InvestmentPlan,
    plan_investments,
    write_investment_outputs,
)
from geo_cds.planning.score import PRESETS


@dataclass
class RunInputs:
    """What re-planning needs from a finished run folder."""

    folder: Path
    plan: Plan
    villages: gpd.GeoDataFrame
    communes: pd.DataFrame
    parks: gpd.GeoDataFrame | None
    sites: gpd.GeoDataFrame | None
    fibre: gpd.GeoDataFrame | None


def _read_input(spec: InputSpec | None, layer: str) -> gpd.GeoDataFrame | None:
    """Read a run's recorded input (sites, fibre, parks) as the pipeline read it."""
    from geo_cds.inputs.read import read_layer
    from geo_cds.problems import ProblemLog

    if spec is None:
        return None
    if not spec.path.exists():
        raise LayerError(f"{spec.path}: recorded in the run's plan but not found; "
                         "restore the file or re-run geo-cds run")
    problems = ProblemLog()
    frame = read_layer(spec, layer, problems)
    if frame is None:
        raise LayerError("; ".join(str(x) for x in problems.layer_errors()) or
                         f"{spec.path}: unusable {layer} layer")
    return frame


def load_run(run_dir: str | Path) -> RunInputs:
    """Read a finished run folder: villages (with gaps), communes, parks, sites, fibre.

    The plan is the one the run recorded in ``run.json``; sites and fibre are read again from
    the paths it names.

    Raises
    ------
    LayerError
        A file the re-planning needs is missing from the folder.
    """
    folder = Path(run_dir)
    manifest_path = folder / "run.json"
    need = [folder / "villages.gpkg", folder / "communes.gpkg"]
    missing = [p.name for p in need if not p.exists()]
    if missing:
        raise LayerError(f"{folder}: not a finished geo-cds run (missing {', '.join(missing)}); "
                         "pass the folder written by `geo-cds run`")
    recorded = {}
    if manifest_path.exists():
        recorded = json.loads(manifest_path.read_text(encoding="utf-8")).get("plan", {})
    plan = plan_from_record(recorded) if recorded else Plan()
    villages = gpd.read_file(folder / "villages.gpkg", layer="villages")
    communes = gpd.read_file(folder / "communes.gpkg", layer="communes")
    for frame in (villages, communes):
        for col in (s.COMMUNE_CODE, s.PROVINCE_CODE, s.VILLAGE_ID):
            if col in frame:
                frame[col] = frame[col].astype("string")
    parks_file = folder / "industrial_parks_5g.gpkg"
    parks = gpd.read_file(parks_file, layer="parks") if parks_file.exists() else None
    if parks is not None and s.PARK_ID in parks:
        parks[s.PARK_ID] = parks[s.PARK_ID].astype("string")
    return RunInputs(folder=folder, plan=plan, villages=villages, communes=communes,
                     parks=parks, sites=_read_input(plan.sites, "sites"),
                     fibre=_read_input(plan.fibre, "fibre"))


def replan_run(
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
) -> tuple[Path, InvestmentPlan, pd.DataFrame | None]:
    """Re-plan a finished run with another budget, preset or weights, into a new folder.

    ``out_dir`` defaults to ``<run>-<preset>-<budget>`` beside the run. Writing into the
    run folder itself (``out_dir == run_dir``) replaces its priority and intervention files
    and needs ``overwrite``; any other existing folder is replaced only with ``overwrite``.

    Returns
    -------
    (folder, plan, sweep)
        The folder written, the investment plan and the budget sweep (or ``None``).
    """
    from geo_cds.errors import OutputExistsError
    from geo_cds.outputs import write

    run = load_run(run_dir)
    plan = run.plan
    if lang:
        plan = dataclasses.replace(plan, lang=lang)
    name = preset or plan.budget.preset
    if name not in PRESETS:
        raise PlanError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    budget = plan.budget.vnd if budget_vnd is ... else budget_vnd
    if out_dir is None:
        label = "nobudget" if budget is None else f"{budget / 1e9:g}bn"
        out_dir = run.folder.parent / f"{run.folder.name}-{name}-{label}"
    out_dir = Path(out_dir)
    in_place = out_dir.resolve() == run.folder.resolve()
    if in_place and not overwrite:
        raise OutputExistsError(f"{out_dir} is the run folder itself; pass --overwrite to "
                                "replace its priority and intervention files")
    if not in_place:
        write.check_writable(out_dir, overwrite)
    inv = plan_investments(run.villages, run.communes, run.parks, run.sites, run.fibre, plan,
                           weights=weights, preset=preset, budget_vnd=budget, method=method)
    table = inv.sweep(sweep) if sweep else None
    if in_place:
        write_investment_outputs(out_dir, inv, lang=plan.lang, sweep=table)
    else:
        with write.atomic_folder(out_dir, overwrite=overwrite) as staging:
            write_investment_outputs(staging, inv, lang=plan.lang, sweep=table)
            if (run.folder / "communes.csv").exists():  # coverage is unchanged by re-planning
                shutil.copy2(run.folder / "communes.csv", staging / "communes.csv")
            meta = {"replanned_from": str(run.folder.resolve()), "preset": name,
                    "budget_vnd": budget, "weights": inv.summary["weights"],
                    "method": inv.summary["method"], "lang": plan.lang,
                    "plan": inv.plan.to_dict(),
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            write.write_json(meta, staging / "replan.json")
    return out_dir, inv, table
