"""The XLSX writer against the writer it replaced (kept in ``xlsx_before.py``, an independent
oracle: cell by cell Python, no numpy layout): on random tables of every kind of value, both
write the same package parts byte for byte. Pieces of 3 rows, so that rows meet piece
boundaries and row numbers change their number of digits inside a block."""

import datetime as dt
import math
import threading
import zipfile
from unittest import mock

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsx_before as before
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geo_cds import schema as s
from geo_cds.outputs import xlsx
from geo_cds.outputs.workbook import write_priority_xlsx
from geo_cds.outputs.xlsx import Block, Coded, Sheet, Workbook

# formula starts, XML specials, Excel's _xHHHH_ escapes, characters XML cannot hold (control
# characters, U+FFFE, a lone surrogate), Vietnamese, codes with leading zeros, empty text
HOSTILE = ["=1+1", "+84 90", "-2", "@SUM(A1)", '<b a="1">&amp;</b>', "_x0041_", "_X00e9_x",
           "a\x00b\x1f", "\ufffe\uffff", "x\ud800y", "", " ", "Thôn Văn Hà", "Đắk Lắk", "07795",
           "a\r\nb\tc", "\n", "R&D", "x>y", "_x00"]
texts = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=8))
floats = st.one_of(st.floats(), st.sampled_from([-0.0, 0.0, math.inf, -math.inf, math.nan,
                                                 1e16, 0.1, -2.5e-300]))
ints = st.one_of(st.integers(-2**63, 2**63 - 1), st.integers(-10, 10))
dates = st.one_of(st.dates(), st.datetimes(min_value=dt.datetime(1900, 3, 1)))
plain = st.one_of(st.none(), st.booleans(), ints, st.integers(2**63, 2**70), floats, texts,
                  dates)


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@st.composite
def _column(draw, n: int, styles: list[int]):
    """A column of one kind, as the new writer is given it and as the old one was."""
    kind = draw(st.sampled_from(["int", "float", "bool", "text", "int_objects", "mixed",
                                 "list", "coded", "per_cell"]))
    style = draw(st.sampled_from(styles))
    if kind == "int":
        dtype = draw(st.sampled_from([np.int64, np.int32, np.uint16]))
        info = np.iinfo(dtype)
        v = np.array(draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=n,
                                   max_size=n)), dtype=dtype)
        return v, v, style
    if kind == "float":
        v = np.array(draw(st.lists(floats, min_size=n, max_size=n)), dtype=np.float64)
        return v, v, style
    if kind == "bool":
        v = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
        return v, v, style
    if kind == "text":
        v = _objects(draw(st.lists(st.one_of(st.none(), texts), min_size=n, max_size=n)))
        return v, v, style
    if kind == "int_objects":
        v = _objects(draw(st.lists(st.one_of(st.none(), ints, st.integers(2**63, 2**70)),
                                   min_size=n, max_size=n)))
        return v, v, style
    values = draw(st.lists(plain, min_size=n, max_size=n))
    if kind == "mixed":
        return _objects(values), _objects(values), style
    if kind == "list":
        return values, values, style
    if kind == "per_cell":
        cell_styles = draw(st.lists(st.sampled_from(styles), min_size=n, max_size=n))
        return values, values, cell_styles
    distinct = draw(st.lists(plain, min_size=1, max_size=4))
    codes = np.array(draw(st.lists(st.integers(-1, len(distinct) - 1), min_size=n,
                                   max_size=n)), dtype=np.int64)
    expanded = _objects([distinct[c] if c >= 0 else None for c in codes.tolist()])
    return Coded(codes, distinct), expanded, style


@st.composite
def _sheets(draw):
    """Sheets of header, body and total blocks (as the workbook writes them)."""
    sheets = []
    for k in range(draw(st.integers(1, 3))):
        n_columns = draw(st.integers(0, 4))
        blocks = []
        for _ in range(draw(st.integers(1, 3))):
            n = draw(st.integers(0, 14))
            columns = [draw(_column(n, [0, 1, 2, 3])) for _ in range(n_columns)]
            height = draw(st.sampled_from([None, 32, 12.75]))
            blocks.append((columns, height))
        widths = draw(st.lists(st.sampled_from([8, 12.5, 60]), max_size=n_columns))
        sheets.append(dict(title=draw(st.sampled_from(["Sheet 'A'", "Ưu tiên", "a&b<c>"]))
                           + str(k), blocks=blocks, widths=widths,
                           freeze_header=draw(st.booleans()),
                           filter_rows=draw(st.sampled_from([None, 0, 1, 5]))))
    return sheets


