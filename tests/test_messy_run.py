"""A whole run on a messy spreadsheet of villages, as a province would send it.

Thirty real-looking villages of the sample (Bắc Ninh and Quảng Ngãi) in an Excel sheet with
Vietnamese headers, a title row, integer commune codes (Bắc Ninh's lost their leading zero),
"Có/Không" answers — and three bad rows: an id used twice for two different villages and a
point at 0°, 0°. No rasters, parks or sites: the optional layers are optional.
"""

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo_cds.pipeline import run
from geo_cds.plan import load_plan

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def messy_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("messy")
    v = gpd.read_file(REPO / "layers" / "villages.gpkg", layer="villages")
    v = pd.concat([v[v.commune_code.str.startswith("07")].head(15),
                   v[v.commune_code.str.startswith("21")].head(15)], ignore_index=True)
    sheet = pd.DataFrame({
        "Mã thôn": v["village_id"], "Tên thôn": v["village_name"],
        "Mã xã": v["commune_code"].astype(int),  # 07654 → 7654, as Excel does
        "Dân số": v["population"], "Số hộ": v["households"],
        "Có cáp quang": v["has_fibre"].map({True: "Có", False: "Không"}),
        "Phủ sóng 4G": v["has_4g"].map({True: "x", False: ""}),
        "Kinh độ": v.geometry.x.round(6), "Vĩ độ": v.geometry.y.round(6),
    })
    sheet.loc[5, "Mã thôn"] = sheet.loc[4, "Mã thôn"]  # one id, two different villages
    sheet.loc[6, ["Kinh độ", "Vĩ độ"]] = 0.0  # a point in the Gulf of Guinea
    with pd.ExcelWriter(tmp / "thon.xlsx") as xl:
        pd.DataFrame([["DANH SÁCH THÔN — SỐ LIỆU 2025"]]).to_excel(
            xl, sheet_name="Thôn", index=False, header=False)
        sheet.to_excel(xl, sheet_name="Thôn", index=False, startrow=2)
    plan = tmp / "plan.toml"
    plan.write_text(f"""
[run]
name = "messy"
output_dir = "out"
[inputs.communes]
path = "{(REPO / 'boundaries' / 'communes_2025_seed_provinces.gpkg').as_posix()}"
layer = "communes"
vintage = "2025"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
province_name = "province"
[inputs.villages]
path = "thon.xlsx"
layer = "Thôn"
vintage = "2025"
""", encoding="utf-8")
    return run(load_plan(plan)), v


def test_every_row_is_used_repaired_or_rejected(messy_run):
    result, _ = messy_run
    acc = result.accounting.set_index("layer").loc["villages"]
    assert acc["rows_read"] == 30
    assert acc["rejected"] == 3 and acc["used"] == 27
    assert acc["repaired"] == 12  # 15 Bắc Ninh codes restored, less the 3 rejected rows
    summary = json.loads((result.folder / "summary.json").read_text(encoding="utf-8"))
    assert {a["layer"]: a["used"] for a in summary["accounting"]}["villages"] == 27


def test_rejects_file_names_rows_and_reasons(messy_run):
    result, _ = messy_run
    rejects = pd.read_csv(result.folder / "rejects.csv", encoding="utf-8-sig")
    errors = rejects[(rejects.layer == "villages") & (rejects.severity == "error")]
    # spreadsheet data rows are numbered from 1 below the header
    assert set(errors["row"]) == {5, 6, 7}
    assert errors["problem"].str.contains("outside Vietnam").any()
    assert errors["problem"].str.contains("used by 2 rows").sum() == 2
    repaired = rejects[(rejects.layer == "villages") & (rejects.severity == "warning")]
    assert repaired["problem"].str.contains("leading zero").any()


def test_codes_names_and_answers_survive(messy_run):
    result, v = messy_run
    got = result.villages.set_index("village_id")
    expect = v.drop(index=[4, 5, 6]).set_index("village_id")
    assert got.loc[expect.index, "commune_code"].tolist() == expect["commune_code"].tolist()
    assert got.loc[expect.index, "village_name"].tolist() == expect["village_name"].tolist()
    assert got.loc[expect.index, "has_fibre"].tolist() == expect["has_fibre"].tolist()
    communes = pd.read_csv(result.folder / "communes.csv", dtype={"commune_code": str},
                           encoding="utf-8-sig")
    assert communes["commune_code"].str.len().eq(5).all()
    assert "area_share_4g" not in communes  # no rasters given: no raster columns, no zeros
