"""Coverage and gap figures on four villages whose answers are worked out by hand.

    village commune pop hh  has_4g raster-4G fibre hh-share team power
    v1      00001   100 25  True   -         True  0.9      True True
    v2      00001   300 75  NA     -100 dBm  False 0.5      False False
    v3      00002   200 50  NA     -110 dBm  True  NA       True True
    v4      00002    50 10  NA     no data   False 1.0      False True
"""

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo_cds.analysis import gaps
from geo_cds.plan import Plan

PLAN = Plan()


@pytest.fixture
def villages():
    v = pd.DataFrame({
        "village_id": ["v1", "v2", "v3", "v4"],
        "commune_code": ["00001", "00001", "00002", "00002"],
        "population": [100, 300, 200, 50],
        "households": [25, 75, 50, 10],
        "has_4g": pd.array([True, None, None, None], dtype="boolean"),
        "has_5g": pd.array([False, None, None, None], dtype="boolean"),
        "has_fibre": pd.array([True, False, True, False], dtype="boolean"),
        "fibre_household_share": [0.9, 0.5, np.nan, 1.0],
        "has_digital_team": pd.array([True, False, True, False], dtype="boolean"),
        "has_power": pd.array([True, False, True, True], dtype="boolean"),
    })
    raster = {"4g": np.array([-80.0, -100.0, -110.0, np.nan]),
              "5g": np.array([np.nan, -100.0, -120.0, np.nan])}
    covered = gaps.village_coverage(v, raster, PLAN.thresholds)
    return gaps.village_gaps(covered, PLAN)


@pytest.fixture
def communes():
    return gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002"], "commune_name": ["Xã A", "Xã B"],
         "province_code": ["24", "24"], "province_name": ["Bắc Ninh", "Bắc Ninh"]},
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs="EPSG:4326")


def test_attribute_wins_then_raster_then_unknown(villages):
    assert villages["covered_4g"].tolist() == [True, True, False, pd.NA]
    assert villages["coverage_source"].tolist() == ["reported", "modelled", "modelled", "none"]
    assert villages["covered_5g"].tolist() == [False, True, False, pd.NA]
    assert villages["rsrp_4g_dbm"].tolist()[:3] == [-80.0, -100.0, -110.0]


def test_gap_flags(villages):
    assert villages["gap_mobile"].tolist() == [False, False, True, pd.NA]
    assert villages["gap_fibre"].tolist() == [False, True, False, True]
    assert villages["gap_household_fibre"].tolist() == [False, True, pd.NA, False]
    assert villages["needs_power"].tolist() == [False, True, False, False]
    assert villages["n_gaps"].tolist() == [0, 2, 1, 1]
    assert villages["gap_status"].tolist() == ["ok", "fibre", "mobile", "fibre"]


def test_commune_figures(villages, communes):
    c = gaps.commune_table(communes, villages, None).set_index("commune_code")
    assert c.loc["00001", "share_villages_4g"] == 1.0
    assert c.loc["00002", "share_villages_4g"] == 0.0  # v4 unknown: not counted either way
    assert c.loc["00001", "share_households_fibre"] == pytest.approx((0.9 * 25 + 0.5 * 75) / 100)
    assert c.loc["00002", "share_households_fibre"] == pytest.approx(1.0)  # v3 unknown
    assert c["n_villages"].tolist() == [2, 2]
    assert c["village_population"].tolist() == [400, 250]
    assert c["commune_has_fibre"].tolist() == [True, True]
    assert c["has_smart_village"].tolist() == [True, False]
    assert c["n_villages_with_gaps"].tolist() == [1, 2]


def test_empty_commune_has_no_data_not_zero(villages, communes):
    extra = pd.concat([communes, communes.iloc[[0]].assign(commune_code="00003")])
    c = gaps.commune_table(extra, villages, None).set_index("commune_code")
    assert np.isnan(c.loc["00003", "share_villages_4g"])
    assert c.loc["00003", "n_villages"] == 0


