"""The official commune lists of both vintages (before and since 1 July 2025).

On 1 July 2025, 10,035 communes became 3,321 and 63 provinces became 34. 3,316 of the new
codes equal the code of one of the old communes merged into them, so a table keyed by old
codes joins "cleanly" to the 2025 boundaries and is silently wrong. The other modules deal
with it:

* :mod:`geo_cds.inputs.vintage` detects the vintage of a set of codes (with the evidence) and
  converts old codes of point-like rows (villages) to 2025;
* :mod:`geo_cds.inputs.crosswalk` cross-walks old-vintage polygons onto 2025 communes by area
  and checks the result against the official table;
* :mod:`geo_cds.inputs.convert` converts commune-keyed tables to 2025.

This module loads the official lists of both vintages and the official old → new table
(shipped in ``geo_cds/data``, see ``PROVENANCE.md``).
"""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from geo_cds.inputs.columns import normalise_header

DATA = Path(__file__).resolve().parent.parent / "data"

VINTAGES = ("2025", "pre2025")

# --------------------------------------------------------------------------------------------
# Official lists


@functools.lru_cache(maxsize=1)
def units_2025() -> pd.DataFrame:
    """The 3,321 official units since 1 July 2025.

    Columns: ``commune_code``, ``commune_name``, ``unit_type``, ``province_code``,
    ``province_name``, ``lat``, ``lon``, ``area_km2``. Codes are strings with leading zeros.
    """
    t = pd.read_csv(DATA / "units_2025.csv", dtype=str)
    out = pd.DataFrame(
        {
            "commune_code": t["wardCode"],
            "commune_name": _nfc(t["ward"]),
            "unit_type": _nfc(t["wardType"]),
            "province_code": t["provinceCode"],
            "province_name": _nfc(t["province"]),
            "lat": t["wardLat"].astype(float),
            "lon": t["wardLon"].astype(float),
            "area_km2": t["wardAreaKm2"].astype(float),
        }
    )
    return out


@functools.lru_cache(maxsize=1)
def units_pre2025() -> pd.DataFrame:
    """The 10,040 units before 1 July 2025 (4 codes appear twice in the source list).

    Columns: ``commune_code``, ``commune_name``, ``district_code``, ``district_name``,
    ``province_code``, ``province_name``, ``lat``, ``lon``.
    """
    t = pd.read_csv(DATA / "units_pre2025.csv", dtype=str)
    return pd.DataFrame(
        {
            "commune_code": t["wardCode"],
            "commune_name": _nfc(t["ward"]),
            "district_code": t["districtCode"],
            "district_name": _nfc(t["district"]),
            "province_code": t["provinceCode"],
            "province_name": _nfc(t["province"]),
            "lat": t["wardLat"].astype(float),
            "lon": t["wardLon"].astype(float),
        }
    )


@functools.lru_cache(maxsize=1)
def code_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(2025 codes, pre-2025 codes incl. the old→new table's): built once, asked per layer."""
    new = frozenset(units_2025()["commune_code"].tolist())
    old = frozenset(units_pre2025()["commune_code"].tolist()) | frozenset(
        old_to_new()["old_code"].tolist())
    return new, old


@functools.lru_cache(maxsize=1)
def old_to_new() -> pd.DataFrame:
    """The official old → new commune table (10,598 rows, two corrected: PROVENANCE.md).

    Columns: ``old_code``, ``old_name``, ``old_province_code``, ``new_code``, ``new_name``,
    ``new_province_code``, ``n_new`` (int: number of new communes the old one went into),
    ``merge_type`` (``"full"`` or ``"partial"``).
    """
    t = pd.read_csv(DATA / "old_to_new_communes_2025.csv", dtype=str)
    return pd.DataFrame(
        {
            "old_code": t["old_ward_code"],
            "old_name": _nfc(t["old_ward"]),
            "old_province_code": t["old_province_code"],
            "new_code": t["new_ward_code"],
            "new_name": _nfc(t["new_ward"]),
            "new_province_code": t["new_province_code"],
            "n_new": t["n_new_targets"].astype(int),
            "merge_type": t["merge_type"],
        }
    ).drop_duplicates(["old_code", "new_code"], ignore_index=True)


def _nfc(s: pd.Series) -> pd.Series:
    return s.map(lambda v: unicodedata.normalize("NFC", v), na_action="ignore").astype("string")


def name_key(name: object) -> str:
    """Name compared across sources: NFC, lowercase, unit type ("Xã", "Phường"…) dropped."""
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ""
    key = normalise_header(name)
    for prefix in ("xa_", "phuong_", "thi_tran_", "dac_khu_", "thi_xa_"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key
