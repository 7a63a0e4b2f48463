"""The investment-plan workbook: ``priority_villages.xlsx``.

Sheets: the ranked priority list, subtotals per commune, 5G for industrial parks (when
given) and the plan summary. Official codes are text cells with their leading zeros
("07795"), names keep their diacritics, VND amounts use a thousands separator, every sheet
has a frozen header and an autofilter. Every text comes from the label catalogue
(:mod:`geo_cds.labels`) in the language asked (``lang="vi"`` or ``"en"``).
The file is written to a temporary name and moved into place.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from geo_cds import schema as s
from geo_cds.labels import LANGS, label, labels
from geo_cds.outputs.write import atomic_file
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
               "population_in_budget", "sites_upgraded", "new_sites_5g", "uncovered_ha",
               s.N_VILLAGES, "villages_known", s.VILLAGE_POPULATION, "population_known"}
PERCENT = "0.0%"
PERCENT_COLUMNS = {"villages_known_share", "population_known_share"}
YEAR = "0"  # 2025, never 2,025
WEIGHT = "0.0#"  # 0.6, never 1
KM_COLUMNS = {"fibre_link_km", "site_distance_km"}

# plan_summary.json values that are identifiers, shown through these catalogue sections.
VALUE_SECTIONS = {"preset": "preset", "method": "method", "method_requested": "method",
                  "objective": "objective", "exact_status": "solver_status"}
MAX_WIDTH = 60
MAX_CELL_TEXT = 32_767  # Excel's limit; longer text is cut (and marked with "…")


def _text(value: str) -> str:
    """Text a cell can hold: control characters Excel refuses become U+FFFD; cut to 32,767."""
    value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value if len(value) <= MAX_CELL_TEXT else value[: MAX_CELL_TEXT - 1] + "…"


def _cell(ws, value, number_format: str | None = None):
    """The one way a value enters a sheet: text from the data is always a text cell.

    openpyxl turns a string starting with "=" into a formula and "#N/A" into an error;
    names such as ``=HYPERLINK(…)`` or ``=cmd|' /C calc'!A0`` must stay what they are: text.
    Returns the plain value when nothing needs setting (write-only sheets stream fastest so).
    """
    if isinstance(value, str):
        value = _text(value)
        formula_like = (len(value) > 1 and value.startswith("=")) or value in ERROR_CODES
        if formula_like:
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            if number_format is not None:
                cell.number_format = number_format
            return cell
    if number_format is None or value is None:
        return value
    cell = WriteOnlyCell(ws, value=value)
    cell.number_format = number_format
    return cell


def _label(lang: str, column: str) -> str:
    return label("header", column, lang)


def _cell_value(value, column: str, lang: str):
    """A Python value openpyxl writes as intended (text codes, plain numbers, labels)."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if column in TEXT_COLUMNS:
        return str(value)
    if isinstance(value, (bool, np.bool_)):
        return labels("common", lang)["yes" if value else "no"]
    if column == s.INTERVENTION and isinstance(value, str):
        return "; ".join(label("intervention", k, lang) for k in value.split(";") if k)
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
    if column in PERCENT_COLUMNS:
        return PERCENT
    return None


