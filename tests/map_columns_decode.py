"""Read the map's compact village columns back, written from the format's description in
``geo_cds/outputs/maps/columns.py`` (not from its encoder): the tests' oracle of what the
page's script decodes."""

from __future__ import annotations

import json
import re
from pathlib import Path

# The 90 printable ASCII characters other than " \ < > &, in code order.
DIGITS = {ch: i for i, ch in enumerate(
    ch for ch in map(chr, range(32, 127)) if ch not in {'"', "\\", "<", ">", "&"})}
assert len(DIGITS) == 90


def numbers(text: str) -> list[int]:
    out, value, weight = [], 0, 1
    for ch in text:
        d = DIGITS[ch]
        if d >= 45:
            value += (d - 45) * weight
            weight *= 45
        else:
            out.append(value + d * weight)
            value, weight = 0, 1
    assert weight == 1, "a number is cut short"
    return out


def signed(z: int) -> int:
    return z // 2 if z % 2 == 0 else -(z + 1) // 2


def column(c, n: int):
    if not isinstance(c, dict):
        return c
    kind = c["e"]
    if kind == "dict":
        codes = numbers(c["s"]) if c["s"] else [0] * n
        out = [c["v"][i] for i in codes]
    elif kind == "int":
        out = [None if z == 0 else signed(z - 1) for z in numbers(c["s"])]
    elif kind == "delta":
        out, total = [], 0
        for z in numbers(c["s"]):
            total += signed(z)
            out.append(total)
    elif kind == "front":
        # lengths are UTF-16 code units: work on the text as UTF-16
        units = c["s"].encode("utf-16-le")
        out, prev, at = [], b"", 0
        for keep, take in zip(numbers(c["p"]), numbers(c["l"]), strict=True):
            prev = prev[:2 * keep] + units[2 * at:2 * (at + take)]
            at += take
            out.append(prev.decode("utf-16-le"))
        assert 2 * at == len(units)
    else:
        raise AssertionError(f"unknown encoding {kind!r}")
    assert len(out) == n, (kind, len(out), n)
    return out


def villages(v: dict | None) -> dict | None:
    """The village columns as plain lists (None where missing), as the page sees them."""
    if v is None:
        return None
    n = v["n"]
    out = {k: (val if k in ("n", "known", "operators") else column(val, n))
           for k, val in v.items() if k != "joint"}
    if "joint" in v:  # one row of values per code, a value per joined column
        rows = [v["joint"]["v"][code] for code in numbers(v["joint"]["s"])]
        assert len(rows) == n
        for j, key in enumerate(v["joint"]["k"]):
            out[key] = [row[j] for row in rows]
    out["operators"] = [{**o, "values": column(o["values"], n)} for o in v["operators"]]
    return out


def decoded(payload: dict) -> dict:
    """The map payload with its village columns decoded."""
    return {**payload, "villages": villages(payload.get("villages"))}


def html_payload(html: str | Path) -> dict:
    """The decoded payload of a map page (its text, or the path of the file)."""
    if isinstance(html, Path):
        html = html.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>', html,
                  re.DOTALL)
    assert m, "the map data block is missing"
    return decoded(json.loads(m.group(1)))
