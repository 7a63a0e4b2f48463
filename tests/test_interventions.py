"""Costed interventions on tiny hand-built layers (coordinates in km on UTM 48N)."""

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box

from geo_cds import schema as s
from geo_cds.plan import Costs, Plan
from geo_cds.planning import interventions as iv
from geo_cds.planning.priority import plan_investments
from geo_cds.planning.spatial import candidate_edges

UTM = "EPSG:32648"
X0, Y0 = 500_000.0, 1_700_000.0  # ≈ 105° E, 15.4° N: UTM 48N is the metric CRS chosen
COSTS = Costs()
VND = COSTS.usd_to_vnd


def villages(rows):
    """rows: (id, x_km, y_km, population, **flags); defaults: covered, fibre, powered."""
    recs = []
    for vid, x, y, pop, *flags in rows:
        f = flags[0] if flags else {}
        gap_m = not f.get("covered_4g", True)
        gap_f = not f.get("has_fibre", True)
        recs.append({
            s.VILLAGE_ID: vid, s.VILLAGE_NAME: f"Thôn {vid}", s.COMMUNE_CODE: f.get("commune", "07795"),
            s.POPULATION: pop, s.HOUSEHOLDS: pop // 4, s.DBKK: f.get("dbkk", False),
            s.HAS_POWER: f.get("has_power", True), s.HAS_FIBRE: not gap_f,
            s.FIBRE_HH_SHARE: 0.9, s.COVERED_4G: not gap_m, s.COVERED_5G: False,
            s.GAP_MOBILE: gap_m, s.GAP_FIBRE: gap_f, s.GAP_HH_FIBRE: False,
            s.NEEDS_POWER: not f.get("has_power", True), s.N_GAPS: int(gap_m) + int(gap_f),
            "geometry": Point(X0 + x * 1000, Y0 + y * 1000),
        })
    return gpd.GeoDataFrame(recs, geometry="geometry", crs=UTM).to_crs(4326)


COMMUNES = gpd.GeoDataFrame(
    {s.COMMUNE_CODE: ["07795"], s.COMMUNE_NAME: ["Phường Nếnh"], s.PROVINCE_CODE: ["24"],
     s.PROVINCE_NAME: ["Bắc Ninh"]},
    geometry=[box(X0 - 1e5, Y0 - 1e5, X0 + 1e5, Y0 + 1e5)], crs=UTM,
).to_crs(4326)


def test_split_by_weight_adds_up_exactly():
    parts = iv.split_by_weight(1000, [1, 1, 1])
    assert parts.sum() == 1000 and sorted(parts) == [333, 333, 334]
    assert list(iv.split_by_weight(10, [0, 0])) == [5, 5]


def test_shared_route_is_cheaper_than_separate_routes():
    # S has fibre; A is 10 km away, B 1 km beyond A: one route S-A-B of 11 km (not 10 + 11).
    v = villages([("S", 0, 0, 500), ("A", 10, 0, 300, {"has_fibre": False}),
                  ("B", 11, 0, 100, {"has_fibre": False})])
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    routes = inv.interventions[inv.interventions[iv.KIND] == iv.KIND_ROUTE]
    assert len(routes) == 1
    r = routes.iloc[0]
    assert r[iv.N_SERVED] == 2 and r[iv.POP_SERVED] == 400
    assert r[iv.LENGTH_KM] == pytest.approx(11 * 1.1, abs=1e-6)
    shared_usd = 11 * 1.1 * 8000 + 2 * 500  # 97,800
    separate_usd = (10 + 11) * 1.1 * 8000 + 2 * 500
    assert r[s.COST_VND] == round(shared_usd * VND) == 2_542_800_000
    assert r[s.COST_VND] < separate_usd * VND
    # Bought whole, costed once: on A, which ranks above B (same cost per person, more people).
    cost = inv.priority.set_index(s.VILLAGE_ID)[s.COST_VND]
    assert cost["A"] == 2_542_800_000 and cost["B"] == 0
    link = inv.priority.set_index(s.VILLAGE_ID)["fibre_link_km"]
    assert link["A"] == pytest.approx(11.0) and link["B"] == pytest.approx(1.1)
    assert r.geometry.geom_type == "MultiLineString"


