"""Messy cell values: yes/no values, codes, numbers, text.

Everything here works on whole columns (pandas Series) and reports what it could not read
as a boolean mask, so the reader can turn each bad cell into one :class:`~geo_cds.problems.Problem`.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

import numpy as np
import pandas as pd

from geo_cds.inputs.columns import normalise_header

_TRUE = {
    "co",
    "c",
    "x",
    "1",
    "true",
    "t",
    "yes",
    "y",
    "dat",
    "da_co",
    "roi",
    "ok",
    "v",
    "on",
    "da_dat",
    "co_phu_song",
    "da_phu_song",
    "da_trien_khai",
    "duoc",
}
_FALSE = {
    "khong",
    "k",
    "ko",
    "0",
    "false",
    "f",
    "no",
    "n",
    "chua",
    "chua_co",
    "chua_dat",
    "khong_dat",
    "off",
    "khong_co",
    "chua_phu_song",
    "-",
}


def parse_bool(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read yes/no in any common form into a nullable boolean column.

    "Có/Không", "có", "x", 1/0, 1.0, TRUE/FALSE, "yes/no", "Đạt/Chưa đạt", ✓ … Empty cells are NA.

    Returns
    -------
    values : Series of dtype "boolean"
    bad : Series of bool
        True where a non-empty value could not be read (left NA).

    Examples
    --------
    >>> v, bad = parse_bool(pd.Series(["Có", "không", "x", 1, "TRUE", "", "maybe"]))
    >>> v.tolist(), bad.tolist()
    ([True, False, True, True, True, <NA>, <NA>], [False, False, False, False, False, False, True])
    """
    empty = _is_empty(values).to_numpy()
    # each distinct value read once: True, False or None (not a yes/no); NaN where missing
    reading = map_distinct(values, _bool_reading).to_numpy()
    out = pd.Series(pd.NA, index=values.index, dtype="boolean")
    is_true = pd.Series(np.equal(reading, True) & ~empty, index=values.index)
    is_false = pd.Series(np.equal(reading, False) & ~empty, index=values.index)
    out[is_true] = True
    out[is_false] = False
    bad = ~empty & ~is_true & ~is_false
    return out, bad.astype(bool)


# Marks ticked in a form (đánh dấu x): a column holding only these and blanks reads a blank as no.
MARKS = {"x", "1"}  # keys of _bool_key: "x", "X", "✓", "✔", "☑", 1, 1.0, "1"


def blank_reading(values: pd.Series) -> str:
    """How a blank reads in a yes/no column: ``"no"`` or ``"unknown"``.

    A column of text or spreadsheet cells holding only marks (x, ✓, 1) and blanks is a form
    where a blank means no (the usual Vietnamese convention, đánh dấu x); a column with explicit
    yes and no words (Có/Không, Đạt/Chưa đạt, 1/0, yes/no) — or with no value at all — and a
    typed field of a GIS layer (boolean or number: its nulls are nulls) leave a blank unknown.

    Examples
    --------
    >>> blank_reading(pd.Series(["x", "", "X", None, "✓"]))
    'no'
    >>> blank_reading(pd.Series(["Có", "", "Không"]))
    'unknown'
    >>> blank_reading(pd.Series([1, None, 0], dtype=object))
    'unknown'
    >>> blank_reading(pd.Series([1.0, None]))  # a GeoPackage boolean with nulls
    'unknown'
    """
    if is_typed(values):
        # A typed field (a GIS layer's boolean or number, nulls and all) says what it means.
        return "unknown"
    keys = map_distinct(values[~_is_empty(values)], _bool_key)
    return "no" if len(keys) and keys.isin(MARKS).all() else "unknown"


def is_typed(values: pd.Series) -> bool:
    """A boolean or number field (as a GIS layer stores one), not cells of text or a sheet."""
    return pd.api.types.is_bool_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype)


