"""The ledger: every money and people figure reconciles, worked out by hand."""

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from test_interventions import COMMUNES, villages

from geo_cds import schema as s
from geo_cds.plan import Budget, Plan
from geo_cds.planning import interventions as iv
from geo_cds.planning.ledger import money_checks
from geo_cds.planning.priority import plan_investments

VND = Plan().costs.usd_to_vnd
SITE = 50_000 * VND  # one new 4G site
ROUTE = round((2 * 1.1 * 8000 + 500) * VND)  # 2 km of fibre from A to B, one connection


def _shared_site_one_village_left_out():
    # A (1,000 people) and B (100), 2 km apart, both without 4G: one site serves both.
    # B also lacks fibre; A has it, so B's route is the 2 km to A. The budget buys the site
    # only: A is served, B (needing site + route) is not.
    v = villages([("A", 20, 0, 1000, {"covered_4g": False}),
                  ("B", 22, 0, 100, {"covered_4g": False, "has_fibre": False})])
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=SITE))
    return plan_investments(v, COMMUNES, None, None, None, plan)


def test_a_funded_shared_site_is_costed_whole_on_a_funded_row():
    inv = _shared_site_one_village_left_out()
    pr = inv.priority.set_index(s.VILLAGE_ID)
    assert pr.loc["A", s.IN_BUDGET] and not pr.loc["B", s.IN_BUDGET]
    assert pr.loc["A", "intervention_ids"] == "S0001"
    assert pr.loc["B", "intervention_ids"] == "S0001;F0001"
    # the site's whole cost on A (the funded row); B carries only its own route
    assert pr.loc["A", s.COST_VND] == SITE
    assert pr.loc["B", s.COST_VND] == ROUTE
    assert pr.loc["A", "cost_carried_ids"] == "S0001"
    assert pr.loc["B", "cost_carried_ids"] == "F0001"
    assert inv.summary["in_budget"]["cost_vnd"] == SITE
    assert pr.loc[pr[s.IN_BUDGET], s.COST_VND].sum() == SITE
    assert pr[s.COST_VND].sum() == SITE + ROUTE == inv.summary["total_cost_vnd"]
    site = inv.interventions.set_index(iv.INTERVENTION_ID).loc["S0001"]
    assert site[iv.VILLAGE_IDS] == "A;B" and site[s.COST_VND] == SITE and site[s.IN_BUDGET]
    assert inv.summary["in_budget"]["people_served"] == 1000


def _random_villages(draw_rows):
    rows = []
    for k, (x, y, pop, no_4g, no_fibre, powered) in enumerate(draw_rows):
        rows.append((f"V{k}", x, y, pop, {"covered_4g": not no_4g, "has_fibre": not no_fibre,
                                          "has_power": powered}))
    return villages(rows)


village_rows = st.lists(
    st.tuples(st.floats(0, 30), st.floats(0, 30), st.integers(1, 3000), st.booleans(),
              st.booleans(), st.booleans()),
    min_size=2, max_size=9)


@settings(max_examples=25, deadline=None)
@given(rows=village_rows, share=st.floats(0, 1.2), method=st.sampled_from(["exact", "greedy"]))
def test_every_view_reconciles_on_random_instances(rows, share, method):
    v = _random_villages(rows)
    everything = plan_investments(v, COMMUNES, None, None, None, Plan(), budget_vnd=None)
    budget = share * everything.summary["total_cost_vnd"]
    inv = plan_investments(v, COMMUNES, None, None, None, Plan(), budget_vnd=budget,
                           method=method)
    assert all(c.ok for c in money_checks(inv.priority, inv.interventions, inv.parks,
                                          inv.summary)), money_checks(
        inv.priority, inv.interventions, inv.parks, inv.summary)
    # the sums a planner makes, from the files' columns alone
    pr, it = inv.priority, inv.interventions
    spend = inv.summary["in_budget"]["cost_vnd"]
    assert pr.loc[pr[s.IN_BUDGET], s.COST_VND].sum() == spend == it.loc[it[s.IN_BUDGET],
                                                                          s.COST_VND].sum()
    assert spend <= budget
    # people: each served village once, never more than live in the gap villages
    assert inv.summary["in_budget"]["people_served"] == pr.loc[pr[s.IN_BUDGET],
                                                               s.POPULATION].sum()
    # a funded intervention funds every village that needs only funded interventions
    funded = set(it.loc[it[s.IN_BUDGET], iv.INTERVENTION_ID])
    for need, inb in zip(pr["intervention_ids"], pr[s.IN_BUDGET], strict=True):
        ids = set(filter(None, need.split(";")))
        assert inb == (bool(ids) and ids <= funded)


def _whole(inv, priority=None, interventions=None):
    checks = money_checks(inv.priority if priority is None else priority,
                          inv.interventions if interventions is None else interventions,
                          inv.parks, inv.summary)
    return next(c for c in checks if c.key == "money_whole")


def test_the_whole_interventions_check_catches_each_kind_of_tampering():
    inv = _shared_site_one_village_left_out()
    assert _whole(inv).ok
    pr = inv.priority.set_index(s.VILLAGE_ID)
    # the route claims A as well, which does not need it
    inter = inv.interventions.copy()
    inter.loc[inter[iv.INTERVENTION_ID] == "F0001", iv.VILLAGE_IDS] = "A;B"
    check = _whole(inv, interventions=inter)
    assert not check.ok and "F0001 serves ['A', 'B'] but the list has ['B']" in check.note
    # the site costed on both rows
    both = pr.assign(cost_carried_ids=["S0001", "S0001;F0001"]).reset_index()
    check = _whole(inv, priority=both)
    assert not check.ok and "S0001 costed on 2 rows" in check.note
    # the site's cost moved to the row that is not funded
    moved = pr.assign(cost_carried_ids=["", "S0001;F0001"]).reset_index()
    check = _whole(inv, priority=moved)
    assert "S0001 funded but costed on a not funded row" in check.note
    # B marked funded although its route is not
    funded = pr.assign(in_budget=[True, True]).reset_index()
    check = _whole(inv, priority=funded)
    assert "village B in budget but not all of S0001;F0001 funded" in check.note
