"""What a budget buys: choose interventions to maximise the people served.

Selection units are the interventions (a shared route or site is bought whole); a village
counts as served when every intervention it needs is funded. :func:`select_exact` solves this
as an integer programme (HiGHS through :func:`scipy.optimize.milp`); :func:`select_greedy`
buys the intervention with the most people per VND next (a village needing two interventions
credits half to each until one is bought). :func:`select_budget` picks one and falls back to
greedy for very large inputs; :func:`budget_sweep` runs both over several budgets.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix, vstack

from geo_cds.errors import PlanError
from geo_cds.planning import _greedy, exact

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _native_stdout_silenced():
    """HiGHS prints some debug lines straight to file descriptor 1 even with ``disp=False``
    (seen at national size); they would garble a command's output or a piped CSV."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured stdout (tests, notebooks)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)

MAX_EXACT_UNITS = 200_000  # above this many interventions + village groups: greedy only
EXACT_TIME_LIMIT_S = 60.0
# When the knapsack declines, HiGHS is tried up to this many interventions + village groups.
# Above it HiGHS was measured spending its whole time limit without an answer (1M villages,
# ~324,000 units: 60 s, no solution), so the greedy answer is given at once.
MILP_MAX_UNITS = 20_000
# A budget sweep solves each budget exactly up to this many interventions + village groups
# (~0.05 s a budget at 63,000 villages: 3,400 + 3,400); above, greedy and the bound only.
SWEEP_MAX_EXACT_UNITS = 20_000
SWEEP_NOT_SOLVED = "not solved (sweep of a large problem)"


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
    least_cost: bool = False  # exact: among the best answers, the one that spends least
    _grouped: tuple | None = field(default=None, init=False, repr=False, compare=False)
    _knapsacks: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, costs: Sequence[float], needs: Iterable[Iterable[int]],
              values: Sequence[float], people: Sequence[float] | None = None, *,
              least_cost: bool = False) -> SelectionProblem:
        """From a list of cost and, per village, the indices of the interventions it needs."""
        needs = [list(ks) for ks in needs]
        lens = [len(ks) for ks in needs]
        rows = np.repeat(np.arange(len(needs)), lens)
        cols = np.fromiter((int(k) for ks in needs for k in ks), dtype=np.int64,
                           count=int(sum(lens)))
        return cls.from_pairs(costs, rows, cols, len(needs), values, people,
                              least_cost=least_cost)

    @classmethod
    def from_pairs(cls, costs: Sequence[float], village: np.ndarray, intervention: np.ndarray,
                   n_villages: int, values: Sequence[float],
                   people: Sequence[float] | None = None, *,
                   least_cost: bool = False) -> SelectionProblem:
        """From (village, intervention it needs) pairs, each village's in order."""
        costs = np.asarray(costs, dtype=float)
        m = csr_matrix((np.ones(len(village)), (village, intervention)),
                       shape=(n_villages, len(costs)))
        m.data[:] = 1.0
        m.sum_duplicates()
        m.data[:] = 1.0
        values = np.asarray(values, dtype=float)
        people = values if people is None else np.asarray(people, dtype=float)
        return cls(costs, m, values, people, least_cost)


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
    """Merge villages needing the same set of interventions: fewer integer variables.

    Computed once per problem (the sweep and both methods reuse it)."""
    if p._grouped is None:
        p._grouped = _group(p.needs, p.values)
    return p._grouped


def _knapsack(p: SelectionProblem, *, people: bool = False) -> exact.Knapsack | None:
    """The problem as a multiple-choice knapsack (built once per problem): of its objective,
    or with ``people`` of the people served (no least-cost tie-break), for bounds."""
    key = "people" if people else "objective"
    if key not in p._knapsacks:
        codes, m, value = _groups(p)
        if people:
            value = np.bincount(codes, weights=p.people, minlength=m.shape[0])
        p._knapsacks[key] = exact.Knapsack.prepare(p.costs, m, value,
                                                   least_cost=p.least_cost and not people)
    return p._knapsacks[key]


