"""The investment-plan workbook: ``priority_villages.xlsx``.

Sheets: the ranked priority list, subtotals per commune, 5G for industrial parks (when
given) and the plan summary. Official codes are text cells with their leading zeros
("07795"), names keep their diacritics, VND amounts use a thousands separator, every sheet
has a frozen header and an autofilter. Headers in Vietnamese (``lang="vi"``) or English.
The file is written to a temporary name and moved into place.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from geo_cds import schema as s
from geo_cds.planning.ledger import COST_CARRIED_IDS, commune_subtotals

TEXT = "@"
VND = "#,##0"
INT = "#,##0"
SCORE = "0.000"
KM = "0.00"

# Columns written as text (codes keep their leading zeros).
TEXT_COLUMNS = {s.PROVINCE_CODE, s.COMMUNE_CODE, s.VILLAGE_ID, s.PARK_ID, "intervention_ids",
                "intervention_id", "site_id", COST_CARRIED_IDS}
VND_COLUMNS = {s.COST_VND, s.CUM_COST_VND, "in_budget_cost_vnd", "cost_in_budget_vnd"}
INT_COLUMNS = {s.POPULATION, s.HOUSEHOLDS, s.RANK, "villages", "villages_in_budget",
               "population_in_budget", "sites_upgraded", "new_sites_5g", "uncovered_ha"}
YEAR = "0"  # 2025, never 2,025
WEIGHT = "0.0#"  # 0.6, never 1
KM_COLUMNS = {"fibre_link_km", "site_distance_km"}

HEADERS = {
    "vi": {
        s.RANK: "Xếp hạng", s.PROVINCE_CODE: "Mã tỉnh", s.PROVINCE_NAME: "Tỉnh",
        s.COMMUNE_CODE: "Mã xã", s.COMMUNE_NAME: "Tên xã", s.VILLAGE_ID: "Mã thôn",
        s.VILLAGE_NAME: "Thôn", s.POPULATION: "Dân số", s.HOUSEHOLDS: "Số hộ",
        s.DBKK: "Xã ĐBKK", s.NEEDS_POWER: "Cần điện lưới trước", "gaps": "Thiếu hụt",
        s.INTERVENTION: "Giải pháp", "intervention_ids": "Mã hạng mục",
        "fibre_feasible": "Cáp quang khả thi", "fibre_link_km": "Đoạn cáp mới (km)",
        s.COST_VND: "Chi phí (VND)", COST_CARRIED_IDS: "Hạng mục tính chi phí ở dòng này",
        s.SCORE: "Điểm ưu tiên",
        "score_people_per_vnd": "Điểm: người/chi phí", "score_dbkk": "Điểm: ĐBKK",
        "score_deadline": "Điểm: thời hạn mục tiêu", "score_severity": "Điểm: mức thiếu hụt",
        s.CUM_COST_VND: "Chi phí lũy kế (VND)", s.IN_BUDGET: "Trong ngân sách",
        "notes": "Ghi chú",
        "villages": "Số thôn thiếu hụt", "villages_in_budget": "Số thôn trong ngân sách",
        "population_in_budget": "Dân số được phục vụ", "cost_in_budget_vnd":
            "Chi phí trong ngân sách (VND)",
        s.PARK_ID: "Mã KCN/CCN", s.PARK_NAME: "Tên KCN/CCN", s.PARK_KIND: "Loại",
        s.TARGET_5G_YEAR: "Năm mục tiêu 5G", "intervention_id": "Mã hạng mục",
        "site_id": "Trạm hiện có", "new_site": "Trạm mới", "site_distance_km":
            "Khoảng cách tới trạm (km)", "uncovered_ha": "Diện tích chưa phủ 5G (ha)",
        "sites_upgraded": "Số trạm nâng cấp", "new_sites_5g": "Số trạm mới",
        "sizing_note": "Giả định khi tính",
        "item": "Chỉ tiêu", "value": "Giá trị",
    },
    "en": {
        s.RANK: "Rank", s.PROVINCE_CODE: "Province code", s.PROVINCE_NAME: "Province",
        s.COMMUNE_CODE: "Commune code", s.COMMUNE_NAME: "Commune", s.VILLAGE_ID: "Village id",
        s.VILLAGE_NAME: "Village", s.POPULATION: "Population", s.HOUSEHOLDS: "Households",
        s.DBKK: "ĐBKK commune", s.NEEDS_POWER: "Needs grid power first", "gaps": "Gaps",
        s.INTERVENTION: "Intervention", "intervention_ids": "Intervention ids",
        "fibre_feasible": "Fibre feasible", "fibre_link_km": "New fibre segment (km)",
        s.COST_VND: "Cost (VND)", COST_CARRIED_IDS: "Interventions costed on this row",
        s.SCORE: "Priority score",
        "score_people_per_vnd": "Score: people per VND", "score_dbkk": "Score: ĐBKK",
        "score_deadline": "Score: target deadline", "score_severity": "Score: gap severity",
        s.CUM_COST_VND: "Cumulative cost (VND)", s.IN_BUDGET: "In budget", "notes": "Notes",
        "villages": "Villages with gaps", "villages_in_budget": "Villages in budget",
        "population_in_budget": "People served", "cost_in_budget_vnd": "Cost in budget (VND)",
        s.PARK_ID: "Park id", s.PARK_NAME: "Park", s.PARK_KIND: "Kind",
        s.TARGET_5G_YEAR: "5G target year", "intervention_id": "Intervention id",
        "site_id": "Existing site", "new_site": "New site",
        "uncovered_ha": "Area without 5G (ha)", "sites_upgraded": "Sites upgraded",
        "new_sites_5g": "New sites", "sizing_note": "Sizing assumption",
        "site_distance_km": "Distance to site (km)", "item": "Item", "value": "Value",
    },
}
SHEETS = {
    "vi": {"priority": "Danh sách ưu tiên", "communes": "Tổng hợp theo xã",
           "parks": "5G KCN-CCN", "summary": "Tóm tắt kế hoạch"},
    "en": {"priority": "Priority villages", "communes": "Per commune",
           "parks": "5G parks", "summary": "Plan summary"},
}
YES_NO = {"vi": ("Có", "Không"), "en": ("Yes", "No")}
TOTAL = {"vi": "Tổng cộng", "en": "Total"}
INTERVENTIONS = {
    "vi": {"fibre_extension": "kéo cáp quang", "new_4g_site": "trạm 4G mới",
           "5g_upgrade": "nâng cấp 5G", "power_first": "cấp điện trước"},
    "en": {"fibre_extension": "fibre extension", "new_4g_site": "new 4G site",
           "5g_upgrade": "5G upgrade", "power_first": "power first"},
}
SUMMARY_LABELS = {
    "vi": {
        "currency": "Đơn vị tiền tệ", "usd_to_vnd": "Tỷ giá USD→VND",
        "budget_vnd": "Ngân sách (VND)", "preset": "Bộ trọng số", "weights": "Trọng số",
        "method": "Phương pháp chọn", "method_requested": "Phương pháp yêu cầu",
        "objective": "Mục tiêu tối ưu", "villages_with_gaps": "Số thôn còn thiếu hụt",
        "villages_costed": "Số thôn cần đầu tư hạ tầng",
        "population_in_gap_villages": "Dân số các thôn thiếu hụt",
        "villages_power_first": "Số thôn cần cấp điện trước",
        "villages_fibre_not_feasible": "Số thôn không khả thi cáp quang",
        "total_cost_vnd": "Tổng chi phí (VND)", "cost_by_kind_vnd": "Chi phí theo loại (VND)",
        "count_by_kind": "Số hạng mục theo loại",
        "people_newly_served_all": "Dân số được phục vụ nếu đầu tư hết",
        "in_budget_cost_vnd": "Chi phí trong ngân sách (VND)",
        "in_budget_people_served": "Dân số được phục vụ trong ngân sách",
        "in_budget_villages": "Số thôn trong ngân sách", "in_budget": "Trong ngân sách",
        "parks_5g": "5G tại KCN/CCN", "exact_vs_greedy": "Tối ưu chính xác so với tham lam",
    },
    "en": {},
}
MAX_WIDTH = 60


def _label(lang: str, column: str) -> str:
    return HEADERS.get(lang, HEADERS["en"]).get(column, column)


def _cell_value(value, column: str, lang: str):
    """A Python value openpyxl writes as intended (text codes, plain numbers, labels)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if column in TEXT_COLUMNS:
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        yes, no = YES_NO.get(lang, YES_NO["en"])
        return yes if value else no
    if column == s.INTERVENTION and isinstance(value, str):
        names = INTERVENTIONS.get(lang, INTERVENTIONS["en"])
        return "; ".join(names.get(k, k) for k in value.split(";") if k)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _number_format(column: str) -> str | None:
    if column in TEXT_COLUMNS:
        return TEXT
    if column.endswith("year"):
        return YEAR
    if column == s.SCORE or column.startswith("score_"):  # before "_vnd": score_people_per_vnd
        return SCORE
    if column in VND_COLUMNS or column.endswith("_vnd"):
        return VND
    if column in INT_COLUMNS:
        return INT
    if column in KM_COLUMNS:
        return KM
    return None


