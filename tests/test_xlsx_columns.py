"""Whole-column cell writing (typed arrays) and the workbook's tables, read back cell by cell
by openpyxl (a peer reader) and compared with what a plain loop over the values expects."""

import math

import numpy as np
import openpyxl
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds import schema as s
from geo_cds.labels import label, labels
from geo_cds.outputs.workbook import write_priority_xlsx
from geo_cds.outputs.xlsx import Block, Sheet, Workbook, distinct_floats

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
# hostile: formulas, XML specials, Excel's _xHHHH_ escapes, characters XML cannot hold
hostile = st.sampled_from(["=1+1", "@SUM(A1)", "<b>&amp;", "_x0041_", "a\x00b", "\ufffe", "",
                           "Thôn Văn Hà", "07795"])
floats = st.one_of(st.floats(), st.sampled_from([-0.0, 0.0, math.inf, -math.inf, math.nan]))
ints = st.integers(-2**62, 2**62)


def _expected(v):
    """What a cell holds once read back: the plain rule, value by value."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, str):
        if v == "":
            return None
        v = "".join("\ufffd" if (ord(c) < 32 and c not in "\t\n\r") or c in "\ufffe\uffff"
                    else c for c in v)
        return v.replace("\r\n", "\n").replace("\r", "\n")  # XML reads a line end as LF
    return v


def _read(path, title):
    return openpyxl.load_workbook(path)[title]


def _check(ws, columns, first_row=1):
    for j, column in enumerate(columns):
        for i, want in enumerate(column):
            cell = ws.cell(row=first_row + i, column=j + 1)
            expected = _expected(want.item() if isinstance(want, np.generic) else want)
            if expected is None:
                assert cell.value is None, (i, j, want, cell.value)
            else:
                assert cell.value == expected and type(cell.value) is type(expected), (
                    i, j, want, cell.value)
                if isinstance(expected, float) and expected == 0:
                    assert math.copysign(1, cell.value) == math.copysign(1, expected)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 15), data=st.data())
def test_typed_columns_read_back_as_their_values(tmp_path_factory, n, data):
    columns = [
        np.array(data.draw(st.lists(ints, min_size=n, max_size=n)), dtype=np.int64),
        np.array(data.draw(st.lists(floats, min_size=n, max_size=n)), dtype=np.float64),
        np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool),
        np.array(data.draw(st.lists(st.one_of(st.none(), text, hostile), min_size=n,
                                    max_size=n)) + ["x"], dtype=object)[:n],
        np.array(data.draw(st.lists(st.one_of(st.none(), ints), min_size=n, max_size=n))
                 + [1.5], dtype=object)[:n],
        # mixed: cell by cell (True stays a bool, 1 an int, "1" a text)
        np.array(data.draw(st.lists(st.one_of(st.none(), st.booleans(), ints, text),
                                    min_size=n, max_size=n)) + [1.5], dtype=object)[:n],
    ]
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    with Workbook(path) as wb:
        wb.add(Sheet("s", [Block([["h"]] * len(columns), [0] * len(columns)),
                           Block(columns, [wb.style("0.00")] * len(columns))]))
    ws = _read(path, "s")
    _check(ws, columns, first_row=2)
    assert ws.max_row <= n + 1


def test_shared_strings_numbered_in_order_of_first_use(tmp_path):
    import zipfile
    path = tmp_path / "t.xlsx"
    with Workbook(path) as wb:
        wb.add(Sheet("s", [Block([np.array(["b", "a", None, "b", ""], dtype=object),
                                  ["c", "a", "d", None, None]], [0, 0])]))
    with zipfile.ZipFile(path) as z:
        sst = z.read("xl/sharedStrings.xml").decode()
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert [t.split("</t>")[0] for t in sst.split('preserve">')[1:]] == ["b", "a", "c", "d"]
    assert '<c r="A4" s="0" t="s"><v>0</v></c>' in sheet and 'r="A5"' not in sheet
    assert '<c r="B2" s="0" t="s"><v>1</v></c>' in sheet


def test_distinct_floats_by_hand():
    values = np.array([0.1, -0.0, 0.0, np.nan, np.inf, 0.1, 1e16, -np.inf, 2.5, -0.0])
    codes, uniques = distinct_floats(values)
    assert codes.tolist() == [0, 1, 2, 3, 4, 0, 5, 6, 7, 1]
    assert [repr(v) for v in uniques] == ["0.1", "-0.0", "0.0", "nan", "inf", "1e+16", "-inf",
                                          "2.5"]


def _frame() -> pd.DataFrame:
    """A priority list holding every column kind the workbook meets."""
    return pd.DataFrame({
        s.RANK: np.array([1, 2, 3, 4], dtype=np.int64),
        s.PROVINCE_CODE: pd.array(["01", "01", None, "79"], dtype="string"),
        s.COMMUNE_CODE: pd.Series(["00004", "=1+1", "00004", "27139"], dtype="str"),
        s.VILLAGE_NAME: pd.Series(["Thôn A", "", None, "<b>&"], dtype=object),
        s.POPULATION: pd.array([1023, None, 0, 123456789], dtype="Int64"),
        s.IN_BUDGET: [True, False, True, False],
        "dbkk": pd.array([True, None, False, True], dtype="boolean"),
        s.COST_VND: [1.3e9, np.nan, 0.0, 2.5],
        s.SCORE: [0.8332, 0.1, np.nan, -0.0],
        s.INTERVENTION: ["new_4g_site", "new_4g_site;fibre_backhaul", None, ""],
        "notes": pd.Series([None, 7, "x", 2.5], dtype=object),
    })


def test_priority_sheet_cells_and_widths_as_a_plain_loop_expects(tmp_path):
    frame = _frame()
    path = write_priority_xlsx(tmp_path / "p.xlsx", frame, {"budget_vnd": 1}, lang="en")
    ws = openpyxl.load_workbook(path)[labels("sheet", "en")["priority"]]
    yes, no = labels("common", "en")["yes"], labels("common", "en")["no"]
    text_columns = {s.PROVINCE_CODE, s.COMMUNE_CODE}
    formats = {s.RANK: "#,##0", s.PROVINCE_CODE: "@", s.COMMUNE_CODE: "@",
               s.POPULATION: "#,##0", s.COST_VND: "#,##0", s.SCORE: "0.000"}
    for j, column in enumerate(frame.columns, start=1):
        assert ws.cell(row=1, column=j).value == label("header", column, "en")
        shown = []
        for i, v in enumerate(frame[column].astype(object).tolist(), start=2):
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                want = None
            elif column in text_columns:
                want = str(v)
            elif isinstance(v, bool):
                want = yes if v else no
            elif column == s.INTERVENTION:
                want = "; ".join(label("intervention", k, "en") for k in v.split(";") if k)
            else:
                want = v
            cell = ws.cell(row=i, column=j)
            want = _expected(want)
            assert cell.value == want and type(cell.value) is type(want), (column, i, cell.value)
            if want is not None:  # an empty cell is not written
                assert cell.number_format == formats.get(column, "General"), column
            shown.append(0 if want is None else
                         len(f"{want:,}") if isinstance(want, int) else len(str(want)))
        head = label("header", column, "en")
        need = max(len(head) // 2 + 1, *(len(w) for w in head.split()), *shown)
        letter = openpyxl.utils.get_column_letter(j)
        assert ws.column_dimensions[letter].width == min(60, max(8, need + 2)), column
    assert ws.max_row == len(frame) + 1


def test_typed_column_with_a_style_per_cell(tmp_path):
    path = tmp_path / "t.xlsx"
    with Workbook(path) as wb:
        styles = [wb.style("0.00"), wb.style("#,##0")]
        wb.add(Sheet("s", [Block([np.array([1.5, 2.0]), np.array([3, 4], dtype=np.int64)],
                                 [styles, styles])]))
    ws = _read(path, "s")
    assert [[c.value for c in r] for r in ws.iter_rows()] == [[1.5, 3], [2, 4]]
    assert [ws["A1"].number_format, ws["A2"].number_format] == ["0.00", "#,##0"]
    assert type(ws["B1"].value) is int
