"""Administrative codes and their two vintages (before and since 1 July 2025).

On 1 July 2025, 10,035 communes became 3,321 and 63 provinces became 34. 3,316 of the new
codes equal the code of one of the old communes merged into them, so a table keyed by old
codes joins "cleanly" to the 2025 boundaries and is silently wrong. This module

* loads the official lists of both vintages and the official old → new table (shipped in
  ``geo_cds/data``, see ``PROVENANCE.md``);
* detects the vintage of a set of codes (:func:`detect_vintage`), with the evidence;
* converts old codes of point-like rows (villages) to 2025 (:func:`convert_codes`): full merges
  directly, split communes by location among the candidate new communes, otherwise refused;
* cross-walks old-vintage polygons onto 2025 communes by area (:func:`crosswalk_polygons`) and
  checks the result against the official table (:func:`check_crosswalk`);
* converts commune-keyed tables to 2025 (:func:`convert_table`): counts summed (split by area
  share), shares recomputed from counts, each row saying which method it used.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo_cds.errors import CodeError

DATA = Path(__file__).resolve().parent.parent / "data"

VINTAGES = ("2025", "pre2025")
# Distinct codes, all valid in 2025, that make a table's vintage 2025 (see detect_vintage).
MIN_CODES_2025 = 5


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
def old_to_new() -> pd.DataFrame:
    """The official old → new commune table (10,599 rows).

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
    from geo_cds.inputs.tables import normalise_header

    key = normalise_header(name)
    for prefix in ("xa_", "phuong_", "thi_tran_", "dac_khu_", "thi_xa_"):
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


# --------------------------------------------------------------------------------------------
# Vintage detection


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
    new = set(units_2025()["commune_code"])
    old = set(units_pre2025()["commune_code"]) | set(old_to_new()["old_code"])
    distinct = set(codes.dropna().astype(str))
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
        import geopandas as gpd

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


# --------------------------------------------------------------------------------------------
# Crosswalk of old-vintage polygons and commune-keyed tables


def crosswalk_polygons(
    old,
    new,
    old_code: str = "commune_code",
    new_code: str = "commune_code",
    min_share: float = 0.001,
) -> pd.DataFrame:
    """Area-weighted overlay of old-vintage commune polygons onto 2025 communes.

    Areas are computed in a metric CRS (the UTM zone, 48N or 49N, of the data's centre).

    Parameters
    ----------
    old, new : GeoDataFrame
        Old and 2025 polygons, any CRS (reprojected here), with code columns.
    min_share : float
        Pieces smaller than this share of their old commune are dropped as slivers (the
        boundaries of the two vintages come from different surveys).

    Returns
    -------
    DataFrame
        One row per (old, new) pair: ``old_code``, ``new_code``, ``area_km2`` of the piece,
        ``share_of_old`` (0..1, summing to 1 per old commune after slivers are dropped),
        ``share_of_new``.
    """
    import geopandas as gpd

    from geo_cds.inputs.crs import metric_crs

    if old.crs is None or new.crs is None:
        raise CodeError("crosswalk: both layers need a CRS")
    metric = metric_crs(new)
    a = gpd.GeoDataFrame(
        {"old_code": old[old_code].astype("string").values},
        geometry=old.geometry.values,
        crs=old.crs,
    ).to_crs(metric)
    b = gpd.GeoDataFrame(
        {"new_code": new[new_code].astype("string").values},
        geometry=new.geometry.values,
        crs=new.crs,
    ).to_crs(metric)
    a["geometry"] = a.geometry.make_valid()
    b["geometry"] = b.geometry.make_valid()
    pieces = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    out = pieces.groupby(["old_code", "new_code"], as_index=False)["area"].sum()
    old_area = out.groupby("old_code")["area"].transform("sum")
    out["share_of_old"] = out["area"] / old_area
    out = out[out["share_of_old"] >= min_share].copy()
    out["share_of_old"] = out["area"] / out.groupby("old_code")["area"].transform("sum")
    out["share_of_new"] = out["area"] / out.groupby("new_code")["area"].transform("sum")
    out["area_km2"] = out["area"] / 1e6
    return out[["old_code", "new_code", "area_km2", "share_of_old", "share_of_new"]].reset_index(
        drop=True
    )


