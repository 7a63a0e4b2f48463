"""The exact budget selection as a multiple-choice knapsack, solved by bounded dynamic programming.

Interventions that share a village needing both (a new site and a fibre route, say) form a
*component*; a component is bought as one of its subsets (its *options*: each subset's cost
and the value of the villages whose every need lies in it), every other intervention alone
(bought or not). Choosing one option per component under the budget is a multiple-choice
knapsack. Its linear relaxation is solved exactly by Dantzig's rule on each component's upper
convex hull (Sinha & Zoltners 1979); the dual price ``λ`` of the budget then bounds every
completion of a partial choice from above (``value + λ · budget left``). The integer optimum is
found as in Pisinger's *minknap*: start from the relaxation's rounded-down answer and let the
components deviate from it one at a time, nearest first (smallest loss of ``value − λ·cost``),
keeping only choices no other choice beats on both cost and value and whose bound can still
reach the best answer found; stop when no remaining component can deviate without falling
below it. Nothing is rounded or cut by a tolerance: the answer is optimal.

:meth:`Knapsack.prepare` returns ``None`` for a component of more than :data:`MAX_COMPONENT`
interventions and :meth:`Knapsack.solve` for too many states or past the time limit;
:func:`geo_cds.planning.budget.select_exact` then solves the integer programme with HiGHS.
:meth:`Knapsack.bound` is the linear relaxation's value, an upper bound for any budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

MAX_COMPONENT = 18  # interventions in one component: 2**18 options at most
MAX_STATES = 2_000_000  # partial choices kept at once


def _components(m: csr_matrix) -> tuple[int, np.ndarray]:
    """Interventions linked through a group that needs several of them."""
    multi = m[np.diff(m.indptr) > 1]
    link = (multi.T @ multi).tocsr()
    return connected_components(link, directed=False)


def _options(costs: np.ndarray, m: csr_matrix, value: np.ndarray, penalty: np.ndarray):
    """Every component's Pareto-optimal options.

    Returns ``(opts, comp, local)``: ``opts`` has one row per option (``comp``, ``cost``,
    ``value``, ``bits``: bit ``i`` set when the intervention at local position ``i`` of the
    component is bought), sorted by component and cost; ``comp`` and ``local`` give each
    intervention's component and position in it. ``None`` when a component is larger than
    :data:`MAX_COMPONENT`.
    """
    n_comp, comp = _components(m)
    size = np.bincount(comp, minlength=n_comp)
    if size.max(initial=0) > MAX_COMPONENT:
        return None
    order = np.argsort(comp, kind="stable")
    start = np.cumsum(size) - size
    local = np.empty(len(comp), dtype=np.int64)
    local[order] = np.arange(len(comp)) - np.repeat(start, size)
    # each group's component and its needs as a bit mask of local positions
    g_rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    g_comp = np.zeros(m.shape[0], dtype=np.int64)
    g_comp[g_rows] = comp[m.indices]
    g_mask = np.zeros(m.shape[0], dtype=np.int64)
    np.bitwise_or.at(g_mask, g_rows, np.left_shift(1, local[m.indices]))
    parts = []
    for s in np.unique(size):
        cs = np.flatnonzero(size == s)  # the components of this size
        subsets = np.arange(2 ** s, dtype=np.int64)
        bits = (subsets[:, None] >> np.arange(s)) & 1  # 2**s × s
        idx = order[start[cs][:, None] + np.arange(s)]  # n × s interventions
        cost = costs[idx] @ bits.T
        val = -(penalty[idx] @ bits.T)
        row = np.full(n_comp, -1, dtype=np.int64)
        row[cs] = np.arange(len(cs))
        gs = np.flatnonzero(row[g_comp] >= 0)
        step = max(1, 2 ** 22 >> s)  # in slices of groups: at most 4 M booleans at once
        for lo in range(0, len(gs), step):
            g = gs[lo:lo + step]
            served = (subsets[None, :] & g_mask[g, None]) == g_mask[g, None]
            np.add.at(val, row[g_comp[g]], value[g, None] * served)
        parts.append(pd.DataFrame({"comp": np.repeat(cs, 2 ** s), "cost": cost.ravel(),
                                   "value": val.ravel(), "bits": np.tile(subsets, len(cs))}))
    opts = pd.concat(parts, ignore_index=True).sort_values(
        ["comp", "cost", "value"], ascending=[True, True, False], kind="stable")
    # Pareto: within a component, an option must be worth more than every cheaper one
    best_before = opts.groupby("comp")["value"].cummax().groupby(opts["comp"]).shift()
    opts = opts[best_before.isna() | (opts["value"] > best_before)].reset_index(drop=True)
    return opts, comp, local


def _hull_increments(opts: pd.DataFrame) -> pd.DataFrame:
    """The steps along each component's upper convex hull: (comp, from, to, efficiency)."""
    comp = opts["comp"].to_numpy()
    cost = opts["cost"].to_numpy(float)
    val = opts["value"].to_numpy(float)
    starts = np.flatnonzero(np.r_[True, comp[1:] != comp[:-1]])
    ends = np.r_[starts[1:], len(comp)]
    rows = []
    two = (ends - starts) == 2  # the usual case: nothing or the one intervention
    a = starts[two]
    rows.append(np.column_stack([comp[a], a, a + 1]))
    for lo, hi in zip(starts[~two], ends[~two], strict=True):
        hull = [lo]
        for j in range(lo + 1, hi):  # monotone chain on points sorted by cost
            while len(hull) >= 2:
                i, k = hull[-2], hull[-1]
                if (val[k] - val[i]) * (cost[j] - cost[i]) <= (val[j] - val[i]) * (cost[k] - cost[i]):
                    hull.pop()
                else:
                    break
            hull.append(j)
        rows.append(np.column_stack([np.full(len(hull) - 1, comp[lo]), hull[:-1], hull[1:]]))
    inc = np.vstack(rows).astype(np.int64)
    dc = cost[inc[:, 2]] - cost[inc[:, 1]]
    dv = val[inc[:, 2]] - val[inc[:, 1]]
    eff = np.where(dc > 0, dv / np.where(dc > 0, dc, 1.0), np.inf)
    return pd.DataFrame({"comp": inc[:, 0], "frm": inc[:, 1], "to": inc[:, 2], "dc": dc,
                         "eff": eff})


