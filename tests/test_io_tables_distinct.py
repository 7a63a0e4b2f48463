"""Cell parsers reading each distinct value once, against the plain cell-by-cell reading.

``tables.map_distinct`` calls a reader once per distinct value of a column of one type and
falls back to the cell-by-cell ``Series.map`` for floats and mixed cells (1, 1.0 and True are
equal keys but not the same cell). The oracles below are the parsers as they were before
(every cell read by ``Series.map``, blanks found cell by cell), kept verbatim and compared on
random columns of every type a reader hands over: text with blanks, marks and numbers written
as text, integers, floats (−0.0, inf, NaN), yes/no with and without nulls, mixed cells.
"""

from __future__ import annotations

import datetime
import unicodedata

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.inputs import tables as T

# ---- the oracles: cell by cell (main ee8107e) ---------------------------------------------


def old_is_empty(values):
    s = values.astype("object")
    return s.isna() | s.map(lambda v: isinstance(v, str) and v.strip() == "")


def old_parse_bool(values):
    empty = old_is_empty(values)
    # as object: an all-missing Arrow text column maps to an Arrow null array, which the old
    # reader's isin could not compare with text (it raised; the distinct reader does not)
    keys = values.map(T._bool_key, na_action="ignore").astype(object)
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    is_true = keys.isin(T._TRUE) & ~empty
    is_false = keys.isin(T._FALSE) & ~empty
    out[is_true] = True
    out[is_false] = False
    bad = ~empty & ~is_true & ~is_false
    return out, bad.astype(bool)


def old_blank_reading(values):
    if T.is_typed(values):
        return "unknown"
    keys = values[~old_is_empty(values)].map(T._bool_key)
    return "no" if len(keys) and keys.isin(T.MARKS).all() else "unknown"


def old_parse_code(values, width):
    empty = old_is_empty(values)
    text = values.map(T._code_text, na_action="ignore").astype("string")
    digits = text.str.fullmatch(r"\d+").fillna(False).astype(bool) & ~empty
    ok = digits & (text.str.len() <= width).fillna(False).astype(bool)
    codes = pd.Series(pd.NA, index=values.index, dtype="string")
    codes[ok] = text[ok].str.zfill(width)
    repaired = ok & (text.str.len() < width).fillna(False).astype(bool)
    bad = ~empty & ~ok
    return codes, repaired.astype(bool), bad.astype(bool)


def old_parse_number(values, integer=False):
    empty = old_is_empty(values)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        nums = pd.to_numeric(values, errors="coerce").astype("float64")
    else:
        nums = values.map(lambda v: T._number(v, integer), na_action="ignore").astype("float64")
    nums = nums.where(np.isfinite(nums))
    bad = ~empty & nums.isna()
    if integer:
        frac = nums.notna() & (nums != np.floor(nums.fillna(0)))
        bad = bad | frac
        nums = nums.mask(frac)
    return nums, bad.astype(bool)


def old_clean_text(values):
    empty = old_is_empty(values)
    out = values.map(lambda v: unicodedata.normalize("NFC", T._as_text(v)).strip(),
                     na_action="ignore")
    out = out.astype("string")
    out[empty] = pd.NA
    return out


# ---- random columns -------------------------------------------------------------------------

TEXT = st.sampled_from(["x", "X", " x ", "✓", "Có", "không", "1", "0", "1.0", "07795", "7795",
                        "7795.0", "21433", "abc", "", "   ", "\u00a0", "1.234", "12,5", "85%",
                        "inf", "nan", "-5", "Hoa\u0300", "Hòa", " Thôn 1 ", "yes", "Đạt",
                        "\u3000Xã\u2003", "\x1c", "\x85x", "a\u200b", "Thôn\u00a0", "\u2028",
                        "Thu\u0309y ", "\ufeffx", "\t\n"])
CELL = st.one_of(TEXT, st.none(), st.just(np.nan), st.booleans(), st.integers(-3, 80000),
                 st.sampled_from([0.0, -0.0, 1.0, 1.5, 7795.0, np.inf, -np.inf, 1e20]),
                 st.just(datetime.date(2023, 3, 26)),
                 st.just(pd.Timestamp("2023-03-26 00:00:00")))


