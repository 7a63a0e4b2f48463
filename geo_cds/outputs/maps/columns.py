"""Compact encoding of the map's per-village columns (a million villages in ~25 MB).

A column travels as one of these JSON objects, which ``decodeColumn`` in
``assets/geo_cds_map.js`` turns back into the plain array (``null`` where a value is
missing) before anything reads it:

``{"e": "dict", "v": [values], "s": codes}``
    Each village's value is ``v[code]``; ``v`` is ordered by frequency, so the common values
    have one-character codes. ``s`` is empty when every village has ``v[0]``.
``{"e": "int", "s": numbers}``
    Whole numbers: 0 is missing, else ``zigzag(value) + 1``.
``{"e": "delta", "s": numbers}``
    Whole numbers, none missing, each as ``zigzag(value - previous)`` (the first from 0):
    coordinates and commune numbers of villages listed commune by commune.
``{"e": "front", "p": numbers, "l": numbers, "s": text}``
    Text, none missing: each value is the first ``p`` characters of the previous one followed
    by the next ``l`` characters of ``s`` (ids like ``09877-001``, ``09877-002``, …).
    Lengths are counted in UTF-16 code units, as JavaScript does.
a plain list
    Anything else (e.g. decimals with too many distinct values).

Columns of few values (gap status, flags, coverage source, in budget, interventions) travel
together as one ``{"e": "rows", ...}`` entry ``joint`` of the village payload
(:func:`joint_column`).

``numbers`` is a string of variable-length integers: each character is a digit of the
alphabet below (the 90 printable ASCII characters that JSON and an HTML script element
carry unescaped); a digit below :data:`BASE` ends a number, one of the upper 45 means
more digits follow, least significant first. A number below 45 costs one character, below
2,025 two, below 91,125 three.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

ALPHABET = "".join(chr(c) for c in range(0x20, 0x7F) if chr(c) not in '"\\<>&')
BASE = 45
assert len(ALPHABET) == 2 * BASE
_CHARS = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
# Numbers JavaScript holds exactly; larger ones travel as a plain list (as JSON would).
MAX_EXACT = 2**53
FRONT_MAX_WIDTH = 40


def varints(values: np.ndarray) -> str:
    """Non-negative whole numbers (< 2**63) as a string of variable-length digits."""
    v = np.asarray(values, dtype=np.uint64)
    if not len(v):
        return ""
    ndig = np.ones(len(v), dtype=np.int8)
    power = BASE
    while power <= int(v.max()):
        ndig += v >= np.uint64(power)
        power *= BASE
    # one row per number, one column per digit place; the places a number does not use are
    # dropped when the rows are read out in order
    width = int(ndig.max())
    digits = np.empty((len(v), width), dtype=np.uint8)
    rest = v.astype(np.uint32) if power <= 2**32 else v  # 32-bit division is much faster
    for place in range(width):
        rest, digits[:, place] = np.divmod(rest, rest.dtype.type(BASE))
    places = np.arange(width, dtype=np.int8)
    digits += (places[None, :] < ndig[:, None] - 1).astype(np.uint8) * np.uint8(BASE)
    used = places[None, :] < ndig[:, None]
    return _CHARS[digits[used] if width > 1 else digits[:, 0]].tobytes().decode("ascii")


def _zigzag(v: np.ndarray) -> np.ndarray:
    v = np.asarray(v, dtype=np.int64)
    return (v.astype(np.uint64) << np.uint64(1)) ^ (v >> 63).astype(np.uint64)


def _plain(values: np.ndarray) -> list:
    return [None if _missing(x) else _json_scalar(x) for x in values.tolist()]


def _missing(x: Any) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and x != x)


def delta_column(values: np.ndarray) -> dict[str, Any]:
    """Whole numbers, none missing, as differences from the previous one."""
    v = np.asarray(values, dtype=np.int64)
    return {"e": "delta", "s": varints(_zigzag(np.diff(v, prepend=0)))}


def encode_column(values: Any, *, dict_max: int | None = None) -> dict[str, Any] | list:
    """The compact form of one column (a list, a 1-D array or a pandas array of JSON
    scalars, None/NaN/NA for missing): a value table when it has few distinct values (at
    most ``dict_max``, default a quarter of the rows, at least 64), else whole numbers,
    shared-prefix text or a plain list."""
    if isinstance(values, pd.Series):
        values = values.array
    arr = values if hasattr(values, "dtype") else np.asarray(values, dtype=object)
    n = len(arr)
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    missing = codes < 0
    has_missing = bool(missing.any())
    limit = max(64, n // 4) if dict_max is None else dict_max
    if len(uniques) + has_missing <= limit:
        table = uniques.tolist()
        codes = np.where(missing, len(table), codes)
        table = [*table, None] if has_missing else table
        counts = np.bincount(codes, minlength=len(table))
        order = np.argsort(-counts, kind="stable")  # most frequent first
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        table = [_json_scalar(table[i]) for i in order.tolist()]
        if len(table) == 1:
            return {"e": "dict", "v": table, "s": ""}
        return {"e": "dict", "v": table, "s": varints(rank[codes])}
    kind = pd.api.types.infer_dtype(uniques, skipna=True)
    if kind == "integer":
        try:
            whole = np.asarray(uniques, dtype=np.int64)
        except OverflowError:
            whole = None
        if whole is not None and not ((whole >= MAX_EXACT) | (whole <= -MAX_EXACT)).any():
            enc = _zigzag(whole)[codes] + np.uint64(1)
            enc[missing] = 0
            return {"e": "int", "s": varints(enc)}
    if kind == "string" and not has_missing:
        front = _front(np.asarray(arr, dtype=object))
        if front is not None:
            return front
    return _plain(np.asarray(arr, dtype=object))


def joint_column(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Several columns of few distinct values as one table of value rows (one entry per
    combination that occurs, most frequent first) and one code per village:
    ``{"e": "rows", "k": names, "v": rows, "s": codes}``, village ``i`` having
    ``v[code_i][j]`` in column ``k[j]``. A code is usually one character where the columns
    apart would take one each."""
    names = list(columns)
    combined = None
    tables = []
    for name in names:
        values = columns[name]
        arr = values if hasattr(values, "dtype") else np.asarray(values, dtype=object)
        codes, uniques = pd.factorize(arr, use_na_sentinel=True)
        table = [*map(_json_scalar, uniques.tolist()), None]  # last: missing
        codes = np.where(codes < 0, len(table) - 1, codes).astype(np.int64)
        combined = codes if combined is None else combined * len(table) + codes
        tables.append(table)
        if np.prod([len(t) for t in tables], dtype=float) >= 2.0**62:
            raise ValueError(f"too many combinations to join the columns {names}")
    jcodes, uniq = pd.factorize(combined)
    places = []
    rest = np.asarray(uniq, dtype=np.int64)
    for table in reversed(tables):
        places.append(rest % len(table))
        rest = rest // len(table)
    places.reverse()
    rows = [[tables[j][i] for j, i in enumerate(row)]
            for row in zip(*(p.tolist() for p in places))]
    counts = np.bincount(jcodes, minlength=len(rows))
    order = np.argsort(-counts, kind="stable")  # most frequent first
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return {"e": "rows", "k": names, "v": [rows[i] for i in order.tolist()],
            "s": varints(rank[jcodes])}


