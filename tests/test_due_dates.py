"""The plan's reference year decides what is due: a park due in 2030 waits for the villages
due in 2025."""

import dataclasses

import geopandas as gpd
from shapely.geometry import Point, box
from test_interventions import COMMUNES, UTM, X0, Y0, villages

from geo_cds import schema as s
from geo_cds.plan import Budget, Plan
from geo_cds.planning.priority import plan_investments

VND = Plan().costs.usd_to_vnd


def _parks():
    # P1 (due 2025) has no site in reach: a new 4G/5G site, 85,000 USD. P2 (due 2030) has a
    # 4G site inside it: an upgrade, 35,000 USD — the cheaper one.
    parks = gpd.GeoDataFrame(
        {s.PARK_ID: ["P1", "P2"], s.PARK_NAME: ["KCN Một", "KCN Hai"], s.PARK_KIND: ["KCN"] * 2,
         s.TARGET_5G_YEAR: [2025, 2030], s.PARK_GAP_5G: [True, True],
         s.PARK_COVERED_5G: [False, False]},
        geometry=[box(X0 + 60_000, Y0, X0 + 61_000, Y0 + 1000),
                  box(X0 + 90_000, Y0, X0 + 91_000, Y0 + 1000)], crs=UTM).to_crs(4326)
    sites = gpd.GeoDataFrame({s.SITE_ID: ["s2"], s.TECHNOLOGIES: ["4G"]},
                             geometry=[Point(X0 + 90_500, Y0 + 500)], crs=UTM).to_crs(4326)
    return parks, sites


def test_a_park_due_later_is_not_funded_ahead_of_a_village_due_now():
    parks, sites = _parks()
    v = villages([("A", 0, 0, 1000, {"covered_4g": False})])  # a new site, 50,000 USD
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=135_000 * VND))
    inv = plan_investments(v, COMMUNES, parks, sites, None, plan)
    # due first: P1 (85,000), then the village (50,000); P2, due 2030, waits
    assert inv.parks.set_index(s.PARK_ID)[s.IN_BUDGET].to_dict() == {"P1": True, "P2": False}
    assert inv.priority[s.IN_BUDGET].tolist() == [True]
    assert inv.summary["in_budget"]["cost_vnd"] == 135_000 * VND


def test_a_park_due_later_takes_what_the_villages_leave():
    parks, sites = _parks()
    v = villages([("A", 0, 0, 1000, {"covered_4g": False})])
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=170_000 * VND))
    inv = plan_investments(v, COMMUNES, parks, sites, None, plan)
    assert inv.parks[s.IN_BUDGET].all() and inv.priority[s.IN_BUDGET].all()
    assert inv.summary["in_budget"]["cost_vnd"] == 170_000 * VND
    # with the reference year at 2030 both parks are due and come first, cheapest first
    later = dataclasses.replace(plan, reference_year=2030, budget=Budget(vnd=135_000 * VND))
    inv = plan_investments(v, COMMUNES, parks, sites, None, later)
    assert inv.parks.set_index(s.PARK_ID)[s.IN_BUDGET].to_dict() == {"P1": True, "P2": True}
    assert not inv.priority[s.IN_BUDGET].any()