def test_separate_routes_when_sharing_is_longer():
    # A and B on opposite sides of S: each gets its own spur.
    v = villages([("S", 0, 0, 500), ("A", 5, 0, 300, {"has_fibre": False}),
                  ("B", -5, 0, 100, {"has_fibre": False})])
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    routes = inv.interventions[inv.interventions[iv.KIND] == iv.KIND_ROUTE]
    assert sorted(routes[iv.N_SERVED]) == [1, 1]
    assert routes[iv.LENGTH_KM].sum() == pytest.approx(11.0)


def test_segment_longer_than_cap_is_not_feasible():
    # C is 25 km from everything: 27.5 km of route > the 20 km maximum new segment.
    v = villages([("S", 0, 0, 500), ("C", 0, 25, 200, {"has_fibre": False})])
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    row = inv.priority.set_index(s.VILLAGE_ID).loc["C"]
    assert not row["fibre_feasible"] and row[s.COST_VND] == 0
    assert "fibre_extension" not in row[s.INTERVENTION]
    assert "20 km" in row["notes"]
    assert inv.summary["villages_fibre_not_feasible"] == 1


def test_route_starts_from_a_fibre_cable():
    # No village has fibre; a cable runs north-south 2 km west of A.
    v = villages([("A", 0, 0, 300, {"has_fibre": False})])
    cable = gpd.GeoDataFrame({s.FIBRE_ID: ["c1"]}, geometry=[
        LineString([(X0 - 2000, Y0 - 5000), (X0 - 2000, Y0 + 5000)])], crs=UTM).to_crs(4326)
    inv = plan_investments(v, COMMUNES, None, None, cable, Plan())
    r = inv.interventions.iloc[0]
    assert r[iv.LENGTH_KM] == pytest.approx(2.2, abs=1e-3)
    assert r[s.COST_VND] == round((2.2 * 8000 + 500) * VND)


def test_one_site_for_a_cluster():
    # Three uncovered villages 5 km apart: the middle one reaches both others within 8 km.
    v = villages([("A", 0, 0, 100, {"covered_4g": False}), ("B", 5, 0, 200, {"covered_4g": False}),
                  ("C", 10, 0, 100, {"covered_4g": False}),
                  ("D", 50, 0, 80, {"covered_4g": False, "has_power": False})])
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    sites = inv.interventions[inv.interventions[iv.KIND] == iv.KIND_SITE].set_index(iv.VILLAGE_IDS)
    assert len(sites) == 2
    cluster = sites.loc["A;B;C"]
    assert cluster[iv.N_SERVED] == 3 and cluster[iv.POP_SERVED] == 400
    assert cluster[s.COST_VND] == 50_000 * VND
    site_pt = gpd.GeoSeries([cluster.geometry], crs=4326).to_crs(UTM).iloc[0]
    assert site_pt.distance(Point(X0 + 5000, Y0)) < 1e-3  # at village B
    # D stands alone, off the grid: the site carries its power system; power first.
    lone = sites.loc["D"]
    assert lone[s.COST_VND] == (50_000 + 5_000) * VND and lone[iv.OFF_GRID]
    d = inv.priority.set_index(s.VILLAGE_ID).loc["D"]
    assert d[s.INTERVENTION] == "power_first;new_4g_site" and d[s.NEEDS_POWER]
    # The cluster's site is costed once, on B (most people of the three, ranked first).
    cost = inv.priority.set_index(s.VILLAGE_ID)[s.COST_VND]
    assert cost[["A", "B", "C"]].tolist() == [0, 50_000 * VND, 0]


