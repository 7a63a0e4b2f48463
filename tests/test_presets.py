"""Presets change what the budget optimises, not only the order of the list."""

import dataclasses

from test_interventions import COMMUNES, villages

from geo_cds import schema as s
from geo_cds.plan import Budget, Plan
from geo_cds.planning.priority import plan_investments

VND = Plan().costs.usd_to_vnd
ONE_SITE = Plan(budget=Budget(vnd=50_000 * VND))


def _two_far_villages():
    # A: 900 people; B: 600 people in a ĐBKK commune. Both lack 4G, 40 km apart: one new
    # site each (50,000 USD); the budget buys one.
    return villages([("A", 0, 0, 900, {"covered_4g": False}),
                     ("B", 40, 0, 600, {"covered_4g": False, "dbkk": True})])


def test_equity_funds_the_dbkk_village_under_the_default_objective():
    v = _two_far_villages()
    funded = {}
    for preset in ("coverage-first", "equity"):
        inv = plan_investments(v, COMMUNES, None, None, None, ONE_SITE, preset=preset)
        funded[preset] = inv.priority.loc[inv.priority[s.IN_BUDGET], s.VILLAGE_ID].tolist()
    # coverage-first: the most people (A, 900). equity maximises people × score (weights
    # 0.1, 0.4, 0.1, 0.4): B scores 0.1·0.5 + 0.4 + 0.1 + 0.4/3 = 0.683 (× 600 = 410) against
    # A's 0.1·1 + 0.1 + 0.4/3 = 0.333 (× 900 = 300).
    assert funded == {"coverage-first": ["A"], "equity": ["B"]}


def test_cost_effective_serves_the_same_people_for_less():
    # A and B have 500 people each; B is off the grid (55,000 USD). A budget of 55,000 buys
    # either: the same people; cost-effective takes the cheaper one.
    v = villages([("A", 0, 0, 500, {"covered_4g": False}),
                   ("B", 40, 0, 500, {"covered_4g": False, "has_power": False})])
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=55_000 * VND))
    inv = plan_investments(v, COMMUNES, None, None, None, plan, preset="cost-effective")
    assert inv.summary["in_budget"]["people_served"] == 500
    assert inv.summary["in_budget"]["cost_vnd"] == 50_000 * VND
    assert inv.summary["objective"] == "people_min_cost"


def test_the_effective_plan_records_the_presets_objective():
    v = _two_far_villages()
    inv = plan_investments(v, COMMUNES, None, None, None, ONE_SITE, preset="equity")
    assert inv.plan.budget.objective == "score" and inv.plan.budget.preset == "equity"
    # re-planning that record with another preset takes that preset's objective
    again = plan_investments(v, COMMUNES, None, None, None, inv.plan, preset="coverage-first")
    assert again.summary["objective"] == "people"


def test_equity_funds_the_unserved_village_first():
    # A: 800 people, lacks fibre only (a 2 km route from S: 18,100 USD). B: 700 people, lacks
    # 4G and fibre, beside its fibre-served neighbour T: a site (50,000) and a 1 km route
    # (9,300). Budget 59,300 USD: either A, or B.
    v = villages([("S", 0, 0, 100), ("A", 2, 0, 800, {"has_fibre": False}),
                  ("T", 60, 0, 100),
                  ("B", 61, 0, 700, {"covered_4g": False, "has_fibre": False})])
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=59_300 * VND))
    funded = {}
    for preset in ("coverage-first", "equity"):
        inv = plan_investments(v, COMMUNES, None, None, None, plan, preset=preset)
        funded[preset] = inv.priority.loc[inv.priority[s.IN_BUDGET], s.VILLAGE_ID].tolist()
    # equity: A scores 0.1·1 + 0.1 + 0.4·1/3 = 0.333 (× 800 = 267); B (people/VND percentile
    # 0.5, two gaps) 0.1·0.5 + 0.1 + 0.4·2/3 = 0.417 (× 700 = 292)
    assert funded == {"coverage-first": ["A"], "equity": ["B"]}
