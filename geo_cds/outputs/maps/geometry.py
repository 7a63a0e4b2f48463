"""The map's geometry encoding: compact integer rings, label points, simplified communes.

Coordinates travel to the page as integers of 1e-5 degree (about 1 m), delta-encoded per ring;
``geo_cds_map.js`` decodes them with the same :data:`SCALE`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

SCALE = 100_000  # 5 decimals of a degree, about 1 m


def _encode_ring(coords: np.ndarray) -> list[int]:
    ints = np.round(coords[:, :2] * SCALE).astype(np.int64)
    if len(ints) > 1 and (ints[0] == ints[-1]).all():
        ints = ints[:-1]  # Leaflet closes rings itself
    deltas = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    # Points that became equal after rounding add nothing but bytes.
    keep = np.ones(len(deltas), dtype=bool)
    keep[1:] = (deltas[1:] != 0).any(axis=1)
    if keep.sum() < len(keep):
        ints = ints[keep]
        deltas = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return deltas.ravel().tolist()


def _polygon_parts(geom) -> list:
    """Polygons inside any geometry (make_valid can return collections of collections)."""
    if geom.geom_type == "Polygon":
        return [geom]
    if hasattr(geom, "geoms"):
        return [p for g in geom.geoms for p in _polygon_parts(g)]
    return []


def encode_polygons(geom) -> list[list[list[int]]]:
    """A (Multi)Polygon as ``[polygon][ring] -> flat delta-encoded ints``.

    Rings shorter than 3 distinct points after rounding are dropped (they would draw nothing).
    """
    if geom is None or geom.is_empty:
        return []
    out = []
    for part in _polygon_parts(geom):
        rings = [_encode_ring(np.asarray(part.exterior.coords))]
        rings += [_encode_ring(np.asarray(r.coords)) for r in part.interiors]
        rings = [r for r in rings if len(r) >= 6]
        if rings:
            out.append(rings)
    return out


def decode_ring(flat: Sequence[int]) -> np.ndarray:
    """Inverse of the ring encoding: ``(n, 2)`` lon/lat array (for tests and tools)."""
    arr = np.asarray(flat, dtype=np.int64).reshape(-1, 2)
    return np.cumsum(arr, axis=0) / SCALE


def label_points(geoms: np.ndarray) -> list[list[int]]:
    """Where to write each polygon's name: ``[x, y, r]`` in degrees x 1e5.

    ``(x, y)`` is the centre of the largest circle inside the polygon (it stays inside a
    crescent, where a centroid would not) and ``r`` that circle's radius: the map writes a name
    only when the zoom gives it room.
    """
    geoms = np.asarray(geoms, dtype=object)
    out = [[0, 0, 0]] * len(geoms)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if ok.any():
        # ~100 m: finer than a label needs, and fast for 3,321 national communes.
        radius_lines = shapely.maximum_inscribed_circle(geoms[ok], 0.001)
        start = shapely.get_point(radius_lines, 0)
        xy = shapely.get_coordinates(start)
        r = shapely.length(radius_lines)
        values = np.column_stack([xy, r])
        values = np.round(values * SCALE).astype(np.int64).tolist()
        for i, v in zip(np.flatnonzero(ok), values):
            out[i] = v
    return out


def simplify_communes(geoms: np.ndarray, tolerance: float) -> np.ndarray:
    """Simplify commune polygons without opening gaps between neighbours.

    ``shapely.coverage_simplify`` moves shared edges together; it needs GEOS ≥ 3.12, and falls
    back to per-polygon topology-preserving simplification otherwise.
    """
    if tolerance <= 0:
        return geoms
    geoms = shapely.make_valid(geoms)
    try:
        out = shapely.coverage_simplify(geoms, tolerance)
    except (AttributeError, shapely.errors.GEOSException, ValueError):
        out = shapely.simplify(geoms, tolerance, preserve_topology=True)
    # A polygon simplified away keeps its original shape rather than vanishing.
    lost = shapely.is_empty(out) | ~shapely.is_valid(out)
    out[lost] = geoms[lost]
    return out


def round_geoms(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, 5))
