"""The XLSX writer and priority workbook as they were before the writer laid rows out with
numpy (main 698f4b3, geo_cds/outputs/xlsx.py then workbook.py, unchanged but for imports):
the oracle the faster writer must match byte for byte.

A small streaming XLSX writer: tables of plain values, column by column, straight to XML.

The workbook of a national run holds ~30,000 rows × 26 columns. General-purpose writers
(openpyxl, XlsxWriter) spend several microseconds of Python per cell on objects, styles and
checks; here a sheet is a few blocks of columns whose cells are formatted in one list
comprehension each and streamed into the zip entry row by row. A column given as a typed
numpy array (numbers, bools, text) is converted whole: each distinct text or float is
formatted once. Only what geo-cds needs is written (Office Open XML, ECMA-376, SpreadsheetML):

- values are ``None`` or ``""`` (empty cell), ``str`` (always a text cell: a name starting with "="
  stays text, never a formula), ``bool``, ``int``, ``float``, ``datetime.date``;
- one style per cell: number format, bold, header fill with wrapped text;
- column widths, row heights, a frozen header row and an autofilter.

Text goes into the shared-string table (each distinct text once); characters an XML file
cannot hold (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF; lone surrogates) become
U+FFFD, since one of them would make the whole file unreadable.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.labels import LANGS, label, labels
from geo_cds.outputs.write import atomic_file
from geo_cds.planning.ledger import COST_CARRIED_IDS, commune_subtotals

# Built-in number formats (ECMA-376 §18.8.30): Excel shows these ids without a definition.
BUILTIN_FORMATS = {None: 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}
FIRST_CUSTOM_FORMAT = 164
HEADER_FILL = "00DDEBF7"
ROWS_PER_WRITE = 2000
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
# Excel reads "_x0041_" in a text as the character it encodes; a literal one is escaped.
_ESCAPE_LIKE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
# Not XML 1.0 characters (§2.2 Char).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text holding none of these characters is written as it is.
_PLAIN = re.compile("[^&<>_\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]*")

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass
class Block:
    """Consecutive rows given column by column.

    ``columns[j]`` holds the values of column ``j`` (all of the same length): a sequence of
    the values listed above, or a numpy array of int, float, bool or of objects (written
    whole when they are all text/``None`` or all int/``None``, else cell by cell);
    ``styles[j]`` is the style of its cells (from :meth:`Workbook.style`), one for the
    column or one per cell. ``height`` sets the rows' height in points.
    """

    columns: Sequence[Sequence]
    styles: Sequence[int | Sequence[int]]
    height: float | None = None

    def __len__(self) -> int:
        return len(self.columns[0]) if self.columns else 0


@dataclass
class Sheet:
    """A sheet: its blocks in order, column widths (characters), header frozen, and an
    autofilter over its first ``filter_rows`` rows (all of them by default; 0 for none)."""

    title: str
    blocks: list[Block]
    widths: Sequence[float] = ()
    freeze_header: bool = True
    filter_rows: int | None = None
    n_columns: int = field(init=False, default=0)

    def __post_init__(self):
        self.n_columns = max((len(b.columns) for b in self.blocks), default=0)


def column_letter(j: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def float_texts(values: np.ndarray) -> list[str | None]:
    """Each float's shortest round-trip text (``repr``), ``None`` where not finite; written
    once per distinct value, as formatting a float costs a microsecond."""
    codes, uniques = pd.factorize(values)  # NaN: -1
    texts = [float.__repr__(v) if math.isfinite(v) else None for v in uniques.tolist()]
    texts.append(None)
    out = [texts[c] for c in codes.tolist()]
    zero = values == 0
    if zero.any() and np.signbit(values[zero]).any():  # factorize takes -0.0 for 0.0
        for i in np.flatnonzero(zero).tolist():
            out[i] = float.__repr__(float(values[i]))
    return out


def _text_xml(value: str) -> str:
    if _PLAIN.fullmatch(value):  # most texts: nothing to replace or escape
        return value
    value = _ESCAPE_LIKE.sub(r"_x005F\1", _NOT_XML.sub("\ufffd", value))
    return escape(value)


class Workbook:
    """Sheets written one after the other into ``path``; :meth:`close` (or leaving the
    ``with`` block) finishes the file."""

    def __init__(self, path: str | Path):
        # the fastest deflate: a third of level 6's time for a file a third larger
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                                   compresslevel=1)
        self.strings: dict[str, int] = {}
        self.styles: dict[tuple, int] = {(None, False, False): 0}
        self.sheets: list[tuple[str, str | None]] = []  # title, autofilter range

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # the caller removes the half-written file
            self.zip.close()

    def style(self, number_format: str | None = None, *, bold: bool = False,
              header: bool = False) -> int:
        """The index of a cell style (created on first use)."""
        key = (number_format, bold or header, header)
        return self.styles.setdefault(key, len(self.styles))

    def _cells(self, letter: str, rows: list[str], values: Sequence,
               style: int | Sequence[int]) -> list[str]:
        """The ``<c>`` elements of one column of a block ("" for an empty cell); ``rows`` are
        the block's row numbers as text."""
        if isinstance(values, np.ndarray):
            typed = self._column_texts(values) if isinstance(style, int) else None
            if typed is not None:
                texts, kind = typed
                head, mid = f'<c r="{letter}', f'" s="{style}"{kind}><v>'
                return [f"{head}{r}{mid}{v}</v></c>" if v is not None else ""
                        for r, v in zip(rows, texts, strict=True)]
            values = values.tolist()  # of mixed types, or a style per cell: cell by cell
        strings = self.strings
        styles = [style] * len(values) if isinstance(style, int) else style
        out = []
        for row, v, st in zip(rows, values, styles, strict=True):
            if v is None or v == "":  # an empty text is an empty cell
                out.append("")
            elif isinstance(v, str):
                i = strings.get(v)
                if i is None:
                    i = strings[v] = len(strings)
                out.append(f'<c r="{letter}{row}" s="{st}" t="s"><v>{i}</v></c>')
            elif isinstance(v, bool):
                out.append(f'<c r="{letter}{row}" s="{st}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, int):
                out.append(f'<c r="{letter}{row}" s="{st}"><v>{v}</v></c>')
            elif isinstance(v, float):
                out.append(f'<c r="{letter}{row}" s="{st}"><v>{float.__repr__(v)}</v></c>'
                           if math.isfinite(v) else "")  # np.float64's repr is not a number
            elif isinstance(v, dt.date):
                days = (dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime)
                        else v.replace(tzinfo=None)) - _EXCEL_EPOCH
                out.append(f'<c r="{letter}{row}" s="{st}"><v>{days / dt.timedelta(1)!r}</v></c>')
            else:
                raise TypeError(f"an XLSX cell cannot hold {type(v).__name__} ({v!r})")
        return out

    def _column_texts(self, values: np.ndarray) -> tuple[list[str | None], str] | None:
        """A typed column's ``<v>`` texts (``None``: an empty cell) and its cell type
        attribute, the whole column at once; ``None`` for an object column of mixed types.

        The same cells as the cell-by-cell path: bool, int, float (not finite: empty), and
        text or ``None`` (shared strings numbered in order of first use, "" empty)."""
        kind = values.dtype.kind
        if kind == "b":
            return np.where(values, "1", "0").tolist(), ' t="b"'
        if kind in "iu":
            return list(map(str, values.tolist())), ""
        if kind == "f":
            return float_texts(values), ""
        if kind != "O":
            return None
        items = values.tolist()
        types = set(map(type, items))
        if types <= {int, type(None)}:
            return [None if v is None else str(v) for v in items], ""
        if not types <= {str, type(None)}:
            return None
        codes, uniques = pd.factorize(values)  # None: -1
        strings = self.strings
        numbers = []
        for text in uniques.tolist():
            i = strings.get(text)
            if i is None and text:
                i = strings[text] = len(strings)
            numbers.append(None if i is None else str(i))
        numbers.append(None)  # code -1
        return [numbers[c] for c in codes.tolist()], ' t="s"'

    def add(self, sheet: Sheet) -> None:
        """Write ``sheet`` (streamed: its rows are not kept)."""
        n_rows = sum(len(b) for b in sheet.blocks)
        last = f"{column_letter(max(sheet.n_columns, 1) - 1)}{max(n_rows, 1)}"
        index = len(self.sheets) + 1
        selected = ' tabSelected="1"' if index == 1 else ""
        view = f'<sheetView workbookViewId="0"{selected}>'
        if sheet.freeze_header:
            view += ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                     '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>')
        cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" customWidth="1"/>'
                       for j, w in enumerate(sheet.widths))
        head = (f'{_XML}<worksheet {_NS}><dimension ref="A1:{last}"/>'
                f'<sheetViews>{view}</sheetView></sheetViews>'
                f'<sheetFormatPr defaultRowHeight="15"/>'
                + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")
        filter_rows = n_rows if sheet.filter_rows is None else sheet.filter_rows
        autofilter = (f"A1:{column_letter(sheet.n_columns - 1)}{max(filter_rows, 1)}"
                      if filter_rows and sheet.n_columns else None)
        with self.zip.open(f"xl/worksheets/sheet{index}.xml", "w") as f:
            f.write(head.encode())
            row = 1
            for block in sheet.blocks:
                numbers = list(map(str, range(row, row + len(block))))
                cols = [self._cells(column_letter(j), numbers, values, style)
                        for j, (values, style) in enumerate(zip(block.columns, block.styles,
                                                                strict=True))]
                height = (f' ht="{block.height:g}" customHeight="1"'
                          if block.height is not None else "")
                rows = [f'<row r="{r}"{height}>{"".join(cells)}</row>'
                        for r, cells in zip(numbers, zip(*cols))]
                for k in range(0, len(rows), ROWS_PER_WRITE):
                    f.write("".join(rows[k:k + ROWS_PER_WRITE]).encode())
                row += len(block)
            tail = "</sheetData>"
            if autofilter:
                tail += f'<autoFilter ref="{autofilter}"/>'
            tail += ('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                     'header="0.3" footer="0.3"/></worksheet>')
            f.write(tail.encode())
        self.sheets.append((sheet.title, autofilter))

    def _styles_xml(self) -> str:
        formats = {}
        xfs = []
        for (number_format, bold, header), _ in sorted(self.styles.items(), key=lambda kv: kv[1]):
            fid = BUILTIN_FORMATS.get(number_format)
            if fid is None:
                fid = formats.setdefault(number_format, FIRST_CUSTOM_FORMAT + len(formats))
            attrs = f'numFmtId="{fid}" fontId="{int(bold)}" fillId="{2 if header else 0}" ' \
                    f'borderId="0" xfId="0"'
            attrs += ' applyNumberFormat="1"' if fid else ""
            attrs += ' applyFont="1"' if bold else ""
            if header:
                xfs.append(f'<xf {attrs} applyFill="1" applyAlignment="1">'
                           '<alignment vertical="top" wrapText="1"/></xf>')
            else:
                xfs.append(f"<xf {attrs}/>")
        num_fmts = "".join(f'<numFmt numFmtId="{i}" formatCode={quoteattr(code)}/>'
                           for code, i in formats.items())
        font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        return (f'{_XML}<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
                + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
                '<fills count="3"><fill><patternFill patternType="none"/></fill>'
                '<fill><patternFill patternType="gray125"/></fill>'
                f'<fill><patternFill patternType="solid"><fgColor rgb="{HEADER_FILL}"/>'
                '<bgColor indexed="64"/></patternFill></fill></fills>'
                '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
                '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" '
                f'borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}'
                '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" '
                'builtinId="0"/></cellStyles></styleSheet>')

    def close(self) -> None:
        """Write the shared strings, styles and the workbook's index; close the file."""
        n = len(self.sheets)
        strings = "".join(f'<si><t xml:space="preserve">{_text_xml(t)}</t></si>'
                          for t in self.strings)
        self.zip.writestr("xl/sharedStrings.xml",
                          f'{_XML}<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                          f'2006/main" count="{len(self.strings)}" '
                          f'uniqueCount="{len(self.strings)}">{strings}</sst>')
        self.zip.writestr("xl/styles.xml", self._styles_xml())
        sheets = "".join(f'<sheet name={quoteattr(title)} sheetId="{i + 1}" r:id="rId{i + 1}"/>'
                         for i, (title, _) in enumerate(self.sheets))
        names = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
            f"{escape(_quote_sheet(title))}!{_absolute(ref)}</definedName>"
            for i, (title, ref) in enumerate(self.sheets) if ref)
        self.zip.writestr("xl/workbook.xml",
                          f'{_XML}<workbook {_NS}><bookViews><workbookView/></bookViews>'
                          f"<sheets>{sheets}</sheets>"
                          + (f"<definedNames>{names}</definedNames>" if names else "")
                          + "</workbook>")
        rels = "".join(f'<Relationship Id="rId{i + 1}" Type="{_REL}/worksheet" '
                       f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
        rels += (f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
                 f'<Relationship Id="rId{n + 2}" Type="{_REL}/sharedStrings" '
                 'Target="sharedStrings.xml"/>')
        pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
        self.zip.writestr("xl/_rels/workbook.xml.rels",
                          f'{_XML}<Relationships xmlns="{pkg}">{rels}</Relationships>')
        self.zip.writestr("_rels/.rels",
                          f'{_XML}<Relationships xmlns="{pkg}"><Relationship Id="rId1" '
                          f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                          "</Relationships>")
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
            f'ContentType="{_CT}.worksheet+xml"/>' for i in range(n))
        self.zip.writestr(
            "[Content_Types].xml",
            f'{_XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" '
            f'ContentType="{_CT}.sharedStrings+xml"/>{overrides}</Types>')
        self.zip.close()


def _quote_sheet(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """"A1:Z9" → "$A$1:$Z$9"."""
    return ":".join(re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", part) for part in ref.split(":"))


# ---- geo_cds/outputs/workbook.py as it was ----

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


def _column_values(series: pd.Series, column: str, lang: str) -> tuple[np.ndarray | list, int]:
    """One column's cell values (plain numbers, text, labels; ``None`` where missing) and the
    width of the widest of them.

    Numbers stay a numeric array (NaN: an empty cell); any other column is converted once
    per distinct value (codes, names and labels repeat).
    """
    dtype = series.dtype
    if column not in TEXT_COLUMNS and isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        values = series.to_numpy()
        return values, _numbers_width(values)
    objects = series.astype(object).to_numpy()
    try:
        codes, uniques = pd.factorize(objects)  # missing values: -1
    except TypeError:  # an unhashable value
        out = [_cell_value(v, column, lang) for v in objects.tolist()]
        return out, max(map(_width, out), default=0)
    uniques = uniques.tolist()
    if column != s.INTERVENTION and all(type(v) is str for v in uniques):  # names, codes
        converted = [_text(v) for v in uniques]
        width = max(map(len, converted), default=0)
    else:
        converted = [_cell_value(v, column, lang) for v in uniques]
        width = max(map(_width, converted), default=0)
    table = np.empty(len(converted) + 1, dtype=object)  # the last one for code -1
    table[:-1] = converted
    return table[codes], width


def _numbers_width(values: np.ndarray) -> int:
    """The widest of :func:`_width` over a numeric array's values but NaN."""
    if values.dtype.kind in "iu":  # the longest is the largest or the most negative
        return max(_width(int(values.max())), _width(int(values.min()))) if len(values) else 0
    finite = np.isfinite(values)
    infinite = [float.__repr__(v) for v in np.unique(values[~finite & ~np.isnan(values)])]
    return max(map(len, [*float_texts(values[finite]), *infinite]), default=0)


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
    out["figure"] = [label("data_figure", f, lang) for f in out["figure"]]
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