def _width(v) -> int:
    if v is None:
        return 0
    return len(f"{v:,}") if isinstance(v, int) and not isinstance(v, bool) else len(str(v))


def _write_table(wb: Workbook, title: str, frame: pd.DataFrame, lang: str,
                 total_row: Mapping | None = None) -> None:
    """One sheet in a write-only workbook: header, rows, optional bold total row.

    Write-only sheets stream rows (fast and light for national lists), so the column widths,
    frozen header and autofilter are set before the first row.
    """
    ws = wb.create_sheet(title)
    columns = list(frame.columns)
    formats = [_number_format(c) for c in columns]
    labels = [_label(lang, c) for c in columns]
    values = [[_cell_value(v, c, lang) for v in frame[c].astype(object)] for c in columns]
    total = [_cell_value(total_row.get(c), c, lang) for c in columns] if total_row else None
    for j, col in enumerate(values):
        # the header wraps onto two lines, so it needs half its length, and its longest word
        head = max(len(labels[j]) // 2 + 1, *(len(word) for word in labels[j].split()))
        w = max([head, *map(_width, col), _width(total[j]) if total else 0])
        ws.column_dimensions[get_column_letter(j + 1)].width = min(MAX_WIDTH, max(8, w + 2))
    ws.row_dimensions[1].height = 32  # two lines of header; Calc does not grow it itself
    ws.freeze_panes = "A2"
    if columns:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(frame) + 1}"

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    head = []
    for label in labels:
        cell = WriteOnlyCell(ws, value=label)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head.append(cell)
    ws.append(head)
    formatted = [j for j, f in enumerate(formats) if f is not None]
    for row in zip(*values, strict=True) if columns else ():
        row = list(row)
        for j in formatted:
            if row[j] is not None:
                cell = WriteOnlyCell(ws, value=row[j])
                cell.number_format = formats[j]
                row[j] = cell
        ws.append(row)
    if total:
        row = []
        for j, v in enumerate(total):
            cell = WriteOnlyCell(ws, value=v)
            cell.font = bold
            if formats[j] is not None and columns[j] not in TEXT_COLUMNS:
                cell.number_format = formats[j]
            row.append(cell)
        ws.append(row)


