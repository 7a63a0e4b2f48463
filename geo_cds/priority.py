"""Which villages come first and what a budget buys: score, presets, budget selection.

:func:`plan_investments` is the stage the pipeline calls after the gaps: it costs the
interventions (:mod:`geo_cds.interventions`), scores every village with a gap, chooses what
the budget funds and returns an :class:`InvestmentPlan`.

**Score.** Four components, each 0..1, combined with :class:`geo_cds.plan.Weights`
(normalised to sum 1), so every number in the list can be explained:

- ``score_people_per_vnd`` — people served per VND of the village's share of its
  interventions, as a percentile among the costed villages (1 = the best value for money);
- ``score_dbkk`` — 1 for a village in an extremely difficult (ĐBKK) commune, the
  public-telecom-fund priority (QĐ 2269/QĐ-TTg);
- ``score_deadline`` — urgency of the earliest target year among the village's gaps:
  1 when due by the plan's reference year, falling linearly to 0 five years later;
- ``score_severity`` — the village's infrastructure gaps (4G, fibre, households on fibre)
  over 3.

Named presets (:data:`PRESETS`) give the weights; weights set in the plan file or on the
command line override them.

**Budget.** Selection units are the interventions (a shared route or site is bought whole);
a village counts as served when every intervention it needs is funded. The exact selection
maximises the people served under the budget as an integer programme (HiGHS through
:func:`scipy.optimize.milp`); the greedy one buys the intervention with the most people per
VND next (a village needing two interventions credits half to each until one is bought).
Both always run, and the summary reports the gap. The 5G upgrades of industrial parks, a
mandated 2025 target, are funded off the top of the budget, cheapest first.

**Rank.** Funded villages first, each group by score (then population), so the cumulative
cost column reaches the budget at the last funded row. ``in_budget`` is True when every
intervention the village needs is funded (False for a village that needs none, e.g. one
whose only gap is household uptake of fibre that already reaches it).
"""

from __future__ import annotations

import dataclasses
import heapq
import json
import logging
import shutil
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import EllipsisType

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, vstack

from geo_cds import interventions as iv
from geo_cds import schema as s
from geo_cds.errors import LayerError, PlanError
from geo_cds.crs import metric_crs
from geo_cds.geom import has_location
from geo_cds.plan import Budget, Costs, Plan, Target, Weights

log = logging.getLogger(__name__)

# Score components: Weights field -> priority column.
SCORE_COMPONENTS = {
    "people_per_vnd": "score_people_per_vnd",
    "dbkk": "score_dbkk",
    "deadline": "score_deadline",
    "severity": "score_severity",
}

PRESETS: dict[str, Weights] = {
    # most people reached soonest for the money, gaps still weigh
    "coverage-first": Weights(people_per_vnd=0.6, dbkk=0.1, deadline=0.1, severity=0.2),
    # extremely difficult communes first (public-telecom-fund rules)
    "equity": Weights(people_per_vnd=0.2, dbkk=0.5, deadline=0.1, severity=0.2),
    # value for money above all
    "cost-effective": Weights(people_per_vnd=0.8, dbkk=0.0, deadline=0.1, severity=0.1),
}

DEADLINE_HORIZON_YEARS = 5
GAP_TARGETS = {s.GAP_MOBILE: "village_mobile_broadband", s.GAP_FIBRE: "village_fibre",
               s.GAP_HH_FIBRE: "household_fibre"}
MAX_EXACT_UNITS = 200_000  # above this many interventions + village groups: greedy only
EXACT_TIME_LIMIT_S = 60.0

GAPS = "gaps"
INTERVENTION_IDS = "intervention_ids"
FIBRE_FEASIBLE = "fibre_feasible"
FIBRE_LINK_KM = "fibre_link_km"
NOTES = "notes"

PRIORITY_COLUMNS = [
    s.RANK, s.PROVINCE_CODE, s.PROVINCE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME, s.VILLAGE_ID,
    s.VILLAGE_NAME, s.POPULATION, s.HOUSEHOLDS, s.DBKK, s.NEEDS_POWER, GAPS, s.INTERVENTION,
    INTERVENTION_IDS, FIBRE_FEASIBLE, FIBRE_LINK_KM, s.COST_VND, s.SCORE,
    *SCORE_COMPONENTS.values(), s.CUM_COST_VND, s.IN_BUDGET, NOTES,
]

PARK_COLUMNS = [
    s.PROVINCE_CODE, s.PARK_ID, s.PARK_NAME, s.PARK_KIND, s.TARGET_5G_YEAR, iv.INTERVENTION_ID,
    iv.SITE_ID_USED, iv.NEW_SITE, "site_distance_km", s.COST_VND, s.IN_BUDGET,
]

