"""End to end: the embedded sample run, checked for content, not just existence."""

import json

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

from geo_cds.outputs.summary import sha256

OUTPUTS = ["communes.csv", "communes.gpkg", "villages.gpkg", "priority_villages.csv",
           "priority_villages.xlsx", "interventions.csv", "industrial_parks_5g.csv",
           "cashless_streets.csv", "rejects.csv", "map.html", "summary.md", "summary.json",
           "run.json"]


@pytest.fixture(scope="module")
def out(sample_run):
    return sample_run.folder


@pytest.fixture(scope="module")
def communes(out):
    return pd.read_csv(out / "communes.csv", dtype={"commune_code": str, "province_code": str},
                       encoding="utf-8-sig")


@pytest.fixture(scope="module")
def villages(out):
    return gpd.read_file(out / "villages.gpkg", layer="villages")


def test_every_output_is_written(out):
    for name in OUTPUTS:
        assert (out / name).stat().st_size > 0, name
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".sample")]  # no staging left


def test_all_273_real_communes_with_official_codes(communes):
    assert len(communes) == 273
    assert communes["commune_code"].str.fullmatch(r"\d{5}").all()
    assert communes.groupby("province_code").size().to_dict() == {"24": 99, "44": 78, "51": 96}
    nenh = communes.set_index("commune_code").loc["07795"]
    assert nenh["commune_name"] == "Phường Nếnh"


def test_seed_villages_under_their_2025_communes(villages):
    by_name = villages.set_index("village_name")
    assert by_name.loc["Thôn Văn Hà", "commune_code"] == "21433"
    assert by_name.loc["Thôn Lâm Lang", "commune_code"] == "19603"


def test_commune_shares_recomputed_from_the_village_table(communes, villages):
    v = villages.copy()
    for col in ("covered_4g", "has_fibre"):
        known = v[v[col].notna()]
        expect = known.groupby("commune_code")[col].mean()
        col_out = {"covered_4g": "share_villages_4g", "has_fibre": "share_villages_fibre"}[col]
        got = communes.set_index("commune_code")[col_out].dropna()
        pd.testing.assert_series_equal(got.sort_index(), expect.astype(float).sort_index(),
                                       check_names=False, atol=5e-5)  # 4 decimals
    counts = v.groupby("commune_code").size()
    assert (communes.set_index("commune_code")["n_villages"].loc[counts.index] == counts).all()


def test_every_village_is_accounted_for(out, villages):
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    acc = {a["layer"]: a for a in summary["accounting"]}
    assert acc["villages"]["used"] == len(villages)
    assert acc["villages"]["rows_read"] == acc["villages"]["used"] + acc["villages"]["rejected"]
    rejects = pd.read_csv(out / "rejects.csv", encoding="utf-8-sig")
    rejected_rows = rejects[(rejects.layer == "villages") & (rejects.severity == "error")]["row"]
    assert rejected_rows.nunique() == acc["villages"]["rejected"]


def test_raster_coverage_reaches_communes_and_parks(out, communes):
    for col in ("area_share_4g", "pop_share_4g", "area_share_5g", "pop_share_5g"):
        assert col in communes
        vals = communes[col].dropna()
        assert len(vals) == 273 and vals.between(0, 1).all(), col
    parks = pd.read_csv(out / "industrial_parks_5g.csv", encoding="utf-8-sig")
    assert parks["area_share_5g"].between(0, 1).all()
    assert parks["park_name"].str.contains("VSIP Quảng Ngãi").any()


def test_priority_list_is_ranked_costed_and_cut_by_budget(out, villages, sample_run):
    p = pd.read_csv(out / "priority_villages.csv", dtype={"commune_code": str, "village_id": str},
                    encoding="utf-8-sig")
    gap_ids = set(villages.loc[villages["n_gaps"] > 0, "village_id"])
    assert set(p["village_id"]) <= gap_ids
    assert (p["cost_vnd"] >= 0).all()
    # the money a planner sums from the files is the money the plan spends, to the VND
    plan = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    parks = pd.read_csv(out / "parks_5g_plan.csv", encoding="utf-8-sig")
    spent = plan["in_budget"]["cost_vnd"]
    assert p.loc[p["in_budget"], "cost_vnd"].sum() + \
        parks.loc[parks["in_budget"], "cost_vnd"].sum() == spent
    assert spent <= sample_run.plan.budget.vnd
    sheet = load_workbook(out / "priority_villages.xlsx").worksheets[0]
    header = [c.value for c in sheet[1]]
    col = header.index("Mã xã") + 1
    codes = [sheet.cell(row=r, column=col).value for r in range(2, sheet.max_row + 1)]
    assert codes == p["commune_code"].tolist()  # text, leading zeros kept, same order


def test_targets_for_each_province_and_overall(out):
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    scopes = {t["province_code"] for t in summary["targets"]}
    assert scopes == {"24", "44", "51", "all"}
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "Thôn có cáp quang" in md and "Dữ liệu mẫu được tạo tự động" in md


def test_manifest_checksums_match_the_inputs(out):
    manifest = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]
    for item in manifest["inputs"]:
        assert sha256(__import__("pathlib").Path(item["path"])) == item["sha256"]
    assert manifest["plan"]["budget"]["vnd"] == 50e9
    assert set(manifest["timings_s"]) >= {"load", "join", "coverage", "gaps", "priority", "write"}


def test_map_is_self_contained(out):
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "<link href=\"http" not in html
    assert "Lân Phong" in html
