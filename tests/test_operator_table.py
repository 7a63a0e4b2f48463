"""Acceptance (issue 12): an operator's village list as it comes, run end to end.

An Excel sheet with a title row, Vietnamese headers, old (pre-2025) commune codes stored as
integers (Bắc Giang's lost their leading zero), a 4G column of "x" marks and blanks, a fibre
column of Có/Không with blanks — and no village ids, no population, no coordinates. Every
figure below is worked out by hand from the ten rows:

=====  =====  ==============  ====  ===  =====  =========================================
row    code   village         hh    4G   fibre  2025 commune (official old→new table)
=====  =====  ==============  ====  ===  =====  =========================================
1      7789   Thôn 1          100   x    Có     07795 Phường Nếnh (was Phường Tăng Tiến)
2      7789   Thôn 2          50         Không  07795
3      7801   Thôn 1          80    x           07795 (was Phường Vân Trung)
4      19606  Thôn Lâm Lang   120   x    Có     19603 Xã Hiếu Giang (was Xã Cam Thủy)
5      19606  Thôn Lâm Lang   60         Có     19603 (same name twice: "…-2")
6      19615  Thôn 3          40                19603 (was Xã Cam Hiếu)
7      21433  Thôn Văn Hà     200   x    Có     21433 Xã Lân Phong (was Xã Đức Phong)
8      21436  Thôn 1          90    x    Không  21433 (was Xã Đức Lân)
9      21436  Thôn 2                x    Có     21433 (no households: population unknown)
10     21433  Thôn Đông       70         Không  21433
=====  =====  ==============  ====  ===  =====  =========================================

A blank 4G cell is a "no" (a column of marks); a blank fibre cell is unknown (Có/Không).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from geo_cds.cli.main import cli

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = REPO / "boundaries" / "communes_2025_seed_provinces.gpkg"

ROWS = [
    (7789, "Thôn 1", 100, "x", "Có"),
    (7789, "Thôn 2", 50, None, "Không"),
    (7801, "Thôn 1", 80, "x", None),
    (19606, "Thôn Lâm Lang", 120, "x", "Có"),
    (19606, "Thôn Lâm Lang", 60, None, "Có"),
    (19615, "Thôn 3", 40, None, None),
    (21433, "Thôn Văn Hà", 200, "x", "Có"),
    (21436, "Thôn 1", 90, "x", "Không"),
    (21436, "Thôn 2", None, "x", "Có"),
    (21433, "Thôn Đông", 70, None, "Không"),
]


@pytest.fixture(scope="module")
def operator_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("operator")
    sheet = pd.DataFrame(ROWS, columns=["Mã xã", "Tên thôn", "Số hộ", "Phủ sóng 4G",
                                        "Có cáp quang"])
    with pd.ExcelWriter(tmp / "thon_viettel.xlsx") as xl:
        pd.DataFrame([["DANH SÁCH THÔN — VIETTEL"]]).to_excel(xl, index=False, header=False)
        sheet.to_excel(xl, index=False, startrow=2)
    plan = tmp / "plan.toml"
    plan.write_text(f"""
