"""Several operators (issue 12, item 3): three per-operator 4G rasters give per-operator and
any-operator shares, and the villages only one operator covers.

Seven villages of xã An Lạc (07654, Bắc Ninh) sit each in its own 0.01° cell of three 7 × 1
RSRP rasters (EPSG:4326), one per operator; -9999 is nodata (the operator's raster says
nothing). 4G is covered at ≥ -105 dBm. Every expected figure is read off this table:

=======  =======  =====  ========  ===========  =============  ==================
village  Viettel  VNPT   MobiFone  any operator best RSRP      single operator
=======  =======  =====  ========  ===========  =============  ==================
v1       -90 y    -120 n -115 n    yes          -90            Viettel
v2       -100 y   -95 y  -130 n    yes          -95            – (two cover it)
v3       -110 n   -125 n -118 n    no           -110           –
v4       –        -112 n -100 y    yes          -100           – (Viettel unknown)
v5       –        -120 n -110 n    unknown      -110           –
v6       –        –      –         unknown      –              –
v7       -130 n   -125 n -104 y    yes          -104           MobiFone
=======  =======  =====  ========  ===========  =============  ==================

Commune shares over the villages known for each: Viettel 2 of 4 (v1, v2 of v1-v3, v7) = 0.5,
VNPT 1 of 6 (v2), MobiFone 2 of 6 (v4, v7), any operator 4 of 5 (v5 and v6 unknown) = 0.8;
two sharing candidates. A 5G raster without an operator (-100 dBm everywhere) behaves as
before: covered everywhere, no per-operator 5G columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from map_columns_decode import decoded
from rasterio.transform import from_origin

from geo_cds.analysis import operators
from geo_cds.cli.main import cli
from geo_cds.errors import PlanError
from geo_cds.pipeline import run
from geo_cds.plan import Plan, RasterSpec, load_plan
from geo_cds.schema import operator_key

REPO = Path(__file__).resolve().parent.parent
NA = -9999.0
RSRP = {  # v1 … v7
    "viettel": [-90, -100, -110, NA, NA, NA, -130],
    "vnpt": [-120, -95, -125, -112, -120, NA, -125],
    "mobifone": [-115, -130, -118, -100, -110, NA, -104],
}
IDS = [f"v{i}" for i in range(1, 8)]


def write_raster(path: Path, values) -> None:
    with rasterio.open(path, "w", driver="GTiff", width=len(values), height=1, count=1,
                       dtype="float32", crs="EPSG:4326", nodata=NA,
                       transform=from_origin(106.90, 21.34, 0.01, 0.01)) as dst:
        dst.write(np.array([values], dtype="float32"), 1)


def write_inputs(folder: Path, rasters: str) -> Path:
    """The villages, the rasters and a plan with ``rasters`` as its raster sections."""
    for op, values in RSRP.items():
        write_raster(folder / f"rsrp_4g_{op}.tif", values)
    write_raster(folder / "rsrp_5g.tif", [-100.0] * 7)
    pd.DataFrame({"village_id": IDS, "village_name": [f"Thôn {i}" for i in IDS],
                  "commune_code": "07654", "population": [100 * (i + 1) for i in range(7)],
                  "lon": [106.905 + 0.01 * i for i in range(7)], "lat": 21.335}).to_csv(
        folder / "villages.csv", index=False)
    plan = folder / "plan.toml"
    plan.write_text(f"""