def _as_cell(ws, value):
    return value if isinstance(value, Cell) else WriteOnlyCell(ws, value)


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
    heads = [_label(lang, c) for c in columns]
    values = [[_cell_value(v, c, lang) for v in frame[c].astype(object)] for c in columns]
    total = [_cell_value(total_row.get(c), c, lang) for c in columns] if total_row else None
    for j, col in enumerate(values):
        # the header wraps onto two lines, so it needs half its length, and its longest word
        head = max(len(heads[j]) // 2 + 1, *(len(word) for word in heads[j].split()))
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
    for text in heads:
        cell = _as_cell(ws, _cell(ws, text))
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        head.append(cell)
    ws.append(head)
    for row in zip(*values, strict=True) if columns else ():
        ws.append([_cell(ws, v, f) for v, f in zip(row, formats)])
    if total:
        row = []
        for j, v in enumerate(total):
            number_format = formats[j] if columns[j] not in TEXT_COLUMNS else None
            cell = _as_cell(ws, _cell(ws, v, number_format))
            cell.font = bold
            row.append(cell)
        ws.append(row)


def _flatten(summary: Mapping, lang: str, prefix: str = "",
             path: str = "") -> list[tuple[str, object, str]]:
    """Nested summary → (label, value, key path "a.b") rows, labels and identifier values
    translated."""
    rows = []
    for key, value in summary.items():
        name = f"{prefix}{label('plan_summary', key, lang)}"
        where = f"{path}{key}"
        if key in VALUE_SECTIONS and isinstance(value, str):
            value = label(VALUE_SECTIONS[key], value, lang)
        if isinstance(value, Mapping):
            rows.extend(_flatten(value, lang, prefix=f"{name} / ", path=f"{where}."))
        elif isinstance(value, (list, tuple)):
            rows.append((name, "; ".join(map(str, value)), where))
        else:
            rows.append((name, value, where))
    return rows


def _summary_format(key: str, text: str, value: float) -> str:
    """A score weight keeps its decimals (``people_per_vnd`` is a weight, not VND); money and
    large counts get thousands separators; a year none."""
    if key.startswith("weights."):
        return WEIGHT
    if key.endswith("year"):
        return YEAR
    if key.endswith("_vnd") or "(VND)" in text or abs(value) >= 1000 or float(value).is_integer():
        return VND  # whole numbers: "289", never "289." as "0.####" shows them
    return "0.0###"


def _coverage_sheet(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The data-coverage table as the sheet shows it: figures named, "all" named the total."""
    out = table.drop(columns="scope")
    out["figure"] = [label("data_figure", f, lang) for f in out["figure"]]
    total = table["scope"].eq("all").to_numpy()
    out.loc[total, s.PROVINCE_CODE] = None
    out.loc[total, s.PROVINCE_NAME] = labels("common", lang)["total"]
    return out


def write_priority_xlsx(path: str | Path, priority: pd.DataFrame, summary: Mapping,
                        lang: str = "vi", *, parks: pd.DataFrame | None = None,
                        data_coverage: pd.DataFrame | None = None) -> Path:
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
    data_coverage : DataFrame, optional
        The data behind each share per province, for all and per commune
        (:func:`geo_cds.analysis.datacov.data_coverage`): a sheet whose "little data"
        column marks the figures resting on too few villages or people.

    Returns
    -------
    Path
    """
    lang = lang if lang in LANGS else "en"
    path = Path(path)
    names = labels("sheet", lang)
    wb = Workbook(write_only=True)
    _write_table(wb, names["priority"], priority, lang)

    sub = commune_subtotals(priority)
    total = {c: int(sub[c].sum()) for c in sub.columns if pd.api.types.is_integer_dtype(sub[c])}
    total[sub.columns[0]] = labels("common", lang)["total"]
    _write_table(wb, names["communes"], sub, lang, total_row=total)

    if parks is not None and len(parks):
        _write_table(wb, names["parks"], parks, lang)

    if data_coverage is not None and len(data_coverage):
        _write_table(wb, names["data_coverage"], _coverage_sheet(data_coverage, lang), lang)

    rows = []
    for text, value, key in _flatten(summary, lang):
        if isinstance(value, (bool, np.bool_)):
            value = labels("common", lang)["yes" if value else "no"]
        elif isinstance(value, (np.integer, np.floating)):
            value = value.item()
        rows.append((text, value, key))
    ws = wb.create_sheet(names["summary"])
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 28
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:B{len(rows) + 1}"
    head = [_as_cell(ws, _cell(ws, _label(lang, k))) for k in ("item", "value")]
    for cell in head:
        cell.font = Font(bold=True)
    ws.append(head)
    for text, value, key in rows:
        number_format = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            number_format = _summary_format(key, text, value)
        ws.append([_cell(ws, text), _cell(ws, value, number_format)])

    return atomic_file(path, wb.save)
