"""The plan summary (``plan_summary.json``, the workbook's summary sheet, ``summary.md``'s
investment section): totals derived from the ledger's interventions and village rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.planning import interventions as iv
from geo_cds.planning.ledger import INTERVENTION_IDS, split_ids

FIBRE_FEASIBLE = "fibre_feasible"


def plan_summary(*, plan, weights, preset, method, objective, budget, village_budget, table, inter,
             sel, other, park_funded, park_cost, park_due, parks_in_budget, upgrades,
                 large_zones=()) -> dict:
    kinds = inter[iv.KIND].astype(str)
    cost = inter[s.COST_VND].astype(np.int64)
    chosen = inter[s.IN_BUDGET].to_numpy(bool)
    pop = pd.to_numeric(table[s.POPULATION], errors="coerce").fillna(0)
    served = table[s.IN_BUDGET].to_numpy(bool)
    row, iid = split_ids(table[INTERVENTION_IDS].astype(str))

    def got(kind: str) -> np.ndarray:  # rows needing a funded intervention of this kind
        ok = inter.loc[chosen & (kinds == kind).to_numpy(), iv.INTERVENTION_ID]
        out = np.zeros(len(table), dtype=bool)
        out[row[pd.Index(ok).get_indexer(iid) >= 0]] = True
        return out

    got_4g, got_fibre = got(iv.KIND_SITE), got(iv.KIND_ROUTE)
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
        # a 4G or fibre gap of a village without a location: its cost is missing, not 0
        "villages_cost_missing": int(table[s.COST_VND].isna().sum()),
        "population_in_gap_villages": int(pop.sum()),
        "villages_power_first": int(table[s.INTERVENTION].str.contains(iv.POWER_FIRST)
                                    .fillna(False).sum()),
        "villages_fibre_not_feasible": int(table[FIBRE_FEASIBLE].eq(False).sum()),
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
            "people_newly_4g": int(pop[got_4g].sum()),
            "people_newly_fibre": int(pop[got_fibre].sum()),
            "village_budget_vnd": None if village_budget is None else float(village_budget),
            "remaining_vnd": None if budget is None else float(budget) - spent,
        },
        "parks_5g": {
            "parks_with_gap": int(sum(len(str(p).split(";")) for p in upgrades[iv.PARK_IDS]))
            if len(upgrades) else 0,
            "sites_upgraded": int(upgrades[iv.SITES_UPGRADED].sum()) if len(upgrades) else 0,
            "new_sites": int(upgrades[iv.NEW_SITES_5G].sum()) if len(upgrades) else 0,
            "cost_vnd": int(park_cost.sum()),
            "funded_first_from_budget": bool(parks_in_budget),
            "funded_cost_vnd": int(park_cost[park_funded].sum()),
            "upgrades_due": int(park_due.sum()),
            "large_zones": list(large_zones),
            "funded_due_first_vnd": int(park_cost[park_funded & park_due].sum()),
            "funded_after_villages_vnd": int(park_cost[park_funded & ~park_due].sum()),
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