def test_target_table(villages, communes):
    c = gaps.commune_table(communes, villages, None)
    t = gaps.target_table(c, villages, None, PLAN)
    t = t[t.province_code == "all"].set_index("target_id")
    assert t.loc["village_mobile_broadband", "value"] == pytest.approx(2 / 3)
    assert t.loc["village_mobile_broadband", "shortfall"] == 1
    assert t.loc["village_fibre", "value"] == 0.5
    assert t.loc["household_fibre", "value"] == pytest.approx(70 / 110)
    assert t.loc["household_fibre", "shortfall"] == 18  # ceil(0.8 * 110 − 70)
    assert t.loc["commune_fibre", "status"] == "met"
    assert t.loc["smart_village", "status"] == "not met"
    # population covered by 5G among the known: v1 no, v2 yes, v3 no → 300 / 600
    assert t.loc["population_5g", "value"] == pytest.approx(0.5)
    assert np.isnan(t.loc["park_5g", "value"])


def test_parks_and_streets(communes):
    parks = gpd.GeoDataFrame(
        {"park_id": ["p1", "p2", "p3"], "park_name": ["KCN 1", "KCN 2", "CCN 3"],
         "kind": ["KCN", "KCN", "CCN"], "province_code": ["24"] * 3, "target_5g_year": [2025] * 3},
        geometry=[box(0, 0, 1, 1)] * 3, crs="EPSG:4326")
    zonal = pd.DataFrame({"area_share_5g": [1.0, 0.5, np.nan]}, index=parks.index)
    p = gaps.park_table(parks, zonal, PLAN)
    assert p["covered_5g"].tolist() == [True, False, pd.NA]
    assert p["gap_5g"].tolist() == [False, True, pd.NA]
    streets = gpd.GeoDataFrame(
        {"street_id": ["s"], "street_name": ["Phố Văn Hà"], "commune_code": ["00001"],
         "merchants": [40], "merchants_qr": [30]}, geometry=[Point(0.5, 0.5)], crs="EPSG:4326")
    st = gaps.street_table(streets, communes)
    assert st["qr_share"].tolist() == [0.75] and st["commune_name"].tolist() == ["Xã A"]


def test_a_village_measurement_beats_the_raster():
    v = pd.DataFrame({"has_4g": pd.array([None, None], dtype="boolean"),
                      "rsrp_4g_dbm": [-100.0, np.nan]})
    out = gaps.village_coverage(v, {"4g": np.array([-120.0, -120.0])}, PLAN.thresholds)
    assert out["covered_4g"].tolist() == [True, False]
    assert out["coverage_source"].tolist() == ["reported", "modelled"]
    assert out["rsrp_4g_dbm"].tolist() == [-100.0, -120.0]


def test_average_download_per_technology(communes):
    v = pd.DataFrame({
        "commune_code": ["00001"] * 4, "population": [1] * 4, "households": [1] * 4,
        "covered_4g": pd.array([True, True, True, True], dtype="boolean"),
        "covered_5g": pd.array([False, False, True, False], dtype="boolean"),
        "has_fibre": pd.array([True] * 4, dtype="boolean"),
        "fibre_household_share": [1.0] * 4,
        "has_digital_team": pd.array([True] * 4, dtype="boolean"),
        "has_power": pd.array([True] * 4, dtype="boolean"),
        "download_mbps": [30.0, 50.0, 120.0, np.nan],  # the last one was not measured
    })
    v = gaps.village_gaps(v, PLAN)
    c = gaps.commune_table(communes, v, None)
    t = gaps.target_table(c, v, None, PLAN)
    t = t[t.province_code == "all"].set_index("target_id")
    assert t.loc["download_4g", "value"] == 40.0  # (30 + 50) / 2: 4G-only villages
    assert t.loc["download_4g", "status"] == "met" and t.loc["download_4g", "unit"] == "Mb/s"
    assert t.loc["download_4g", "shortfall"] == 0  # met on average: short by nothing
    assert t.loc["download_5g", "value"] == 120.0 and t.loc["download_5g", "shortfall"] == 0


def test_a_commune_without_village_data_is_no_data_not_without_fibre(villages, communes):
    # 00003 has no village rows: whether it has fibre is unknown. Every measured commune has
    # fibre, so the target is met (2 of 2), not 2 of 3.
    extra = pd.concat([communes, communes.iloc[[0]].assign(commune_code="00003")])
    c = gaps.commune_table(extra, villages, None)
    by = c.set_index("commune_code")
    assert by.loc["00003", "commune_has_fibre"] is pd.NA
    assert by.loc["00003", "has_smart_village"] is pd.NA
    t = gaps.target_table(c, villages, None, PLAN)
    t = t[t.province_code == "all"].set_index("target_id")
    assert t.loc["commune_fibre", "value"] == 1.0 and t.loc["commune_fibre", "status"] == "met"
    assert t.loc["commune_fibre", "base_units"] == 2