def test_park_upgrades_nearest_site_or_new_site():
    parks = gpd.GeoDataFrame(
        {s.PARK_ID: ["P1", "P2", "P3"], s.PARK_NAME: ["KCN Vân Trung", "KCN Quang Châu", "CCN Xa"],
         s.PARK_KIND: ["KCN", "KCN", "CCN"], s.TARGET_5G_YEAR: [2025, 2025, 2025],
         s.PARK_GAP_5G: [True, True, True], s.PARK_COVERED_5G: [False, False, False]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1500, Y0, X0 + 2500, Y0 + 1000),
                  box(X0 + 30_000, Y0, X0 + 31_000, Y0 + 1000)], crs=UTM).to_crs(4326)
    sites = gpd.GeoDataFrame(
        {s.SITE_ID: ["old5g", "s1"], s.OPERATOR: ["VNPT", "Viettel"],
         s.TECHNOLOGIES: ["4G,5G", "4G"]},
        geometry=[Point(X0 + 1200, Y0 + 500), Point(X0 + 1300, Y0 + 600)], crs=UTM).to_crs(4326)
    v = villages([("S", 0, 0, 500)])
    inv = plan_investments(v, COMMUNES, parks, sites, None, Plan())
    up = inv.interventions[inv.interventions[iv.KIND] == iv.KIND_5G].set_index(iv.PARK_IDS)
    # P1 and P2 share the upgrade of s1 (the 5G site does not count); P3 gets a new site.
    assert set(up.index) == {"P1;P2", "P3"}
    assert up.loc["P1;P2", iv.SITE_ID_USED] == "s1" and not up.loc["P1;P2", iv.NEW_SITE]
    assert up.loc["P1;P2", s.COST_VND] == 35_000 * VND
    assert up.loc["P3", iv.NEW_SITE] and up.loc["P3", s.COST_VND] == 85_000 * VND
    assert len(inv.parks) == 3 and inv.summary["parks_5g"]["cost_vnd"] == 120_000 * VND
    assert np.isclose(inv.parks.set_index(s.PARK_ID).loc["P1", "site_distance_km"], 0.3)


def test_candidate_edges_keep_the_minimum_spanning_tree():
    # Delaunay edges (duplicates joined at zero length) give the same MST as every pair.
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree

    rng = np.random.default_rng(7)
    for n in (2, 5, 40, 300):
        xy = rng.uniform(0, 20_000, (n, 2))
        xy[: n // 4] = xy[n // 4: 2 * (n // 4)]  # co-located villages
        e, length = candidate_edges(xy, np.inf)
        i, j = np.triu_indices(n, 1)
        full = np.hypot(*(xy[i] - xy[j]).T)

        def weight(a, b, w, n=n):
            return minimum_spanning_tree(coo_matrix((w + 1e-3, (a, b)), shape=(n, n))).sum()

        assert weight(e[:, 0], e[:, 1], length) == pytest.approx(weight(i, j, full))


def test_routes_never_longer_than_separate_spurs():
    rng = np.random.default_rng(3)
    rows = [("S0", 0, 0, 100), ("S1", 30, 30, 100)]
    rows += [(f"U{k}", *rng.uniform(0, 30, 2), int(rng.integers(50, 500)), {"has_fibre": False})
             for k in range(40)]
    v = villages(rows)
    inv = plan_investments(v, COMMUNES, None, None, None, Plan())
    routes = inv.interventions[inv.interventions[iv.KIND] == iv.KIND_ROUTE]
    vm = v.to_crs(UTM)
    served = vm[vm[s.HAS_FIBRE]].geometry
    spur = vm[~vm[s.HAS_FIBRE]].geometry.apply(lambda g: served.distance(g).min())
    assert routes[iv.LENGTH_KM].sum() <= spur.sum() * 1.1 / 1000 + 1e-6
    assert routes[iv.N_SERVED].sum() == 40
    assert inv.priority[s.COST_VND].sum() == routes[s.COST_VND].sum()
