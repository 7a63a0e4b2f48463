"""A small streaming XLSX writer: tables of plain values, column by column, straight to XML.

The priority list of a 1,000,000-village run holds ~500,000 rows × 26 columns. General-purpose
writers (openpyxl, XlsxWriter) spend several microseconds of Python per cell on objects,
styles and checks; here each *distinct* value of a column is formatted once, as the end of its
cell element, and whole-array operations (:mod:`geo_cds.outputs._xlsx_rows`) copy those bytes
into the rows. A second thread deflates one piece of the file while the next is made (zlib lets go
of Python's lock). Only what geo-cds needs is written (Office Open XML, ECMA-376,
SpreadsheetML):

- values are ``None`` or ``""`` (empty cell), ``str`` (always a text cell: a name starting with "="
  stays text, never a formula), ``bool``, ``int``, ``float``, ``datetime.date``;
- one style per cell: number format, bold, header fill with wrapped text;
- column widths, row heights, a frozen header row and an autofilter.

Text goes into the shared-string table (each distinct text once); characters an XML file
cannot hold (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF; lone surrogates) become
U+FFFD, since one of them would make the whole file unreadable.
"""

from __future__ import annotations

import re
import zipfile
from collections import deque
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from geo_cds.outputs._xlsx_rows import (  # noqa: F401 (Coded, distinct_floats: API)
    Coded,
    block_columns,
    column_letter,
    distinct_floats,
)

# Built-in number formats (ECMA-376 §18.8.30): Excel shows these ids without a definition.
BUILTIN_FORMATS = {None: 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "@": 49}
FIRST_CUSTOM_FORMAT = 164
HEADER_FILL = "00DDEBF7"
ROWS_PER_PIECE = 8_192  # rows made (and handed to the deflating thread) at a time
# Excel reads "_x0041_" in a text as the character it encodes; a literal one is escaped.
_ESCAPE_LIKE = re.compile(r"(_x[0-9A-Fa-f]{4}_)")
# Not XML 1.0 characters (§2.2 Char).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Text holding neither of these is written as it is (two scans: faster than one alternation).
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass
class Block:
    """Consecutive rows given column by column.

    ``columns[j]`` holds the values of column ``j`` (all of the same length): a sequence of
    the values listed above, a :class:`Coded` column, or a numpy array of int, float, bool or
    of objects (whole when they are all text/``None`` or all int/``None``, else value by
    value); ``styles[j]`` is the style of its cells (from :meth:`Workbook.style`), one for
    the column or one per cell. ``height`` sets the rows' height in points.
    """

    columns: Sequence[Sequence | Coded]
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


def _text_xml(value: str) -> str:
    return escape(_ESCAPE_LIKE.sub(r"_x005F\1", _NOT_XML.sub("\ufffd", value)))


def _shared_strings_xml(strings: list[str]) -> str:
    """The ``<si>`` elements of ``strings``. The few texts holding a character to escape or
    replace are found in one scan of all of them (no match can span the line feed between
    two) and only those are rewritten."""
    if not strings:
        return ""
    joined = "\n".join(strings)
    found = [m.start() for pattern in (_SPECIAL, _ESCAPE_LIKE) for m in pattern.finditer(joined)]
    if found:
        starts = np.cumsum([0, *map(len, strings)]) + np.arange(len(strings) + 1)
        strings = list(strings)
        for i in np.unique(np.searchsorted(starts, found, side="right") - 1).tolist():
            strings[i] = _text_xml(strings[i])
    return ('<si><t xml:space="preserve">'
            + '</t></si><si><t xml:space="preserve">'.join(strings) + "</t></si>")


class _Part:
    """A zip entry written by a second thread: while zlib deflates one piece (letting go of
    Python's lock) the next is made. At most two pieces wait, so memory stays bounded."""

    def __init__(self, wb: Workbook, name: str, force_zip64: bool = False):
        self.file = wb.zip.open(name, "w", force_zip64=force_zip64)
        self.pool = wb.pool
        self.pending: deque = deque()

    def write(self, data) -> None:
        self.pending.append(self.pool.submit(self.file.write, data))
        while len(self.pending) > 2:
            self.pending.popleft().result()

    def close(self) -> None:
        try:
            while self.pending:
                self.pending.popleft().result()
        finally:
            for future in self.pending:  # after a failure: let the others finish first
                future.exception()
            self.file.close()


class Workbook:
    """Sheets written one after the other into ``path``; :meth:`close` (or leaving the
    ``with`` block) finishes the file."""

    def __init__(self, path: str | Path):
        # the fastest deflate: a third of level 6's time for a file a third larger
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED,
                                   compresslevel=1)
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="xlsx-deflate")
        self.strings: dict[str, int] = {}
        self.styles: dict[tuple, int] = {(None, False, False): 0}
        self.sheets: list[tuple[str, str | None]] = []  # title, autofilter range

    def __enter__(self) -> Workbook:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:  # the caller removes the half-written file
            self.pool.shutdown()
            self.zip.close()

    def style(self, number_format: str | None = None, *, bold: bool = False,
              header: bool = False) -> int:
        """The index of a cell style (created on first use)."""
        key = (number_format, bold or header, header)
        return self.styles.setdefault(key, len(self.styles))

    def add(self, sheet: Sheet) -> None:
        """Write ``sheet`` (streamed: its rows are made and deflated piece by piece)."""
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
        tail = "</sheetData>"
        if autofilter:
            tail += f'<autoFilter ref="{autofilter}"/>'
        tail += ('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                 'header="0.3" footer="0.3"/></worksheet>')
        blocks = [block_columns(b.columns, b.styles, self.strings,
                                (f'" ht="{b.height:g}" customHeight="1">'
                                 if b.height is not None else '">').encode())
                  for b in sheet.blocks]
        # an upper bound of the part's size: beyond 2 GiB it needs zip64
        digits = len(str(n_rows))
        size = len(head) + len(tail) + sum(
            len(b) * (14 + len(c.attrs) + digits * (1 + len(c.refs)) + c.widest())
            for b, c in zip(sheet.blocks, blocks))
        part = _Part(self, f"xl/worksheets/sheet{index}.xml",
                     force_zip64=size > zipfile.ZIP64_LIMIT)
        try:
            part.write(head.encode())
            row = 1
            for block, columns in zip(sheet.blocks, blocks):
                for piece in columns.pieces(row, len(block), ROWS_PER_PIECE):
                    part.write(piece)
                row += len(block)
            part.write(tail.encode())
        finally:
            part.close()
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
        self.pool.shutdown()
        n = len(self.sheets)
        strings = _shared_strings_xml(list(self.strings))
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