def _bool_reading(v: object) -> bool | None:
    key = _bool_key(v)
    return True if key in _TRUE else False if key in _FALSE else None


def _bool_key(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, float, np.integer, np.floating)):
        if v == 1:
            return "1"
        if v == 0:
            return "0"
        return str(v)
    s = str(v).strip()
    if s in ("✓", "✔", "☑"):
        return "x"
    if s in ("✗", "✘", "☐"):
        return "khong"
    return normalise_header(s) or s


# Every character ``str.strip()`` removes (``str.isspace``), as a class of the regular
# expressions Arrow's kernels take (tests check it against Python's own list).
SPACES = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
          "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")
_SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in SPACES) + "]"


def _is_empty(values: pd.Series) -> pd.Series:
    """Missing, or text of nothing but spaces."""
    missing = values.isna()
    if not pd.api.types.is_string_dtype(values.dtype):  # object too
        return missing  # numbers, yes/no, dates: no text to be blank
    dtype = values.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        # Arrow text (as GeoPackages give it): one regular-expression kernel, not a call a cell
        import pyarrow as pa
        import pyarrow.compute as pc

        only_spaces = pc.match_substring_regex(pa.array(values.array), f"^{_SPACE_CLASS}*$")
        blank = pc.fill_null(only_spaces, False).to_numpy(zero_copy_only=False).astype(bool)
        return missing | pd.Series(blank, index=values.index)
    blank = map_distinct(values, _blank_text).fillna(False).astype(bool)
    return missing | blank


def _blank_text(v: object) -> bool:
    return isinstance(v, str) and v.strip() == ""


def map_distinct(values: pd.Series, func) -> pd.Series:
    """``values.map(func, na_action="ignore")`` with ``func`` called once per distinct value.

    A column of one type repeats its values (codes, names, marks, yes/no): each distinct one
    is read once and the reading shared by its rows. Floats and cells of mixed types are read
    one by one: equal keys are not always the same cell (1, 1.0 and True are equal, yet 1 is
    a mark and True is not; 0.0 and -0.0 are equal, yet written differently).

    Returns
    -------
    Series of object, NaN where ``values`` is missing.
    """
    dtype = values.dtype
    if pd.api.types.is_object_dtype(dtype):
        distinct = pd.api.types.infer_dtype(values, skipna=True) == "string"
    else:
        distinct = (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
                    or pd.api.types.is_integer_dtype(dtype))
    if not distinct:
        return values.map(func, na_action="ignore").astype(object)
    codes, uniques = pd.factorize(values)
    mapped = np.empty(len(uniques) + 1, dtype=object)
    for i, u in enumerate(uniques.tolist()):
        mapped[i] = func(u)
    mapped[-1] = np.nan  # code -1: a missing value
    return pd.Series(mapped[codes], index=values.index, dtype=object)