def _write(module, path, sheets, new: bool) -> None:
    with module.Workbook(path) as wb:
        styles = [wb.style(), wb.style("#,##0"), wb.style("0.000", bold=True),
                  wb.style(header=True)]
        assert styles == [0, 1, 2, 3]
        for sheet in sheets:
            blocks = [module.Block([c[0] if new else c[1] for c in columns],
                                   [c[2] for c in columns], height=height)
                      for columns, height in sheet["blocks"]]
            wb.add(module.Sheet(sheet["title"], blocks, widths=sheet["widths"],
                                freeze_header=sheet["freeze_header"],
                                filter_rows=sheet["filter_rows"]))


def _parts(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheets=_sheets())
def test_same_parts_as_the_writer_it_replaced(tmp_path_factory, sheets):
    folder = tmp_path_factory.mktemp("x")
    _write(before, folder / "before.xlsx", sheets, new=False)
    with mock.patch.object(xlsx, "ROWS_PER_PIECE", 3):
        _write(xlsx, folder / "after.xlsx", sheets, new=True)
    old, new = _parts(folder / "before.xlsx"), _parts(folder / "after.xlsx")
    assert list(new) == list(old)
    for name in old:
        assert new[name] == old[name], name


def test_rows_across_pieces_and_digits_by_hand(tmp_path):
    """Rows 1..1001 in pieces of 7: every row once, in order, its cells referenced by it."""
    n = 1001
    path = tmp_path / "t.xlsx"
    with mock.patch.object(xlsx, "ROWS_PER_PIECE", 7), Workbook(path) as wb:
        wb.add(Sheet("s", [Block([np.arange(n), _objects([None if i % 3 else f"t{i}"
                                                         for i in range(n)])], [0, 0])]))
    sheet = _parts(path)["xl/worksheets/sheet1.xml"].decode()
    rows = sheet.split("<sheetData>")[1].split("</sheetData>")[0].split("</row>")[:-1]
    assert len(rows) == n
    for i, row in enumerate(rows, start=1):
        cells = f'<row r="{i}"><c r="A{i}" s="0"><v>{i - 1}</v></c>'
        if (i - 1) % 3 == 0:
            cells += f'<c r="B{i}" s="0" t="s"><v>{(i - 1) // 3}</v></c>'
        assert row == cells


def _priority_frames():
    n = st.integers(0, 12)
    hostile = st.one_of(st.none(), st.sampled_from([t for t in HOSTILE if "\ud800" not in t]))
    return n.flatmap(lambda n: st.fixed_dictionaries({
        s.RANK: st.lists(st.integers(1, 10**7), min_size=n, max_size=n),
        s.PROVINCE_CODE: st.lists(st.one_of(st.none(), st.sampled_from(["01", "79", "=1"])),
                                  min_size=n, max_size=n),
        s.VILLAGE_NAME: st.lists(hostile, min_size=n, max_size=n),
        s.COMMUNE_NAME: st.lists(hostile, min_size=n, max_size=n),
        s.POPULATION: st.lists(st.one_of(st.none(), st.integers(0, 10**6)), min_size=n,
                               max_size=n),
        "dbkk": st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n),
        s.IN_BUDGET: st.lists(st.booleans(), min_size=n, max_size=n),
        s.COST_VND: st.lists(st.sampled_from([0.0, -0.0, 1.3e9, 2.5]), min_size=n, max_size=n),
        s.SCORE: st.lists(floats, min_size=n, max_size=n),
        s.INTERVENTION: st.lists(st.one_of(st.none(), st.sampled_from(
            ["new_4g_site", "new_4g_site;fibre_extension", "", "unknown_key"])),
            min_size=n, max_size=n),
        "notes": st.lists(st.one_of(st.none(), ints, floats, hostile, st.just("x\ud800")),
                          min_size=n, max_size=n),
    }))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=_priority_frames(), lang=st.sampled_from(["vi", "en"]))
