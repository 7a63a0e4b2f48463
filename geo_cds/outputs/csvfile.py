"""CSV tables as spreadsheet programs read them: UTF-8 with a byte-order mark, CRLF line ends,
text that would be evaluated as a formula neutralised; the bytes of pandas' ``to_csv``, written
a column at a time by Arrow. Written into run folders by :mod:`geo_cds.outputs.write`."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# A spreadsheet program opening a CSV evaluates a cell starting with one of these as a formula
# (=HYPERLINK(…), +cmd|' /C calc'!A0, -2+3, @SUM(…)); tab and CR hide such a start.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value):
    """The CSV rule for text: a text cell that starts like a formula gets a leading ``'``.

    Text that is a plain number ("-105", "+84") and every non-text value are left as they
    are, so numbers and codes are unchanged. The quote is what spreadsheet programs show
    for "this is text"; a program reading the CSV sees it as part of the value.
    """
    if (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _PLAIN_NUMBER.fullmatch(value)):
        return "'" + value
    return value


def write_csv(df: pd.DataFrame, path: Path) -> Path:
    """UTF-8 with a byte-order mark, so spreadsheet programs show Vietnamese diacritics.

    Codes are string columns and are written as they are, leading zeros included. Text cells
    that a spreadsheet would evaluate are neutralised (:func:`neutralise_cell`); numeric
    columns are written as they are. Lines end in CRLF (RFC 4180), so that a value holding a
    bare CR or LF is quoted and cannot split its row.

    The bytes are those of ``DataFrame.to_csv``; the columns of the kinds a run writes are
    formatted whole and joined into lines by Arrow, a block of rows at a time.
    """
    df = neutralise_text(df.drop(columns="geometry", errors="ignore"))
    columns = [_csv_fields(df.iloc[:, j]) for j in range(df.shape[1])]
    if df.shape[1] < 2 or None in columns or not all(isinstance(c, str) for c in df.columns):
        df.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
        return path
    _write_lines(path, df.columns, columns, len(df))
    del columns
    # Arrow's allocator keeps freed memory for later; the text of a 100 MB table is not
    # needed again, so give it back (it would sit under the workbook's and the map's peaks)
    pa.default_memory_pool().release_unused()
    return path


def _write_lines(path: Path, names, columns: list[pa.Array], rows: int) -> None:
    """The header, then each row: its fields joined by commas, ended by CRLF."""
    columns[-1] = pc.binary_join_element_wise(columns[-1], _text("\r\n"), _text(""))
    with open(path, "wb") as f:
        f.write(("\ufeff" + ",".join(map(_quoted, names)) + "\r\n").encode())
        for start in range(0, rows, _CSV_BLOCK):
            block = [c.slice(start, _CSV_BLOCK) for c in columns]
            f.write(_utf8(pc.binary_join_element_wise(*block, _text(","))))


_CSV_BLOCK = 1 << 16  # rows joined at once: the memory of a block's text, whatever the table
# Python's csv module (which pandas' to_csv writes through) quotes a field holding these.
_NEEDS_QUOTES = re.compile('[,"\r\n]')


def _quoted(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if _NEEDS_QUOTES.search(text) else text


def _text(value: str) -> pa.Scalar:
    return pa.scalar(value, pa.large_string())


def _utf8(text: pa.Array) -> pa.Buffer:
    """The UTF-8 bytes of a (large) string array without nulls, one value after the other."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int64)[text.offset:][:len(text) + 1]
    return text.buffers()[2][int(offsets[0]):int(offsets[-1])]


def _csv_fields(column: pd.Series) -> pa.Array | None:
    """A column's CSV fields as an Arrow text array, formatted and quoted the way
    ``DataFrame.to_csv`` writes them (missing: ""), the whole column at once; ``None`` for a
    kind left to pandas.

    pandas formats a float column with numpy's ``astype(str)``, anything else with ``str``
    of each value (for integers, yes/no and text, what Arrow's cast to text gives); its csv
    writer quotes a field holding a comma, a quote or a line end.
    """
    dtype = column.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        values = column.to_numpy()
        zero = values == 0
        if zero.any() and np.signbit(values[zero]).any():  # factorize takes -0.0 for 0.0
            codes, uniques = np.arange(len(values)), values
        else:  # each distinct value formatted once
            codes, uniques = pd.factorize(values)
        # numpy's text of a float64 is Python's repr (3× faster from a list); of others, its own
        text = (list(map(repr, uniques.tolist())) if uniques.dtype == np.float64
                else uniques.astype(str).tolist())
        codes[np.isnan(values)] = len(uniques)  # missing: ""
        return pa.array([*text, ""], type=pa.large_string()).take(codes)
    if isinstance(dtype, np.dtype) and dtype.kind in "iub":
        values = pa.array(column.to_numpy())
    elif isinstance(column.array, (pd.arrays.IntegerArray, pd.arrays.BooleanArray)):
        values = pa.array(column.array)
    elif isinstance(dtype, pd.StringDtype):
        values = pa.array(column.array)
        if isinstance(values, pa.ChunkedArray):  # e.g. after pd.concat
            values = values.combine_chunks()
    elif dtype == np.dtype(object):
        values = column.to_numpy(dtype=object, na_value=None).tolist()
        if not set(map(type, values)) <= {str, type(None)}:  # numbers or objects in the text
            return None
        values = pa.array(values, type=pa.large_string())
    else:
        return None
    if pa.types.is_boolean(values.type):
        values = pc.if_else(values, _text("True"), _text("False"))
    text = pc.cast(values, pa.large_string()).fill_null("")
    quote = pc.match_substring_regex(text, _NEEDS_QUOTES.pattern)
    if not pc.any(quote).as_py():  # most columns: no field to quote
        return text
    quote_mark = _text('"')
    quoted = pc.binary_join_element_wise(quote_mark, pc.replace_substring(text, '"', '""'),
                                         quote_mark, _text(""))
    return pc.if_else(quote, quoted, text)


def neutralise_text(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with :func:`neutralise_cell` applied to its text columns (a copy if any cell
    changes).

    Only the cells that start like a formula are looked at: found for a whole column at once
    (by Arrow for string columns), then checked one by one for plain numbers.
    """
    out = df
    for c in df.columns:
        column = df[c]
        if isinstance(column.dtype, pd.StringDtype):
            starts = column.str.startswith(FORMULA_START).fillna(False).to_numpy(dtype=bool)
        elif column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            starts = np.fromiter((isinstance(v, str) and v.startswith(FORMULA_START)
                                  for v in column.tolist()), dtype=bool, count=len(column))
        else:
            continue
        rows = np.flatnonzero(starts)
        if not len(rows):
            continue
        if out is df:
            out = df.copy()
        column = column.copy()
        column.iloc[rows] = [neutralise_cell(v) for v in column.iloc[rows].tolist()]
        out[c] = column
    return out
