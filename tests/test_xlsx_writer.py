"""The streaming XLSX writer, read back by openpyxl (a peer reader)."""

import datetime as dt
import math
import posixpath
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.outputs.xlsx import Block, Sheet, Workbook, column_letter


def _write(path, sheets):
    with Workbook(path) as wb:
        for make in sheets:
            wb.add(make(wb))
    return path


def test_values_types_and_styles_read_back(tmp_path):
    def sheet(wb):
        head = Block([["Mã xã"], ["Dân số"], ["Chi phí (VND)"], ["Có điện"], ["Ngày"]],
                     [wb.style(header=True)] * 5, height=32)
        rows = Block([["07795", "=HYPERLINK(\"x\")", None],
                      [1100, None, 7],
                      [1.5, 2_000_000_000.0, math.nan],
                      [True, False, None],
                      [dt.date(2025, 7, 1), None, dt.datetime(2026, 1, 2, 12, 0)]],
                     [wb.style("@"), wb.style("#,##0"), wb.style("#,##0"), wb.style(),
                      wb.style("yyyy-mm-dd")])
        total = Block([["Tổng"], [1107], [None], [None], [None]], [wb.style(bold=True)] * 5)
        return Sheet("Danh sách", [head, rows, total], widths=[10, 12.5, 20, 8, 12],
                     filter_rows=4)

    path = _write(tmp_path / "t.xlsx", [sheet])
    ws = openpyxl.load_workbook(path)["Danh sách"]
    assert [c.value for c in ws[1]] == ["Mã xã", "Dân số", "Chi phí (VND)", "Có điện", "Ngày"]
    head = ws["A1"]
    assert head.font.b and head.alignment.wrap_text and head.fill.fgColor.rgb == "00DDEBF7"
    assert ws.row_dimensions[1].height == 32
    code = ws["A2"]
    assert code.value == "07795" and code.data_type == "s" and code.number_format == "@"
    formula_like = ws["A3"]
    assert formula_like.value == '=HYPERLINK("x")' and formula_like.data_type == "s"
    assert ws["A4"].value is None
    assert ws["B2"].value == 1100 and ws["B2"].number_format == "#,##0"
    assert ws["B3"].value is None and ws["B4"].value == 7
    assert ws["C3"].value == 2_000_000_000 and ws["C4"].value is None  # NaN: empty
    assert ws["D2"].value is True and ws["D3"].value is False
    assert ws["E2"].value == dt.datetime(2025, 7, 1) and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["E4"].value == dt.datetime(2026, 1, 2, 12, 0)
    assert ws["A5"].value == "Tổng" and ws["A5"].font.b and ws["B5"].value == 1107
    assert not ws["B2"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:E4"  # the total row stays out of the filter
    assert ws.column_dimensions["B"].width == 12.5
    assert ws.max_row == 5


def test_sheets_in_order_names_with_quotes(tmp_path):
    def sheet(title):
        return lambda wb: Sheet(title, [Block([["a", "b"], [1, 2]], [0, 0])])

    path = _write(tmp_path / "t.xlsx", [sheet("Bob's <list> & more"), sheet("Tóm tắt")])
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Bob's <list> & more", "Tóm tắt"]
    assert wb.worksheets[0].auto_filter.ref == "A1:B2"
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
    assert "'Bob''s &lt;list&gt; &amp; more'!$A$1:$B$2" in book  # Excel's quoting rules


def test_literal_escape_sequence_is_escaped_for_excel(tmp_path):
    # Excel reads "_x0041_" in a text as "A"; a literal one is stored as "_x005F_x0041_"
    # (ECMA-376 Part 1, §22.9.2.19 ST_Xstring).
    path = _write(tmp_path / "t.xlsx", [lambda wb: Sheet("s", [Block([["_x0041_ b"]], [0])])])
    with zipfile.ZipFile(path) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
    assert "_x005F_x0041_ b" in strings


def test_column_letters():
    assert [column_letter(j) for j in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
cell = st.one_of(st.none(), text, st.booleans(), st.integers(-2**53, 2**53),
                 st.floats(allow_nan=False, allow_infinity=False))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(cell, min_size=3, max_size=3), min_size=1, max_size=12))
def test_random_tables_round_trip(tmp_path_factory, rows):
    columns = [list(c) for c in zip(*rows)]
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    _write(path, [lambda wb: Sheet("s", [Block(columns, [0, wb.style("0.00"), 0])])])
    ws = openpyxl.load_workbook(path)["s"]
    got = [[c.value for c in r] for r in ws.iter_rows(min_row=1, max_row=len(rows),
                                                        max_col=3)]
    for want_row, got_row in zip(rows, got, strict=True):
        for want, value in zip(want_row, got_row, strict=True):
            if isinstance(want, str):
                # XML reads a line end back as LF; an empty text is an empty cell
                assert value == (want.replace("\r\n", "\n").replace("\r", "\n") or None)
            elif isinstance(want, bool) or want is None:
                assert value is want
            else:
                assert value == want and not isinstance(value, bool)


def test_text_an_xml_file_cannot_hold_is_replaced_not_fatal(tmp_path):
    # U+FFFE/U+FFFF are not XML characters (XML 1.0 §2.2), nor are the C0 controls but tab,
    # LF, CR: written raw, LibreOffice silently dropped every string after them and openpyxl
    # (like Excel) refused the file.
    text = "Thôn\uffff A\ufffe\x00\x0b\x1f B\ud800"
    path = _write(tmp_path / "t.xlsx", [lambda wb: Sheet("s", [Block([[text, "sau"]], [0])])])
    ws = openpyxl.load_workbook(path)["s"]
    assert [ws["A1"].value, ws["A2"].value] == ["Thôn\ufffd A\ufffd\ufffd\ufffd\ufffd B\ufffd",
                                                "sau"]