def test_a_province_without_village_rows_is_not_measurable(villages, communes):
    other = communes.iloc[[0]].assign(commune_code="19204", province_code="44",
                                      province_name="Quảng Trị")
    c = gaps.commune_table(pd.concat([communes, other]), villages, None)
    t = gaps.target_table(c, villages, None, PLAN)
    qt = t[t.province_code == "44"].set_index("target_id")
    for tid in ("village_mobile_broadband", "village_fibre", "commune_fibre", "smart_village",
                "population_5g", "household_fibre"):
        assert np.isnan(qt.loc[tid, "value"]), tid
        assert qt.loc[tid, "status"] == "not measurable", tid
        assert qt.loc[tid, "shortfall"] is None or np.isnan(qt.loc[tid, "shortfall"])


def test_each_target_has_one_status_and_a_shortfall_with_its_unit(villages, communes):
    c = gaps.commune_table(communes, villages, None)
    t = gaps.target_table(c, villages, None, PLAN)
    t = t[t.province_code == "all"].set_index("target_id")
    assert set(t["status"]) <= {"met", "not met", "not due yet", "not measurable"}
    assert t.loc["village_fibre", ["status", "shortfall", "shortfall_unit"]].tolist() == \
        ["not met", 2, "villages"]
    assert t.loc["household_fibre", ["shortfall", "shortfall_unit"]].tolist() == [18, "households"]
    assert t.loc["smart_village", ["status", "shortfall", "shortfall_unit"]].tolist() == \
        ["not met", 1, "communes"]
    # 5G for 99 % of the people by 2030: at 50 % in 2025 it is not due yet, not "not met";
    # short by ceil(0.99 × 600 − 300) = 294 people
    assert t.loc["population_5g", "status"] == "not due yet"
    assert t.loc["population_5g", ["shortfall", "shortfall_unit"]].tolist() == [294, "people"]
    assert t.loc["park_5g", "status"] == "not measurable"  # no parks


def test_a_met_speed_target_is_short_by_nothing(communes):
    v = pd.DataFrame({
        "commune_code": ["00001"] * 3, "population": [1] * 3, "households": [1] * 3,
        "covered_4g": pd.array([True] * 3, dtype="boolean"),
        "covered_5g": pd.array([False] * 3, dtype="boolean"),
        "has_fibre": pd.array([True] * 3, dtype="boolean"), "fibre_household_share": [1.0] * 3,
        "has_digital_team": pd.array([True] * 3, dtype="boolean"),
        "has_power": pd.array([True] * 3, dtype="boolean"),
        "download_mbps": [20.0, 60.0, 70.0],  # mean 50 ≥ 40, one village below 40
    })
    v = gaps.village_gaps(v, PLAN)
    t = gaps.target_table(gaps.commune_table(communes, v, None), v, None, PLAN)
    row = t[t.province_code == "all"].set_index("target_id").loc["download_4g"]
    assert row["status"] == "met" and row["shortfall"] == 0 and row["shortfall_unit"] == "Mb/s"
    v["download_mbps"] = [20.0, 30.0, 40.0]  # mean 30: short by 10 Mb/s
    t = gaps.target_table(gaps.commune_table(communes, v, None), v, None, PLAN)
    row = t[t.province_code == "all"].set_index("target_id").loc["download_4g"]
    assert row["status"] == "not met" and row["shortfall"] == 10.0


def test_parks_count_against_the_target_only_when_due(villages, communes):
    parks = pd.DataFrame({"park_id": ["p1", "p2", "p3"], "province_code": ["24"] * 3,
                          "target_5g_year": [2025, 2030, 2030],
                          "covered_5g": pd.array([True, False, False], dtype="boolean")})
    parks["target_due"] = parks["target_5g_year"] <= PLAN.reference_year
    c = gaps.commune_table(communes, villages, None)
    t = gaps.target_table(c, villages, parks, PLAN)
    row = t[t.province_code == "all"].set_index("target_id").loc["park_5g"]
    assert row["status"] == "met" and row["value"] == 1.0 and row["base_units"] == 1
    later = parks.assign(target_5g_year=2030, target_due=False)
    t = gaps.target_table(c, villages, later, PLAN)
    row = t[t.province_code == "all"].set_index("target_id").loc["park_5g"]
    assert row["status"] == "not due yet" and row["year"] == 2030
    assert row["shortfall"] == 2 and row["shortfall_unit"] == "parks"
