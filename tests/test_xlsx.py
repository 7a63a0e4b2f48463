"""The investment-plan workbook reopens with text codes, diacritics and VND formats."""

import dataclasses

import openpyxl
import pandas as pd
from test_interventions import COMMUNES, villages

from geo_cds import schema as s
from geo_cds.outputs.workbook import write_priority_xlsx
from geo_cds.plan import Budget, Plan
from geo_cds.planning.ledger import commune_subtotals
from geo_cds.planning.priority import plan_investments

VND = Plan().costs.usd_to_vnd


def _plan():
    v = villages([("A", 0, 0, 1100, {"covered_4g": False, "has_power": False}),
                  ("B", 40, 0, 950, {"covered_4g": False}),
                  ("C", 80, 0, 950, {"covered_4g": False}),
                  ("S", 82, 0, 100), ("D", 84, 0, 50, {"has_fibre": False})])
    plan = dataclasses.replace(Plan(), budget=Budget(vnd=100_000 * VND))
    return plan_investments(v, COMMUNES, None, None, None, plan)


def _header(ws):
    return [c.value for c in ws[1]]


def test_workbook_vietnamese(tmp_path):
    inv = _plan()
    path = write_priority_xlsx(tmp_path / "priority_villages.xlsx", inv.priority, inv.summary)
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Danh sách ưu tiên", "Tổng hợp theo xã", "Tóm tắt kế hoạch"]
    ws = wb["Danh sách ưu tiên"]
    head = _header(ws)
    for name in ("Mã xã", "Tên xã", "Thôn", "Dân số", "Chi phí (VND)", "Xếp hạng",
                 "Trong ngân sách"):
        assert name in head
    col = {h: i + 1 for i, h in enumerate(head)}
    code = ws.cell(row=2, column=col["Mã xã"])
    assert code.value == "07795" and code.data_type == "s" and code.number_format == "@"
    assert ws.cell(row=2, column=col["Mã tỉnh"]).value == "24"
    assert ws.cell(row=2, column=col["Tên xã"]).value == "Phường Nếnh"
    cost = ws.cell(row=2, column=col["Chi phí (VND)"])
    assert isinstance(cost.value, int) and cost.number_format == "#,##0"
    assert ws.cell(row=2, column=col["Chi phí lũy kế (VND)"]).number_format == "#,##0"
    assert ws.cell(row=2, column=col["Trong ngân sách"]).value == "Có"
    assert ws.cell(row=4, column=col["Trong ngân sách"]).value == "Không"
    assert "trạm 4G mới" in ws.cell(row=2, column=col["Giải pháp"]).value
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert ws.max_row == len(inv.priority) + 1
    assert ws.column_dimensions["A"].width >= 8

    sub = wb["Tổng hợp theo xã"]
    shead = _header(sub)
    assert shead[:4] == ["Mã tỉnh", "Tỉnh", "Mã xã", "Tên xã"]
    assert sub.cell(row=2, column=3).value == "07795"
    total = [c.value for c in sub[sub.max_row]]
    assert total[0] == "Tổng cộng"
    assert total[shead.index("Chi phí (VND)")] == int(inv.priority[s.COST_VND].sum())

    summ = wb["Tóm tắt kế hoạch"]
    rows = {r[0].value: r[1] for r in summ.iter_rows(min_row=2)}
    assert rows["Ngân sách (VND)"].value == 100_000 * VND
    assert rows["Ngân sách (VND)"].number_format == "#,##0"
    assert rows["Dân số được phục vụ trong ngân sách"].value == 1900


def test_workbook_english_and_parks(tmp_path):
    inv = _plan()
    parks = pd.DataFrame({s.PROVINCE_CODE: ["24"], s.PARK_ID: ["KCN-01"],
                          s.PARK_NAME: ["KCN Vân Trung"], s.COST_VND: [910_000_000],
                          s.IN_BUDGET: [True]})
    path = write_priority_xlsx(tmp_path / "p.xlsx", inv.priority, inv.summary, lang="en",
                               parks=parks)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Priority villages", "Per commune", "5G parks", "Plan summary"]
    assert "Commune code" in _header(wb["Priority villages"])
    pk = wb["5G parks"]
    assert pk.cell(row=2, column=1).value == "24" and pk.cell(row=2, column=3).value == "KCN Vân Trung"
    assert pk.cell(row=2, column=4).number_format == "#,##0"


def test_commune_subtotals():
    inv = _plan()
    sub = commune_subtotals(inv.priority)
    assert len(sub) == 1
    row = sub.iloc[0]
    assert row["villages"] == 4 and row["population_in_budget"] == 1900
    assert row["cost_in_budget_vnd"] == 100_000 * VND


def test_score_components_are_scores_not_money():
    from geo_cds.outputs.workbook import SCORE, VND, _number_format

    assert _number_format("score_people_per_vnd") == SCORE
    assert _number_format("cost_vnd") == VND


def test_weights_show_their_decimals_and_years_no_thousands_separator(tmp_path):
    inv = _plan()
    parks = pd.DataFrame({s.PROVINCE_CODE: ["24"], s.PARK_ID: ["KCN-01"],
                          s.PARK_NAME: ["KCN Vân Trung"], s.TARGET_5G_YEAR: [2025],
                          s.COST_VND: [910_000_000], s.IN_BUDGET: [True]})
    path = write_priority_xlsx(tmp_path / "p.xlsx", inv.priority, inv.summary, lang="en",
                               parks=parks)
    wb = openpyxl.load_workbook(path)
    pk = wb["5G parks"]
    year = pk.cell(row=2, column=_header(pk).index("5G target year") + 1)
    assert year.value == 2025 and "," not in year.number_format  # shows 2025, not 2,025
    rows = {r[0].value: r[1] for r in wb["Plan summary"].iter_rows(min_row=2)}
    weight = rows["Weights / people per VND"]
    assert weight.value == 0.6 and weight.number_format == "0.0#"  # shows 0.6, not 1
    count = rows["Villages needing infrastructure"]
    assert count.value == 4 and count.number_format == "#,##0"  # shows 4, not "4."