def check_crosswalk(xwalk: pd.DataFrame, min_share: float = 0.05) -> pd.DataFrame:
    """Compare an area crosswalk with the official old → new table; list every disagreement.

    Parameters
    ----------
    xwalk : DataFrame
        From :func:`crosswalk_polygons`.
    min_share : float
        A piece counts as "the old commune went (partly) into this new one" when it holds at
        least this share of the old commune.

    Returns
    -------
    DataFrame
        One row per disagreement: ``old_code``, ``problem`` (``"not_in_official_table"``,
        ``"missing_target"`` — the table names a new commune the overlay does not reach,
        ``"extra_target"`` — the overlay puts a substantial part in a commune the table does
        not name), ``official`` (the table's targets), ``overlay`` (targets with shares).
    """
    table = old_to_new()
    official = {k: set(v) for k, v in table.groupby("old_code")["new_code"]}
    main = xwalk[xwalk["share_of_old"] >= min_share]
    overlay = {k: set(v) for k, v in main.groupby("old_code")["new_code"]}
    shares = xwalk.groupby("old_code").apply(
        lambda g: "; ".join(
            f"{c} {s:.0%}" for c, s in zip(g["new_code"], g["share_of_old"]) if s >= 0.005
        ),
        include_groups=False,
    )
    rows = []
    for code, targets in overlay.items():
        if code not in official:
            rows.append((code, "not_in_official_table", "", shares.get(code, "")))
            continue
        off = official[code]
        for t in sorted(off - targets):
            rows.append((code, "missing_target", ";".join(sorted(off)), shares.get(code, "")))
            break
        for t in sorted(targets - off):
            rows.append((code, "extra_target", ";".join(sorted(off)), shares.get(code, "")))
            break
    return pd.DataFrame(rows, columns=["old_code", "problem", "official", "overlay"])