@dataclass
class Knapsack:
    """A selection problem as a multiple-choice knapsack, prepared once for any budget.

    Build it with :meth:`prepare`; :meth:`bound` and :meth:`solve` then take a budget.
    """

    n_costs: int
    kidx: np.ndarray  # the interventions some valued group needs
    m: csr_matrix  # groups × interventions
    value: np.ndarray  # per group (0 for a group without needs)
    penalty: np.ndarray  # per intervention of kidx (least cost) or zeros
    o_comp: np.ndarray  # per option: component, cost, value, subset bits
    o_cost: np.ndarray
    o_val: np.ndarray
    o_bits: np.ndarray
    first: np.ndarray  # per component: its first (cheapest) and one-past-last option
    last: np.ndarray
    comp_of: np.ndarray  # per intervention of kidx: component and position in it
    local: np.ndarray
    inc_comp: np.ndarray  # hull steps, best efficiency first: component, option reached,
    inc_to: np.ndarray  # cumulative cost, efficiency
    inc_cum: np.ndarray
    inc_eff: np.ndarray

    @classmethod
    def prepare(cls, costs: np.ndarray, m: csr_matrix, value: np.ndarray, *,
                least_cost: bool = False) -> Knapsack | None:
        """From intervention costs (whole VND), groups × interventions (1 where the group
        needs it) and each group's value (served when every intervention it needs is
        bought). ``least_cost``: among the answers of the greatest value, the one that spends
        least — every intervention's value is lowered by ``0.5 · cost / total cost`` (under
        one unit of value in all), as the integer programme does. ``None`` when a component
        has more than :data:`MAX_COMPONENT` interventions."""
        costs = np.asarray(costs, dtype=float)
        value = np.where(np.diff(m.indptr) > 0, np.asarray(value, dtype=float), 0.0)
        useful = value > 0
        needed = np.zeros(len(costs), dtype=bool)
        needed[m.indices[np.repeat(useful, np.diff(m.indptr))]] = True
        kidx = np.flatnonzero(needed)
        c = costs[kidx]
        penalty = c * (0.5 / max(float(c.sum()), 1.0)) if least_cost else np.zeros(len(c))
        built = _options(c, m[useful][:, kidx].tocsr(), value[useful], penalty) \
            if len(kidx) else (pd.DataFrame({"comp": [0], "cost": [0.0], "value": [0.0],
                                             "bits": [0]}), np.zeros(0, np.int64),
                               np.zeros(0, np.int64))
        if built is None:
            return None
        opts, comp_of, local = built
        o_comp = opts["comp"].to_numpy()
        first = np.flatnonzero(np.r_[True, o_comp[1:] != o_comp[:-1]])
        inc = _hull_increments(opts).sort_values(["eff", "comp", "frm"],
                                                 ascending=[False, True, True], kind="stable")
        return cls(len(costs), kidx, m, value, penalty, o_comp, opts["cost"].to_numpy(float),
                   opts["value"].to_numpy(float), opts["bits"].to_numpy(), first,
                   np.r_[first[1:], len(o_comp)], comp_of, local,
                   inc["comp"].to_numpy(), inc["to"].to_numpy(),
                   np.cumsum(inc["dc"].to_numpy()), inc["eff"].to_numpy())

    def _relaxation(self, budget: float) -> tuple[np.ndarray, float]:
        """Dantzig's rule on the hull steps: each component's option in the linear relaxation,
        rounded down, and the price ``λ`` of the budget (0 when everything fits)."""
        n_fit = int(np.searchsorted(self.inc_cum, budget, side="right"))
        at = self.first.copy()
        at[self.inc_comp[:n_fit]] = self.inc_to[:n_fit]  # in hull order: the last step wins
        lam = max(float(self.inc_eff[n_fit]), 0.0) if n_fit < len(self.inc_eff) else 0.0
        return at, lam

    def bound(self, budget: float) -> float:
        """The linear relaxation's value: no selection within ``budget`` is worth more."""
        at, lam = self._relaxation(budget)
        return float(self.o_val[at].sum()) + lam * (budget - float(self.o_cost[at].sum()))

    def value_of(self, bought: np.ndarray) -> float:
        """The objective of buying ``bought`` (bool per intervention)."""
        have = np.asarray(bought, dtype=bool)
        rows = np.repeat(np.arange(self.m.shape[0]), np.diff(self.m.indptr))
        served = np.bincount(rows, weights=~have[self.m.indices], minlength=self.m.shape[0]) == 0
        return float(self.value[served].sum()) - float(self.penalty[have[self.kidx]].sum())

    def solve(self, budget: float, *, incumbent: np.ndarray | None = None,
              time_limit_s: float = 60.0) -> tuple[np.ndarray | None, float] | None:
        """The interventions to buy that maximise the value served within ``budget``.

        Parameters
        ----------
        budget : float
        incumbent : array of bool, optional
            An answer already known (e.g. the greedy one; bool per intervention, within the
            budget): only better ones are sought.
        time_limit_s : float

        Returns
        -------
        (bought, objective) or None
            Bool per intervention and the objective it reaches; ``bought`` is ``None`` when
            nothing beats ``incumbent`` (which is then optimal). ``None``: too many states or
            past the time limit (hand the instance to the integer programme).
        """
        t0 = time.perf_counter()
        o_comp, o_cost, o_val = self.o_comp, self.o_cost, self.o_val
        at, lam = self._relaxation(budget)
        # What deviating to each option loses against the relaxation (its reduced value).
        red = o_val - lam * o_cost
        loss = np.maximum(red[at][o_comp] - red, 0.0)
        loss[at] = 0.0
        other = np.ones(len(o_comp), dtype=bool)
        other[at] = False
        delta = np.full(len(at), np.inf)
        np.minimum.at(delta, o_comp[other], loss[other])

        # Bounded dynamic programming over the deviations, nearest component first.
        incumbent_value = -np.inf if incumbent is None else self.value_of(incumbent)
        state_cost = np.array([float(o_cost[at].sum())])
        state_val = np.array([float(o_val[at].sum())])
        best, best_state, best_step = incumbent_value, -1, -1
        if state_val[0] > incumbent_value:
            best, best_state = float(state_val[0]), 0
        tol = 1e-9 * max(1.0, abs(best), abs(float(state_val[0])))
        history: list[tuple[int, np.ndarray, np.ndarray]] = []
        for cc in np.argsort(delta, kind="stable"):
            room = float(np.max(state_val + lam * (budget - state_cost))) - best + tol
            if not delta[cc] <= room:
                break  # no deviation from here on can reach the best answer
            if time.perf_counter() - t0 > time_limit_s:
                return None
            mine = np.arange(self.first[cc], self.last[cc])
            mine = mine[loss[mine] <= room]
            base = at[cc]
            nc = (state_cost[:, None] + (o_cost[mine] - o_cost[base])[None, :]).ravel()
            nv = (state_val[:, None] + (o_val[mine] - o_val[base])[None, :]).ravel()
            keep = np.flatnonzero(nv + lam * (budget - nc) >= best - tol)
            keep = keep[np.lexsort((-nv[keep], nc[keep]))]
            nc, nv = nc[keep], nv[keep]
            pareto = np.r_[True, nv[1:] > np.maximum.accumulate(nv)[:-1]] if len(nv) else \
                np.zeros(0, dtype=bool)
            keep, nc, nv = keep[pareto], nc[pareto], nv[pareto]
            if len(keep) > MAX_STATES:
                return None
            history.append((int(cc), keep // len(mine), mine[keep % len(mine)]))
            state_cost, state_val = nc, nv
            feasible = np.flatnonzero(state_cost <= budget)
            if len(feasible):
                j = feasible[np.argmax(state_val[feasible])]
                if state_val[j] > best:
                    best, best_state, best_step = float(state_val[j]), int(j), len(history) - 1
            if not len(state_cost):
                break
        if best_state < 0:
            return None, best
        pick = at.copy()
        j = best_state
        for step in range(best_step, -1, -1):
            cc, parent, choice = history[step]
            pick[cc] = choice[j]
            j = parent[j]
        bought = np.zeros(self.n_costs, dtype=bool)
        bits = self.o_bits[pick]
        bought[self.kidx] = (bits[self.comp_of] >> self.local) & 1 == 1
        return bought, best
