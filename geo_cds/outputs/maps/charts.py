"""The numbers behind the map's charts panel (``assets/geo_cds_charts.js`` draws them).

Three pictures, all drawn offline as SVG in the page: each target's value per province against
its threshold, the budget curve (people served against budget, exact and greedy selection, from
``InvestmentPlan.sweep``) and the cost of the planned interventions by kind.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

# Budget curve: this many budgets evenly spaced up to the cost of every intervention, plus the
# plan's own budget; each exact point is an integer programme, so each gets a time limit.
SWEEP_POINTS = 8
SWEEP_TIME_LIMIT_S = 10.0


def _num(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def _status(rows: pd.DataFrame, code: str) -> str | None:
    if "status" not in rows or code not in rows.index:
        return None
    return str(rows.at[code, "status"])


def target_chart(targets: pd.DataFrame | None, lang: str) -> dict[str, Any] | None:
    """Each share target's value per province (and for the whole area) against its threshold,
    with its status (met, not met, not due yet, not measurable) as the target table says.

    Speed targets (Mb/s) are left out: a bar from 0 to 100 % cannot show them.
    """
    if targets is None or not len(targets):
        return None
    shares = targets[targets["unit"].astype(str) != "Mb/s"]
    if not len(shares):
        return None
    scopes = list(dict.fromkeys(zip(shares["province_code"], shares["province_name"])))
    scopes = [sc for sc in scopes if sc[0] != "all"] + [sc for sc in scopes if sc[0] == "all"]
    label_col = "indicator" if lang == "vi" else "indicator_en"
    out = []
    for target_id, rows in shares.groupby("target_id", sort=False):
        by_scope = rows.set_index("province_code")
        first = rows.iloc[0]
        out.append({
            "id": str(target_id), "label": str(first[label_col]),
            "threshold": _num(first["threshold"]), "year": int(first["year"]),
            "values": [_num(by_scope["value"].get(code)) for code, _ in scopes],
            "status": [_status(by_scope, code) for code, _ in scopes],
        })
    return {"scopes": [str(name) for _, name in scopes],
            "total": [code == "all" for code, _ in scopes], "targets": out}


def sweep_budgets(total_cost: float, plan_budget: float | None,
                  points: int = SWEEP_POINTS) -> list[float]:
    """Evenly spaced budgets from 0 to ``total_cost`` (both included), plus the plan's."""
    budgets = set(np.linspace(0.0, float(total_cost), points + 1).round(0).tolist())
    if plan_budget is not None and plan_budget >= 0:
        budgets.add(float(plan_budget))
    return sorted(budgets)


def budget_chart(investment: Any | None, *, budgets: Sequence[float] | None = None,
                 time_limit_s: float = SWEEP_TIME_LIMIT_S) -> dict[str, Any] | None:
    """People served against budget, exact and greedy (``InvestmentPlan.sweep``).

    The parks' 5G upgrades are funded off the top of each budget, as in the plan itself
    (``reserved``): where one more park becomes affordable the villages get less, and the
    curve can dip.
    """
    if investment is None or getattr(investment, "problem", None) is None:
        return None
    interventions = investment.interventions
    total = float(pd.to_numeric(interventions.get("cost_vnd"), errors="coerce").sum()) \
        if interventions is not None and len(interventions) else 0.0
    if total <= 0:
        return None
    plan_budget = _num((investment.summary or {}).get("budget_vnd"))
    budgets = list(budgets) if budgets is not None else sweep_budgets(total, plan_budget)
    table = investment.sweep(budgets, time_limit_s=time_limit_s)
    return {
        "budget": [float(b) for b in table["budget_vnd"]],
        "exact": [_num(p) for p in table["people_exact"]],  # None: not solved at that budget
        "greedy": [float(p) for p in table["people_greedy"]],
        "reserved": [float(r) for r in table["reserved_vnd"]],
        "exact_status": [str(x) for x in table["exact_status"]],
        "plan_budget": plan_budget,
        # no selection within a budget serves more (the linear relaxation): frames the
        # optimum where it was not solved
        **({"bound": [_num(p) for p in table["people_bound"]]} if "people_bound" in table
           else {}),
    }


def cost_chart(interventions: pd.DataFrame | None) -> dict[str, Any] | None:
    """Cost of the planned interventions by kind: all of them and those in the budget."""
    if interventions is None or not len(interventions) or "kind" not in interventions:
        return None
    frame = pd.DataFrame({
        "kind": interventions["kind"].astype(str),
        "cost": pd.to_numeric(interventions.get("cost_vnd"), errors="coerce"),
        "in_budget": (interventions["in_budget"].astype("boolean").fillna(False)
                      if "in_budget" in interventions else False),
    })
    frame["cost_in"] = frame["cost"].where(frame["in_budget"].astype(bool), 0.0)
    totals = frame.groupby("kind", sort=True).agg(
        n=("kind", "size"), cost=("cost", "sum"), cost_in=("cost_in", "sum"))
    return {"kinds": totals.index.tolist(), "n": totals["n"].astype(int).tolist(),
            "cost": totals["cost"].astype(float).tolist(),
            "cost_in_budget": totals["cost_in"].astype(float).tolist()}


def charts_payload(*, targets: pd.DataFrame | None = None, investment: Any | None = None,
                   lang: str = "vi", budgets: Sequence[float] | None = None) -> dict[str, Any]:
    """What the charts panel draws; a chart without data is ``None`` (the panel says so)."""
    interventions = getattr(investment, "interventions", None)
    return {"targets": target_chart(targets, lang),
            "budget": budget_chart(investment, budgets=budgets),
            "cost": cost_chart(interventions)}
