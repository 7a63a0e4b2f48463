"""What :func:`geo_cds.pipeline.analyse` returns: a run in memory, before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_cds.plan import Plan


@dataclass
class RunResult:
    """Everything :func:`analyse` found, in memory (nothing written yet).

    Attributes
    ----------
    plan : Plan
        The plan analysed.
    inputs : geo_cds.inputs.read.Inputs
        The layers as read, with ``problems`` (every input problem found).
    communes, villages : GeoDataFrame
        Per commune and per village: coverage, shares and gaps against the targets.
    parks, streets : GeoDataFrame or None
        Industrial parks with their 5G coverage; cashless streets and markets.
    investment : geo_cds.planning.priority.InvestmentPlan
        The priority list, interventions, budget selection and plan summary.
    targets : DataFrame
        Province-level status of every official target.
    accounting : DataFrame
        Every input row used, repaired or rejected, per layer.
    timings : dict
        Seconds per stage.
    checks : list of geo_cds.checks.Check
        The run's self-checks (all passed: a failing one stops the run).
    modelled : list of geo_cds.outputs.maps.rasters.GridLayer
        The coverage model's best-server RSRP per technology (``[coverage_model]``), in
        memory for the map's overlays; empty without a model.
    overlays : dict of str to geo_cds.analysis.coverage.DisplayGrid
        Each coverage raster of the plan averaged down for the map by the coverage pass
        (the map draws it from here instead of reading the raster again); empty when no
        coverage pass ran.
    folder : Path or None
        The run folder, once written.
    """

    plan: Plan
    inputs: object  # geo_cds.inputs.read.Inputs
    communes: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame
    parks: gpd.GeoDataFrame | None
    streets: gpd.GeoDataFrame | None
    investment: object | None  # geo_cds.planning.priority.InvestmentPlan
    targets: pd.DataFrame
    accounting: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    started: str = ""
    checks: list = field(default_factory=list)  # geo_cds.checks.Check, all passed
    # which source each download target is judged on, and where the sources disagree
    # (geo_cds.pipeline.measured_speeds)
    sources: dict = field(default_factory=dict)
    modelled: list = field(default_factory=list)  # geo_cds.outputs.maps.rasters.GridLayer
    overlays: dict = field(default_factory=dict)  # name -> analysis.coverage.DisplayGrid
    folder: Path | None = None

    @property
    def problems(self):
        return self.inputs.problems

    @property
    def generated(self) -> list[str]:
        specs = {"villages": self.plan.villages, "parks": self.plan.parks,
                 "streets": self.plan.streets, "sites": self.plan.sites,
                 "fibre": self.plan.fibre, "speeds": self.plan.speeds,
                 "stations": self.plan.coverage_model, **self.plan.rasters}
        return [name for name, spec in specs.items() if spec is not None and spec.generated]