def test_numpy_floats_are_written_as_numbers(tmp_path):
    # np.float64 is a float whose repr is "np.float64(0.5)" (numpy 2)
    path = _write(tmp_path / "t.xlsx",
                  [lambda wb: Sheet("s", [Block([[np.float64(0.5), np.float64(-1e-7)]], [0])])])
    ws = openpyxl.load_workbook(path)["s"]
    assert [ws["A1"].value, ws["A2"].value] == [0.5, -1e-7]


# CT_Worksheet is a sequence (ECMA-376 Part 1, §18.3.1.99, sml.xsd): Excel refuses a file
# ("We found a problem with some content") whose children are out of this order, even where
# LibreOffice and openpyxl read it.
WORKSHEET_SEQUENCE = [
    "sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
    "sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState",
    "dataConsolidate", "customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting",
    "dataValidations", "hyperlinks", "printOptions", "pageMargins", "pageSetup", "headerFooter",
    "rowBreaks", "colBreaks", "customProperties", "cellWatches", "ignoredErrors", "smartTags",
    "drawing", "legacyDrawing", "legacyDrawingHF", "picture", "oleObjects", "controls",
    "webPublishItems", "tableParts", "extLst",
]
SHEET_VIEW_SEQUENCE = ["pane", "selection", "pivotSelection", "extLst"]
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _in_schema_order(children: list[str], sequence: list[str]) -> bool:
    positions = [sequence.index(c) for c in children]  # ValueError: not in the schema
    return positions == sorted(positions)


def test_schema_order_helper_by_hand():
    assert _in_schema_order(["dimension", "sheetViews", "sheetData", "pageMargins"],
                            WORKSHEET_SEQUENCE)
    assert not _in_schema_order(["sheetData", "cols"], WORKSHEET_SEQUENCE)
    assert not _in_schema_order(["sheetData", "pageMargins", "autoFilter"], WORKSHEET_SEQUENCE)


@pytest.mark.parametrize(("widths", "freeze", "filter_rows"),
                         [((10, 20), True, None), ((), False, 0), ((5,), True, 1)])
def test_worksheet_children_follow_the_schema_sequence(tmp_path, widths, freeze, filter_rows):
    def sheet(wb):
        return Sheet("s", [Block([["a", "b"], [1, 2]], [wb.style(header=True), 0])],
                     widths=widths, freeze_header=freeze, filter_rows=filter_rows)

    path = _write(tmp_path / "t.xlsx", [sheet, sheet])
    with zipfile.ZipFile(path) as z:
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            root = ET.fromstring(z.read(name))
            assert root.tag == f"{MAIN}worksheet"
            children = [c.tag.removeprefix(MAIN) for c in root]
            assert _in_schema_order(children, WORKSHEET_SEQUENCE), children
            assert children.count("sheetData") == 1
            assert ("autoFilter" in children) == (filter_rows != 0)
            for view in root.iter(f"{MAIN}sheetView"):
                kids = [c.tag.removeprefix(MAIN) for c in view]
                assert _in_schema_order(kids, SHEET_VIEW_SEQUENCE), kids
                assert ("pane" in kids) == freeze


def test_package_parts_typed_linked_and_styles_counted(tmp_path):
    """What Excel checks before reading a cell: every part has a content type, every
    relationship points at a part, each style list's count matches its entries and every
    cell's style, font, fill and border index exists."""
    def sheet(wb):
        return Sheet("a'b", [Block([["h", "k"], [1.5, 2]],
                                   [wb.style(header=True), wb.style("0.0%")])])

    path = _write(tmp_path / "t.xlsx", [sheet, lambda wb: Sheet("c", [])])
    pkg = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    with zipfile.ZipFile(path) as z:
        parts = set(z.namelist())
        types = ET.fromstring(z.read("[Content_Types].xml"))
        overrides = {e.get("PartName") for e in types if e.tag.endswith("Override")}
        defaults = {e.get("Extension") for e in types if e.tag.endswith("Default")}
        for part in parts - {"[Content_Types].xml"}:
            assert "/" + part in overrides or part.rsplit(".", 1)[1] in defaults, part
        assert {o.lstrip("/") for o in overrides} <= parts
        for rels in (p for p in parts if p.endswith(".rels")):
            base = posixpath.dirname(posixpath.dirname(rels))
            for rel in ET.fromstring(z.read(rels)).iter(f"{pkg}Relationship"):
                assert posixpath.normpath(posixpath.join(base, rel.get("Target"))) in parts
        styles = ET.fromstring(z.read("xl/styles.xml"))
        lists = {c.tag.removeprefix(MAIN): c for c in styles}
        for name in ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs",
                     "cellStyles"):
            if name in lists:
                assert int(lists[name].get("count")) == len(lists[name]), name
        for xf in [*lists["cellXfs"], *lists["cellStyleXfs"]]:
            assert int(xf.get("fontId")) < len(lists["fonts"])
            assert int(xf.get("fillId")) < len(lists["fills"])
            assert int(xf.get("borderId")) < len(lists["borders"])
        custom = {int(f.get("numFmtId")) for f in lists.get("numFmts", [])}
        assert all(int(xf.get("numFmtId")) < 164 or int(xf.get("numFmtId")) in custom
                   for xf in lists["cellXfs"])
        sst = ET.fromstring(z.read("xl/sharedStrings.xml"))
        for name in ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"):
            for c in ET.fromstring(z.read(name)).iter(f"{MAIN}c"):
                assert int(c.get("s")) < len(lists["cellXfs"])
                if c.get("t") == "s":
                    assert int(c.find(f"{MAIN}v").text) < len(sst)
