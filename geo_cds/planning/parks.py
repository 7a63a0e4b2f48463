"""5G for industrial parks, clusters and economic zones, sized to the area each still lacks.

Distances and areas in the metric CRS of the caller (see :mod:`geo_cds.planning.interventions`,
whose column names and cost helpers this module shares).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.labels import label, number
from geo_cds.plan import Costs, Plan
from geo_cds.planning.interventions import (
    INTERVENTION_ID,
    KIND,
    KIND_5G,
    N_SERVED,
    NEW_SITE,
    NEW_SITES_5G,
    PARK_IDS,
    POP_SERVED,
    SITE_ID_USED,
    SITES_UPGRADED,
    SIZING_NOTE,
    UNCOVERED_HA,
    VILLAGE_IDS,
    split_by_weight,
    to_vnd,
)
from geo_cds.planning.ledger import carry_costs

# A park whose uncovered area is larger than this is flagged: sizing it as a whole assumes
# 5G is wanted everywhere in it (an economic zone of tens of thousands of ha is mostly not
# built up).
LARGE_ZONE_HA = 2000.0

SITE_OPERATOR = "site_operator"  # the upgraded sites' operators, ";"-separated

PARK_COLUMNS = [
    s.PROVINCE_CODE, s.PARK_ID, s.PARK_NAME, s.PARK_KIND, s.TARGET_5G_YEAR, INTERVENTION_ID,
    UNCOVERED_HA, SITES_UPGRADED, NEW_SITES_5G, SITE_ID_USED, SITE_OPERATOR, NEW_SITE,
    "site_distance_km", s.COST_VND, s.IN_BUDGET, SIZING_NOTE,
]

def park_upgrades(
    parks: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame | None,
    costs: Costs,
    *,
    radius_km: float | None = None,
    lang: str = "vi",
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """5G for the industrial parks with a 5G gap, sized to the area each still lacks.

    A park needs ``ceil(uncovered ha / reach ha)`` sites (at least one), where the uncovered
    area is its area × (1 − ``area_share_5g``; the whole area when unknown) and a site's
    reach is a disc of ``radius_km`` (default ``costs.site_radius_5g_km``: 5G at 3.5 GHz
    reaches far less than a rural 4G macro cell). It upgrades the existing sites without 5G
    within that reach, nearest first, and gets new 4G/5G sites for the rest
    (``new_4g_site_usd + upgrade_5g_usd`` each). Parks needing one site that reach the same
    existing site share its upgrade (one intervention, cost split equally in ``per_park``).
    A park whose uncovered area exceeds :data:`LARGE_ZONE_HA` is flagged (``sizing_note``):
    the whole uncovered area was assumed to need 5G, where usually only its built-up or
    industrial sub-zones do — give those as park polygons to size the plan to them.

    Parameters
    ----------
    parks : GeoDataFrame
        The parks **with** a 5G gap, metric CRS, with ``park_id`` (and ``area_share_5g``).
    sites : GeoDataFrame or None
        Existing sites, same CRS, with ``site_id`` and ``technologies``.
    costs : Costs
        ``upgrade_5g_usd`` and ``new_4g_site_usd``.
    radius_km : float
        How far a 5G site reaches (5G mid-band).
    lang : {"vi", "en"}
        Language of ``sizing_note``.

    Returns
    -------
    upgrades : GeoDataFrame
        One row per intervention (metric CRS): ``intervention_id`` ("G0001", …), ``kind``
        ("5g_upgrade"), ``cost_vnd``, ``n_villages`` (0), ``population_served`` (0),
        ``village_ids`` (""), ``park_ids``, ``site_id`` (the upgraded sites, ``;``-separated;
        None when only new sites), ``new_site`` (any new site), ``sites_upgraded``,
        ``new_sites_5g``, geometry (the upgraded sites and a point inside the park for new
        ones).
    per_park : DataFrame
        Indexed like ``parks``: ``intervention_id``, ``site_id``, ``new_site``,
        ``site_distance_km`` (nearest upgraded site), ``cost_vnd`` (its share),
        ``uncovered_ha``, ``sites_upgraded``, ``new_sites_5g``, ``sizing_note``.
    """
    radius = costs.site_radius_5g_km if radius_km is None else radius_km
    crs = parks.crs
    n = len(parks)
    cols = {INTERVENTION_ID: pd.Series([], dtype=str), KIND: pd.Series([], dtype=str),
            s.COST_VND: pd.Series([], dtype="int64"), N_SERVED: pd.Series([], dtype="int64"),
            POP_SERVED: pd.Series([], dtype="int64"), VILLAGE_IDS: pd.Series([], dtype=str),
            PARK_IDS: pd.Series([], dtype=str), SITE_ID_USED: pd.Series([], dtype=object),
            NEW_SITE: pd.Series([], dtype=bool), SITES_UPGRADED: pd.Series([], dtype="int64"),
            NEW_SITES_5G: pd.Series([], dtype="int64")}
    per = pd.DataFrame({INTERVENTION_ID: pd.Series([None] * n, dtype=object),
                        SITE_ID_USED: pd.Series([None] * n, dtype=object),
                        SITE_OPERATOR: pd.Series([None] * n, dtype=object),
                        NEW_SITE: False, "site_distance_km": np.nan,
                        s.COST_VND: np.zeros(n, dtype=np.int64), UNCOVERED_HA: np.nan,
                        SITES_UPGRADED: np.zeros(n, dtype=np.int64),
                        NEW_SITES_5G: np.zeros(n, dtype=np.int64),
                        SIZING_NOTE: pd.Series([""] * n, dtype=object)}, index=parks.index)
    if n == 0:
        return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=crs), crs=crs), per
    park_geoms = np.asarray(parks.geometry.values, dtype=object)
    share = pd.to_numeric(parks[s.area_share("5g")], errors="coerce").fillna(0.0) \
        .clip(0, 1).to_numpy() if s.area_share("5g") in parks else np.zeros(n)
    uncovered_ha = shapely.area(park_geoms) / 1e4 * (1.0 - share)
    reach_ha = np.pi * radius ** 2 * 100.0
    needed = np.maximum(1, np.ceil(uncovered_ha / reach_ha - 1e-9)).astype(np.int64)

    # existing sites without 5G within reach of each park, nearest first
    cand_pts = np.zeros(0, dtype=object)
    cand_ids = np.zeros(0, dtype=object)
    cand_ops = np.zeros(0, dtype=object)
    in_reach: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    if sites is not None and len(sites):
        tech = sites[s.TECHNOLOGIES].astype(str).str.upper() if s.TECHNOLOGIES in sites \
            else pd.Series("", index=sites.index)
        cand = sites[~tech.str.contains("5G").to_numpy()]
        if len(cand):
            cand_pts = np.asarray(cand.geometry.values, dtype=object)
            cand_ids = cand[s.SITE_ID].astype(str).to_numpy() if s.SITE_ID in cand \
                else cand.index.astype(str).to_numpy()
            ops = cand[s.OPERATOR] if s.OPERATOR in cand else pd.Series(None, index=cand.index)
            cand_ops = ops.map(lambda x: "" if pd.isna(x) else
                               s.OPERATORS.get(s.operator_key(x), str(x))).to_numpy(dtype=object)
            pi, si = shapely.STRtree(cand_pts).query(park_geoms, predicate="dwithin",
                                                     distance=radius * 1000.0)
            d = shapely.distance(park_geoms[pi], cand_pts[si])
            for p_, s_, d_ in sorted(zip(pi, si, d, strict=True), key=lambda x: (x[0], x[2])):
                in_reach[p_].append((float(d_), int(s_)))
    park_ids = parks[s.PARK_ID].astype(str).to_numpy()
    upgrade_vnd = int(to_vnd(costs.upgrade_5g_usd, costs))
    new_vnd = int(to_vnd(costs.new_4g_site_usd + costs.upgrade_5g_usd, costs))
    rows: list[dict] = []
    used: set[int] = set()

    def add(members: np.ndarray, upgraded: list[int], new: int, where) -> None:
        iid = f"G{len(rows) + 1:04d}"
        cost = len(upgraded) * upgrade_vnd + new * new_vnd
        points = [cand_pts[k] for k in upgraded] + ([where] if new else [])
        rows.append({INTERVENTION_ID: iid, KIND: KIND_5G, s.COST_VND: cost, N_SERVED: 0,
                     POP_SERVED: 0, VILLAGE_IDS: "", PARK_IDS: ";".join(park_ids[members]),
                     SITE_ID_USED: ";".join(cand_ids[upgraded]) if upgraded else None,
                     NEW_SITE: new > 0, SITES_UPGRADED: len(upgraded), NEW_SITES_5G: new,
                     "geometry": points[0] if len(points) == 1 else shapely.multipoints(points)})
        per.loc[parks.index[members], INTERVENTION_ID] = iid
        per.loc[parks.index[members], SITE_ID_USED] = rows[-1][SITE_ID_USED]
        per.loc[parks.index[members], SITE_OPERATOR] = \
            ";".join(cand_ops[upgraded]) if upgraded else None
        per.loc[parks.index[members], s.COST_VND] = split_by_weight(cost, np.ones(len(members)))
        used.update(upgraded)

    single = np.flatnonzero(needed == 1)
    nearest = {p_: in_reach[p_][0][1] for p_ in single if in_reach[p_]}
    for site in sorted(set(nearest.values())):  # one shared upgrade per existing site
        add(np.array([p_ for p_ in single if nearest.get(p_) == site]), [site], 0, None)
    for p_ in np.flatnonzero(needed > 1):  # larger parks: their own sites
        mine = [k for _, k in in_reach[p_] if k not in used][:needed[p_]]
        add(np.array([p_]), mine, int(needed[p_] - len(mine)),
            shapely.point_on_surface(park_geoms[p_]))
    for p_ in single:
        if p_ not in nearest:  # no site in reach: a new one inside the park
            add(np.array([p_]), [], 1, shapely.point_on_surface(park_geoms[p_]))

    upgrades = gpd.GeoDataFrame(rows, geometry="geometry", crs=crs)
    for col in (s.COST_VND, SITES_UPGRADED, NEW_SITES_5G):
        upgrades[col] = upgrades[col].astype(np.int64)
    by_id = upgrades.set_index(INTERVENTION_ID)
    per[SITES_UPGRADED] = per[INTERVENTION_ID].map(by_id[SITES_UPGRADED]).astype(np.int64)
    per[NEW_SITES_5G] = per[INTERVENTION_ID].map(by_id[NEW_SITES_5G]).astype(np.int64)
    per[NEW_SITE] = per[NEW_SITES_5G] > 0
    per[UNCOVERED_HA] = np.round(uncovered_ha, 1)
    per["site_distance_km"] = [in_reach[p_][0][0] / 1000.0 if in_reach[p_] else np.nan
                               for p_ in range(n)]
    large = uncovered_ha > LARGE_ZONE_HA
    per.loc[parks.index[large], SIZING_NOTE] = [
        label("note", "large_zone", lang, ha=number(uncovered_ha[p_], lang),
              reach=number(reach_ha, lang), km=radius, n=needed[p_])
        for p_ in np.flatnonzero(large)]
    return upgrades, per


def parks_due(upgrades: pd.DataFrame, parks: pd.DataFrame | None, plan: Plan) -> np.ndarray:
    """Per 5G intervention: is the earliest 5G target year of its parks due by the plan's
    reference year? (A park without its own year takes the plan's park target year.)"""
    if not len(upgrades):
        return np.zeros(0, dtype=bool)
    default = next((float(t.year) for t in plan.targets if t.id == "park_5g"), np.nan)
    year = {}
    if parks is not None and len(parks):
        years = pd.to_numeric(parks[s.TARGET_5G_YEAR], errors="coerce") \
            if s.TARGET_5G_YEAR in parks else pd.Series(np.nan, index=parks.index)
        year = dict(zip(parks[s.PARK_ID].astype(str), years.fillna(default), strict=True))
    first = [min(year.get(p, default) for p in str(ids).split(";")) for ids in upgrades[PARK_IDS]]
    return np.asarray(first, dtype=float) <= plan.reference_year


def parks_table(parks: pd.DataFrame | None, per_park: pd.DataFrame, upgrades: pd.DataFrame,
                funded: np.ndarray) -> pd.DataFrame:
    """One row per park with a 5G gap (:data:`PARK_COLUMNS`), funded ones first; an
    intervention shared by parks is costed once, on the first of them (the ledger's rule)."""
    if parks is None or not len(parks):
        return pd.DataFrame(columns=PARK_COLUMNS)
    pk = pd.DataFrame(parks.drop(columns="geometry")).join(per_park)
    funded_by_id = dict(zip(upgrades[INTERVENTION_ID], funded, strict=True))
    pk[s.IN_BUDGET] = pk[INTERVENTION_ID].map(funded_by_id).astype(bool)
    pk = pk.sort_values(s.IN_BUDGET, ascending=False, kind="stable")
    pk[s.COST_VND], _ = carry_costs(
        pk[INTERVENTION_ID].tolist(),
        dict(zip(upgrades[INTERVENTION_ID], upgrades[s.COST_VND], strict=True)))
    for col in PARK_COLUMNS:
        if col not in pk:
            pk[col] = pd.NA
    return pk[PARK_COLUMNS].reset_index(drop=True)
