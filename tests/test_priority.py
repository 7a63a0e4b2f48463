"""Score, presets and budget selection, with optima worked out by hand."""

import dataclasses

import pandas as pd
import pytest
from test_interventions import COMMUNES, villages

from geo_cds import schema as s
from geo_cds.errors import PlanError
from geo_cds.plan import Budget, Plan, Weights
from geo_cds.planning import interventions as iv
from geo_cds.planning.budget import SelectionProblem, select_budget
from geo_cds.planning.priority import plan_investments
from geo_cds.planning.score import PRESETS, resolve_weights

VND = Plan().costs.usd_to_vnd


def test_knapsack_exact_beats_greedy():
    # Costs 6, 5, 5; people 7, 5, 5; budget 10. Greedy takes 7/6 first and then nothing fits
    # (7 people); the optimum is the two 5s (10 people).
    p = SelectionProblem.build([6, 5, 5], [[0], [1], [2]], [7, 5, 5])
    ex = select_budget(p, 10, "exact")
    gr = select_budget(p, 10, "greedy")
    assert ex.people == 10 and ex.cost == 10 and list(ex.chosen) == [False, True, True]
    assert ex.status == "optimal"
    assert gr.people == 7 and list(gr.chosen) == [True, False, False]


def test_shared_intervention_dependency():
    # Villages 0 and 1 share route 0 (cost 10); village 1 also needs site 1 (cost 10).
    # Village 2 needs site 2 (cost 12). Budget 22: route + site 1 serves 0 and 1 (9 people),
    # route + site 2 serves 0 and 2 (4 + 6 = 10 people) — the optimum.
    p = SelectionProblem.build([10, 10, 12], [[0], [0, 1], [2]], [4, 5, 6])
    ex = select_budget(p, 22, "exact")
    assert list(ex.served) == [True, False, True] and ex.people == 10 and ex.cost == 22
    assert select_budget(p, 20, "exact").people == 9  # route + site 1
    everything = select_budget(p, None)
    assert everything.people == 15 and everything.cost == 32


def test_budget_picks_known_optimum_where_greedy_does_not():
    # Three far-apart villages without 4G. A is off the grid: its site costs 55,000 USD for
    # 1,100 people (0.0200 per USD); B and C cost 50,000 each for 950 (0.0190). With
    # 100,000 USD greedy builds A and nothing else fits; the optimum builds B and C.
    v = villages([("A", 0, 0, 1100, {"covered_4g": False, "has_power": False}),
                  ("B", 40, 0, 950, {"covered_4g": False}),
                  ("C", 80, 0, 950, {"covered_4g": False})])
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=100_000 * VND, method="exact"))
    inv = plan_investments(v, COMMUNES, None, None, None, plan)
    funded = inv.priority.set_index(s.VILLAGE_ID)[s.IN_BUDGET]
    assert funded.to_dict() == {"A": False, "B": True, "C": True}
    gap = inv.summary["exact_vs_greedy"]
    assert gap["people_exact"] == 1900 and gap["people_greedy"] == 1100
    assert gap["gap_people"] == 800
    assert inv.summary["in_budget_people_served"] == 1900
    assert inv.summary["in_budget_cost_vnd"] == 100_000 * VND
    # Funded villages rank first; the cumulative cost reaches the budget at the last of them.
    pr = inv.priority
    assert pr[s.IN_BUDGET].tolist() == [True, True, False]
    assert pr[s.CUM_COST_VND].iloc[1] == 100_000 * VND
    greedy = plan_investments(v, COMMUNES, None, None, None, plan, method="greedy")
    assert greedy.priority.set_index(s.VILLAGE_ID)[s.IN_BUDGET]["A"]
    assert greedy.summary["exact_vs_greedy"]["gap_people"] == 800


def test_parks_are_funded_first_from_the_budget():
    import geopandas as gpd
    from shapely.geometry import box
    from test_interventions import UTM, X0, Y0

    parks = gpd.GeoDataFrame(
        {s.PARK_ID: ["P1"], s.PARK_NAME: ["KCN Đình Trám"], s.PARK_KIND: ["KCN"],
         s.TARGET_5G_YEAR: [2025], s.PARK_GAP_5G: [True]},
        geometry=[box(X0 + 90_000, Y0, X0 + 91_000, Y0 + 1000)], crs=UTM).to_crs(4326)
    v = villages([("A", 0, 0, 1000, {"covered_4g": False})])
    budget = (85_000 + 10_000) * VND  # the park's new 5G site, then not enough for a 4G site
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=budget))
    inv = plan_investments(v, COMMUNES, parks, None, None, plan)
    assert inv.parks[s.IN_BUDGET].tolist() == [True]
    assert not inv.priority[s.IN_BUDGET].any()
    assert inv.summary["in_budget"]["village_budget_vnd"] == 10_000 * VND
    off = plan_investments(v, COMMUNES, parks, None, None, plan, parks_in_budget=False)
    assert off.priority[s.IN_BUDGET].all()
    # A sweep gives the park the first 85,000 USD of every budget, like the plan itself, so
    # a smaller budget never serves more villages than a larger one.
    sweep = inv.sweep([budget, (85_000 + 50_000) * VND, 10_000 * VND]).set_index("budget_vnd")
    assert sweep["reserved_vnd"].tolist() == [85_000 * VND, 85_000 * VND, 10_000 * VND]
    assert sweep["people_exact"].tolist() == [0, 1000, 0]


def _two_villages():
    # Identical except that B is in an extremely difficult (ĐBKK) commune and has fewer people.
    return villages([("A", 0, 0, 900, {"covered_4g": False}),
                     ("B", 40, 0, 600, {"covered_4g": False, "dbkk": True})])