def parse_code(values: pd.Series, width: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Official codes as strings with their leading zeros.

    Integers and floats from spreadsheets (``7795``, ``7795.0``) and strings that lost their
    zeros (``"7795"``) are padded to ``width`` digits.

    Returns
    -------
    codes : Series of str (NA where empty or unreadable)
    repaired : Series of bool
        True where leading zeros were restored (report a warning).
    bad : Series of bool
        True where a non-empty value is not a code of at most ``width`` digits.

    Examples
    --------
    >>> c, rep, bad = parse_code(pd.Series([7795, "07795", "7795.0", "21433", "abc", None]), 5)
    >>> c.tolist(), rep.tolist(), bad.tolist()
    (['07795', '07795', '07795', '21433', <NA>, <NA>], [True, False, True, False, False, False], [False, False, False, False, True, False])
    """
    empty = _is_empty(values)
    text = map_distinct(values, _code_text).astype("string")
    digits = text.str.fullmatch(r"\d+").fillna(False).astype(bool) & ~empty
    ok = digits & (text.str.len() <= width).fillna(False).astype(bool)
    codes = pd.Series(pd.NA, index=values.index, dtype="string")
    codes[ok] = text[ok].str.zfill(width)
    repaired = ok & (text.str.len() < width).fillna(False).astype(bool)
    bad = ~empty & ~ok
    return codes, repaired.astype(bool), bad.astype(bool)


def _code_text(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return str(int(v)) if float(v).is_integer() else str(v)
    s = str(v).strip()
    m = re.fullmatch(r"(\d+)\.0+", s)
    return m.group(1) if m else s


def parse_number(values: pd.Series, integer: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers written by people: "1.234" or "1 234" (thousands), "12,5" (decimal comma), "85%".

    Infinity ("inf", "1e309", a float inf in a GeoPackage) and a written-out "nan" are not
    numbers: no count, size or coordinate can hold them.

    Returns
    -------
    numbers : Series of float64 (NaN where empty or unreadable), all finite
    bad : Series of bool
        True where a non-empty value is not a number (or not whole when ``integer``).
    """
    empty = _is_empty(values)
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        nums = pd.to_numeric(values, errors="coerce").astype("float64")
    else:
        nums = map_distinct(values, lambda v: _number(v, integer)).astype("float64")
    nums = nums.where(np.isfinite(nums))
    bad = ~empty & nums.isna()
    if integer:
        frac = nums.notna() & (nums != np.floor(nums.fillna(0)))
        bad = bad | frac
        nums = nums.mask(frac)
    return nums, bad.astype(bool)


def _number(v: object, integer: bool) -> float:
    if isinstance(v, (bool, np.bool_)):
        return np.nan
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    s = str(v).strip().replace("\u00a0", " ")
    if not s:
        return np.nan
    percent = s.endswith("%")
    s = s.rstrip("%").strip()
    if re.fullmatch(r"[-+]?\d{1,3}([ .,]\d{3})+", s) and (
        integer or s.count(",") + s.count(".") > 1 or " " in s
    ):
        s = re.sub(r"[ .,]", "", s)  # thousands separators
    elif re.fullmatch(r"[-+]?\d+,\d+", s):
        s = s.replace(",", ".")  # decimal comma
    elif integer and re.fullmatch(r"[-+]?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    try:
        x = float(s)
    except ValueError:
        return np.nan
    return x / 100.0 if percent else x


def clean_text(values: pd.Series) -> pd.Series:
    """Strings in NFC with surrounding spaces removed; empty cells NA.

    A date the reader already parsed (GeoJSON/GeoPackage/Excel date fields) is written back
    as an ISO date, ``2023-03-26``, not ``2023-03-26 00:00:00``.
    """
    empty = _is_empty(values)
    if _arrow_text(values.dtype):
        out = _clean_arrow(values)
    else:
        out = map_distinct(values, _clean).astype("string")
    out[empty] = pd.NA
    return out


# The characters ``str.strip()`` removes from an ASCII string.
_ASCII_SPACES = "".join(c for c in SPACES if ord(c) < 128)


def _arrow_text(dtype) -> bool:
    return isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def _clean_arrow(values: pd.Series) -> pd.Series:
    """:func:`_clean` of Arrow text, as ``string``: the ASCII cells (NFC leaves them as they
    are) trimmed by Arrow's kernel, the others by Python, once per distinct value."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    other = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))
    out = pc.utf8_trim(arr, characters=_ASCII_SPACES)
    rows = np.flatnonzero(other.to_numpy(zero_copy_only=False))
    if len(rows):
        cleaned = map_distinct(values.iloc[rows], _clean).to_numpy()
        out = pc.replace_with_mask(out, other, pa.array(cleaned.tolist(), type=out.type))
    return pd.Series(pd.array(out, dtype="string"), index=values.index)


def _clean(value) -> str:
    return unicodedata.normalize("NFC", _as_text(value)).strip()


def _as_text(value) -> str:
    if isinstance(value, (pd.Timestamp, datetime.datetime)):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)
