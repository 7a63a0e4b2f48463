"""Join villages to communes by location, cross-checked against each village's commune code.

The commune boundaries are simplified (about 50 m) and neighbours have small gaps and
overlaps, so a village is accepted for its coded commune when its point lies inside it or
within ``tolerance_m`` of it. A point that lies clearly in another commune contradicts its
code: which of the two is wrong cannot be known, so the row is rejected with both facts
rather than silently moved. A village with no (or an unknown) code is placed by location
with a warning; a village with neither a known code nor a location is rejected.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.geom import has_location, plain_points, projected_points
from geo_cds.inputs.crs import metric_crs
from geo_cds.problems import ProblemLog


def join_villages(
    villages: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    *,
    tolerance_m: float,
    file: str,
    log: ProblemLog,
) -> gpd.GeoDataFrame:
    """Return the villages that belong to a commune, each with ``join_status``.

    Parameters
    ----------
    villages, communes
        Canonical layers in EPSG:4326 (``villages`` keeps ``source_row`` for messages).
    tolerance_m
        How far outside its coded commune a point may lie (simplified boundaries, coast).
    file, log
        Where problems are reported; rejected rows are left out of the result.
    """
    villages = villages.copy()
    codes = villages[s.COMMUNE_CODE].astype("str").where(villages[s.COMMUNE_CODE].notna(), None)
    # the commune row of each code, NaN if unknown (what codes.map(row by code) gives)
    row = pd.Index(communes[s.COMMUNE_CODE].to_numpy()).get_indexer(codes)
    coded = np.where(row >= 0, row, np.nan)
    known = ~np.isnan(coded)
    located = has_location(villages.geometry)

    crs = metric_crs(communes)
    polys_m = communes.geometry.to_crs(crs).to_numpy()
    pts_m = _Metric(villages.geometry, crs)

    # Every commune each point falls in (overlaps between neighbours give several).
    tree = shapely.STRtree(polys_m)
    pt_idx, poly_idx = _containers(tree, polys_m, pts_m, located)
    inside_coded = np.zeros(len(villages), dtype=bool)
    same = coded[pt_idx] == poly_idx
    inside_coded[pt_idx[same]] = True
    first_container = np.full(len(villages), -1)
    first_container[pt_idx[::-1]] = poly_idx[::-1]

    near_coded = np.zeros(len(villages), dtype=bool)
    dist_coded = np.full(len(villages), np.nan)  # metres from a point to its coded commune
    check = located & known & ~inside_coded
    if check.any():
        dist_coded[check] = shapely.distance(pts_m.take(np.flatnonzero(check)),
                                             polys_m[coded[check].astype(int)])
        near_coded[check & (dist_coded <= tolerance_m)] = True

    status = np.full(len(villages), "ok", dtype=object)
    status[near_coded] = "near_boundary"
    assigned = coded.copy()
    reject_reason: dict[int, tuple[str, str, str | None]] = {}

    # The communes' and villages' values that messages name, read once (not a row each).
    ccode = communes[s.COMMUNE_CODE].tolist()
    cname = communes[s.COMMUNE_NAME].tolist()
    rows = villages["source_row"].tolist() if "source_row" in villages else None
    ids = villages[s.VILLAGE_ID].tolist() if s.VILLAGE_ID in villages else None

    # Known code, located clearly elsewhere: contradiction.
    for i in np.flatnonzero(located & known & ~inside_coded & ~near_coded):
        c = int(coded[i])
        where = _where(i, first_container, pts_m, tree, ccode, cname)
        dist_km = dist_coded[i] / 1000
        reject_reason[i] = (
            f"the point lies {where}, {dist_km:.1f} km outside its coded commune "
            f"{ccode[c]} {cname[c]}",
            "correct the commune code or the coordinates (which one is wrong cannot be told)",
            s.COMMUNE_CODE,
        )

    # Unknown or missing code: place by location when unambiguous.
    unknown = np.flatnonzero(~known)
    given_codes = codes.to_numpy(dtype=object)[unknown].tolist()
    # each unknown point's communes: its run of the (point-sorted) pairs
    lo = np.searchsorted(pt_idx, unknown, side="left")
    hi = np.searchsorted(pt_idx, unknown, side="right")
    nearest = _nearest_within(tree, pts_m, unknown[located[unknown] & (lo == hi)], tolerance_m)
    for i, given, a, b in zip(unknown.tolist(), given_codes, lo.tolist(), hi.tolist(),
                              strict=True):
        what = f"commune code {given!r} is not a commune of the boundaries" if given else \
            "the commune code is empty"
        if not located[i]:
            reject_reason[i] = (f"{what} and the village has no location",
                                "give a valid 2025 commune code or coordinates", s.COMMUNE_CODE)
            continue
        containers = poly_idx[a:b]
        if len(containers) == 0 and i in nearest:  # the nearest within the tolerance
            containers = np.array([nearest[i]])
        if len(containers) == 1:
            c = int(containers[0])
            assigned[i] = containers[0]
            status[i] = "placed_by_location"
            log.add(file=file, layer="villages", row=_row(rows, i),
                    feature_id=_id(ids, i), column=s.COMMUNE_CODE,
                    problem=f"{what}; placed by its location in {ccode[c]} {cname[c]}",
                    fix="check the code and write the 2025 code into the table",
                    severity="warning")
        elif len(containers) > 1:
            names = ", ".join(ccode[int(c)] for c in containers)
            reject_reason[i] = (f"{what} and the point lies on the border of {names}",
                                "give the village's 2025 commune code", s.COMMUNE_CODE)
        else:
            reject_reason[i] = (f"{what} and the point lies outside every commune "
                                f"(more than {tolerance_m:.0f} m away)",
                                "check the coordinates (lon/lat order, CRS) or the code",
                                "geometry")

    for i, (problem, fix, column) in reject_reason.items():
        log.add(file=file, layer="villages", row=_row(rows, i), feature_id=_id(ids, i),
                column=column, problem=problem, fix=fix)
    keep = np.ones(len(villages), dtype=bool)
    keep[list(reject_reason)] = False
    villages[s.COMMUNE_CODE] = pd.array(
        np.where(np.isnan(assigned), None,
                 communes[s.COMMUNE_CODE].to_numpy()[np.nan_to_num(assigned).astype(int)]),
        dtype="str",
    )
    villages[s.JOIN_STATUS] = np.where(located, status, "no_location")
    return villages[keep].reset_index(drop=True)


class _Metric:
    """The villages' geometries in the metric CRS, as ``geoms.to_crs(crs)`` gives them, the
    plain 2D points kept as coordinates (:func:`geo_cds.geom.projected_points`: the same
    numbers) and made geometries only when asked for (``take``): building a million points
    costs more than the rest of the join."""

    def __init__(self, geoms: gpd.GeoSeries, crs):
        g = np.asarray(geoms.array, dtype=object)
        self.plain = plain_points(g)
        xy, rest = projected_points(geoms, crs)
        self.xy = np.full((len(g), 2), np.nan)
        self.xy[self.plain] = xy
        self.geoms = np.full(len(g), None, dtype=object)
        self.geoms[~self.plain] = rest.to_numpy()

    def take(self, idx: np.ndarray) -> np.ndarray:
        """The geometries of rows ``idx`` (points built from the coordinates)."""
        out = self.geoms[idx]
        plain = self.plain[idx]
        if plain.any():
            out[plain] = shapely.points(self.xy[idx[plain]])
        return out


def _containers(tree: shapely.STRtree, polys_m, pts_m: _Metric, located
                ) -> tuple[np.ndarray, np.ndarray]:
    """(point, commune) pairs where the located point lies in or on the commune, in the order
    ``tree.query(points, predicate="intersects")`` gives them.

    Each commune is asked once for the points in its bounding box (``intersects_xy`` on the
    coordinates: no point geometry built; other geometries through a tree of them) instead
    of each point asking the communes; the few points in several communes (neighbours
    overlap) are asked again the usual way, for the order of their communes (the first one
    is named in messages).
    """
    plain = np.flatnonzero(located & pts_m.plain)
    other = np.flatnonzero(located & ~pts_m.plain)
    pts, polys = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if len(plain):
        x, y = pts_m.xy[plain, 0], pts_m.xy[plain, 1]
        by_x = np.argsort(x, kind="stable")
        xs = x[by_x]
        for k, (x0, y0, x1, y1) in enumerate(shapely.bounds(polys_m).tolist()):
            if not np.isfinite(x0):  # an empty commune holds nothing
                continue
            cand = by_x[np.searchsorted(xs, x0, "left"):np.searchsorted(xs, x1, "right")]
            cy = y[cand]
            cand = cand[(cy >= y0) & (cy <= y1)]
            hit = cand[shapely.intersects_xy(polys_m[k], x[cand], y[cand])]
            pts.append(plain[hit])
            polys.append(np.full(len(hit), k, dtype=np.int64))
    if len(other):
        poly_k, j = shapely.STRtree(pts_m.geoms[other]).query(polys_m, predicate="intersects")
        pts.append(other[j])
        polys.append(poly_k.astype(np.int64))
    pt_idx, poly_idx = np.concatenate(pts), np.concatenate(polys)
    n = np.bincount(pt_idx, minlength=len(located))
    several = n[pt_idx] > 1
    if several.any():
        again = np.flatnonzero(n > 1)
        a, b = tree.query(pts_m.take(again), predicate="intersects")
        pt_idx = np.concatenate([pt_idx[~several], again[a]])
        poly_idx = np.concatenate([poly_idx[~several], b])
    order = np.argsort(pt_idx, kind="stable")
    return pt_idx[order], poly_idx[order]


def _nearest_within(tree: shapely.STRtree, pts_m: _Metric, idx: np.ndarray,
                    tolerance_m: float) -> dict[int, int]:
    """Point ``i`` (of ``idx``) → the nearest commune within ``tolerance_m`` (the first of
    those at the same distance); points with none are left out."""
    if not len(idx):
        return {}
    q, t = tree.query_nearest(pts_m.take(idx), max_distance=tolerance_m)
    first = np.full(len(idx), np.iinfo(np.int64).max)
    np.minimum.at(first, q, t)
    found = first < np.iinfo(np.int64).max
    return dict(zip(idx[found].tolist(), first[found].tolist(), strict=True))


def _where(i, first_container, pts_m, tree, ccode, cname) -> str:
    c = first_container[i]
    if c < 0:
        c = int(tree.query_nearest(pts_m.take(np.array([i]))[0])[0])
        return f"outside every commune, nearest {ccode[c]} {cname[c]}"
    c = int(c)
    return f"in {ccode[c]} {cname[c]}"


def _row(rows: list | None, i: int) -> int:
    return int(rows[i]) if rows is not None else i + 1


def _id(ids: list | None, i: int) -> str | None:
    v = ids[i] if ids is not None else None
    return None if pd.isna(v) else str(v)