def _group(m: csr_matrix, values: np.ndarray) -> tuple[np.ndarray, csr_matrix, np.ndarray]:
    lens = np.diff(m.indptr)
    width = int(lens.max(initial=0))
    keys = np.full((m.shape[0], max(width, 1)), -1, dtype=np.int64)  # a row's needs, padded
    keys[np.repeat(np.arange(m.shape[0]), lens),
         np.arange(m.nnz) - np.repeat(m.indptr[:-1], lens)] = m.indices
    base = m.shape[1] + 1
    if width * np.log2(base) < 62:  # each padded row as one integer (mixed radix): one pass
        key = np.zeros(m.shape[0], dtype=np.int64)
        for j in range(keys.shape[1]):
            key = key * base + (keys[:, j] + 1)
        codes = pd.factorize(key)[0].astype(np.int64)  # in order of first village
        first = np.unique(codes, return_index=True)[1]
    else:
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        rank = np.empty(len(first), dtype=np.int64)  # groups numbered in order of first village
        rank[np.argsort(first, kind="stable")] = np.arange(len(first))
        codes = rank[inverse.ravel()]
        first = np.sort(first)
    value = np.bincount(codes, weights=values, minlength=len(first))
    return codes, m[first], value


def select_greedy(p: SelectionProblem, budget: float) -> Selection:
    """Buy the intervention with the most value per VND next, while the budget lasts.

    A village still missing ``r`` interventions credits ``value / r`` to each of them, so a
    village needing a route and a site pulls both. Gains are kept in a heap and refreshed
    only for the interventions touched by the last purchase (the loop is compiled:
    :func:`geo_cds.planning._greedy.greedy_loop`).
    """
    codes, m, value = _groups(p)
    has = np.diff(m.indptr) > 0
    remaining = np.diff(m.indptr).astype(float)
    cost = p.costs
    if "greedy_loop" not in p._knapsacks:  # what does not depend on the budget: once
        mt = m.T.tocsr()
        # an intervention no multi-need group touches: buying it changes no other gain
        solo = np.bincount(m.indices[np.repeat(np.diff(m.indptr) > 1, np.diff(m.indptr))],
                           minlength=len(cost)) == 0
        credit = np.where(has & (remaining > 0), value / np.maximum(remaining, 1), 0.0)
        gains = mt @ credit
        ks = np.flatnonzero(gains > 0)
        keys = np.where(cost[ks] > 0, -(gains[ks] / np.where(cost[ks] > 0, cost[ks], 1.0)),
                        -np.inf)
        p._knapsacks["greedy_loop"] = (mt, solo, keys, ks.astype(np.int64))
    mt, solo, keys, ks = p._knapsacks["greedy_loop"]
    served = _greedy.greedy_loop(
        float(budget), np.ascontiguousarray(cost, dtype=np.float64),
        m.indptr.astype(np.int64), m.indices.astype(np.int64),
        mt.indptr.astype(np.int64), mt.indices.astype(np.int64),
        np.ascontiguousarray(value, dtype=np.float64), remaining, has, solo, keys, ks)
    return _finish(p, served[codes], "greedy", "greedy")


def select_exact(p: SelectionProblem, budget: float, *,
                 time_limit_s: float = EXACT_TIME_LIMIT_S,
                 greedy: Selection | None = None) -> Selection:
    """Maximise the value served under the budget: a 0/1 integer programme (HiGHS).

    Variables ``x_k`` (buy intervention k) and ``y_g`` (serve the villages of group g,
    those needing the same interventions); ``max Σ value_g y_g`` subject to
    ``Σ cost_k x_k ≤ budget`` and ``y_g ≤ x_k`` for every intervention k group g needs.
    If the solver stops at the time limit, the better of its incumbent and the greedy
    answer is returned (status ``"time_limit"``).

    The answer comes from :class:`geo_cds.planning.exact.Knapsack` (a multiple-choice
    knapsack, fast at national size); HiGHS solves the integer programme when that declines,
    up to :data:`MILP_MAX_UNITS` interventions + village groups (above: the greedy answer).
    ``greedy``: the greedy answer at this budget, when already known.
    """
    codes, m, value = _groups(p)
    useful = (value > 0) & (np.diff(m.indptr) > 0)
    gidx = np.flatnonzero(useful)
    greedy = select_greedy(p, budget) if greedy is None else greedy
    if len(gidx) == 0:
        return _finish(p, np.zeros(len(codes), dtype=bool), "exact", "optimal")
    knapsack = _knapsack(p)
    solved = None if knapsack is None else \
        knapsack.solve(budget, incumbent=greedy.chosen, time_limit_s=time_limit_s)
    if solved is not None:
        bought, _ = solved
        if bought is None:  # nothing beats the greedy answer
            return dataclasses.replace(greedy, method="exact", status="optimal")
        rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
        missing = np.bincount(rows, weights=~bought[m.indices], minlength=m.shape[0])
        return _finish(p, (missing == 0)[codes], "exact", "optimal")
    if len(p.costs) + m.shape[0] > MILP_MAX_UNITS:
        return dataclasses.replace(greedy, method="exact", status="greedy (too large for exact)")
    return _select_milp(p, budget, codes, m, value, gidx, greedy, time_limit_s)