def present(villages: Mapping[str, Any], key: str) -> set:
    """The distinct values of the encoded village column ``key`` (given by
    :func:`joint_column`, as a value table or as a plain list)."""
    joint = villages.get("joint")
    if joint and key in joint["k"]:
        j = joint["k"].index(key)
        return {row[j] for row in joint["v"]}
    column = villages[key]
    if isinstance(column, dict):
        if column["e"] != "dict":
            raise ValueError(f"the values of a {column['e']!r} column are not listed")
        return set(column["v"])
    return set(column)


def _json_scalar(x: Any) -> Any:
    if _missing(x):
        return None
    if isinstance(x, np.generic):
        return x.item()
    return x


def _front(arr: np.ndarray) -> dict[str, Any] | None:
    """Text as shared prefixes with the previous value (None when a value has a character
    beyond the BMP, whose UTF-16 length differs from its length in Python, or is longer than
    :data:`FRONT_MAX_WIDTH`: the work arrays are rows x longest value)."""
    values = arr.tolist()
    if not values or "\0" in "".join(values):  # numpy's fixed-width text drops trailing NULs
        return None
    text = np.asarray(values, dtype=str)
    if text.dtype.itemsize == 0:
        return None
    width = text.dtype.itemsize // 4
    if width > FRONT_MAX_WIDTH:
        return None
    cp = text.view(np.uint32).reshape(len(text), width)
    if int(cp.max(initial=0)) > 0xFFFF or ((cp >= 0xD800) & (cp <= 0xDFFF)).any():
        return None
    lens = np.char.str_len(text).astype(np.int64)
    same = np.zeros((len(text), width), dtype=bool)
    same[1:] = cp[1:] == cp[:-1]
    shared = np.where(same.all(axis=1), width, np.argmin(same, axis=1))
    prev = np.concatenate([[0], lens[:-1]])
    shared = np.minimum(shared, np.minimum(prev, lens))
    cols = np.arange(width)
    keep = (cols[None, :] >= shared[:, None]) & (cols[None, :] < lens[:, None])
    suffix = cp[keep].astype("<u2").tobytes().decode("utf-16-le")
    return {"e": "front", "p": varints(shared), "l": varints(lens - shared), "s": suffix}
