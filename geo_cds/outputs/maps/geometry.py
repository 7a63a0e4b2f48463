"""The map's geometry encoding: compact integer rings, label points, simplified communes.

Coordinates travel to the page as integers of 1e-5 degree (about 1 m), delta-encoded per ring;
``geo_cds_map.js`` decodes them with the same :data:`SCALE`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

SCALE = 100_000  # 5 decimals of a degree, about 1 m


def _polygons(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every polygon inside ``geoms`` (make_valid can return collections of collections) and
    the index of the geometry it came from; a geometry's nested polygons come after its own."""
    parts, owner = shapely.get_parts(geoms, return_index=True)
    polygons, owners = [], []
    while len(parts):
        kind = shapely.get_type_id(parts)
        polygons.append(parts[kind == 3])
        owners.append(owner[kind == 3])
        nested = np.isin(kind, (6, 7))  # MultiPolygon, GeometryCollection: one level down
        parts, inner = shapely.get_parts(parts[nested], return_index=True)
        owner = owner[nested][inner]
    polygons, owners = np.concatenate(polygons), np.concatenate(owners)
    # the geometries' order, then the order of their parts
    order = np.argsort(owners, kind="stable")
    return polygons[order], owners[order]


def encode_many(geoms) -> list[list[list[list[int]]]]:
    """Each (Multi)Polygon of ``geoms`` as ``[polygon][ring] -> flat delta-encoded ints``.

    All rings are encoded in one vectorised pass: coordinates rounded to 1e-5 degree, a ring's
    closing point dropped (Leaflet closes rings itself), points equal to the one before after
    rounding dropped, then each point as its difference to the previous one (the first point
    as it is). Rings shorter than 3 points after that are dropped (they would draw nothing),
    and so are polygons left without rings.
    """
    geoms = np.asarray(geoms, dtype=object)
    out: list[list] = [[] for _ in range(len(geoms))]
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return out
    polygons, owner = _polygons(geoms[ok])
    owner = np.flatnonzero(ok)[owner]
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    ints, ring = shapely.get_coordinates(rings, return_index=True)
    ints = np.round(ints * SCALE).astype(np.int64)
    n = np.bincount(ring, minlength=len(rings))
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    last = start + n - 1
    keep = np.ones(len(ints), dtype=bool)
    closed = (n > 1) & (ints[start] == ints[last]).all(axis=1)
    keep[last[closed]] = False
    same = np.zeros(len(ints), dtype=bool)
    same[1:] = (ints[1:] == ints[:-1]).all(axis=1)
    same[start] = False  # the first point of a ring is compared with nothing
    keep &= ~same
    ints, ring = ints[keep], ring[keep]
    deltas = np.diff(ints, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    n = np.bincount(ring, minlength=len(rings))
    first = np.concatenate([[0], np.cumsum(n)[:-1]])[n > 0]
    deltas[first] = ints[first]
    flat = deltas.ravel().tolist()
    ends = np.cumsum(2 * n).tolist()
    polygon_rings: list[list] = [[] for _ in range(len(polygons))]
    begin = 0
    for r, (end, count) in enumerate(zip(ends, n.tolist())):
        if count >= 3:
            polygon_rings[ring_polygon[r]].append(flat[begin:end])
        begin = end
    for i, rs in zip(owner.tolist(), polygon_rings):
        if rs:
            out[i].append(rs)
    return out


def encode_polygons(geom) -> list[list[list[int]]]:
    """A (Multi)Polygon as ``[polygon][ring] -> flat delta-encoded ints`` (see
    :func:`encode_many`)."""
    return encode_many([geom])[0]


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


def without_small_holes(geoms, min_area: float) -> np.ndarray:
    """Each geometry's polygons as one MultiPolygon, holes of area ``min_area`` or less
    dropped (parts that are not polygons too)."""
    geoms = np.asarray(geoms, dtype=object)
    out = np.array([shapely.MultiPolygon()] * len(geoms), dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not ok.any():
        return out
    polygons, owner = _polygons(geoms[ok])
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    shell = np.ones(len(rings), dtype=bool)
    shell[1:] = ring_polygon[1:] != ring_polygon[:-1]  # a polygon's first ring is its shell
    keep = shell | (shapely.area(shapely.polygons(rings)) > min_area)
    rebuilt = shapely.polygons(rings[keep], indices=ring_polygon[keep])
    found = np.array([shapely.MultiPolygon()] * int(ok.sum()), dtype=object)
    out[ok] = shapely.multipolygons(rebuilt, indices=owner, out=found)
    return out


def round_geoms(geoms: np.ndarray) -> np.ndarray:
    return shapely.transform(geoms, lambda c: np.round(c, 5))


def commune_geometry(source: np.ndarray, tolerance: float,
                     coarse_tolerance: float | None) -> tuple[dict, np.ndarray]:
    """The communes' encoded rings (``geom``; ``geom_coarse`` with a coarse tolerance, else
    None), their label points (``label``) and their simplified geometry."""
    geoms = simplify_communes(source, tolerance)
    coarse = None
    if coarse_tolerance:
        # Drawn only while a pixel is wider than the tolerance, so neighbours simplified
        # independently cannot show a visible gap; coverage_simplify barely reduces these
        # not-quite-matching boundaries (452k -> 400k vertices), plain simplify does (-> 90k).
        simple = shapely.simplify(geoms, coarse_tolerance, preserve_topology=True)
        lost = shapely.is_empty(simple)
        simple[lost] = geoms[lost]
        coarse = encode_many(simple)
    return {"geom": encode_many(geoms), "geom_coarse": coarse,
            "label": label_points(geoms)}, geoms


def province_outlines(geoms: np.ndarray, groups: Mapping[object, np.ndarray],
                      tolerance: float, coarse_tolerance: float | None) -> dict:
    """Each group's (province's) union of ``geoms``, holes under ~1 km² dropped, encoded:
    ``name`` (the group keys as text), ``geom``, ``geom_coarse``, ``label``."""
    # Outlines are drawn thick at province zoom: a coarser geometry is enough and much faster.
    base = shapely.simplify(geoms, max(tolerance, 0.001), preserve_topology=True)
    # GEOS releases the GIL: two provinces united at a time (national: ~15% less wall time on
    # a busy 2-core machine, the same CPU time, the same outlines)
    with ThreadPoolExecutor(2) as pool:
        unions = list(pool.map(shapely.union_all, [base[idx] for idx in groups.values()]))
    outlines = without_small_holes(unions, 1e-4)
    coarse = None
    if coarse_tolerance:
        coarse = encode_many(shapely.simplify(outlines, coarse_tolerance, preserve_topology=True))
    return {"name": [str(name) for name in groups], "geom": encode_many(outlines),
            "geom_coarse": coarse, "label": label_points(outlines)}
