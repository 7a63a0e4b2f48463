"""Costed interventions that close the gaps: fibre routes, new 4G sites, 5G upgrades.

Every distance is computed in a metric CRS (UTM 48N/49N, :func:`geo_cds.inputs.crs.metric_crs`);
every cost comes from :class:`geo_cds.plan.Costs` (USD, converted to VND at
``costs.usd_to_vnd`` and rounded to whole VND). Each function takes layers already in the
metric CRS and returns layers in that CRS; :func:`geo_cds.planning.priority.plan_investments` does the
projection and brings the results back to EPSG:4326.

- **Fibre extension** (:func:`fibre_routes`): a minimum spanning tree over the villages
  without fibre plus a virtual root joined to each of them by its distance to the served
  network (fibre-served villages, fibre nodes or cables). Each subtree hanging from the root
  is one route: villages close to each other share it whenever that is shorter than
  separate spurs, which the spanning tree guarantees. A new segment longer than
  ``costs.fibre_max_segment_km`` (route length, after the route factor) is not built; a
  village that can only be reached through such a segment is flagged not feasible by fibre.
- **New 4G site** (:func:`site_cover`): greedy set cover over candidate sites placed at the
  villages without coverage; a candidate covers the villages within ``costs.site_radius_km``.
  A site at a village without grid power carries an off-grid power system.
- **5G for parks** (:func:`geo_cds.planning.parks.park_upgrades`): each industrial park with a
  5G gap gets as many sites as its uncovered area needs at a 5G site's reach, upgrading the
  existing sites without 5G within reach first and building new ones for the rest; very
  large zones are flagged.

A shared route or site is split among the villages it serves by population, in whole VND
that add up exactly to the intervention's cost.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order, connected_components, minimum_spanning_tree

from geo_cds import schema as s
from geo_cds.plan import Costs
from geo_cds.planning.spatial import candidate_edges, cover_within, nearest_network

# Kinds of intervention (the ``kind`` column of the interventions layer).
KIND_SITE = "new_4g_site"
KIND_ROUTE = "fibre_route"
KIND_5G = "5g_upgrade"
KINDS = (KIND_SITE, KIND_ROUTE, KIND_5G)

# What a village needs (``schema.INTERVENTION`` values, ";"-joined in the priority list).
FIBRE_EXTENSION = "fibre_extension"
NEW_4G_SITE = "new_4g_site"
UPGRADE_5G = "5g_upgrade"
POWER_FIRST = "power_first"

INTERVENTION_ID = "intervention_id"
KIND = "kind"
LENGTH_KM = "length_km"
N_SERVED = "n_villages"
POP_SERVED = "population_served"
VILLAGE_IDS = "village_ids"
PARK_IDS = "park_ids"
NEW_SITE = "new_site"
SITE_ID_USED = "site_id"
OFF_GRID = "off_grid_power"
SITES_UPGRADED = "sites_upgraded"
NEW_SITES_5G = "new_sites_5g"
UNCOVERED_HA = "uncovered_ha"
SIZING_NOTE = "sizing_note"

_EPS_M = 1e-3  # csgraph treats a zero weight as "no edge"; co-located points get 1 mm


def to_vnd(usd, costs: Costs) -> np.ndarray:
    """USD → whole VND (int64) at ``costs.usd_to_vnd``."""
    return np.rint(np.asarray(usd, dtype=float) * costs.usd_to_vnd).astype(np.int64)


def split_by_weight(total: int, weights) -> np.ndarray:
    """Split a whole-VND ``total`` in proportion to ``weights``; the parts add up exactly.

    Largest-remainder rounding; equal parts when every weight is zero.
    """
    w = np.asarray(weights, dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    if len(w) == 0:
        return np.zeros(0, dtype=np.int64)
    if w.sum() == 0:
        w = np.ones_like(w)
    exact = total * w / w.sum()
    parts = np.floor(exact).astype(np.int64)
    short = int(total - parts.sum())
    if short > 0:
        parts[np.argsort(-(exact - parts), kind="stable")[:short]] += 1
    return parts


def split_groups(totals, weights, group: np.ndarray) -> np.ndarray:
    """:func:`split_by_weight` of ``totals[g]`` over the items of each group ``g`` at once
    (``group[i]`` is item ``i``'s group; ties go to the earlier item, as there)."""
    totals = np.asarray(totals, dtype=np.int64)
    w = np.asarray(weights, dtype=float)
    w = np.where(np.isfinite(w) & (w > 0), w, 0.0)
    n_g = len(totals)
    w = np.where(np.bincount(group, weights=w, minlength=n_g)[group] == 0, 1.0, w)
    exact = totals[group] * w / np.bincount(group, weights=w, minlength=n_g)[group]
    parts = np.floor(exact).astype(np.int64)
    short = totals - np.bincount(group, weights=parts, minlength=n_g).astype(np.int64)
    order = np.lexsort((np.arange(len(w)), -(exact - parts), group))
    start = np.searchsorted(group[order], np.arange(n_g))
    rank = np.arange(len(order)) - start[group[order]]
    parts[order[rank < short[group[order]]]] += 1
    return parts


def _members(ids: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """``;``-join of the ids of each group's items, in item order."""
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(n_groups + 1))
    listed = np.asarray(ids, dtype=object)[order].tolist()
    out = np.empty(n_groups, dtype=object)
    out[:] = [";".join(listed[a:b]) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
    return out


def _points(geoms: gpd.GeoSeries) -> np.ndarray:
    """Point geometries (a polygon village is represented by a point inside it)."""
    g = np.asarray(geoms.values, dtype=object)
    not_point = shapely.get_type_id(g) != 0
    if not_point.any():
        g = g.copy()
        g[not_point] = shapely.point_on_surface(g[not_point])
    return g


def _population(frame: pd.DataFrame) -> np.ndarray:
    return pd.to_numeric(frame[s.POPULATION], errors="coerce").fillna(0).to_numpy(float)


def _flag(frame: pd.DataFrame, column: str, default: bool = False) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), default)
    return frame[column].astype("boolean").fillna(default).to_numpy(bool)