def test_priority_workbook_same_parts_as_before(tmp_path_factory, columns, lang):
    frame = pd.DataFrame({
        s.RANK: np.array(columns[s.RANK], dtype=np.int64),
        s.PROVINCE_CODE: pd.array(columns[s.PROVINCE_CODE], dtype="string"),
        s.COMMUNE_CODE: pd.array([f"{i:05d}" for i in range(len(columns[s.RANK]))],
                                 dtype="string"),
        s.VILLAGE_NAME: pd.array(columns[s.VILLAGE_NAME], dtype="string"),
        s.COMMUNE_NAME: pd.Series(columns[s.COMMUNE_NAME], dtype=object),
        s.POPULATION: pd.array(columns[s.POPULATION], dtype="Int64"),
        "dbkk": pd.array(columns["dbkk"], dtype="boolean"),
        s.IN_BUDGET: np.array(columns[s.IN_BUDGET], dtype=bool),
        s.COST_VND: np.array(columns[s.COST_VND], dtype=np.float64),
        s.SCORE: np.array(columns[s.SCORE], dtype=np.float64),
        s.INTERVENTION: pd.array(columns[s.INTERVENTION], dtype="string"),
        "notes": pd.Series(columns["notes"], dtype=object),
    })
    assert frame[s.COMMUNE_NAME].dtype == object and frame["notes"].dtype == object
    summary = {"budget_vnd": 10**9, "year": 2025, "weights": {"dbkk": 0.3},
               "preset": "balanced", "flag": True, "share": 0.25, "none": None}
    folder = tmp_path_factory.mktemp("p")
    before.write_priority_xlsx(folder / "before.xlsx", frame, summary, lang=lang)
    with mock.patch.object(xlsx, "ROWS_PER_PIECE", 3):
        write_priority_xlsx(folder / "after.xlsx", frame, summary, lang=lang)
    old, new = _parts(folder / "before.xlsx"), _parts(folder / "after.xlsx")
    assert list(new) == list(old)
    for name in old:
        assert new[name] == old[name], name


def test_a_part_past_2_gib_is_written_as_zip64(tmp_path):
    """Beyond ZIP64_LIMIT a zip entry needs zip64 sizes, which must be known before it is
    written: the writer bounds the sheet's size (here with the limit lowered to 1 kB)."""
    path = tmp_path / "t.xlsx"
    with mock.patch.object(zipfile, "ZIP64_LIMIT", 1000), Workbook(path) as wb:
        wb.add(Sheet("small", [Block([[1]], [0])]))
        wb.add(Sheet("big", [Block([np.arange(200), np.full(200, "Thôn", dtype=object)],
                                   [0, 0])]))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").extract_version < 45
        assert z.getinfo("xl/worksheets/sheet2.xml").extract_version >= 45  # zip64
    ws = openpyxl.load_workbook(path)["big"]
    assert [[c.value for c in r] for r in ws.iter_rows()] == [[i, "Thôn"] for i in range(200)]


def test_a_value_it_cannot_write_stops_it_cleanly(tmp_path):
    threads = threading.active_count()
    with pytest.raises(TypeError, match="cannot hold set"), Workbook(tmp_path / "t.xlsx") as wb:
        wb.add(Sheet("s", [Block([np.arange(5), _objects([1, "a", {2}, None, 2.5])],
                                 [0, 0])]))
    with pytest.raises(IndexError), Workbook(tmp_path / "u.xlsx") as wb:
        wb.add(Sheet("s", [Block([Coded(np.array([0, 2]), ["a", "b"])], [0])]))
    with pytest.raises(ValueError, match="column 2 holds 1"), \
            Workbook(tmp_path / "v.xlsx") as wb:
        wb.add(Sheet("s", [Block([[1, 2], [3]], [0, 0])]))
    assert threading.active_count() == threads  # the deflating thread is gone
