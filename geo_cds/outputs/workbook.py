"""The investment-plan workbook: ``priority_villages.xlsx``.

Sheets: the ranked priority list, subtotals per commune, 5G for industrial parks (when
given) and the plan summary. Official codes are text cells with their leading zeros
("07795"), names keep their diacritics, VND amounts use a thousands separator, every sheet
has a frozen two-line header and an autofilter. Every text comes from the label catalogue
(:mod:`geo_cds.labels`) in the language asked (``lang="vi"`` or ``"en"``).

Written by the streaming writer of :mod:`geo_cds.outputs.xlsx`: each column's cells are
formatted in one pass and the rows streamed into the file, so a national list of 30,000
villages costs little time or memory. A text value is only ever a text cell, so a name such
as ``=HYPERLINK(…)`` can never become a formula. The file is written to a temporary name and
moved into place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.labels import LANGS, label, labels
from geo_cds.outputs.write import atomic_file
from geo_cds.outputs.xlsx import Block, Coded, Sheet, Workbook, distinct_floats
from geo_cds.planning.ledger import COST_CARRIED_IDS, commune_subtotals

TEXT = "@"
VND = "#,##0"
INT = "#,##0"
SCORE = "0.000"
KM = "0.00"
DATE = "yyyy-mm-dd"

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
    """Text a cell can hold: cut to 32,767 characters (the writer replaces the characters
    XML cannot hold)."""
    return value if len(value) <= MAX_CELL_TEXT else value[: MAX_CELL_TEXT - 1] + "…"


def _label(lang: str, column: str) -> str:
    return label("header", column, lang)


def _cell_value(value, column: str, lang: str):
    """A plain Python value written as intended (text codes, plain numbers, labels)."""
    if value is None or value is pd.NA or value is pd.NaT or (
            isinstance(value, float) and np.isnan(value)):
        return None
    if column in TEXT_COLUMNS:
        return _text(str(value))
    if isinstance(value, (bool, np.bool_)):
        return labels("common", lang)["yes" if value else "no"]
    if column == s.INTERVENTION and isinstance(value, str):
        return _text("; ".join(label("intervention", k, lang) for k in value.split(";") if k))
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, str):
        return _text(value)
    return value if isinstance(value, (int, float, dt.date)) else _text(str(value))


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


def _width(v) -> int:
    if v is None:
        return 0
    return len(f"{v:,}") if isinstance(v, int) and not isinstance(v, bool) else len(str(v))


def _column_values(series: pd.Series, column: str, lang: str) -> tuple[np.ndarray | Coded | list,
                                                                    int]:
    """One column's cell values (plain numbers, text, labels; ``None`` where missing) and the
    width of the widest of them.

    Integers stay a numeric array; any other column is converted once per distinct value
    (codes, names and labels repeat; floats are formatted once each), the rows given as codes
    into them.
    """
    dtype = series.dtype
    if column not in TEXT_COLUMNS and isinstance(dtype, np.dtype) and dtype.kind in "iu":
        values = series.to_numpy()  # the longest is the largest or the most negative
        return values, max(_width(int(values.max())), _width(int(values.min()))) \
            if len(values) else 0
    if column not in TEXT_COLUMNS and isinstance(dtype, np.dtype) and dtype.kind == "f":
        codes, uniques = distinct_floats(series.to_numpy())  # NaN: an empty cell
        shown = np.array(uniques, dtype=np.float64)
        shown = shown[~np.isnan(shown)].tolist()
        return Coded(codes, uniques), max(map(len, map(float.__repr__, shown)), default=0)
    try:
        codes, uniques = _distinct(series)  # missing values: -1
    except TypeError:  # an unhashable value
        out = [_cell_value(v, column, lang) for v in series.astype(object).tolist()]
        return out, max(map(_width, out), default=0)
    if column != s.INTERVENTION and set(map(type, uniques)) == {str}:  # names, codes
        width = max(map(len, uniques))
        converted = uniques if width <= MAX_CELL_TEXT else [_text(v) for v in uniques]
        width = min(width, MAX_CELL_TEXT)
    else:  # (whole numbers stay as they are, as _cell_value leaves them)
        converted = uniques if column not in TEXT_COLUMNS and set(map(type, uniques)) == {int} \
            else [_cell_value(v, column, lang) for v in uniques]
        width = max(map(_width, converted), default=0)
    return Coded(codes, converted), width


def _distinct(series: pd.Series) -> tuple[np.ndarray, list]:
    """Codes into a column's distinct values (in order of first appearance; missing: -1), as
    ``pd.factorize`` finds them among the column's Python objects. Text, nullable integers and
    booleans are factorized as they are stored (Arrow, numbers), the same distinct values at a
    fraction of the time."""
    dtype = series.dtype
    if isinstance(dtype, (pd.StringDtype, pd.Int64Dtype, pd.BooleanDtype)) or (
            isinstance(dtype, np.dtype) and dtype.kind == "b"):
        codes, uniques = pd.factorize(series)
    else:
        codes, uniques = pd.factorize(series.astype(object).to_numpy())
    return codes, uniques.tolist()


def _table(wb: Workbook, title: str, frame: pd.DataFrame, lang: str,
           total_row: Mapping | None = None) -> Sheet:
    """One sheet: the two-line bold header, the rows, optional bold total row."""
    columns = list(frame.columns)
    formats = [_number_format(c) for c in columns]
    heads = [_text(_label(lang, c)) for c in columns]
    values, value_widths = zip(*[_column_values(frame[c], c, lang) for c in columns]) \
        if columns else ((), ())
    blocks = [Block([[h] for h in heads], [wb.style(header=True)] * len(columns), height=32),
              Block(values, [wb.style(f) for f in formats])]
    widths = []
    total = None
    if total_row:
        total = [_cell_value(total_row.get(c), c, lang) for c in columns]
        blocks.append(Block([[v] for v in total],
                            [wb.style(f if c not in TEXT_COLUMNS else None, bold=True)
                             for f, c in zip(formats, columns)]))
    for j in range(len(columns)):
        # the header wraps onto two lines, so it needs half its length, and its longest word
        head = max(len(heads[j]) // 2 + 1, *(len(word) for word in heads[j].split()))
        w = max(head, value_widths[j], _width(total[j]) if total else 0)
        widths.append(min(MAX_WIDTH, max(8, w + 2)))
    return Sheet(title, blocks, widths=widths, filter_rows=len(frame) + 1)


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
    figures = out["figure"].tolist()
    names = {f: label("data_figure", f, lang) for f in set(figures)}  # one look-up per figure
    out["figure"] = [names[f] for f in figures]
    total = table["scope"].eq("all").to_numpy()
    out.loc[total, s.PROVINCE_CODE] = None
    out.loc[total, s.PROVINCE_NAME] = labels("common", lang)["total"]
    return out


def _summary_value(value):
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float) and not np.isfinite(value):
        return None
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return _text(str(value))


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
    sub = commune_subtotals(priority)
    total = {c: int(sub[c].sum()) for c in sub.columns if pd.api.types.is_integer_dtype(sub[c])}
    total[sub.columns[0]] = labels("common", lang)["total"]
    rows = []
    for text, value, key in _flatten(summary, lang):
        if isinstance(value, (bool, np.bool_)):
            value = labels("common", lang)["yes" if value else "no"]
        elif isinstance(value, (np.integer, np.floating)):
            value = value.item()
        rows.append((text, value, key))

    def write(tmp: Path) -> None:
        with Workbook(tmp) as wb:
            wb.add(_table(wb, names["priority"], priority, lang))
            wb.add(_table(wb, names["communes"], sub, lang, total_row=total))
            if parks is not None and len(parks):
                wb.add(_table(wb, names["parks"], parks, lang))
            if data_coverage is not None and len(data_coverage):
                wb.add(_table(wb, names["data_coverage"], _coverage_sheet(data_coverage, lang),
                              lang))
            styles = [wb.style(_summary_format(key, text, value)
                               if isinstance(value, (int, float)) and not isinstance(value, bool)
                               else None) for text, value, key in rows]
            wb.add(Sheet(names["summary"], [
                Block([[_text(_label(lang, "item"))], [_text(_label(lang, "value"))]],
                      [wb.style(bold=True)] * 2),
                Block([[_text(t) for t, _, _ in rows], [_summary_value(v) for _, v, _ in rows]],
                      [wb.style(), styles])], widths=[60, 28]))

    return atomic_file(path, write)