_GAP_LABELS = {
    "vi": {s.GAP_MOBILE: "4G", s.GAP_FIBRE: "cáp quang",
           s.GAP_HH_FIBRE: "hộ dùng cáp quang < {pct:g}%"},
    "en": {s.GAP_MOBILE: "4G", s.GAP_FIBRE: "fibre", s.GAP_HH_FIBRE: "household fibre < {pct:g}%"},
}
_NOTES = {
    "vi": {
        "power": "chưa có điện lưới: cấp điện trước (quỹ dịch vụ viễn thông công ích)",
        "off_grid": "trạm mới đặt tại thôn chưa có điện: tính thêm nguồn điện độc lập",
        "no_fibre": "cáp quang không khả thi: đoạn mới > {km:g} km hoặc không có mạng để nối "
                    "(xem xét vi ba/vệ tinh)",
        "hh_only": "chỉ thiếu hộ dùng cáp quang: không cần đầu tư hạ tầng mới",
        "no_location": "thôn không có vị trí: chưa tính được chi phí",
    },
    "en": {
        "power": "no grid power: power first (public telecom fund)",
        "off_grid": "the new site stands at a village without grid power: off-grid power "
                    "system included",
        "no_fibre": "fibre not feasible: new segment > {km:g} km or no network to extend "
                    "(consider microwave/satellite)",
        "hh_only": "only household fibre uptake: no new infrastructure needed",
        "no_location": "village has no location: cost not estimated",
    },
}


# ---------------------------------------------------------------------------------------------
# Weights and presets


def resolve_weights(plan: Plan, overrides: Mapping[str, float] | None = None,
                    preset: str | None = None) -> Weights:
    """The weights a run uses.

    ``preset`` (default ``plan.budget.preset``) gives the base weights unless the plan sets
    its own ``[weights]`` (anything other than the defaults); ``overrides`` (e.g. from
    ``--weight dbkk=0.5``) then replace single weights.

    Raises
    ------
    PlanError
        Unknown preset or weight name, a negative weight, or all weights zero.
    """
    name = preset or plan.budget.preset
    if name not in PRESETS:
        raise PlanError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}")
    base = PRESETS[name] if (preset or plan.weights == Weights()) else plan.weights
    values = dataclasses.asdict(base)
    for key, value in (overrides or {}).items():
        if key not in values:
            raise PlanError(f"unknown weight {key!r}; known: {sorted(values)}")
        values[key] = float(value)
    if any(v < 0 for v in values.values()):
        raise PlanError(f"weights must not be negative, got {values}")
    if sum(values.values()) <= 0:
        raise PlanError(f"at least one weight must be positive, got {values}")
    return Weights(**values)


def score_villages(table: pd.DataFrame, weights: Weights, reference_year: int) -> pd.DataFrame:
    """Add the score components and the weighted score to a priority table.

    Parameters
    ----------
    table : DataFrame
        One row per village with ``population``, ``cost_vnd`` (its share, 0 when nothing is
        costed), ``dbkk``, ``n_gaps`` and ``deadline_year`` (earliest target year of its gaps).
    weights : Weights
        Combined after normalising to sum 1.
    reference_year : int
        The plan's year: a target due by then is fully urgent.

    Returns
    -------
    DataFrame
        A copy with ``score_people_per_vnd``, ``score_dbkk``, ``score_deadline``,
        ``score_severity`` and ``score``, all 0..1.
    """
    out = table.copy()
    pop = pd.to_numeric(out[s.POPULATION], errors="coerce").fillna(0).astype(float)
    cost = pd.to_numeric(out[s.COST_VND], errors="coerce").fillna(0).astype(float)
    costed = cost > 0
    ppv = (pop / cost.where(costed)).where(costed)
    out["score_people_per_vnd"] = ppv.rank(pct=True, method="average").fillna(0.0)
    out["score_dbkk"] = out[s.DBKK].astype("boolean").fillna(False).astype(float)
    year = pd.to_numeric(out["deadline_year"], errors="coerce")
    urgency = 1.0 - (year - reference_year) / DEADLINE_HORIZON_YEARS
    out["score_deadline"] = urgency.clip(0.0, 1.0).fillna(0.0)
    out["score_severity"] = (pd.to_numeric(out[s.N_GAPS], errors="coerce").fillna(0) / 3.0) \
        .clip(0.0, 1.0)
    w = dataclasses.asdict(weights)
    total = sum(w.values())
    out[s.SCORE] = sum(out[col] * (w[name] / total) for name, col in SCORE_COMPONENTS.items())
    return out


# ---------------------------------------------------------------------------------------------
# Budget selection


@dataclass
class SelectionProblem:
    """What the budget chooses among.

    ``costs[k]`` is intervention ``k``'s cost (VND); village ``v`` is served when every
    intervention in row ``v`` of ``needs`` (villages × interventions, 0/1) is bought, and
    then adds ``values[v]`` to the objective and ``people[v]`` to the people served.
    A village with no row entries has nothing to buy and is never counted.
    """

    costs: np.ndarray
    needs: csr_matrix
    values: np.ndarray
    people: np.ndarray

    @classmethod
    def build(cls, costs: Sequence[float], needs: Iterable[Iterable[int]],
              values: Sequence[float], people: Sequence[float] | None = None) -> SelectionProblem:
        """From a list of cost and, per village, the indices of the interventions it needs."""
        costs = np.asarray(costs, dtype=float)
        rows, cols = [], []
        needs = list(needs)
        for v, ks in enumerate(needs):
            for k in ks:
                rows.append(v)
                cols.append(int(k))
        m = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(needs), len(costs)))
        m.data[:] = 1.0
        m.sum_duplicates()
        m.data[:] = 1.0
        values = np.asarray(values, dtype=float)
        people = values if people is None else np.asarray(people, dtype=float)
        return cls(costs, m, values, people)