@st.composite
def columns(draw):
    kind = draw(st.sampled_from(["mixed", "text", "str", "string", "bool", "boolean", "int",
                                 "Int64", "float"]))
    n = draw(st.integers(0, 25))
    if kind == "mixed":
        return pd.Series(draw(st.lists(CELL, min_size=n, max_size=n)), dtype=object)
    if kind in ("text", "str", "string"):  # object cells; Arrow text (NaN or NA for missing)
        cells = draw(st.lists(st.one_of(TEXT, st.none()), min_size=n, max_size=n))
        return pd.Series(cells, dtype=object if kind == "text" else kind)
    if kind == "bool":
        return pd.Series(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if kind == "boolean":
        cells = draw(st.lists(st.one_of(st.booleans(), st.none()), min_size=n, max_size=n))
        return pd.Series(pd.array(cells, dtype="boolean"))
    if kind == "int":
        cells = draw(st.lists(st.integers(-3, 80000), min_size=n, max_size=n))
        return pd.Series(cells, dtype="int64")
    if kind == "Int64":
        cells = draw(st.lists(st.one_of(st.integers(-3, 80000), st.none()), min_size=n,
                              max_size=n))
        return pd.Series(pd.array(cells, dtype="Int64"))
    cells = draw(st.lists(st.one_of(st.sampled_from([0.0, -0.0, 1.0, 0.5, 7795.0, np.inf]),
                                    st.just(np.nan)), min_size=n, max_size=n))
    return pd.Series(cells, dtype="float64")


def _same(got, want):
    if isinstance(want, tuple):
        for g, w in zip(got, want, strict=True):
            pd.testing.assert_series_equal(g, w, check_exact=True)
    elif isinstance(want, pd.Series):
        pd.testing.assert_series_equal(got, want, check_exact=True)
    else:
        assert got == want


@settings(max_examples=150, deadline=None)
@given(values=columns())
def test_every_parser_reads_a_column_as_cell_by_cell(values):
    values.index = pd.RangeIndex(len(values)) * 2 + 5  # the frame's index is kept
    _same(T._is_empty(values), old_is_empty(values))
    _same(T.parse_bool(values), old_parse_bool(values))
    _same(T.blank_reading(values), old_blank_reading(values))
    _same(T.parse_code(values, 5), old_parse_code(values, 5))
    _same(T.parse_number(values), old_parse_number(values))
    _same(T.parse_number(values, integer=True), old_parse_number(values, integer=True))
    _same(T.clean_text(values), old_clean_text(values))


@pytest.mark.parametrize("cells, keys", [
    ([True, 1, 1.0, "1"], ["true", "1", "1", "1"]),  # equal as keys, not as cells
    ([0.0, -0.0], ["0", "0"]),
])
def test_equal_keys_of_different_cells_are_read_one_by_one(cells, keys):
    got = T.map_distinct(pd.Series(cells, dtype=object), T._bool_key)
    assert got.tolist() == keys


def test_a_reader_is_called_once_per_distinct_value():
    calls = []
    values = pd.Series(["a", "b", "a", None, "b", "a"], dtype="str")
    got = T.map_distinct(values, lambda v: calls.append(v) or v.upper())
    assert sorted(calls) == ["a", "b"]
    assert got.tolist()[:3] == ["A", "B", "A"] and pd.isna(got.iloc[3])


def test_the_spaces_arrow_strips_are_pythons():
    assert T.SPACES == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


ALPHABET = st.sampled_from(list(" \t\n\x0b\x0c\r\x1c\x1f\x85\xa0\u2000\u2003\u3000\u200b"
                                "aAxZ09.-_Ơơăđ\u0300\u0301\u0303\u0309\u0323ÀẢ"))


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.text(ALPHABET, max_size=8)), max_size=30),
       dtype=st.sampled_from(["str", "string"]))
def test_arrow_text_is_cleaned_as_cell_by_cell(cells, dtype):
    # Arrow text takes a kernel for its ASCII cells: any mix of ASCII and other spaces,
    # combining marks (NFC composes them), blank and missing cells, as the plain loop
    values = pd.Series(cells, dtype=dtype, index=pd.RangeIndex(len(cells)) * 3 + 1)
    _same(T.clean_text(values), old_clean_text(values))