def _flatten(summary: Mapping, lang: str, prefix: str = "",
             path: str = "") -> list[tuple[str, object, str]]:
    """Nested summary → (label, value, key path "a.b") rows; labels translated where known."""
    labels = SUMMARY_LABELS.get(lang, {})
    rows = []
    for key, value in summary.items():
        label = labels.get(key, key)
        name = f"{prefix}{label}"
        where = f"{path}{key}"
        if isinstance(value, Mapping):
            rows.extend(_flatten(value, lang, prefix=f"{name} / ", path=f"{where}."))
        elif isinstance(value, (list, tuple)):
            rows.append((name, "; ".join(map(str, value)), where))
        else:
            rows.append((name, value, where))
    return rows


def _summary_format(key: str, label: str, value: float) -> str:
    """A score weight keeps its decimals (``people_per_vnd`` is a weight, not VND); money and
    large counts get thousands separators; a year none."""
    if key.startswith("weights."):
        return WEIGHT
    if key.endswith("year"):
        return YEAR
    if key.endswith("_vnd") or "(VND)" in label or abs(value) >= 1000:
        return VND
    return "0.####"


def write_priority_xlsx(path: str | Path, priority: pd.DataFrame, summary: Mapping,
                        lang: str = "vi", *, parks: pd.DataFrame | None = None) -> Path:
    """Write the investment-plan workbook atomically.

    Parameters
    ----------
    path : path
        The ``.xlsx`` to write (replaced in one step when it exists).
    priority : DataFrame
        The ranked priority list (:attr:`geo_cds.planning.priority.InvestmentPlan.priority`).
    summary : mapping
        The plan summary (nested mappings become "a / b" rows).
    lang : {"vi", "en"}
        Header, sheet and label language.
    parks : DataFrame, optional
        5G for industrial parks (:attr:`geo_cds.planning.priority.InvestmentPlan.parks`).

    Returns
    -------
    Path
    """
    lang = lang if lang in HEADERS else "en"
    path = Path(path)
    names = SHEETS[lang]
    wb = Workbook(write_only=True)
    _write_table(wb, names["priority"], priority, lang)

    sub = commune_subtotals(priority)
    total = {c: int(sub[c].sum()) for c in sub.columns if pd.api.types.is_integer_dtype(sub[c])}
    total[sub.columns[0]] = TOTAL[lang]
    _write_table(wb, names["communes"], sub, lang, total_row=total)

    if parks is not None and len(parks):
        _write_table(wb, names["parks"], parks, lang)

    rows = []
    for label, value, key in _flatten(summary, lang):
        if isinstance(value, (bool, np.bool_)):
            value = YES_NO[lang][0] if value else YES_NO[lang][1]
        elif isinstance(value, (np.integer, np.floating)):
            value = value.item()
        rows.append((label, value, key))
    ws = wb.create_sheet(names["summary"])
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:B{len(rows) + 1}"
    head = [WriteOnlyCell(ws, value=_label(lang, k)) for k in ("item", "value")]
    for cell in head:
        cell.font = Font(bold=True)
    ws.append(head)
    for label, value, key in rows:
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cell.number_format = _summary_format(key, label, value)
        ws.append([label, cell])

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