@dataclass
class Selection:
    """One answer to a :class:`SelectionProblem`."""

    chosen: np.ndarray  # bool per intervention
    served: np.ndarray  # bool per village
    value: float
    people: float
    cost: float
    method: str  # "exact" | "greedy" | "all"
    status: str  # "optimal" | "time_limit" | "greedy" | "greedy (too large for exact)" | "no budget"


def _finish(p: SelectionProblem, served: np.ndarray, method: str, status: str) -> Selection:
    """Buy exactly what the served villages need (nothing idle) and total it up."""
    has = np.diff(p.needs.indptr) > 0
    served = served & has
    chosen = np.asarray(p.needs[served].sum(axis=0)).ravel() > 0
    return Selection(chosen=chosen, served=served, value=float(p.values[served].sum()),
                     people=float(p.people[served].sum()), cost=float(p.costs[chosen].sum()),
                     method=method, status=status)


def _groups(p: SelectionProblem) -> tuple[np.ndarray, csr_matrix, np.ndarray]:
    """Merge villages needing the same set of interventions: fewer integer variables."""
    m = p.needs
    keys = [m.indices[m.indptr[v]:m.indptr[v + 1]].tobytes() for v in range(m.shape[0])]
    codes, uniques = pd.factorize(pd.Series(keys, dtype=object))
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    value = np.bincount(codes, weights=p.values, minlength=len(uniques))
    return codes, m[first], value


def select_greedy(p: SelectionProblem, budget: float) -> Selection:
    """Buy the intervention with the most value per VND next, while the budget lasts.

    A village still missing ``r`` interventions credits ``value / r`` to each of them, so a
    village needing a route and a site pulls both. Gains are kept in a heap and refreshed
    only for the interventions touched by the last purchase.
    """
    codes, m, value = _groups(p)
    g_count = m.shape[0]
    has = np.diff(m.indptr) > 0
    remaining = np.diff(m.indptr).astype(float)
    served = np.zeros(g_count, dtype=bool)
    mt = m.T.tocsr()
    cost = p.costs
    chosen = np.zeros(len(cost), dtype=bool)

    def gain(k: int) -> float:
        g = mt.indices[mt.indptr[k]:mt.indptr[k + 1]]
        g = g[~served[g] & has[g]]
        return float((value[g] / remaining[g]).sum())

    def key(k: int, gk: float) -> float:
        return -(gk / cost[k]) if cost[k] > 0 else -np.inf

    version = np.zeros(len(cost), dtype=np.int64)
    credit = np.where(has & (remaining > 0), value / np.maximum(remaining, 1), 0.0)
    gains = mt @ credit
    heap = [(key(k, gains[k]), k, 0) for k in range(len(cost)) if gains[k] > 0]
    heapq.heapify(heap)
    left = float(budget)
    while heap:
        _, k, ver = heapq.heappop(heap)
        if chosen[k] or ver != version[k]:
            continue
        if cost[k] > left + 1e-6:
            continue  # never fits again: the budget only shrinks
        chosen[k] = True
        left -= cost[k]
        g = mt.indices[mt.indptr[k]:mt.indptr[k + 1]]
        g = g[~served[g]]
        remaining[g] -= 1
        served[g[remaining[g] == 0]] = True
        touched = np.unique(m[g].indices) if len(g) else np.zeros(0, dtype=np.int64)
        for j in touched:
            if not chosen[j]:
                version[j] += 1
                gj = gain(j)
                if gj > 0:
                    heapq.heappush(heap, (key(j, gj), j, version[j]))
    return _finish(p, served[codes], "greedy", "greedy")