def convert_table(
    table: pd.DataFrame,
    code: str = "commune_code",
    counts=(),
    shares=None,
    weights: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert a commune-keyed table of the pre-2025 vintage to 2025 communes.

    Parameters
    ----------
    table : DataFrame
        One row per old commune; ``code`` holds the old 5-digit code.
    counts : sequence of str
        Count columns (population, households, villages…): summed into the new communes. An
        old commune split between new ones contributes ``count × share_of_old`` to each.
    shares : dict, optional
        ``{share column: (numerator count, denominator count)}``: shares are recomputed from
        the converted counts, never averaged.
    weights : DataFrame, optional
        Area crosswalk from :func:`crosswalk_polygons` (old boundaries given): used to split the
        old communes divided between several new ones. Without it such rows are refused.

    Returns
    -------
    converted : DataFrame
        One row per new commune: ``commune_code``, the counts, the shares, ``n_old`` (old
        communes contributing), ``old_codes`` and ``method`` (``"full"`` when every
        contribution was a full merge, ``"area_share"`` when some was split by area).
    refused : DataFrame
        Old rows that could not be converted: ``old_code``, ``reason``, ``candidates``.
    """
    counts = list(counts)
    shares = dict(shares or {})
    t = table.copy()
    t["_old"] = t[code].astype("string")
    mapping = old_to_new()[["old_code", "new_code", "n_new"]]
    m = t.merge(mapping, left_on="_old", right_on="old_code", how="left")
    refused = []
    unknown = m["new_code"].isna()
    for c in m.loc[unknown, "_old"].unique():
        refused.append((c, "not an old commune code in the official table", ""))
    m = m[~unknown].copy()
    m["factor"] = 1.0
    m["method"] = "full"
    split = m["n_new"] > 1
    if split.any():
        if weights is not None:
            w = weights[["old_code", "new_code", "share_of_old"]]
            m = m.merge(w, on=["old_code", "new_code"], how="left")
            split = m["n_new"] > 1
            # An official target the overlay does not reach gets nothing; an old commune with
            # no overlay at all is refused.
            covered = m[split].groupby("old_code")["share_of_old"].transform("count")
            bad_old = set(m.loc[split][covered == 0]["old_code"])
            m.loc[split, "factor"] = m.loc[split, "share_of_old"].fillna(0.0)
            total = m[split].groupby("old_code")["factor"].transform("sum")
            m.loc[split, "factor"] = m.loc[split, "factor"] / total.where(total > 0, 1.0)
            m.loc[split, "method"] = "area_share"
            for c in sorted(bad_old):
                cands = ";".join(sorted(mapping[mapping["old_code"] == c]["new_code"]))
                refused.append(
                    (
                        c,
                        ("split between new communes and the old boundaries do not cover it"),
                        cands,
                    )
                )
            m = m[~m["old_code"].isin(bad_old)]
        else:
            for c in sorted(m.loc[split, "old_code"].unique()):
                cands = ";".join(sorted(mapping[mapping["old_code"] == c]["new_code"]))
                refused.append(
                    (
                        c,
                        (
                            "split between several new communes: give the old "
                            "boundaries (--old-boundaries) to allocate by area share"
                        ),
                        cands,
                    )
                )
            m = m[~split]
    for col in counts:
        m[col] = pd.to_numeric(m[col], errors="coerce") * m["factor"]
    grouped = m.groupby("new_code")
    out = grouped[counts].sum(min_count=1) if counts else pd.DataFrame(index=grouped.size().index)
    out["n_old"] = grouped["old_code"].nunique()
    out["old_codes"] = grouped["old_code"].agg(lambda s: ";".join(sorted(set(s))))
    out["method"] = grouped["method"].agg(
        lambda s: "area_share" if (s == "area_share").any() else "full"
    )
    for name, (num, den) in shares.items():
        out[name] = out[num] / out[den].where(out[den] > 0)
    out = out.reset_index().rename(columns={"new_code": "commune_code"})
    names = units_2025().set_index("commune_code")["commune_name"]
    out.insert(1, "commune_name", out["commune_code"].map(names))
    refused_df = pd.DataFrame(refused, columns=["old_code", "reason", "candidates"])
    return out, refused_df


def approximate_old_communes(new, code: str = "commune_code"):
    """Approximate pre-2025 commune polygons from 2025 ones (for tests and benchmarks).

    Each 2025 commune is split among the centroids of the old units merged into it (official
    old → new table, ``units_pre2025`` centroids): Voronoi cells clipped to the commune. An old
    commune split between several new ones gets one piece in each. The pieces tile the 2025
    communes exactly. They are **approximate**: label them so wherever shown.

    Parameters
    ----------
    new : GeoDataFrame
        2025 communes (any CRS) with their code in ``code``.

    Returns
    -------
    GeoDataFrame
        ``old_code``, ``new_code``, ``approximate`` (True), geometry — in ``new``'s CRS, one
        row per (old, new) piece; old units whose centroid falls in no cell (duplicate
        centroids) get no piece.
    """
    import geopandas as gpd
    import shapely

    table = old_to_new()
    cent = units_pre2025().drop_duplicates("commune_code").set_index("commune_code")
    members = table[table["old_code"].isin(cent.index)].groupby("new_code")["old_code"].agg(list)
    new = new.to_crs("EPSG:4326") if new.crs is not None else new
    rows_code, rows_new, rows_geom = [], [], []
    for new_code, geom in zip(new[code].astype(str), new.geometry):
        olds = members.get(new_code, [])
        if geom is None or geom.is_empty or not olds:
            continue
        if len(olds) == 1:
            rows_code.append(olds[0]), rows_new.append(new_code), rows_geom.append(geom)
            continue
        pts = shapely.points(cent.loc[olds, "lon"].to_numpy(), cent.loc[olds, "lat"].to_numpy())
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=geom)
        )
        tree = shapely.STRtree(cells)
        pi, ci = tree.query(pts, predicate="intersects")
        seen = set()
        for p, c in zip(pi, ci):
            if c in seen:
                continue
            seen.add(c)
            piece = shapely.intersection(cells[c], geom)
            if not piece.is_empty:
                rows_code.append(olds[p]), rows_new.append(new_code), rows_geom.append(piece)
    return gpd.GeoDataFrame(
        {
            "old_code": pd.array(rows_code, dtype="string"),
            "new_code": pd.array(rows_new, dtype="string"),
            "approximate": True,
        },
        geometry=rows_geom,
        crs="EPSG:4326",
    )
