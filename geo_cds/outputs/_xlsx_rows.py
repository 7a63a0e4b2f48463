"""A block's cells as XML bytes: each distinct value formatted once, the rows laid out with
whole-array numpy operations (the engine of :mod:`geo_cds.outputs.xlsx`).

A column becomes one code per row into a table of *tails*: the end of a cell element after
its reference (``" s="3" t="s"><v>17</v></c>``), each distinct value's tail made once (none:
no cell). A row is ``<row r="N"`` + its attributes, then, for each cell, ``<c r="`` + the
column's letters + N + the tail, then ``</row>``.

The rows are laid out in a byte matrix, one row per line, every column given the width of
its longest cell and the unused bytes left 0 (a byte no XML text holds); dropping the zeros
leaves the XML. Row numbers are written as digits once per row and copied into every cell.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


@dataclass
class Coded:
    """A column given by its distinct values: row ``i`` holds ``values[codes[i]]``, code -1 an
    empty cell. Each distinct value is formatted once (the writer does so anyway for a typed
    array); a priority list's names, codes and labels repeat."""

    codes: np.ndarray
    values: Sequence

    def __len__(self) -> int:
        return len(self.codes)


def distinct_floats(values: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Codes into the distinct floats of ``values``, in order of first appearance and told
    apart by their bits (``-0.0`` is not ``0.0``); formatting a float costs a microsecond."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    codes, uniques = pd.factorize(bits)
    return codes, uniques.view(np.float64).tolist()


def _joined(head: str, values: pa.Array, tail: str = "</v></c>") -> pa.Array:
    """``head + value + tail`` for each value (null stays null), as large strings."""
    text = pa.large_string()
    return pc.binary_join_element_wise(pa.scalar(head, text), pc.cast(values, text),
                                       pa.scalar(tail, text), pa.scalar("", text))


def column_letter(j: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA"."""
    out = ""
    j += 1
    while j:
        j, rem = divmod(j - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_tail(v, style: int, strings: dict[str, int]) -> str | None:
    """What follows a cell's reference in its element (``None``: no cell), value by value:
    the rule every column follows."""
    if v is None or v == "":  # an empty text is an empty cell
        return None
    if isinstance(v, str):
        return f'" s="{style}" t="s"><v>{strings.setdefault(v, len(strings))}</v></c>'
    if isinstance(v, bool):
        return f'" s="{style}" t="b"><v>{int(v)}</v></c>'
    if isinstance(v, int):
        return f'" s="{style}"><v>{v}</v></c>'
    if isinstance(v, float):  # np.float64's repr is not a number
        return f'" s="{style}"><v>{float.__repr__(v)}</v></c>' if math.isfinite(v) else None
    if isinstance(v, dt.date):
        days = (dt.datetime.combine(v, dt.time()) if not isinstance(v, dt.datetime)
                else v.replace(tzinfo=None)) - _EXCEL_EPOCH
        return f'" s="{style}"><v>{days / dt.timedelta(1)!r}</v></c>'
    raise TypeError(f"an XLSX cell cannot hold {type(v).__name__} ({v!r})")


def _tails(values: list, style: int, strings: dict[str, int]) -> pa.Array | list[str | None]:
    """The tails of distinct values, in order (shared strings numbered on first sight);
    texts, ints and floats, the bulk of them, made whole."""
    types = set(map(type, values))
    if types == {str}:
        numbers = np.array([strings.setdefault(t, len(strings)) if t else -1  # "": no cell
                            for t in values], dtype=np.int64)
        return _joined(f'" s="{style}" t="s"><v>', pa.array(numbers, mask=numbers < 0))
    if types == {int} and values and -2**63 <= min(values) and max(values) < 2**63:
        return _joined(f'" s="{style}"><v>', pa.array(values, pa.int64()))
    if types == {float}:  # not finite: no cell
        texts = pa.array(map(float.__repr__, values), pa.large_string(), size=len(values),
                         mask=~np.isfinite(np.array(values, dtype=np.float64)))
        return _joined(f'" s="{style}"><v>', texts)
    return [cell_tail(v, style, strings) for v in values]


def _column(values, style, strings: dict[str, int]) -> tuple[np.ndarray,
                                                             pa.Array | list[str | None]]:
    """One column of a block as codes into its tails (-1: no cell)."""
    if isinstance(values, Coded):
        if isinstance(style, int):  # the values used, in order of first use
            codes = np.asarray(values.codes)
            used = codes >= 0
            order, firsts = pd.factorize(codes[used])
            codes = np.full(len(codes), -1, dtype=np.int64)
            codes[used] = order
            return codes, _tails([values.values[i] for i in firsts.tolist()], style, strings)
        values = [values.values[c] if c >= 0 else None for c in values.codes.tolist()]
    if isinstance(values, np.ndarray) and isinstance(style, int):
        kind = values.dtype.kind
        if kind == "b":
            return values.astype(np.int8), [cell_tail(v, style, strings) for v in (False, True)]
        if kind in "iu":
            return np.arange(len(values)), _joined(f'" s="{style}"><v>', pa.array(values))
        if kind == "f":
            codes, uniques = distinct_floats(values)
            return codes, _tails(uniques, style, strings)
        if kind == "O":
            types = set(map(type, values.tolist()))
            if types <= {str, type(None)} or types <= {int, type(None)}:
                codes, uniques = pd.factorize(values)  # None: -1
                return codes, _tails(uniques.tolist(), style, strings)
    values = values.tolist() if isinstance(values, np.ndarray) else values
    styles = [style] * len(values) if isinstance(style, int) else style
    if len(styles) != len(values):
        raise ValueError(f"{len(values)} values but {len(styles)} styles")
    return np.arange(len(values)), [cell_tail(v, s, strings) for v, s in zip(values, styles)]


def block_columns(columns: Sequence, styles: Sequence, strings: dict[str, int],
                  attrs: bytes) -> Columns:
    """A block's columns as codes into their tails (the last one empty: no cell)."""
    n = len(columns[0]) if columns else 0
    if len(columns) != len(styles):
        raise ValueError(f"{len(columns)} columns but {len(styles)} styles")
    codes, tables = [], []
    for j, (values, style) in enumerate(zip(columns, styles)):
        column, tails = _column(values, style, strings)
        if len(column) != n:
            raise ValueError(f"column {j + 1} holds {len(column)} values, column 1 {n}")
        if not isinstance(tails, pa.Array):
            tails = pa.array(tails, pa.large_string())
        if len(column) and not -1 <= column.min() <= column.max() < len(tails):
            raise IndexError(f"column {j + 1}: a code outside -1..{len(tails) - 1}")
        tails = pc.fill_null(pa.concat_arrays([tails, pa.nulls(1, pa.large_string())]), "")
        codes.append(np.where(column < 0, len(tails) - 1, column).astype(np.int32))
        tables.append(tails)
    refs = [f'<c r="{column_letter(j)}'.encode() for j in range(len(codes))]
    return Columns(codes, tables, refs, attrs)


class Columns:
    """A block's columns ready to be laid out: per column its codes and the table of its
    tails padded with zeros."""

    def __init__(self, codes: list[np.ndarray], tails: list[pa.Array], refs: list[bytes],
                 attrs: bytes):
        self.codes = codes
        self.tables = [_padded(t) for t in tails]
        self.blank = [~table.any(axis=1) for table in self.tables]  # an empty tail: no cell
        self.refs = [np.frombuffer(r, dtype=np.uint8) for r in refs]
        self.attrs = np.frombuffer(attrs, dtype=np.uint8)

    def widest(self) -> int:
        """The most bytes a row's cells can take (without the row number)."""
        return sum(len(r) + t.shape[1] for r, t in zip(self.refs, self.tables))

    def pieces(self, first: int, n: int, rows_per_piece: int) -> Iterator[np.ndarray]:
        """The XML of the block's ``n`` rows (the first is sheet row ``first``), a few
        thousand rows at a time; a piece never spans two numbers of digits."""
        start = 0
        while start < n:
            digits = len(str(first + start))
            stop = min(n, start + rows_per_piece, 10 ** digits - first)
            yield self._piece(first, start, stop, digits)
            start = stop

    def _piece(self, first: int, start: int, stop: int, digits: int) -> np.ndarray:
        numbers = np.arange(first + start, first + stop, dtype=np.int64)
        powers = 10 ** np.arange(digits - 1, -1, -1, dtype=np.int64)
        number = _items((numbers[:, None] // powers % 10 + 48).astype(np.uint8))
        template, slots = self._template(digits)
        out = np.empty((stop - start, len(template)), dtype=np.uint8)
        out[:] = template
        _items(out[:, slots[0]:slots[0] + digits])[:] = number
        for codes, table, blank, ref, at in zip(self.codes, self.tables, self.blank, self.refs,
                                                slots[1:]):
            codes = codes[start:stop]
            _items(out[:, at:at + digits])[:] = number
            if table.shape[1]:
                np.take(_items(table), codes, mode="clip",  # codes checked by the writer
                        out=_items(out[:, at + digits:at + digits + table.shape[1]]))
            empty = blank[codes]
            if empty.any():  # no cell: its reference goes too
                out[empty, at - len(ref):at + digits] = 0
        return out[out != 0]

    def _template(self, digits: int) -> tuple[np.ndarray, list[int]]:
        """A row with its fixed bytes in place (zeros elsewhere) and where its row number
        goes: in the row's start tag, then in each column's cell reference."""
        parts, slots, at = [], [], 0
        for text, gap in [(_ROW_OPEN, digits), (self.attrs, 0),
                          *((r, digits + t.shape[1]) for r, t in zip(self.refs, self.tables)),
                          (_ROW_CLOSE, 0)]:
            parts += [text, np.zeros(gap, dtype=np.uint8)]
            if gap:
                slots.append(at + len(text))
            at += len(text) + gap
        return np.concatenate(parts), slots


def _items(matrix: np.ndarray) -> np.ndarray:
    """Each line of a byte matrix as one item (a view), so that lines are copied whole."""
    return matrix.view(f"V{matrix.shape[1]}")[:, 0]


_ROW_OPEN = np.frombuffer(b'<row r="', dtype=np.uint8)
_ROW_CLOSE = np.frombuffer(b"</row>", dtype=np.uint8)


def _padded(tails: pa.Array) -> np.ndarray:
    """A string array (no nulls) as a byte matrix, one tail per line, zeros after it."""
    offsets = np.frombuffer(tails.buffers()[1], dtype=np.int64)[
        tails.offset:tails.offset + len(tails) + 1]
    lengths = np.diff(offsets)
    table = np.zeros((len(tails), int(lengths.max(initial=0))), dtype=np.uint8)
    data = tails.buffers()[2]
    if data is not None:
        data = np.frombuffer(data, dtype=np.uint8)[offsets[0]:offsets[-1]]
        table[np.arange(table.shape[1]) < lengths[:, None]] = data
    return table
