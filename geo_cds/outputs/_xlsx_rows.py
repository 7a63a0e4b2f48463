"""The rows of a worksheet as XML bytes, made with whole-array numpy operations.

A column arrives as one code per row into a table of *tails*: the end of a cell element
after its reference (``" s="3" t="s"><v>17</v></c>``), each distinct value's tail made once
(an empty tail: no cell). A row is ``<row r="N"`` + its attributes, then, for each cell,
``<c r="`` + the column's letters + N + the tail, then ``</row>``.

The rows are laid out in a byte matrix, one row per line, every column given the width of
its longest cell and the unused bytes left 0 (a byte no XML text holds); dropping the zeros
leaves the XML. Row numbers are written as digits once per row and copied into every cell.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa


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
