"""The vintage of commune codes, and converting old codes of rows (villages) to 2025.

* :func:`detect_vintage` tells whether codes are of the 2025 or the pre-2025 vintage, with the
  evidence;
* :func:`convert_codes` converts old codes of point-like rows through the official old → new
  table: full merges directly, split communes by location among the candidate new communes,
  otherwise refused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import geopandas as gpd
import pandas as pd

from geo_cds.inputs.codes import code_sets, name_key, old_to_new, units_2025, units_pre2025

# Distinct codes, all valid in 2025, that make a table's vintage 2025 (see detect_vintage).
MIN_CODES_2025 = 5


@dataclass
class VintageEvidence:
    """The vintage found for a set of codes and why.

    ``vintage`` is ``"2025"``, ``"pre2025"`` or ``None`` (cannot tell: set it in the plan).
    """

    vintage: str | None
    n_codes: int
    only_2025: int  # distinct codes found only in the 2025 list
    only_pre2025: int  # distinct codes found only in the pre-2025 list
    both: int  # in both lists (3,316 codes are)
    neither: int
    names_match_2025: int | None = None  # rows whose name matches the 2025 unit of that code
    names_match_pre2025: int | None = None
    n_named: int = 0
    per_province: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # province -> (distinct codes, units 2025, units pre2025)

    def explain(self) -> str:
        """The evidence in one paragraph, for messages and the validate report."""
        parts = [
            (
                f"{self.n_codes} distinct commune codes: {self.only_pre2025} exist only in the "
                f"pre-2025 list, {self.only_2025} only in the 2025 list, {self.both} in both, "
                f"{self.neither} in neither"
            )
        ]
        if self.n_named:
            parts.append(
                f"names agree with the 2025 unit of the code for {self.names_match_2025} of "
                f"{self.n_named} rows and with the pre-2025 unit for {self.names_match_pre2025}"
            )
        if self.per_province:
            counts = "; ".join(
                f"province {p}: {n} codes vs {a} units in 2025 / {b} before"
                for p, (n, a, b) in sorted(self.per_province.items())[:5]
            )
            parts.append(counts)
        verdict = {
            "2025": "the codes are of the 2025 vintage",
            "pre2025": "the codes are of the pre-2025 vintage",
            None: "the vintage cannot be told from the codes",
        }[self.vintage]
        return "; ".join(parts) + f" → {verdict}"


def detect_vintage(codes: pd.Series, names: pd.Series | None = None) -> VintageEvidence:
    """Tell the vintage of commune codes from the codes, the names and the counts.

    Parameters
    ----------
    codes : Series of str
        5-digit commune codes (NA ignored).
    names : Series of str, optional
        The commune names given next to the codes, same index.

    Returns
    -------
    VintageEvidence
        ``vintage`` is decided by, in order: the names, when given and agreeing with one list
        clearly more (≥ 1.5×) than with the other (the unit of that code in each list); a share of ≥ 20 % retired codes (found
        only in the pre-2025 list: about two thirds of the old codes were retired) → pre-2025;
        at least 5 distinct codes valid in 2025 with < 5 % retired ones → 2025 (an old table's
        codes all survive with probability ≈ 0.33^k); codes found only in the 2025
        list and none retired → 2025; otherwise ``None`` (refuse, ask for the vintage).
    """
    new, old = code_sets()
    distinct = set(codes.dropna().astype(str).unique().tolist())
    only_new = distinct & (new - old)
    only_old = distinct & (old - new)
    both = distinct & new & old
    neither = distinct - new - old
    ev = VintageEvidence(None, len(distinct), len(only_new), len(only_old), len(both), len(neither))
    if names is not None:
        frame = pd.DataFrame({"code": codes, "name": names}).dropna()
        if len(frame):
            key = frame["name"].map(name_key)
            n_names, o_names = _name_keys()
            ev.n_named = len(frame)
            ev.names_match_2025 = int((frame["code"].map(n_names) == key).sum())
            ev.names_match_pre2025 = int((frame["code"].map(o_names) == key).sum())
    by_prov_new = units_2025().groupby("province_code").size()
    by_prov_old = units_pre2025().drop_duplicates("commune_code").groupby("province_code").size()
    prov = pd.Series(sorted(distinct), dtype="string")
    if len(prov):
        unit_prov = pd.concat(
            [
                units_2025().set_index("commune_code")["province_code"],
                units_pre2025()
                .drop_duplicates("commune_code")
                .set_index("commune_code")["province_code"],
            ]
        )
        unit_prov = unit_prov[~unit_prov.index.duplicated()]
        counts = prov.map(unit_prov).value_counts()
        ev.per_province = {
            str(p): (int(n), int(by_prov_new.get(p, 0)), int(by_prov_old.get(p, 0)))
            for p, n in counts.items()
        }
    share_old = ev.only_pre2025 / ev.n_codes if ev.n_codes else 0.0
    n25, npre = ev.names_match_2025 or 0, ev.names_match_pre2025 or 0
    if ev.n_named and n25 != npre and max(n25, npre) >= 1.5 * min(n25, npre):
        # Names are the strongest evidence: most codes exist in both lists.
        ev.vintage = "2025" if n25 > npre else "pre2025"
    elif share_old >= 0.2:
        # About two thirds of the old codes were retired in 2025: an old table has many.
        ev.vintage = "pre2025"
    elif ev.n_codes - ev.neither >= MIN_CODES_2025 and share_old < 0.05:
        # (Nearly) all valid in 2025. Only a third of the old codes survived as new codes, so
        # an old table with k distinct codes has them all surviving with probability ≈ 0.33^k
        # (k = 5: 0.4 %).
        ev.vintage = "2025"
    elif ev.n_codes and ev.only_2025 > 0 and ev.only_pre2025 == 0:
        ev.vintage = "2025"
    return ev


@functools.lru_cache(maxsize=1)
def _name_keys() -> tuple[pd.Series, pd.Series]:
    """Name keys of the units of each vintage, indexed by code."""
    new = units_2025().set_index("commune_code")["commune_name"].map(name_key)
    old = (
        units_pre2025()
        .drop_duplicates("commune_code")
        .set_index("commune_code")["commune_name"]
        .map(name_key)
    )
    return new, old


# --------------------------------------------------------------------------------------------
# Converting old codes of rows (villages) to 2025


@dataclass
class Conversion:
    """Result of :func:`convert_codes`, aligned with the input rows."""

    new_code: pd.Series  # str, NA where not converted
    method: pd.Series  # "same" | "full" | "location" | "split_unresolved" | "unknown_code" | NA
    candidates: pd.Series  # ";"-joined new codes an unresolved split could go to


def convert_codes(old_codes: pd.Series, points=None, new_communes=None) -> Conversion:
    """Convert pre-2025 commune codes of rows to 2025 codes through the official table.

    Parameters
    ----------
    old_codes : Series of str
        Old 5-digit commune codes.
    points : GeoSeries, optional
        The rows' locations (EPSG:4326; empty/None where unknown), same index.
    new_communes : GeoDataFrame, optional
        2025 communes with ``commune_code`` and polygons (EPSG:4326).

    Returns
    -------
    Conversion
        Full merges map directly (``method="full"``). An old commune split between several new
        ones (``merge_type="partial"``) is resolved by location when the row has a point that
        lies in exactly one of the candidate new communes (``"location"``); otherwise it stays
        unresolved (``"split_unresolved"``, with the ``candidates``) — never guessed. Codes
        not in the table are ``"unknown_code"``.
    """
    table = old_to_new()
    idx = old_codes.index
    groups = table.groupby("old_code")["new_code"].agg(lambda s: ";".join(sorted(set(s))))
    cand = old_codes.map(groups).astype("string")
    n_cand = cand.str.count(";").add(1).fillna(0).astype(int)
    new_code = pd.Series(pd.NA, index=idx, dtype="string")
    method = pd.Series(pd.NA, index=idx, dtype="string")
    single = n_cand == 1
    new_code[single] = cand[single]
    method[single] = "full"
    method[(n_cand == 0) & old_codes.notna()] = "unknown_code"
    split = n_cand > 1
    method[split] = "split_unresolved"
    if split.any() and points is not None and new_communes is not None:
        pts = gpd.GeoSeries(points, index=idx)[split]
        has_pt = ~(pts.isna() | pts.is_empty)
        pts = pts[has_pt]
        if len(pts):
            polys = new_communes[["commune_code", "geometry"]].reset_index(drop=True)
            left = gpd.GeoDataFrame({"row": pts.index}, geometry=pts.values, crs=polys.crs)
            hits = gpd.sjoin(left, polys, how="inner", predicate="intersects")
            hits["ok"] = [
                c in cand[r].split(";") for r, c in zip(hits["row"], hits["commune_code"])
            ]
            hits = hits[hits["ok"]]
            n_hits = hits.groupby("row").size()
            unique = hits[hits["row"].isin(n_hits[n_hits == 1].index)]
            new_code[unique["row"].values] = unique["commune_code"].values
            method[unique["row"].values] = "location"
    cand = cand.where(split, pd.NA)
    return Conversion(new_code, method, cand)
