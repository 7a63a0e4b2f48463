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
from geo_cds.geom import has_location
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
    code_index = pd.Series(np.arange(len(communes)), index=communes[s.COMMUNE_CODE].to_numpy())
    coded = codes.map(code_index).to_numpy(dtype=float)  # commune row of the code, NaN if unknown
    known = ~np.isnan(coded)
    located = has_location(villages.geometry)

    crs = metric_crs(communes)
    polys_m = communes.geometry.to_crs(crs).to_numpy()
    pts_m = villages.geometry.to_crs(crs).to_numpy()

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
        dist_coded[check] = shapely.distance(pts_m[check], polys_m[coded[check].astype(int)])
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
    unknown = ~known
    for i in np.flatnonzero(unknown):
        given = codes.iloc[i]
        what = f"commune code {given!r} is not a commune of the boundaries" if given else \
            "the commune code is empty"
        if not located[i]:
            reject_reason[i] = (f"{what} and the village has no location",
                                "give a valid 2025 commune code or coordinates", s.COMMUNE_CODE)
            continue
        containers = poly_idx[pt_idx == i]
        if len(containers) == 0:  # the nearest commune within the tolerance (first on ties)
            nearest = tree.query_nearest(pts_m[i], max_distance=tolerance_m)
            if len(nearest):
                containers = np.array([int(nearest.min())])
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


def _containers(tree: shapely.STRtree, polys_m, pts_m, located) -> tuple[np.ndarray, np.ndarray]:
    """(point, commune) pairs where the located point lies in or on the commune, in the order
    ``tree.query(points, predicate="intersects")`` gives them.

    Each commune is asked once for the points it holds (a prepared polygon answers many
    points fast) instead of each point asking the communes; the few points in several
    communes (neighbours overlap) are asked again the usual way, for the order of their
    communes (the first one is named in messages).
    """
    idx = np.flatnonzero(located)
    poly_idx, j = shapely.STRtree(pts_m[idx]).query(polys_m, predicate="intersects")
    pt_idx = idx[j]
    n = np.bincount(pt_idx, minlength=len(pts_m))
    several = n[pt_idx] > 1
    if several.any():
        again = np.flatnonzero(n > 1)
        a, b = tree.query(pts_m[again], predicate="intersects")
        pt_idx = np.concatenate([pt_idx[~several], again[a]])
        poly_idx = np.concatenate([poly_idx[~several], b])
    order = np.argsort(pt_idx, kind="stable")
    return pt_idx[order], poly_idx[order]


def _where(i, first_container, pts_m, tree, ccode, cname) -> str:
    c = first_container[i]
    if c < 0:
        c = int(tree.query_nearest(pts_m[i])[0])
        return f"outside every commune, nearest {ccode[c]} {cname[c]}"
    c = int(c)
    return f"in {ccode[c]} {cname[c]}"


def _row(rows: list | None, i: int) -> int:
    return int(rows[i]) if rows is not None else i + 1


def _id(ids: list | None, i: int) -> str | None:
    v = ids[i] if ids is not None else None
    return None if pd.isna(v) else str(v)