def test_score_moves_the_right_way_when_its_weight_grows():
    v = _two_villages()
    scores, ranks = [], []
    for w in (0.0, 0.2, 0.5, 1.0):
        weights = Weights(people_per_vnd=0.5, dbkk=w, deadline=0.1, severity=0.1)
        pr = plan_investments(v, COMMUNES, None, None, None, Plan(), weights=weights)
        row = pr.priority.set_index(s.VILLAGE_ID).loc["B"]
        scores.append(row[s.SCORE])
        ranks.append(row[s.RANK])
        assert row["score_dbkk"] == 1.0
        assert 0.0 <= row[s.SCORE] <= 1.0
    assert scores == sorted(scores) and scores[0] < scores[-1]
    assert ranks[0] == 2 and ranks[-1] == 1  # ĐBKK village moves up


def test_presets_and_overrides():
    assert set(PRESETS) == {"coverage-first", "equity", "cost-effective"}
    plan = Plan()
    assert resolve_weights(plan) == PRESETS["coverage-first"]
    assert resolve_weights(plan, preset="equity") == PRESETS["equity"]
    w = resolve_weights(plan, {"dbkk": 0.9}, preset="cost-effective")
    assert w.dbkk == 0.9 and w.people_per_vnd == PRESETS["cost-effective"].people_per_vnd
    own = dataclasses.replace(plan, weights=Weights(0.1, 0.1, 0.1, 0.7))
    assert resolve_weights(own) == Weights(0.1, 0.1, 0.1, 0.7)  # the plan file's weights win
    with pytest.raises(PlanError, match="unknown preset"):
        resolve_weights(plan, preset="fastest")
    with pytest.raises(PlanError, match="unknown weight"):
        resolve_weights(plan, {"speed": 1})
    with pytest.raises(PlanError, match="negative"):
        resolve_weights(plan, {"dbkk": -1})
    # Equity puts the ĐBKK village first; cost-effective the cheaper-per-person one.
    v = _two_villages()
    first = {name: plan_investments(v, COMMUNES, None, None, None, plan, preset=name)
             .priority[s.VILLAGE_ID].iloc[0] for name in PRESETS}
    assert first["equity"] == "B" and first["cost-effective"] == "A"


def test_greedy_fallback_for_large_inputs():
    # The knapsack of test_knapsack_exact_beats_greedy: with room for only 2 units the exact
    # method falls back to greedy, whose answer there is 7 people (not the optimal 10).
    p = SelectionProblem.build([6, 5, 5], [[0], [1], [2]], [7, 5, 5])
    sel = select_budget(p, 10, "exact", max_exact_units=2)
    assert sel.status.startswith("greedy") and sel.people == 7 and sel.method == "exact"


def test_nothing_to_plan():
    v = villages([("A", 0, 0, 100)])
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    assert len(inv.priority) == 0 and len(inv.interventions) == 0
    assert inv.summary["total_cost_vnd"] == 0


def test_priority_columns_and_codes():
    v = villages([("A", 0, 0, 300, {"covered_4g": False, "has_fibre": False, "dbkk": True}),
                  ("S", 3, 0, 100)])
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    row = inv.priority.iloc[0]
    for col in (s.PROVINCE_CODE, s.PROVINCE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME, s.VILLAGE_ID,
                s.VILLAGE_NAME, s.POPULATION, s.HOUSEHOLDS, s.DBKK, s.NEEDS_POWER, "gaps",
                s.INTERVENTION, s.COST_VND, s.SCORE, "score_people_per_vnd", "score_dbkk",
                "score_deadline", "score_severity", s.RANK, s.CUM_COST_VND, s.IN_BUDGET):
        assert col in inv.priority
    assert row[s.COMMUNE_CODE] == "07795" and row[s.COMMUNE_NAME] == "Phường Nếnh"
    assert row["gaps"] == "4G; cáp quang"
    assert row[s.INTERVENTION] == "new_4g_site;fibre_extension"
    assert row[s.COST_VND] == round((50_000 + 3 * 1.1 * 8000 + 500) * VND)
    assert set(inv.interventions[iv.KIND]) == {iv.KIND_SITE, iv.KIND_ROUTE}
    assert inv.interventions.crs.to_epsg() == 4326


def test_village_without_location_is_listed_not_costed():
    v = villages([("A", 0, 0, 300, {"covered_4g": False}), ("B", 5, 0, 200, {"covered_4g": False})])
    v.loc[v[s.VILLAGE_ID] == "B", "geometry"] = None
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    b = inv.priority.set_index(s.VILLAGE_ID).loc["B"]
    # its cost is unknown, not 0: missing, counted, never summed as 0
    assert pd.isna(b[s.COST_VND]) and b[s.INTERVENTION] == "" and "vị trí" in b["notes"]
    assert inv.interventions[iv.N_SERVED].tolist() == [1]
    a_cost = round(50_000 * VND)  # A's new site, the only costed intervention
    assert inv.priority.set_index(s.VILLAGE_ID).loc["A", s.COST_VND] == a_cost
    assert inv.summary["villages_cost_missing"] == 1
    assert inv.summary["total_cost_vnd"] == a_cost
    assert not bool(b[s.IN_BUDGET])  # nothing to buy: never counted as served
    assert inv.priority[s.CUM_COST_VND].tolist() == [a_cost, a_cost]
    assert all(c.ok for c in inv.checks)
    missing = {c.key: dict(c.figures) for c in inv.checks}["cost_missing"]
    assert set(missing.values()) == {1}