def fibre_routes(
    villages: gpd.GeoDataFrame,
    network: gpd.GeoSeries | None,
    costs: Costs,
    *,
    network_xy: np.ndarray | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Shared fibre routes to the villages without fibre.

    Parameters
    ----------
    villages : GeoDataFrame
        The villages **without** fibre, in a metric CRS, with ``village_id`` and
        ``population``.
    network : GeoSeries or None
        What a route may start from, same CRS: fibre-served villages and fibre nodes or
        cables. ``None`` or empty (and no ``network_xy``): nothing is feasible.
    costs : Costs
        ``fibre_usd_per_km``, ``fibre_route_factor``, ``fibre_connection_usd`` (per village
        connected) and ``fibre_max_segment_km``.
    network_xy : array (n, 2), optional
        More points of the served network by their coordinates alone (same CRS): a
        million fibre-served villages are not turned into geometries for this.

    Returns
    -------
    routes : GeoDataFrame
        One row per route (metric CRS): ``intervention_id`` ("F0001", …), ``kind``
        ("fibre_route"), ``length_km`` (after the route factor), ``cost_vnd``,
        ``n_villages``, ``population_served``, ``village_ids`` (";"-joined), geometry
        (MultiLineString of the straight segments; the route factor stands for the detours).
    per_village : DataFrame
        Indexed like ``villages``: ``route_id`` (None when not feasible), ``link_km`` (the
        village's own new segment, route length), ``connects_to`` (village id or
        ``"network"``), ``fibre_feasible``, ``fibre_cost_vnd`` (its population share of
        the route, 0 when not feasible).
    """
    n = len(villages)
    crs = villages.crs
    ids = villages[s.VILLAGE_ID].astype(str).to_numpy()
    pop = _population(villages)
    per = pd.DataFrame(
        {"route_id": pd.Series([None] * n, dtype=object), "link_km": np.nan,
         "connects_to": pd.Series([None] * n, dtype=object), "fibre_feasible": False,
         "fibre_cost_vnd": np.zeros(n, dtype=np.int64)},
        index=villages.index,
    )
    empty = gpd.GeoDataFrame(
        {INTERVENTION_ID: pd.Series([], dtype=str), KIND: pd.Series([], dtype=str),
         LENGTH_KM: pd.Series([], dtype=float), s.COST_VND: pd.Series([], dtype="int64"),
         N_SERVED: pd.Series([], dtype="int64"), POP_SERVED: pd.Series([], dtype="int64"),
         VILLAGE_IDS: pd.Series([], dtype=str)},
        geometry=gpd.GeoSeries([], crs=crs), crs=crs,
    )
    net = np.zeros(0, dtype=object) if network is None else \
        np.asarray(network.values, dtype=object)
    net = net[~(shapely.is_missing(net) | shapely.is_empty(net))]
    net_xy = np.zeros((0, 2)) if network_xy is None else np.asarray(network_xy, dtype=float)
    net_xy = net_xy[np.isfinite(net_xy).all(axis=1)]
    if n == 0 or len(net) + len(net_xy) == 0:
        return empty, per

    pts = _points(villages.geometry)
    xy = shapely.get_coordinates(pts)
    factor = costs.fibre_route_factor
    max_straight = costs.fibre_max_segment_km * 1000.0 / factor

    # Distance to the served network (its nearest point: a node, a served village, a cable).
    d_net, near_xy, near_geom = nearest_network(pts, xy, net, net_xy)

    root = n
    edges, length = candidate_edges(xy, max_straight)
    reach = np.flatnonzero(d_net <= max_straight)
    rows = np.concatenate([edges[:, 0], reach])
    cols = np.concatenate([edges[:, 1], np.full(len(reach), root)])
    w = np.concatenate([length, d_net[reach]]) + _EPS_M
    graph = coo_matrix((w, (rows, cols)), shape=(n + 1, n + 1)).tocsr()
    mst = minimum_spanning_tree(graph)
    mst = (mst + mst.T).tocsr()
    order, pred = breadth_first_order(mst, root, directed=False, return_predecessors=True)
    feasible = np.zeros(n, dtype=bool)
    feasible[order[order != root]] = True
    if not feasible.any():
        return empty, per

    # Routes: the components of the tree once the virtual root is taken out.
    v = np.flatnonzero(feasible)
    parent = pred[v]
    village_edge = parent != root
    sub = coo_matrix(
        (np.ones(int(village_edge.sum())), (v[village_edge], parent[village_edge])), shape=(n, n)
    )
    _, comp = connected_components(sub, directed=False)
    link_m = np.where(village_edge, np.hypot(*(xy[v] - xy[np.where(village_edge, parent, v)]).T),
                      d_net[v])
    # Segment geometries: to the parent village, or to the nearest point of the network.
    seg = np.empty(len(v), dtype=object)
    if village_edge.any():
        a = xy[v[village_edge]]
        b = xy[parent[village_edge]]
        seg[village_edge] = shapely.linestrings(np.stack([a, b], axis=1))
    to_net = ~village_edge
    if to_net.any():  # to the nearest served point, or the nearest point of a feature
        w = v[to_net]
        by_xy = near_xy[w] >= 0
        lines = np.empty(len(w), dtype=object)
        lines[by_xy] = shapely.linestrings(np.stack([xy[w[by_xy]], net_xy[near_xy[w[by_xy]]]],
                                                    axis=1))
        lines[~by_xy] = shapely.shortest_line(pts[w[~by_xy]], net[near_geom[w[~by_xy]]])
        seg[to_net] = lines
    labels, route_of = np.unique(comp[v], return_inverse=True)
    n_routes = len(labels)
    route_ids = np.array([f"F{i + 1:04d}" for i in range(n_routes)], dtype=object)

    straight = np.bincount(route_of, weights=link_m, minlength=n_routes)
    n_vill = np.bincount(route_of, minlength=n_routes)
    route_pop = np.bincount(route_of, weights=pop[v], minlength=n_routes)
    length_km = np.round(straight * factor / 1000.0, 3)
    cost_usd = length_km * costs.fibre_usd_per_km + n_vill * costs.fibre_connection_usd
    cost_vnd = to_vnd(cost_usd, costs)

    by_route = np.argsort(route_of, kind="stable")
    share = split_groups(cost_vnd, pop[v], route_of)
    members = _members(ids[v], route_of, n_routes)
    geoms = shapely.multilinestrings(seg[by_route], indices=route_of[by_route])

    routes = gpd.GeoDataFrame(
        {INTERVENTION_ID: route_ids, KIND: KIND_ROUTE, LENGTH_KM: length_km,
         s.COST_VND: cost_vnd, N_SERVED: n_vill.astype(np.int64),
         POP_SERVED: np.rint(route_pop).astype(np.int64), VILLAGE_IDS: members},
        geometry=gpd.GeoSeries(geoms, crs=crs), crs=crs,
    )
    idx = villages.index[v]
    per.loc[idx, "route_id"] = route_ids[route_of]
    per.loc[idx, "link_km"] = link_m * factor / 1000.0
    per.loc[idx, "connects_to"] = np.where(village_edge, ids[np.where(village_edge, parent, 0)],
                                           "network")
    per.loc[idx, "fibre_feasible"] = True
    per.loc[idx, "fibre_cost_vnd"] = share
    return routes, per


def site_cover(
    villages: gpd.GeoDataFrame,
    costs: Costs,
    *,
    off_grid_power_usd: float | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """New 4G sites for the villages without coverage: greedy set cover.

    Candidate sites stand at the uncovered villages themselves; a candidate covers every
    uncovered village within ``costs.site_radius_km``. The candidate covering the most
    still-uncovered villages is built first (ties: a location on the grid, then more
    people), until every village is covered — the classic greedy set cover, evaluated
    lazily (a candidate's gain never grows).

    Parameters
    ----------
    villages : GeoDataFrame
        The villages **without** 4G, metric CRS, with ``village_id``, ``population`` and
        optionally ``has_power``.
    costs : Costs
        ``new_4g_site_usd`` and ``site_radius_km``.
    off_grid_power_usd : float, optional
        Added to a site standing at a village without grid power (solar + batteries).
        Default ``costs.off_grid_power_usd``.

    Returns
    -------
    sites : GeoDataFrame
        One row per new site (metric CRS): ``intervention_id`` ("S0001", …), ``kind``
        ("new_4g_site"), ``cost_vnd``, ``n_villages``, ``population_served``,
        ``village_ids``, ``off_grid_power``, geometry (the site point).
    per_village : DataFrame
        Indexed like ``villages``: ``site_id``, ``site_distance_km``, ``site_cost_vnd``
        (its population share of the site).
    """
    n = len(villages)
    crs = villages.crs
    off_grid = costs.off_grid_power_usd if off_grid_power_usd is None else off_grid_power_usd
    per = pd.DataFrame({"site_id": pd.Series([None] * n, dtype=object),
                        "site_distance_km": np.nan,
                        "site_cost_vnd": np.zeros(n, dtype=np.int64)}, index=villages.index)
    if n == 0:
        return gpd.GeoDataFrame(
            {INTERVENTION_ID: pd.Series([], dtype=str), KIND: pd.Series([], dtype=str),
             s.COST_VND: pd.Series([], dtype="int64"), N_SERVED: pd.Series([], dtype="int64"),
             POP_SERVED: pd.Series([], dtype="int64"), VILLAGE_IDS: pd.Series([], dtype=str),
             OFF_GRID: pd.Series([], dtype=bool)},
            geometry=gpd.GeoSeries([], crs=crs), crs=crs,
        ), per
    ids = villages[s.VILLAGE_ID].astype(str).to_numpy()
    pop = _population(villages)
    powered = _flag(villages, s.HAS_POWER, default=True)
    pts = _points(villages.geometry)
    xy = shapely.get_coordinates(pts)
    radius = costs.site_radius_km * 1000.0

    chosen, assigned = cover_within(xy, radius, np.where(powered, 0, 1), pop)

    site = np.asarray(chosen, dtype=np.int64)
    k = len(site)
    n_vill = np.bincount(assigned, minlength=k)
    site_pop = np.bincount(assigned, weights=pop, minlength=k)
    needs_power = ~powered[site]
    cost_vnd = to_vnd(costs.new_4g_site_usd + np.where(needs_power, off_grid, 0.0), costs)
    site_ids = np.array([f"S{i + 1:04d}" for i in range(k)], dtype=object)
    share = split_groups(cost_vnd, pop, assigned)
    members = _members(ids, assigned, k)
    sites = gpd.GeoDataFrame(
        {INTERVENTION_ID: site_ids, KIND: KIND_SITE, s.COST_VND: cost_vnd,
         N_SERVED: n_vill.astype(np.int64), POP_SERVED: np.rint(site_pop).astype(np.int64),
         VILLAGE_IDS: members, OFF_GRID: needs_power, "at_village_id": ids[site]},
        geometry=gpd.GeoSeries(pts[site], crs=crs), crs=crs,
    )
    per["site_id"] = site_ids[assigned]
    per["site_distance_km"] = np.hypot(*(xy - xy[site[assigned]]).T) / 1000.0
    per["site_cost_vnd"] = share
    return sites, per