[run]
name = "operator"
output_dir = "out"
lang = "en"
[inputs.communes]
path = "{BOUNDARIES.as_posix()}"
layer = "communes"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
province_name = "province"
[inputs.villages]
path = "thon_viettel.xlsx"
""", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(plan)])
    return res, tmp / "out" / "operator"


def test_it_runs_and_every_row_is_accounted_for(operator_run):
    res, folder = operator_run
    assert res.exit_code == 0, res.output
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    acc = {a["layer"]: a for a in summary["accounting"]}["villages"]
    assert (acc["rows_read"], acc["used"], acc["rejected"]) == (10, 10, 0)
    # rows 1-3 had their code padded (7789 → 07789): changed; the others were not
    assert acc["repaired"] == 3
    assert "inputs: 0 row(s) rejected, 3 repaired" in res.output


def test_villages_converted_with_derived_ids_and_estimated_population(operator_run):
    _, folder = operator_run
    import geopandas as gpd

    v = gpd.read_file(folder / "villages.gpkg", layer="villages").set_index("village_id")
    assert sorted(v.index) == sorted([
        "07789-Thôn 1", "07789-Thôn 2", "07801-Thôn 1", "19606-Thôn Lâm Lang",
        "19606-Thôn Lâm Lang-2", "19615-Thôn 3", "21433-Thôn Văn Hà", "21436-Thôn 1",
        "21436-Thôn 2", "21433-Thôn Đông"])
    assert v.loc["07801-Thôn 1", "commune_code"] == "07795"
    assert v.loc["19606-Thôn Lâm Lang-2", "commune_code"] == "19603"
    assert v.loc["21436-Thôn 1", "commune_code"] == "21433"
    assert v.loc["07789-Thôn 1", "population"] == 360  # 100 households × 3.6
    assert bool(v.loc["07789-Thôn 1", "population_estimated"])
    assert pd.isna(v.loc["21436-Thôn 2", "population"])  # no households: unknown


def test_commune_shares_read_blanks_by_the_column_convention(operator_run):
    _, folder = operator_run
    c = pd.read_csv(folder / "communes.csv", dtype={"commune_code": str}).set_index(
        "commune_code")
    expected = {  # villages, 4G share, fibre share (over the measured), population
        "07795": (3, 2 / 3, 1 / 2, 360 + 180 + 288),
        "19603": (3, 1 / 3, 2 / 2, 432 + 216 + 144),
        "21433": (4, 3 / 4, 2 / 4, 720 + 324 + 252),
    }
    for code, (n, s4g, sfibre, pop) in expected.items():
        row = c.loc[code]
        assert row["n_villages"] == n
        assert row["share_villages_4g"] == pytest.approx(s4g, abs=1e-4)
        assert row["share_villages_fibre"] == pytest.approx(sfibre, abs=1e-4)
        assert row["village_population"] == pop


def test_province_figures_and_the_summary_say_how_inputs_were_read(operator_run):
    _, folder = operator_run
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    overall = {t["target_id"]: t for t in summary["targets"] if t["province_code"] == "all"}
    assert overall["village_mobile_broadband"]["value"] == pytest.approx(6 / 10)
    assert overall["village_fibre"]["value"] == pytest.approx(5 / 8)
    readings = {r["column"]: r for r in summary["reading"]["yes_no"]}
    assert (readings["has_4g"]["blank_reads"], readings["has_4g"]["blanks"]) == ("no", 4)
    assert (readings["has_fibre"]["blank_reads"], readings["has_fibre"]["blanks"]) == (
        "unknown", 2)
    facts = summary["reading"]["villages"]
    assert facts["population_estimated"] == 9 and facts["population_unknown"] == 1
    # no coordinates at all; villages with a 4G or fibre gap: rows 2, 5, 6, 8, 10
    assert (facts["without_location"], facts["cost_needs_location"]) == (10, 5)
    md = (folder / "summary.md").read_text(encoding="utf-8")
    assert "| villages | 4G | Phủ sóng 4G | no | 4 |" in md


def test_villages_that_need_a_location_to_be_costed_say_so(operator_run):
    _, folder = operator_run
    p = pd.read_csv(folder / "priority_villages.csv", dtype={"commune_code": str})
    assert len(p) == 5
    assert p["notes"].str.contains("cost needs a location").all()
    assert p["cost_vnd"].isna().all()  # unknown, not 0: an empty cell


def test_a_cost_that_needs_a_location_is_empty_and_counted(operator_run):
    _, folder = operator_run
    from openpyxl import load_workbook

    wb = load_workbook(folder / "priority_villages.xlsx", read_only=True)
    sheets = wb.sheetnames
    rows = list(wb[sheets[0]].iter_rows(values_only=True))
    cost = rows[0].index("Cost (VND)")
    assert [r[cost] for r in rows[1:]] == [None] * 5  # empty cells, not 0
    per_commune = list(wb[sheets[1]].iter_rows(values_only=True))
    missing = per_commune[0].index("Villages whose cost is unknown (no location)")
    # 07795: row 2; 19603: rows 5, 6; 21433: rows 8, 10 — and the total row
    assert [r[missing] for r in per_commune[1:]] == [1, 2, 2, 5]
    plan = json.loads((folder / "plan_summary.json").read_text(encoding="utf-8"))
    assert plan["villages_cost_missing"] == 5 and plan["total_cost_vnd"] == 0
    md = (folder / "summary.md").read_text(encoding="utf-8")
    assert "cost unknown (village without a location): 5" in md