[run]
name = "operators"
output_dir = "out"
lang = "en"
[inputs.communes]
path = "{(REPO / 'boundaries' / 'communes_2025_seed_provinces.gpkg').as_posix()}"
layer = "communes"
vintage = "2025"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
province_name = "province"
[inputs.villages]
path = "villages.csv"
vintage = "2025"
x = "lon"
y = "lat"
{rasters}
""", encoding="utf-8")
    return plan


THREE = """
[rasters.viettel]
path = "rsrp_4g_viettel.tif"
technology = "4g"
operator = "Viettel"
[rasters.vinaphone]
path = "rsrp_4g_vnpt.tif"
technology = "4g"
operator = "VNPT (Vinaphone)"
[rasters.mobi]
path = "rsrp_4g_mobifone.tif"
technology = "4g"
operator = "mobifone"
[rasters.rsrp_5g]
path = "rsrp_5g.tif"
technology = "5g"
"""


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return run(load_plan(write_inputs(tmp_path_factory.mktemp("operators"), THREE)))


def village(result, vid):
    return result.villages.set_index("village_id").loc[vid]


def test_per_operator_flags_keep_unknowns(result):
    v = result.villages.set_index("village_id")
    expected = {"viettel": [True, True, False, None, None, None, False],
                "vnpt": [False, True, False, False, False, None, False],
                "mobifone": [False, False, False, True, False, None, True]}
    for op, flags in expected.items():
        got = [None if pd.isna(x) else bool(x) for x in v.loc[IDS, f"covered_4g_{op}"]]
        assert got == flags, op


def test_any_operator_coverage_and_best_rsrp(result):
    v = result.villages.set_index("village_id")
    got = [None if pd.isna(x) else bool(x) for x in v.loc[IDS, "covered_4g"]]
    assert got == [True, True, False, True, None, None, True]
    np.testing.assert_array_equal(v.loc[IDS, "rsrp_4g_dbm"],
                                  [-90, -95, -110, -100, -110, np.nan, -104])
    gap = [None if pd.isna(x) else bool(x) for x in v.loc[IDS, "gap_mobile"]]
    assert gap == [False, False, True, False, None, None, False]  # unknown is not a gap


def test_single_operator_villages_are_named(result):
    v = result.villages.set_index("village_id")["single_operator_4g"]
    assert v.dropna().to_dict() == {"v1": "Viettel", "v7": "MobiFone"}


def test_commune_shares_per_operator_and_any(result):
    c = result.communes.set_index("commune_code").loc["07654"]
    assert c["share_villages_4g_viettel"] == pytest.approx(0.5)
    assert c["share_villages_4g_vnpt"] == pytest.approx(1 / 6)
    assert c["share_villages_4g_mobifone"] == pytest.approx(2 / 6)
    assert c["share_villages_4g"] == pytest.approx(0.8)
    assert c["n_villages_single_operator_4g"] == 2
    assert c["share_villages_5g"] == 1.0
    assert not [col for col in result.communes if col.startswith("share_villages_5g_")
                and not col.endswith(("_reported", "_modelled"))]  # those: by source
    other = result.communes.set_index("commune_code").drop("07654")
    assert other["share_villages_4g_viettel"].isna().all()  # no villages: no data


def test_commune_area_shares_are_named_by_operator(result):
    c = result.communes.set_index("commune_code").loc["07654"]
    assert "area_share_4g" not in result.communes  # no silent last-raster-wins column
    # each raster covers a thin strip of the commune; all its cells hold values
    assert 0 < c["area_share_4g_viettel"] < 1 and 0 < c["area_share_4g_vnpt"] < 1


def test_run_folder_lists_the_sharing_candidates(result):
    table = pd.read_csv(result.folder / "sharing_candidates.csv", dtype=str)
    assert table[["village_id", "technology", "only_operator"]].values.tolist() == [
        ["v1", "4G", "Viettel"], ["v7", "4G", "MobiFone"]]
    assert set(table["commune_code"]) == {"07654"}


def test_summary_gives_each_operator_and_any(result):
    figures = json.loads((result.folder / "summary.json").read_text())["operators"]
    f = figures["coverage"]["4g"]
    assert {k: (round(v["share"], 4), v["villages_known"]) for k, v in f["operators"].items()} \
        == {"Viettel": (0.5, 4), "VNPT": (round(1 / 6, 4), 6), "MobiFone": (round(2 / 6, 4), 6)}
    assert (f["any_operator"]["share"], f["any_operator"]["villages_known"]) == (0.8, 5)
    assert f["single_operator_villages"] == 2
    assert "5g" not in figures["coverage"]
    md = (result.folder / "summary.md").read_text()
    assert "## Operators: coverage and sites" in md and "| Any operator | 80.0% | 5 |" in md
    assert "| VNPT | 16.7% | 6 |" in md


def test_map_switches_to_each_operator(result):
    from geo_cds.pipeline import build_map

    data = decoded(build_map(result).app.payload)
    ind = data["indicators"]
    assert ind["share_villages_4g"]["label"] == "Villages with 4G (any operator)"
    assert ind["share_villages_4g_vnpt"]["label"] == "Villages with 4G: VNPT"
    keys = list(ind)  # each operator right after the any-operator share
    assert keys[keys.index("share_villages_4g") + 1:][:3] == [
        "share_villages_4g_viettel", "share_villages_4g_vnpt", "share_villages_4g_mobifone"]
    assert [r["label"] for r in data["rasters"]] == [
        "4G coverage (RSRP) – Viettel", "4G coverage (RSRP) – VNPT",
        "4G coverage (RSRP) – MobiFone", "5G coverage (RSRP)"]
    ops = {o["operator"]: o["values"] for o in data["villages"]["operators"]}
    assert list(ops) == ["Viettel", "VNPT", "MobiFone"]
    assert ops["Viettel"][:4] == [True, True, False, None]


def test_two_rasters_of_one_operator_are_refused(tmp_path):
    plan = write_inputs(tmp_path, THREE.replace('operator = "mobifone"', 'operator = "VNPT"'))
    out = CliRunner().invoke(cli, ["validate", str(plan)])
    assert out.exit_code != 0
    assert "several 4G rasters" in out.output and "[rasters.mobi]" in out.output
    assert "Traceback" not in out.output


def test_two_rasters_of_one_technology_need_operators(tmp_path):
    """On main before this change the second raster silently replaced the first."""
    rasters = THREE.replace('operator = "Viettel"\n', "").replace(
        'operator = "VNPT (Vinaphone)"\n', "")
    with pytest.raises(PlanError, match=r"\[rasters.viettel\] operator = None"):
        load_plan(write_inputs(tmp_path, rasters))


def test_an_unknown_operator_is_refused_with_the_known_ones(tmp_path):
    with pytest.raises(PlanError, match=r"\[rasters.viettel\].*'Vitel'.*Viettel, VNPT, MobiFone"):
        load_plan(write_inputs(tmp_path, THREE.replace('"Viettel"', '"Vitel"')))
    with pytest.raises(PlanError, match="not known"):
        Plan(rasters={"x": RasterSpec(Path("x.tif"), technology="4g", operator="Orange")})


@pytest.mark.parametrize("name, key", [
    ("Viettel", "viettel"), ("VIETTEL", "viettel"), ("Viettel Group", "viettel"),
    ("VNPT", "vnpt"), ("VinaPhone", "vnpt"), ("VNPT (Vinaphone)", "vnpt"),
    ("VNPT - VinaPhone", "vnpt"), ("MobiFone", "mobifone"), ("Mobiphone", "mobifone"),
    ("Vietnamobile", "vietnamobile"), ("Vietnam Mobile", "vietnamobile"),
    ("Gtel", "gmobile"), ("Viettel / VNPT", None), ("Orange", None), ("", None),
])
def test_operator_spellings(name, key):
    assert operator_key(name) == key


flags = st.lists(st.sampled_from([0.0, 1.0, np.nan]), min_size=1, max_size=4)


@given(st.lists(flags, min_size=1, max_size=6).filter(
    lambda rows: len({len(r) for r in rows}) == 1))
def test_any_operator_is_yes_when_one_says_yes_and_no_only_when_all_say_no(rows):
    ops = list(operators.s.OPERATORS)[:len(rows)]
    covered = {("4g", op): np.array(r) for op, r in zip(ops, rows)}
    _, anyone = operators.any_operator({}, covered)
    table = np.array(rows)  # operators × villages
    for k in range(table.shape[1]):
        col = table[:, k]
        if (col == 1).any():
            assert anyone["4g"][k] == 1
        elif (col == 0).all():
            assert anyone["4g"][k] == 0
        else:
            assert np.isnan(anyone["4g"][k])


def test_sites_are_counted_per_operator_whatever_the_spelling():
    sites = pd.DataFrame({"site_id": list("abcdef"),
                          "operator": ["Viettel", "VIETTEL", "Vinaphone", "VNPT", None, "Reddi"]})
    villages = pd.DataFrame({"covered_4g": pd.array([True], dtype="boolean")})
    figures = operators.operator_figures(villages, sites)
    assert figures == {"coverage": {},
                       "sites": {"Reddi": 1, "VNPT": 2, "Viettel": 2, "": 1}}
    assert operators.operator_figures(villages, None) is None


def test_a_park_takes_the_best_operators_share():
    # Park A: Viettel covers 60 % of it, VNPT 97 % → 0.97 (covered at the 0.95 default);
    # B: Viettel 50 %, VNPT unknown → 0.5; C: nothing known → NaN. A technology with its own
    # column (4G here) is left as it is.
    zonal = pd.DataFrame({"area_share_5g_viettel": [0.6, 0.5, np.nan],
                          "area_share_5g_vnpt": [0.97, np.nan, np.nan],
                          "area_share_4g": [0.1, 0.2, 0.3],
                          "area_share_4g_viettel": [0.9, 0.9, 0.9]}, index=list("ABC"))
    out = operators.best_operator(zonal)
    np.testing.assert_array_equal(out["area_share_5g"], [0.97, 0.5, np.nan])
    np.testing.assert_array_equal(out["area_share_4g"], [0.1, 0.2, 0.3])
    assert "pop_share_5g" not in out
    assert operators.best_operator(None) is None
