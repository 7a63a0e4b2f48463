"""A park's 5G plan is sized to the area it still lacks, not one site per zone."""

import math

import geopandas as gpd
from shapely.geometry import Point, box
from test_interventions import COMMUNES, UTM, X0, Y0, villages

from geo_cds import schema as s
from geo_cds.plan import Plan
from geo_cds.planning import interventions as iv
from geo_cds.planning.priority import plan_investments

VND = Plan().costs.usd_to_vnd
REACH_HA = math.pi * 2.0 ** 2 * 100  # a 5G site reaches 2 km: 1,256.6 ha


def test_a_zone_gets_sites_for_its_uncovered_area_and_is_flagged():
    # Z: 10 × 10 km (10,000 ha), half covered → 5,000 ha uncovered → ceil(5000 / 1256.6) = 4
    # sites. Two 4G sites stand inside it: 2 upgrades (35,000 USD) + 2 new sites (85,000).
    # K: 1 × 1 km (100 ha), nothing covered → 1 site, and it has none in reach → a new one.
    parks = gpd.GeoDataFrame(
        {s.PARK_ID: ["Z", "K"], s.PARK_NAME: ["Khu kinh tế Z", "KCN K"],
         s.PARK_KIND: ["KKT", "KCN"], s.TARGET_5G_YEAR: [2025, 2025],
         s.PARK_GAP_5G: [True, True], s.PARK_COVERED_5G: [False, False],
         s.area_share("5g"): [0.5, 0.0]},
        geometry=[box(X0, Y0, X0 + 10_000, Y0 + 10_000),
                  box(X0 + 50_000, Y0, X0 + 51_000, Y0 + 1000)], crs=UTM).to_crs(4326)
    sites = gpd.GeoDataFrame(
        {s.SITE_ID: ["a", "b", "c5g"], s.TECHNOLOGIES: ["4G", "4G", "4G,5G"]},
        geometry=[Point(X0 + 2000, Y0 + 2000), Point(X0 + 8000, Y0 + 8000),
                  Point(X0 + 5000, Y0 + 5000)], crs=UTM).to_crs(4326)
    v = villages([("S", 0, -30, 500)])
    inv = plan_investments(v, COMMUNES, parks, sites, None, Plan())
    pk = inv.parks.set_index(s.PARK_ID)
    assert round(pk.loc["Z", "uncovered_ha"]) == 5000
    assert math.ceil(5000 / REACH_HA) == 4
    assert pk.loc["Z", ["sites_upgraded", "new_sites_5g"]].tolist() == [2, 2]
    assert pk.loc["Z", s.COST_VND] == (2 * 35_000 + 2 * 85_000) * VND
    assert "4" in pk.loc["Z", "sizing_note"] and "ha" in pk.loc["Z", "sizing_note"]
    assert pk.loc["K", ["sites_upgraded", "new_sites_5g"]].tolist() == [0, 1]
    assert pk.loc["K", s.COST_VND] == 85_000 * VND
    assert pk.loc["K", "sizing_note"] in ("", None) or pk["sizing_note"].isna()["K"]
    up = inv.interventions.set_index(iv.PARK_IDS)
    assert up.loc["Z", iv.SITE_ID_USED] == "a;b"
    assert inv.summary["parks_5g"]["cost_vnd"] == (2 * 35_000 + 3 * 85_000) * VND


def test_the_upgraded_sites_operators_are_named():
    # P (1 × 1 km, nothing covered) needs one site: the nearest 4G site, "vtl" 300 m away
    # (Viettel, written "VIETTEL"), is upgraded, not "vnp" 900 m away (VinaPhone).
    parks = gpd.GeoDataFrame(
        {s.PARK_ID: ["P"], s.PARK_NAME: ["KCN P"], s.PARK_KIND: ["KCN"],
         s.TARGET_5G_YEAR: [2025], s.PARK_GAP_5G: [True], s.PARK_COVERED_5G: [False],
         s.area_share("5g"): [0.0]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=UTM).to_crs(4326)
    sites = gpd.GeoDataFrame(
        {s.SITE_ID: ["vtl", "vnp"], s.OPERATOR: ["VIETTEL", "Vinaphone"],
         s.TECHNOLOGIES: ["4G", "4G"]},
        geometry=[Point(X0 + 1300, Y0 + 500), Point(X0 + 1900, Y0 + 500)], crs=UTM).to_crs(4326)
    inv = plan_investments(villages([("S", 0, -30, 500)]), COMMUNES, parks, sites, None, Plan())
    pk = inv.parks.set_index(s.PARK_ID)
    assert pk.loc["P", ["site_id", "site_operator"]].tolist() == ["vtl", "Viettel"]
