"""Which villages come first and what a budget buys: score, presets, budget selection.

:func:`plan_investments` is the stage the pipeline calls after the gaps: it costs the
interventions (:mod:`geo_cds.planning.interventions`), scores every village with a gap, chooses what
the budget funds and returns an :class:`InvestmentPlan`.

**Score** and presets: :mod:`geo_cds.planning.score`. **Money**: every cost and
people figure comes from the ledger (:mod:`geo_cds.planning.ledger`), which also
says how a row shows the cost of an intervention it shares.

**Budget.** Selection units are the interventions (a shared route or site is bought whole);
a village counts as served when every intervention it needs is funded. The exact selection
maximises the people served under the budget as an integer programme (HiGHS through
:func:`scipy.optimize.milp`); the greedy one buys the intervention with the most people per
VND next (a village needing two interventions credits half to each until one is bought).
Both always run, and the summary reports the gap. **Due dates decide the order:** the 5G
plans of the parks whose target year is due by the plan's ``reference_year`` are funded off
the top of the budget, cheapest first; then the villages; then, from what is left, the parks
whose target is not due yet (a park due in 2030 never goes ahead of a village due in 2025).

**Rank.** Funded villages first, each group by score (then population), so the cumulative
cost column reaches the budget at the last funded row. ``in_budget`` is True when every
intervention the village needs is funded (False for a village that needs none, e.g. one
whose only gap is household uptake of fibre that already reaches it).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import EllipsisType

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.checks import Check, enforce
from geo_cds.errors import LayerError
from geo_cds.geom import has_location, projected_points
from geo_cds.inputs.crs import metric_crs
from geo_cds.labels import LANGS, labels
from geo_cds.plan import Costs, Plan, Target, Weights
from geo_cds.planning import interventions as iv
from geo_cds.planning.budget import (
    SelectionProblem,
    budget_sweep,
    fund_first,
    select_budget,
    select_greedy,
)
from geo_cds.planning.ledger import (
    COST_CARRIED_IDS,
    INTERVENTION_IDS,
    carry_costs,
    interventions_layer,
    money_checks,
    split_ids,
)
from geo_cds.planning.parks import PARK_COLUMNS, park_upgrades, parks_due, parks_table
from geo_cds.planning.plan_summary import plan_summary
from geo_cds.planning.score import (
    SCORE_COMPONENTS,
    SCORE_COST,
    resolve_objective,
    resolve_weights,
    score_villages,
)

log = logging.getLogger(__name__)

GAP_TARGETS = {s.GAP_MOBILE: "village_mobile_broadband", s.GAP_FIBRE: "village_fibre",
               s.GAP_HH_FIBRE: "household_fibre"}

GAPS = "gaps"
FIBRE_FEASIBLE = "fibre_feasible"
FIBRE_LINK_KM = "fibre_link_km"
NOTES = "notes"

PRIORITY_COLUMNS = [
    s.RANK, s.PROVINCE_CODE, s.PROVINCE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME, s.VILLAGE_ID,
    s.VILLAGE_NAME, s.POPULATION, s.HOUSEHOLDS, s.DBKK, s.NEEDS_POWER, GAPS, s.INTERVENTION,
    INTERVENTION_IDS, FIBRE_FEASIBLE, FIBRE_LINK_KM, s.COST_VND, COST_CARRIED_IDS, s.SCORE,
    *SCORE_COMPONENTS.values(), s.CUM_COST_VND, s.IN_BUDGET, NOTES,
]




# ---------------------------------------------------------------------------------------------
# The stage


@dataclass
class InvestmentPlan:
    """What :func:`plan_investments` returns.

    Attributes
    ----------
    priority : DataFrame
        One row per village with a gap, ranked (columns :data:`PRIORITY_COLUMNS`).
    interventions : GeoDataFrame
        EPSG:4326, one row per route, site or 5G upgrade: ``intervention_id``, ``kind``,
        ``cost_vnd``, ``n_villages``, ``population_served``, ``village_ids``, ``park_ids``,
        ``length_km``, ``new_site``, ``site_id``, ``off_grid_power``, ``in_budget``,
        geometry (site points, route lines).
    summary : dict
        Totals (see :func:`plan_investments`), JSON-ready.
    parks : DataFrame
        One row per industrial park with a 5G gap: its upgrade, cost and ``in_budget``.
    problem : SelectionProblem or None
        The village selection problem, for budget sweeps (:func:`budget_sweep`).
    reserved : array
        Costs a budget sweep takes off the top before the villages: the parks' 5G this plan
        funds first (due by the reference year; empty when not ``parks_in_budget``).
    checks : list of Check
        The ledger's reconciliation of every view (all passed: a failure raises).
    plan : Plan
        The effective plan: the preset's weights written out and every override applied, so
        planning again with it reproduces this plan exactly.
    """

    priority: pd.DataFrame
    interventions: gpd.GeoDataFrame
    summary: dict
    parks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PARK_COLUMNS))
    problem: SelectionProblem | None = field(default=None, repr=False)
    reserved: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    checks: list[Check] = field(default_factory=list)
    plan: Plan | None = None

    def sweep(self, budgets: Iterable[float], **kw) -> pd.DataFrame:
        """:func:`budget_sweep` of this plan (parks funded first, as in the plan itself)."""
        return budget_sweep(self.problem, budgets, reserved=self.reserved, **kw)


def _bool(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].astype("boolean").fillna(False).to_numpy(bool)


def _join_where(parts, sep: str, n: int) -> np.ndarray:
    """Per row, ``sep``-join of the texts whose condition holds, in the order given.

    ``parts`` are ``(condition, text)`` with a bool array and a string or an array of strings.
    """
    out = np.full(n, "", dtype=object)
    started = np.zeros(n, dtype=bool)
    for cond, text in parts:
        text = np.broadcast_to(np.asarray(text, dtype=object), (n,))
        both = cond & started
        out[both] = out[both] + sep + text[both]
        alone = cond & ~started
        out[alone] = text[alone]
        started |= cond
    return out


def _target_year(targets: Sequence[Target], target_id: str) -> float:
    for t in targets:
        if t.id == target_id:
            return float(t.year)
    return np.nan


def _metric(gdf: gpd.GeoDataFrame | None, crs: str) -> gpd.GeoDataFrame | None:
    if gdf is None or not len(gdf):
        return None
    if gdf.crs is None:
        raise LayerError("a layer passed to plan_investments has no CRS; load it through "
                         "geo_cds.inputs so it is in EPSG:4326")
    return gdf.to_crs(crs)


def plan_investments(
    villages: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame | pd.DataFrame,
    parks: gpd.GeoDataFrame | None,
    sites: gpd.GeoDataFrame | None,
    fibre: gpd.GeoDataFrame | None,
    plan: Plan,
    *,
    weights: Weights | Mapping[str, float] | None = None,
    preset: str | None = None,
    budget_vnd: float | None | EllipsisType = ...,
    method: str | None = None,
    objective: str | None = None,
    parks_in_budget: bool | None = None,
    off_grid_power_usd: float | None = None,
    upgrade_radius_km: float | None = None,
    time_limit_s: float | None = None,
) -> InvestmentPlan:
    """Cost the interventions, score and rank the villages, choose what the budget buys.

    Parameters
    ----------
    villages : GeoDataFrame
        All villages after the gap stage (EPSG:4326; ``schema`` columns incl. the gap flags).
    communes : DataFrame
        ``commune_code``, ``commune_name``, ``province_code``, ``province_name``.
    parks : GeoDataFrame or None
        Parks after the coverage stage, with ``gap_5g``.
    sites, fibre : GeoDataFrame or None
        Existing sites (for 5G upgrades) and the fibre network (nodes or cables).
    plan : Plan
        ``costs``, ``weights``, ``budget``, ``targets``, ``reference_year``, ``lang``.
    weights : Weights or mapping, optional
        A full set of weights, or single overrides on top of the preset (``{"dbkk": 0.5}``).
    preset : str, optional
        Overrides ``plan.budget.preset``.
    budget_vnd : float or None, optional
        Overrides ``plan.budget.vnd`` (``None``: no cut-off; not given: the plan's).
    method : {"exact", "greedy"}, optional
        Overrides ``plan.budget.method``; the other one still runs, for the reported gap.
    objective : {"people", "score", "people_min_cost"}, optional
        Maximise people served, people × score, or people served and then the least spend;
        default: the preset's (:data:`geo_cds.planning.score.PRESET_OBJECTIVES`) unless the
        plan sets ``budget.objective``.
    parks_in_budget : bool, optional
        Fund the parks' 5G upgrades off the top of the budget, cheapest first;
        ``False`` leaves them out of the budget (reported separately). Default
        ``plan.budget.parks_first``.
    off_grid_power_usd : float, optional
        Extra cost of a new site at a village without grid power
        (default ``plan.costs.off_grid_power_usd``).
    upgrade_radius_km : float, optional
        Reach of a 5G upgrade around an existing site (default ``plan.costs.site_radius_5g_km``).
    time_limit_s : float, optional
        Time limit of the integer programme (default ``plan.budget.time_limit_s``).

    Returns
    -------
    InvestmentPlan
    """
    costs: Costs = plan.costs
    parks_in_budget = plan.budget.parks_first if parks_in_budget is None else parks_in_budget
    off_grid_power_usd = costs.off_grid_power_usd if off_grid_power_usd is None \
        else off_grid_power_usd
    upgrade_radius_km = costs.site_radius_5g_km if upgrade_radius_km is None else upgrade_radius_km
    time_limit_s = plan.budget.time_limit_s if time_limit_s is None else time_limit_s
    objective = resolve_objective(plan, objective, preset)
    lang = plan.lang if plan.lang in LANGS else "vi"
    if isinstance(weights, Weights):
        w = weights
    else:
        w = resolve_weights(plan, weights, preset)
    budget = plan.budget.vnd if budget_vnd is ... else budget_vnd
    method = method or plan.budget.method
    preset_name = preset or plan.budget.preset

    effective = dataclasses.replace(
        plan, weights=w,
        budget=dataclasses.replace(plan.budget, vnd=budget, preset=preset_name, method=method,
                                   objective=objective, parks_first=parks_in_budget,
                                   time_limit_s=time_limit_s),
        costs=dataclasses.replace(costs, off_grid_power_usd=off_grid_power_usd,
                                  site_radius_5g_km=upgrade_radius_km))
    crs = metric_crs(villages) if len(villages) else "EPSG:32648"
    v = villages
    gap_m = _bool(v, s.GAP_MOBILE)
    gap_f = _bool(v, s.GAP_FIBRE)
    gap_h = _bool(v, s.GAP_HH_FIBRE)
    no_power = _bool(v, s.NEEDS_POWER) if s.NEEDS_POWER in v else ~_bool(v, s.HAS_POWER)
    located = has_location(v.geometry)  # a village without a location cannot be costed

    # --- interventions (in the metric CRS; only the villages each one needs are projected) -
    # the fibre-served villages (nearly all of them) go to the network as coordinates
    served_xy, served_rest = projected_points(v.geometry[_bool(v, s.HAS_FIBRE) & ~gap_f], crs)
    served_net = [served_rest]
    fm = _metric(fibre, crs)
    if fm is not None:
        served_net.append(fm.geometry)
    network = gpd.GeoSeries(pd.concat(served_net, ignore_index=True), crs=crs)
    # the villages each one needs, with the columns it reads (not the whole frame)
    reads = [c for c in (s.VILLAGE_ID, s.POPULATION, s.HAS_POWER) if c in v]
    reads.append(v.geometry.name)
    routes, fib = iv.fibre_routes(v.loc[gap_f & located, reads].to_crs(crs), network, costs,
                                  network_xy=served_xy)
    new_sites, mob = iv.site_cover(v.loc[gap_m & located, reads].to_crs(crs), costs,
                                   off_grid_power_usd=off_grid_power_usd)
    pm = _metric(parks, crs)
    if pm is not None:
        pm = pm[_bool(pm, s.PARK_GAP_5G)]
    upgrades, per_park = park_upgrades(
        pm if pm is not None else gpd.GeoDataFrame(
            {s.PARK_ID: pd.Series([], dtype=str)}, geometry=gpd.GeoSeries([], crs=crs), crs=crs),
        _metric(sites, crs), costs, radius_km=upgrade_radius_km, lang=lang,
    )

    # --- the priority table --------------------------------------------------------------
    has_gap = gap_m | gap_f | gap_h
    t = pd.DataFrame(v.loc[has_gap, v.columns.drop("geometry")])
    t[s.GAP_MOBILE], t[s.GAP_FIBRE], t[s.GAP_HH_FIBRE] = gap_m[has_gap], gap_f[has_gap], \
        gap_h[has_gap]
    t[s.NEEDS_POWER] = no_power[has_gap]
    # costing a 4G or fibre gap needs the village's location: without one the cost is unknown
    t["_cost_unknown"] = (~located & (gap_m | gap_f))[has_gap]
    site_id = mob["site_id"].reindex(t.index)
    route_id = fib["route_id"].reindex(t.index)
    feasible = fib["fibre_feasible"].reindex(t.index)
    t[FIBRE_FEASIBLE] = pd.array(np.where(t[s.GAP_FIBRE], feasible.fillna(False), pd.NA),
                                 dtype="boolean")
    t[FIBRE_LINK_KM] = fib["link_km"].reindex(t.index).astype(float).round(3)
    t[SCORE_COST] = (mob["site_cost_vnd"].reindex(t.index).fillna(0).astype(np.int64)
                     + fib["fibre_cost_vnd"].reindex(t.index).fillna(0).astype(np.int64))
    hh_pct = 100 * next((x.threshold for x in plan.targets if x.id == "household_fibre"), 0.8)
    gap_names = {k: v.format(pct=hh_pct) for k, v in labels("gap", lang).items()}
    off_grid_sites = set(new_sites.loc[new_sites[iv.OFF_GRID].astype(bool), iv.INTERVENTION_ID]) \
        if len(new_sites) else set()
    notes = labels("note", lang)
    gm, gf, gh = (t[c].to_numpy(bool) for c in (s.GAP_MOBILE, s.GAP_FIBRE, s.GAP_HH_FIBRE))
    npow, loc = t[s.NEEDS_POWER].to_numpy(bool), located[has_gap]
    feas = feasible.fillna(False).to_numpy(bool)
    sid, rid = site_id.to_numpy(object), route_id.to_numpy(object)
    infra = gm | gf
    wants_site, wants_route = gm & loc, gf & feas
    off_grid = wants_site & pd.Series(sid).isin(list(off_grid_sites)).to_numpy()
    # the readable columns: each is a join of the parts whose condition holds, in this order
    readable = {
        GAPS: ("; ", [(gm, gap_names[s.GAP_MOBILE]), (gf, gap_names[s.GAP_FIBRE]),
                      (gh, gap_names[s.GAP_HH_FIBRE])]),
        s.INTERVENTION: (";", [(npow & infra, iv.POWER_FIRST), (wants_site, iv.NEW_4G_SITE),
                               (wants_route, iv.FIBRE_EXTENSION)]),
        INTERVENTION_IDS: (";", [(wants_site, sid), (wants_route, rid)]),
        NOTES: ("; ", [(npow & infra, notes["power"]), (~loc & infra, notes["no_location"]),
                       (off_grid, notes["off_grid"]),
                       (gf & loc & ~feas, notes["no_fibre"].format(km=costs.fibre_max_segment_km)),
                       (gh & ~infra, notes["hh_only"])]),
    }
    for col, (sep, parts) in readable.items():
        t[col] = pd.Series(_join_where(parts, sep, len(t)), index=t.index, dtype="string")
    years = {c: _target_year(plan.targets, tid) for c, tid in GAP_TARGETS.items()}
    t["deadline_year"] = pd.DataFrame(
        {c: np.where(t[c], years[c], np.nan) for c in GAP_TARGETS}, index=t.index).min(axis=1)
    if s.N_GAPS not in t:
        t[s.N_GAPS] = t[list(GAP_TARGETS)].sum(axis=1)
    for col in (s.HOUSEHOLDS, s.DBKK):
        if col not in t:
            t[col] = pd.NA
    t = score_villages(t, w, plan.reference_year)

    names = pd.DataFrame(communes).drop(columns="geometry", errors="ignore")
    names = names[[c for c in (s.COMMUNE_CODE, s.COMMUNE_NAME, s.PROVINCE_CODE, s.PROVINCE_NAME)
                   if c in names]].drop_duplicates(s.COMMUNE_CODE)
    t = t.drop(columns=[c for c in names.columns if c != s.COMMUNE_CODE and c in t])
    t = t.reset_index(drop=True).merge(names, on=s.COMMUNE_CODE, how="left")

    # --- parks due by the reference year first, then the villages, then the later parks ---
    park_cost = upgrades[s.COST_VND].to_numpy(np.int64) if len(upgrades) else np.zeros(0, np.int64)
    park_due = parks_due(upgrades, pm, plan)
    park_funded = np.zeros(len(upgrades), dtype=bool)
    village_budget = budget
    if budget is not None and parks_in_budget and len(upgrades):
        park_funded[park_due] = fund_first(park_cost[park_due], budget)
        village_budget = float(budget) - float(park_cost[park_funded].sum())
    elif budget is None:
        park_funded[:] = True

    # --- the village selection problem -----------------------------------------------------
    units = pd.concat([new_sites.drop(columns="geometry"), routes.drop(columns="geometry")],
                      ignore_index=True)
    row, iid = split_ids(t[INTERVENTION_IDS])
    pop = pd.to_numeric(t[s.POPULATION], errors="coerce").fillna(0).to_numpy(float)
    values = pop * t[s.SCORE].to_numpy(float) if objective == "score" else pop
    problem = SelectionProblem.from_pairs(
        units[s.COST_VND].to_numpy(float) if len(units) else [], row,
        pd.Index(units[iv.INTERVENTION_ID] if len(units) else []).get_indexer(iid), len(t),
        values, pop, least_cost=objective == "people_min_cost")
    sel = select_budget(problem, village_budget, method, time_limit_s=time_limit_s)
    other = None
    if village_budget is not None:
        other = (select_greedy(problem, village_budget) if sel.method == "exact"
                 else select_budget(problem, village_budget, "exact", time_limit_s=time_limit_s))
    t[s.IN_BUDGET] = sel.served
    if budget is not None and parks_in_budget and (~park_due).any():
        left = float(village_budget) - sel.cost  # the parks not due yet take what is left
        park_funded[~park_due] = fund_first(park_cost[~park_due], left)

    # --- rank and cumulative cost ------------------------------------------------------------
    t = t[[c for c in t.columns if c in {*PRIORITY_COLUMNS, "deadline_year", "_cost_unknown"}]]
    order = pd.DataFrame({k: t[k].array for k in (s.IN_BUDGET, s.SCORE, s.POPULATION)}).assign(
        _vid=t[s.VILLAGE_ID].astype(str).array).sort_values(
        [s.IN_BUDGET, s.SCORE, s.POPULATION, "_vid"], ascending=[False, False, False, True],
        kind="stable").index.to_numpy()
    t = t.take(order).reset_index(drop=True)  # only the sort keys sorted, the rows taken once
    t[s.RANK] = np.arange(1, len(t) + 1, dtype=np.int64)
    # the ledger's rule: an intervention's full cost on the highest-ranked row needing it
    cost_of = dict(zip(units[iv.INTERVENTION_ID].to_numpy(object).tolist(),
                       units[s.COST_VND].to_numpy().tolist(), strict=True)) \
        if len(units) else {}
    carried_cost, carried_ids = carry_costs(t[INTERVENTION_IDS], cost_of)
    t[s.COST_VND] = pd.array(carried_cost, dtype="Int64")
    t.loc[t["_cost_unknown"].to_numpy(bool), s.COST_VND] = pd.NA  # missing, never 0
    t[COST_CARRIED_IDS] = pd.Series(carried_ids, index=t.index, dtype="string")
    t[s.CUM_COST_VND] = t[s.COST_VND].fillna(0).cumsum().astype(np.int64)  # the known costs
    for col in PRIORITY_COLUMNS:
        if col not in t:
            t[col] = pd.NA
    priority = t[PRIORITY_COLUMNS + ["deadline_year"]].drop(columns="deadline_year")
    for col in (s.PROVINCE_CODE, s.COMMUNE_CODE, s.VILLAGE_ID):
        priority[col] = priority[col].astype("string")

    # --- interventions layer ------------------------------------------------------------------
    inter = interventions_layer(new_sites, routes, upgrades, sel.chosen, park_funded, crs)

    # --- parks table ------------------------------------------------------------------------
    park_table = parks_table(pm, per_park, upgrades, park_funded)

    summary = plan_summary(
        plan=plan, weights=w, preset=preset_name, method=method, objective=objective,
        budget=budget, village_budget=village_budget, table=t, inter=inter, sel=sel,
        other=other, park_funded=park_funded, park_cost=park_cost, park_due=park_due,
        parks_in_budget=parks_in_budget, upgrades=upgrades,
        large_zones=park_table.loc[park_table[iv.SIZING_NOTE].fillna("").ne(""), s.PARK_ID]
        .astype(str).tolist(),
    )
    checks = enforce(money_checks(priority, inter, park_table, summary))
    return InvestmentPlan(priority=priority, interventions=inter, summary=summary,
                          parks=park_table, problem=problem, checks=checks, plan=effective,
                          reserved=park_cost[park_funded & park_due].astype(float)
                          if parks_in_budget
                          else np.zeros(0))