def _select_milp(p: SelectionProblem, budget: float, codes: np.ndarray, m: csr_matrix,
                 value: np.ndarray, gidx: np.ndarray, greedy: Selection,
                 time_limit_s: float) -> Selection:
    """The integer programme of :func:`select_exact`, solved by HiGHS."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    m_use = m[gidx]
    kidx = np.flatnonzero(np.asarray(m_use.sum(axis=0)).ravel() > 0)
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
    if p.least_cost:  # a penalty summing to < 0.5 never trades away a whole unit of value
        c[:n_k] += cost * (0.5 / max(float(cost.sum()), 1.0))
    budget_row = csr_matrix(np.concatenate([cost, np.zeros(n_g)])[None, :])
    n_pairs = multi.nnz
    pair_rows = np.repeat(np.arange(n_pairs), 2)
    pair_cols = np.column_stack([n_k + multi.row, multi.col]).ravel()
    pair_vals = np.tile([1.0, -1.0], n_pairs)
    pairs = csr_matrix((pair_vals, (pair_rows, pair_cols)), shape=(n_pairs, n_k + n_g))
    a = vstack([budget_row, pairs]).tocsr()
    ub = np.concatenate([[float(budget) / scale], np.zeros(n_pairs)])
    with _native_stdout_silenced():
        res = milp(
            c, constraints=LinearConstraint(a, -np.inf, ub), integrality=np.ones(n_k + n_g),
            bounds=Bounds(0, 1),
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
    ``max_exact_units`` interventions + village groups (villages needing the same
    interventions), where it falls back to greedy.
    """
    if method not in ("exact", "greedy"):
        raise PlanError(f"budget method must be 'exact' or 'greedy', got {method!r}")
    if budget is None:
        return _finish(p, np.ones(p.needs.shape[0], dtype=bool), "all", "no budget")
    if budget < 0:
        raise PlanError(f"budget must not be negative, got {budget}")
    if method == "greedy":
        return select_greedy(p, budget)
    if len(p.costs) + _groups(p)[1].shape[0] > max_exact_units:
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
                 time_limit_s: float = EXACT_TIME_LIMIT_S,
                 max_exact_units: int = SWEEP_MAX_EXACT_UNITS) -> pd.DataFrame:
    """People served and cost per budget, exact and greedy, the gap between them and an upper
    bound.

    ``reserved`` are costs funded off the top of every budget first (the parks' 5G the plan
    funds first: ``InvestmentPlan.reserved``): they take the first VND of each budget and the
    villages get the rest (``village_budget_vnd``), so people served never decrease as the
    budget grows — a park that only becomes affordable at a larger budget cannot take money
    from villages funded at a smaller one.

    ``people_bound`` is the value of the linear relaxation of the selection (each component
    of interventions bought fractionally along its convex hull, people as the value): no
    selection within the village budget serves more people (NaN when the problem has a
    component too large to enumerate). A problem of more than ``max_exact_units``
    interventions + village groups is not solved exactly at each budget (the exact columns are
    NaN, status ``"not solved (sweep of a large problem)"``): the greedy curve and the bound
    then frame the optimum.
    """
    rows = []
    top = float(np.sum(np.asarray(reserved, dtype=float)))
    solve = len(p.costs) + _groups(p)[1].shape[0] <= max_exact_units
    people = _knapsack(p, people=True)
    for b in budgets:
        vb = max(0.0, float(b) - top)
        parks = float(b) - vb
        gr = select_greedy(p, vb)
        ex = select_exact(p, vb, time_limit_s=time_limit_s, greedy=gr) if solve else None
        people_exact = ex.people if ex is not None else np.nan
        rows.append({
            "budget_vnd": float(b), "reserved_vnd": parks, "village_budget_vnd": vb,
            "people_exact": people_exact,
            "cost_exact_vnd": ex.cost if ex is not None else np.nan,
            "people_greedy": gr.people, "cost_greedy_vnd": gr.cost,
            "people_bound": people.bound(vb) if people is not None else np.nan,
            "gap_people": people_exact - gr.people,
            "gap_share": (people_exact - gr.people) / people_exact if people_exact else 0.0,
            "exact_status": ex.status if ex is not None else SWEEP_NOT_SOLVED,
        })
    return pd.DataFrame(rows)
