"""Re-plan a finished run folder: another budget, preset or weights (data only; the pipeline
writes it)."""

from __future__ import annotations

import dataclasses
import json
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
from geo_cds.planning.priority import InvestmentPlan, plan_investments
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


@dataclass
class Replan:
    """A finished run planned again: what :func:`replan_investments` returns.

    Attributes
    ----------
    run : RunInputs
        The run folder's contents.
    plan : Plan
        The run's recorded plan (with ``lang`` changed when asked).
    preset : str
        The preset used.
    budget_vnd : float or None
        The budget used (None: no cut-off).
    investment : InvestmentPlan
        The new priority list, interventions and summary.
    sweep : DataFrame or None
        People served per budget, exact and greedy, when a sweep was asked for.
    """

    run: RunInputs
    plan: Plan
    preset: str
    budget_vnd: float | None
    investment: InvestmentPlan
    sweep: pd.DataFrame | None
    folder: Path | None = None  # where geo_cds.pipeline.replan wrote it

    @property
    def record(self) -> dict:
        """What ``replan.json`` records: where it came from and the settings used."""
        return {"replanned_from": str(self.run.folder.resolve()), "preset": self.preset,
                "budget_vnd": self.budget_vnd, "weights": self.investment.summary["weights"],
                "method": self.investment.summary["method"], "lang": self.plan.lang,
                "plan": self.investment.plan.to_dict(),  # the effective plan: replays exactly
                "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def replan_settings(run: RunInputs, *, budget_vnd: float | None | EllipsisType = ...,
                    preset: str | None = None) -> tuple[str, float | None]:
    """The preset and budget a re-plan uses: the ones given, else the run's.

    Raises
    ------
    PlanError
        ``preset`` is not one of :data:`geo_cds.planning.score.PRESETS`.
    """
    name = preset or run.plan.budget.preset
    if name not in PRESETS:
        raise PlanError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    return name, run.plan.budget.vnd if budget_vnd is ... else budget_vnd


def default_folder(run: RunInputs, preset: str, budget_vnd: float | None) -> Path:
    """``<run>-<preset>-<budget>bn`` (or ``-nobudget``) beside the run folder."""
    label = "nobudget" if budget_vnd is None else f"{budget_vnd / 1e9:g}bn"
    return run.folder.parent / f"{run.folder.name}-{preset}-{label}"


def replan_investments(
    run: RunInputs,
    *,
    budget_vnd: float | None | EllipsisType = ...,
    preset: str | None = None,
    weights: Mapping[str, float] | None = None,
    method: str | None = None,
    lang: str | None = None,
    sweep: Sequence[float] | None = None,
) -> Replan:
    """Plan a finished run's villages again with another budget, preset or weights.

    Nothing is written: :func:`geo_cds.pipeline.replan` writes the result.
    """
    plan = dataclasses.replace(run.plan, lang=lang) if lang else run.plan
    name, budget = replan_settings(run, budget_vnd=budget_vnd, preset=preset)
    inv = plan_investments(run.villages, run.communes, run.parks, run.sites, run.fibre, plan,
                           weights=weights, preset=preset, budget_vnd=budget, method=method)
    return Replan(run=run, plan=plan, preset=name, budget_vnd=budget, investment=inv,
                  sweep=inv.sweep(sweep) if sweep else None)