def select_exact(p: SelectionProblem, budget: float, *,
                 time_limit_s: float = EXACT_TIME_LIMIT_S) -> Selection:
    """Maximise the value served under the budget: a 0/1 integer programme (HiGHS).

    Variables ``x_k`` (buy intervention k) and ``y_g`` (serve the villages of group g,
    those needing the same interventions); ``max Σ value_g y_g`` subject to
    ``Σ cost_k x_k ≤ budget`` and ``y_g ≤ x_k`` for every intervention k group g needs.
    If the solver stops at the time limit, the better of its incumbent and the greedy
    answer is returned (status ``"time_limit"``).
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    codes, m, value = _groups(p)
    useful = (value > 0) & (np.diff(m.indptr) > 0)
    gidx = np.flatnonzero(useful)
    m_use = m[gidx]
    kidx = np.flatnonzero(np.asarray(m_use.sum(axis=0)).ravel() > 0)
    greedy = select_greedy(p, budget)
    if len(gidx) == 0:
        return _finish(p, np.zeros(len(codes), dtype=bool), "exact", "optimal")
    m_use = m_use[:, kidx].tocsr()
    value_use = value[gidx]
    # A group needing a single intervention is served exactly when that one is bought: fold
    # its value into the intervention's coefficient instead of a variable and a constraint.
    single = np.diff(m_use.indptr) == 1
    obj_k = np.bincount(m_use.indices[m_use.indptr[:-1][single]], weights=value_use[single],
                        minlength=len(kidx))
    multi = m_use[~single].tocoo()
    n_k, n_g = len(kidx), int((~single).sum())
    scale = max(float(np.max(p.costs[kidx])), 1.0)  # costs of order 1: better numerics
    cost = p.costs[kidx] / scale
    c = np.concatenate([-obj_k, -value_use[~single]])
    budget_row = csr_matrix(np.concatenate([cost, np.zeros(n_g)])[None, :])
    n_pairs = multi.nnz
    pair_rows = np.repeat(np.arange(n_pairs), 2)
    pair_cols = np.column_stack([n_k + multi.row, multi.col]).ravel()
    pair_vals = np.tile([1.0, -1.0], n_pairs)
    pairs = csr_matrix((pair_vals, (pair_rows, pair_cols)), shape=(n_pairs, n_k + n_g))
    a = vstack([budget_row, pairs]).tocsr()
    ub = np.concatenate([[float(budget) / scale], np.zeros(n_pairs)])
    res = milp(
        c, constraints=LinearConstraint(a, -np.inf, ub), integrality=np.ones(n_k + n_g),
        bounds=Bounds(0, 1),
        # (presolve off halves the national-size solve time, but HiGHS 1.x then prints
        # debug lines on stdout, so it stays on)
        options={"time_limit": float(time_limit_s), "mip_rel_gap": 1e-9, "disp": False},
    )
    if res.x is None:
        log.warning("integer programme gave no solution (%s); using greedy", res.message)
        return dataclasses.replace(greedy, method="exact", status="greedy (solver failed)")
    bought = res.x[:n_k] > 0.5
    served_use = np.zeros(len(single), dtype=bool)
    served_use[~single] = res.x[n_k:] > 0.5
    served_use[single] = bought[m_use.indices[m_use.indptr[:-1][single]]]
    served_g = np.zeros(m.shape[0], dtype=bool)
    served_g[gidx] = served_use
    exact = _finish(p, served_g[codes], "exact", "optimal" if res.status == 0 else "time_limit")
    if exact.cost > budget + 0.5:  # tolerance of the solver on a huge budget row
        exact = dataclasses.replace(greedy, method="exact", status="greedy (solver tolerance)")
    if exact.value < greedy.value:
        exact = dataclasses.replace(greedy, method="exact", status=f"{exact.status}; greedy better")
    return exact


def select_budget(p: SelectionProblem, budget: float | None, method: str = "exact", *,
                  time_limit_s: float = EXACT_TIME_LIMIT_S,
                  max_exact_units: int = MAX_EXACT_UNITS) -> Selection:
    """Choose what ``budget`` buys; ``None`` buys everything.

    ``method="exact"`` solves the integer programme unless the problem has more than
    ``max_exact_units`` interventions + village groups, where it falls back to greedy.
    """
    if method not in ("exact", "greedy"):
        raise PlanError(f"budget method must be 'exact' or 'greedy', got {method!r}")
    if budget is None:
        return _finish(p, np.ones(p.needs.shape[0], dtype=bool), "all", "no budget")
    if budget < 0:
        raise PlanError(f"budget must not be negative, got {budget}")
    if method == "greedy":
        return select_greedy(p, budget)
    if len(p.costs) + p.needs.shape[0] > max_exact_units:
        sel = select_greedy(p, budget)
        return dataclasses.replace(sel, method="exact", status="greedy (too large for exact)")
    return select_exact(p, budget, time_limit_s=time_limit_s)


def fund_first(costs: Sequence[float], budget: float) -> np.ndarray:
    """Which of ``costs`` a budget funds off the top, cheapest first (the parks' 5G)."""
    costs = np.asarray(costs, dtype=float)
    funded = np.zeros(len(costs), dtype=bool)
    left = float(budget)
    for k in np.argsort(costs, kind="stable"):
        if costs[k] <= left:
            funded[k] = True
            left -= costs[k]
    return funded


def budget_sweep(p: SelectionProblem, budgets: Iterable[float], *,
                 reserved: Sequence[float] = (),
                 time_limit_s: float = EXACT_TIME_LIMIT_S) -> pd.DataFrame:
    """People served and cost per budget, exact and greedy, and the gap between them.

    ``reserved`` are costs funded off the top of each budget first, cheapest first (the
    parks' 5G upgrades when they are in the budget: ``InvestmentPlan.reserved``); the
    villages get what is left (``village_budget_vnd``).
    """
    rows = []
    for b in budgets:
        top = np.asarray(reserved, dtype=float)
        parks = float(top[fund_first(top, b)].sum()) if len(top) else 0.0
        vb = float(b) - parks
        ex = select_budget(p, vb, "exact", time_limit_s=time_limit_s)
        gr = select_greedy(p, vb)
        rows.append({
            "budget_vnd": float(b), "reserved_vnd": parks, "village_budget_vnd": vb,
            "people_exact": ex.people, "cost_exact_vnd": ex.cost,
            "people_greedy": gr.people, "cost_greedy_vnd": gr.cost,
            "gap_people": ex.people - gr.people,
            "gap_share": (ex.people - gr.people) / ex.people if ex.people else 0.0,
            "exact_status": ex.status,
        })
    return pd.DataFrame(rows)


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
        Costs funded off the top of any budget before the villages (the parks' 5G upgrades
        when ``parks_in_budget``; empty otherwise).
    """

    priority: pd.DataFrame
    interventions: gpd.GeoDataFrame
    summary: dict
    parks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=PARK_COLUMNS))
    problem: SelectionProblem | None = field(default=None, repr=False)
    reserved: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)

    def sweep(self, budgets: Iterable[float], **kw) -> pd.DataFrame:
        """:func:`budget_sweep` of this plan (parks funded first, as in the plan itself)."""
        return budget_sweep(self.problem, budgets, reserved=self.reserved, **kw)


def _bool(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.zeros(len(frame), dtype=bool)
    return frame[column].astype("boolean").fillna(False).to_numpy(bool)


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
                         "geo_cds.io so it is in EPSG:4326")
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
    objective : {"people", "score"}, optional
        Maximise people served, or people × score (the preset then also steers the budget);
        default ``plan.budget.objective``.
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
    objective = objective or plan.budget.objective
    parks_in_budget = plan.budget.parks_first if parks_in_budget is None else parks_in_budget
    off_grid_power_usd = costs.off_grid_power_usd if off_grid_power_usd is None \
        else off_grid_power_usd
    upgrade_radius_km = costs.site_radius_5g_km if upgrade_radius_km is None else upgrade_radius_km
    time_limit_s = plan.budget.time_limit_s if time_limit_s is None else time_limit_s
    if objective not in ("people", "score"):
        raise PlanError(f"objective must be 'people' or 'score', got {objective!r}")
    lang = plan.lang if plan.lang in _NOTES else "vi"
    if isinstance(weights, Weights):
        w = weights
    else:
        w = resolve_weights(plan, weights, preset)
    budget = plan.budget.vnd if budget_vnd is ... else budget_vnd
    method = method or plan.budget.method
    preset_name = preset or plan.budget.preset

    crs = metric_crs(villages) if len(villages) else "EPSG:32648"
    vm = villages.to_crs(crs)
    gap_m = _bool(vm, s.GAP_MOBILE)
    gap_f = _bool(vm, s.GAP_FIBRE)
    gap_h = _bool(vm, s.GAP_HH_FIBRE)
    no_power = _bool(vm, s.NEEDS_POWER) if s.NEEDS_POWER in vm else ~_bool(vm, s.HAS_POWER)
    located = has_location(vm.geometry)  # a village without a location cannot be costed

    # --- interventions -----------------------------------------------------------------
    served_net = [vm.geometry[_bool(vm, s.HAS_FIBRE) & ~gap_f]]
    fm = _metric(fibre, crs)
    if fm is not None:
        served_net.append(fm.geometry)
    network = gpd.GeoSeries(pd.concat(served_net, ignore_index=True), crs=crs)
    routes, fib = iv.fibre_routes(vm[gap_f & located], network, costs)
    new_sites, mob = iv.site_cover(vm[gap_m & located], costs,
                                   off_grid_power_usd=off_grid_power_usd)
    pm = _metric(parks, crs)
    if pm is not None:
        pm = pm[_bool(pm, s.PARK_GAP_5G)]
    upgrades, per_park = iv.park_upgrades(
        pm if pm is not None else gpd.GeoDataFrame(
            {s.PARK_ID: pd.Series([], dtype=str)}, geometry=gpd.GeoSeries([], crs=crs), crs=crs),
        _metric(sites, crs), costs, radius_km=upgrade_radius_km,
    )

    # --- the priority table --------------------------------------------------------------
    has_gap = gap_m | gap_f | gap_h
    t = pd.DataFrame(vm.drop(columns="geometry")).loc[has_gap].copy()
    t[s.GAP_MOBILE], t[s.GAP_FIBRE], t[s.GAP_HH_FIBRE] = gap_m[has_gap], gap_f[has_gap], \
        gap_h[has_gap]
    t[s.NEEDS_POWER] = no_power[has_gap]
    site_id = mob["site_id"].reindex(t.index)
    route_id = fib["route_id"].reindex(t.index)
    feasible = fib["fibre_feasible"].reindex(t.index)
    t[FIBRE_FEASIBLE] = pd.array(np.where(t[s.GAP_FIBRE], feasible.fillna(False), pd.NA),
                                 dtype="boolean")
    t[FIBRE_LINK_KM] = fib["link_km"].reindex(t.index).astype(float).round(3)
    t[s.COST_VND] = (mob["site_cost_vnd"].reindex(t.index).fillna(0).astype(np.int64)
                     + fib["fibre_cost_vnd"].reindex(t.index).fillna(0).astype(np.int64))
    hh_pct = 100 * next((x.threshold for x in plan.targets if x.id == "household_fibre"), 0.8)
    labels = {k: v.format(pct=hh_pct) for k, v in _GAP_LABELS[lang].items()}
    off_grid_sites = set(new_sites.loc[new_sites[iv.OFF_GRID].astype(bool), iv.INTERVENTION_ID]) \
        if len(new_sites) else set()
    notes = _NOTES[lang]
    gaps_txt, kinds, ids, note = [], [], [], []
    for gm, gf, gh, npow, sid, rid, feas, loc in zip(
        t[s.GAP_MOBILE], t[s.GAP_FIBRE], t[s.GAP_HH_FIBRE], t[s.NEEDS_POWER], site_id,
        route_id, feasible.fillna(False), located[has_gap], strict=True,
    ):  # string assembly for the readable columns only
        gaps_txt.append("; ".join(labels[c] for c, f in
                                  ((s.GAP_MOBILE, gm), (s.GAP_FIBRE, gf), (s.GAP_HH_FIBRE, gh)) if f))
        k, i, n_ = [], [], []
        if npow and (gm or gf):
            k.append(iv.POWER_FIRST)
            n_.append(notes["power"])
        if not loc and (gm or gf):
            n_.append(notes["no_location"])
        if gm and loc:
            k.append(iv.NEW_4G_SITE)
            i.append(sid)
            if sid in off_grid_sites:
                n_.append(notes["off_grid"])
        if gf and feas:
            k.append(iv.FIBRE_EXTENSION)
            i.append(rid)
        if gf and loc and not feas:
            n_.append(notes["no_fibre"].format(km=costs.fibre_max_segment_km))
        if gh and not (gm or gf):
            n_.append(notes["hh_only"])
        kinds.append(";".join(k))
        ids.append(";".join(i))
        note.append("; ".join(n_))
    for col, values in ((GAPS, gaps_txt), (s.INTERVENTION, kinds), (INTERVENTION_IDS, ids),
                        (NOTES, note)):
        t[col] = pd.Series(values, index=t.index, dtype="string")
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

    # --- parks first, then the village budget ---------------------------------------------
    park_cost = upgrades[s.COST_VND].to_numpy(np.int64) if len(upgrades) else np.zeros(0, np.int64)
    park_funded = np.zeros(len(upgrades), dtype=bool)
    village_budget = budget
    if budget is not None and parks_in_budget and len(upgrades):
        park_funded = fund_first(park_cost, budget)
        village_budget = float(budget) - float(park_cost[park_funded].sum())
    elif budget is None:
        park_funded[:] = True

    # --- the village selection problem -----------------------------------------------------
    units = pd.concat([new_sites.drop(columns="geometry"), routes.drop(columns="geometry")],
                      ignore_index=True)
    pos = {iid: k for k, iid in enumerate(units[iv.INTERVENTION_ID])} if len(units) else {}
    needs = [[pos[x] for x in row.split(";") if x] for row in t[INTERVENTION_IDS]]
    pop = pd.to_numeric(t[s.POPULATION], errors="coerce").fillna(0).to_numpy(float)
    values = pop * t[s.SCORE].to_numpy(float) if objective == "score" else pop
    problem = SelectionProblem.build(units[s.COST_VND].to_numpy(float) if len(units) else [],
                                     needs, values, pop)
    sel = select_budget(problem, village_budget, method, time_limit_s=time_limit_s)
    other = None
    if village_budget is not None:
        other = (select_greedy(problem, village_budget) if sel.method == "exact"
                 else select_budget(problem, village_budget, "exact", time_limit_s=time_limit_s))
    t[s.IN_BUDGET] = sel.served

    # --- rank and cumulative cost ------------------------------------------------------------
    t = t.assign(_vid=t[s.VILLAGE_ID].astype(str)).sort_values(
        [s.IN_BUDGET, s.SCORE, s.POPULATION, "_vid"], ascending=[False, False, False, True],
        kind="stable").drop(columns="_vid").reset_index(drop=True)
    t[s.RANK] = np.arange(1, len(t) + 1, dtype=np.int64)
    t[s.CUM_COST_VND] = t[s.COST_VND].cumsum().astype(np.int64)
    for col in PRIORITY_COLUMNS:
        if col not in t:
            t[col] = pd.NA
    priority = t[PRIORITY_COLUMNS + ["deadline_year"]].drop(columns="deadline_year")
    for col in (s.PROVINCE_CODE, s.COMMUNE_CODE, s.VILLAGE_ID):
        priority[col] = priority[col].astype("string")

    # --- interventions layer ------------------------------------------------------------------
    village_sel = sel.chosen
    parts = []
    if len(new_sites):
        parts.append(new_sites.assign(**{s.IN_BUDGET: village_sel[:len(new_sites)]}))
    if len(routes):
        parts.append(routes.assign(**{s.IN_BUDGET: village_sel[len(new_sites):]}))
    if len(upgrades):
        parts.append(upgrades.assign(**{s.IN_BUDGET: park_funded}))
    if parts:
        inter = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)
    else:
        inter = gpd.GeoDataFrame({iv.INTERVENTION_ID: pd.Series([], dtype=str)},
                                 geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    inter_cols = [iv.INTERVENTION_ID, iv.KIND, s.COST_VND, iv.N_SERVED, iv.POP_SERVED,
                  iv.VILLAGE_IDS, iv.PARK_IDS, iv.LENGTH_KM, iv.NEW_SITE, iv.SITE_ID_USED,
                  iv.OFF_GRID, s.IN_BUDGET]
    for col in inter_cols:
        if col not in inter:
            inter[col] = pd.NA
    inter[iv.VILLAGE_IDS] = inter[iv.VILLAGE_IDS].fillna("")
    inter[iv.PARK_IDS] = inter[iv.PARK_IDS].fillna("")
    for col in (iv.N_SERVED, iv.POP_SERVED, s.COST_VND):
        inter[col] = pd.to_numeric(inter[col]).fillna(0).astype(np.int64)
    for col in (iv.NEW_SITE, iv.OFF_GRID, s.IN_BUDGET):
        inter[col] = inter[col].astype("boolean").fillna(False).astype(bool)
    inter = inter[inter_cols + ["geometry"]].to_crs(s.WGS84)

    # --- parks table ------------------------------------------------------------------------
    if pm is not None and len(pm):
        pk = pd.DataFrame(pm.drop(columns="geometry")).join(per_park)
        funded_by_id = dict(zip(upgrades[iv.INTERVENTION_ID], park_funded, strict=True))
        pk[s.IN_BUDGET] = pk[iv.INTERVENTION_ID].map(funded_by_id).astype(bool)
        for col in PARK_COLUMNS:
            if col not in pk:
                pk[col] = pd.NA
        park_table = pk[PARK_COLUMNS].reset_index(drop=True)
    else:
        park_table = pd.DataFrame(columns=PARK_COLUMNS)

    summary = _summary(
        plan=plan, weights=w, preset=preset_name, method=method, objective=objective,
        budget=budget, village_budget=village_budget, table=t, inter=inter, sel=sel,
        other=other, park_funded=park_funded, park_cost=park_cost, parks_in_budget=parks_in_budget,
        upgrades=upgrades,
    )
    return InvestmentPlan(priority=priority, interventions=inter, summary=summary,
                          parks=park_table, problem=problem,
                          reserved=park_cost.astype(float) if parks_in_budget else np.zeros(0))


def _summary(*, plan, weights, preset, method, objective, budget, village_budget, table, inter,
             sel, other, park_funded, park_cost, parks_in_budget, upgrades) -> dict:
    kinds = inter[iv.KIND].astype(str)
    cost = inter[s.COST_VND].astype(np.int64)
    chosen = inter[s.IN_BUDGET].to_numpy(bool)
    pop = pd.to_numeric(table[s.POPULATION], errors="coerce").fillna(0)
    served = table[s.IN_BUDGET].to_numpy(bool)
    ids = table[INTERVENTION_IDS].astype(str)
    site_ok = set(inter.loc[chosen & (kinds == iv.KIND_SITE).to_numpy(), iv.INTERVENTION_ID])
    route_ok = set(inter.loc[chosen & (kinds == iv.KIND_ROUTE).to_numpy(), iv.INTERVENTION_ID])
    got_4g = ids.map(lambda x: any(i in site_ok for i in x.split(";")))
    got_fibre = ids.map(lambda x: any(i in route_ok for i in x.split(";")))
    costed = table[INTERVENTION_IDS].astype(str) != ""
    exact = sel if sel.method == "exact" else other
    greedy = sel if sel.method == "greedy" else other

    def by_kind(mask) -> dict:
        return {k: int(cost[mask & (kinds == k).to_numpy()].sum()) for k in iv.KINDS}

    def count_kind(mask) -> dict:
        return {k: int((mask & (kinds == k).to_numpy()).sum()) for k in iv.KINDS}

    everything = np.ones(len(inter), dtype=bool)
    spent = int(cost[chosen].sum())
    out = {
        "currency": "VND",
        "usd_to_vnd": plan.costs.usd_to_vnd,
        "budget_vnd": None if budget is None else float(budget),
        "preset": preset,
        "weights": dataclasses.asdict(weights),
        "method": sel.method,
        "method_requested": method,
        "objective": objective,
        "villages_with_gaps": len(table),
        "villages_costed": int(costed.sum()),
        "population_in_gap_villages": int(pop.sum()),
        "villages_power_first": int(table[s.INTERVENTION].str.contains(iv.POWER_FIRST)
                                    .fillna(False).sum()),
        "villages_fibre_not_feasible": int((table[FIBRE_FEASIBLE] == False).sum()),
        "total_cost_vnd": int(cost.sum()),
        "cost_by_kind_vnd": by_kind(everything),
        "count_by_kind": count_kind(everything),
        "people_newly_served_all": int(pop[costed.to_numpy()].sum()),
        "in_budget_cost_vnd": spent,
        "in_budget_people_served": int(pop[served].sum()),
        "in_budget_villages": int(served.sum()),
        "in_budget": {
            "cost_vnd": spent,
            "cost_by_kind_vnd": by_kind(chosen),
            "count_by_kind": count_kind(chosen),
            "villages_served": int(served.sum()),
            "people_served": int(pop[served].sum()),
            "people_newly_4g": int(pop[got_4g.to_numpy()].sum()),
            "people_newly_fibre": int(pop[got_fibre.to_numpy()].sum()),
            "village_budget_vnd": None if village_budget is None else float(village_budget),
            "remaining_vnd": None if budget is None else float(budget) - spent,
        },
        "parks_5g": {
            "parks_with_gap": int(sum(len(str(p).split(";")) for p in upgrades[iv.PARK_IDS]))
            if len(upgrades) else 0,
            "upgrades": int((~upgrades[iv.NEW_SITE].astype(bool)).sum()) if len(upgrades) else 0,
            "new_sites": int(upgrades[iv.NEW_SITE].astype(bool).sum()) if len(upgrades) else 0,
            "cost_vnd": int(park_cost.sum()),
            "funded_first_from_budget": bool(parks_in_budget),
            "funded_cost_vnd": int(park_cost[park_funded].sum()),
        },
        "exact_vs_greedy": None if exact is None or greedy is None else {
            "people_exact": int(exact.people), "people_greedy": int(greedy.people),
            "cost_exact_vnd": int(exact.cost), "cost_greedy_vnd": int(greedy.cost),
            "gap_people": int(exact.people - greedy.people),
            "gap_share": (exact.people - greedy.people) / exact.people if exact.people else 0.0,
            "exact_status": exact.status,
        },
    }
    return out


# ---------------------------------------------------------------------------------------------
# Writing and re-planning run folders


def write_investment_outputs(folder: Path, inv: InvestmentPlan, *, lang: str = "vi",
                             sweep: pd.DataFrame | None = None) -> list[Path]:
    """Write ``priority_villages.csv/.xlsx``, ``interventions.csv/.gpkg``,
    ``parks_5g_plan.csv``, ``plan_summary.json`` (and ``budget_sweep.csv``) into ``folder``.

    Each file is written to a temporary name and moved into place.
    """
    from geo_cds.io import write
    from geo_cds.xlsx import write_priority_xlsx

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    out = [
        write.atomic_file(folder / "priority_villages.csv",
                          lambda p: write.write_csv(inv.priority, p)),
        write_priority_xlsx(folder / "priority_villages.xlsx", inv.priority, inv.summary,
                            lang=lang, parks=inv.parks),
        write.atomic_file(folder / "interventions.csv",
                          lambda p: write.write_csv(inv.interventions, p)),
        write.atomic_file(folder / "parks_5g_plan.csv", lambda p: write.write_csv(inv.parks, p)),
        write.atomic_file(folder / "plan_summary.json",
                          lambda p: write.write_json(inv.summary, p)),
    ]
    if len(inv.interventions):
        out.append(write.atomic_file(
            folder / "interventions.gpkg",
            lambda p: write.write_gpkg(inv.interventions, p, "interventions")))
    if sweep is not None:
        out.append(write.atomic_file(folder / "budget_sweep.csv",
                                     lambda p: write.write_csv(sweep, p)))
    return out


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


def _fields(cls, data: Mapping) -> dict:
    names = {f.name for f in dataclasses.fields(cls)}
    return {k: v for k, v in (data or {}).items() if k in names}


def plan_from_manifest(data: Mapping) -> Plan:
    """The parts of a run's recorded plan (``run.json`` → ``plan``) that planning uses."""
    targets = tuple(Target(**_fields(Target, t)) for t in data.get("targets") or ()) or None
    kw = {
        "name": data.get("name", "run"), "lang": data.get("lang", "vi"),
        "reference_year": int(data.get("reference_year", 2025)),
        "costs": Costs(**_fields(Costs, data.get("costs"))),
        "weights": Weights(**_fields(Weights, data.get("weights"))),
        "budget": Budget(**_fields(Budget, data.get("budget"))),
    }
    if targets:
        kw["targets"] = targets
    return Plan(**kw)


def _read_input(spec: Mapping | None, layer: str) -> gpd.GeoDataFrame | None:
    """Read a run's recorded input (sites, fibre, parks) as the pipeline reads it."""
    from geo_cds.io.read import read_layer
    from geo_cds.plan import InputSpec
    from geo_cds.problems import ProblemLog

    if not spec or not spec.get("path"):
        return None
    fields = _fields(InputSpec, spec)
    fields["path"] = Path(fields["path"])
    if not fields["path"].exists():
        raise LayerError(f"{fields['path']}: recorded in the run's plan but not found; "
                         "restore the file or re-run geo-cds run")
    problems = ProblemLog()
    frame = read_layer(InputSpec(**fields), layer, problems)
    if frame is None:
        raise LayerError("; ".join(str(x) for x in problems.layer_errors()) or
                         f"{fields['path']}: unusable {layer} layer")
    return frame


def load_run(run_dir: str | Path) -> RunInputs:
    """Read a finished run folder: villages (with gaps), communes, parks, sites, fibre.

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
    plan = plan_from_manifest(recorded)
    villages = gpd.read_file(folder / "villages.gpkg", layer="villages")
    communes = gpd.read_file(folder / "communes.gpkg", layer="communes")
    for frame in (villages, communes):
        for col in (s.COMMUNE_CODE, s.PROVINCE_CODE, s.VILLAGE_ID):
            if col in frame:
                frame[col] = frame[col].astype("string")
    parks = None
    for name in ("industrial_parks_5g.gpkg", "parks.gpkg"):
        if (folder / name).exists():
            parks = gpd.read_file(folder / name)
            break
    if parks is None and (folder / "industrial_parks_5g.csv").exists() and recorded.get("parks"):
        table = pd.read_csv(folder / "industrial_parks_5g.csv", dtype={s.PARK_ID: str},
                            encoding="utf-8-sig")
        shapes = _read_input(recorded["parks"], "parks")
        if shapes is not None and s.PARK_ID in shapes and s.PARK_GAP_5G in table:
            shapes = shapes[[s.PARK_ID, "geometry"]].assign(
                **{s.PARK_ID: shapes[s.PARK_ID].astype(str)})
            parks = shapes.merge(table.drop(columns="geometry", errors="ignore"), on=s.PARK_ID)
    return RunInputs(folder=folder, plan=plan, villages=villages, communes=communes,
                     parks=parks, sites=_read_input(recorded.get("sites"), "sites"),
                     fibre=_read_input(recorded.get("fibre"), "fibre"))


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
    from geo_cds.io import write

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
                    "at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
            write.write_json(meta, staging / "replan.json")
    return out_dir, inv, table
