"""The point-in-commune pairs of the join, asked commune by commune, against brute force.

``join._containers`` asks each commune (a prepared polygon) for the points it holds instead
of asking each point for its communes. Oracles: every (point, commune) pair tested with
``shapely.intersects`` (brute force), and the order of the plain per-point query (for a point
in several overlapping communes the first is the one named in messages).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from geo_cds.analysis.join import _containers, _Metric

# Overlapping boxes, a concave commune and a commune with a hole: points on edges and
# vertices (grid coordinates) are common.
COMMUNES = np.array([box(0, 0, 4, 4), box(3, 0, 8, 4), box(0, 3, 8, 8),
                     Polygon([(8, 0), (12, 0), (12, 8), (10, 8), (10, 2), (8, 2)]),
                     Polygon([(12, 0), (16, 0), (16, 8), (12, 8)],
                             [[(13, 3), (15, 3), (15, 5), (13, 5)]])])


def _geometry(c):
    """None, a point, or (a cell with a flag) a village drawn as a small square or a 3D
    point: those go through geometries, the plain points through their coordinates."""
    if c is None:
        return None
    if len(c) == 3:
        return box(c[0] - 0.5, c[1] - 0.5, c[0] + 0.5, c[1] + 0.5) if c[2] else Point(*c)
    return Point(*c)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.tuples(st.integers(-1, 17), st.integers(-1, 9)),
                          st.tuples(st.floats(-1, 17), st.floats(-1, 9)),
                          st.tuples(st.integers(-1, 17), st.integers(-1, 9), st.booleans()),
                          st.just((8.0, 2.0)), st.just((10.0, 8.0))),
                max_size=40))
def test_pairs_and_their_order_are_the_per_point_querys(cells):
    pts = np.array([_geometry(c) for c in cells], dtype=object)
    located = np.array([c is not None for c in cells], dtype=bool)
    tree = shapely.STRtree(COMMUNES)
    metric = _Metric(gpd.GeoSeries(pts, crs=32648), 32648)
    pt_idx, poly_idx = _containers(tree, COMMUNES, metric, located)
    brute = {(i, k) for i in np.flatnonzero(located) for k in range(len(COMMUNES))
             if shapely.intersects(pts[i], COMMUNES[k])}
    assert set(zip(pt_idx.tolist(), poly_idx.tolist())) == brute
    assert len(pt_idx) == len(brute)
    a, b = tree.query(pts[located], predicate="intersects")
    assert pt_idx.tolist() == np.flatnonzero(located)[a].tolist()
    assert poly_idx.tolist() == b.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.tuples(st.floats(102, 110), st.floats(8, 23)),
                          st.tuples(st.floats(102, 110), st.floats(8, 23), st.booleans())),
                max_size=20))
def test_metric_geometries_are_to_crs(cells):
    # peer oracle: geopandas' to_crs, for points (built from projected coordinates), squares,
    # 3D points, empty points and missing geometries
    geoms = [_geometry(c) for c in cells] + [Point(), None]
    g = gpd.GeoSeries(geoms, crs=4326)
    metric = _Metric(g, 32648)
    got = metric.take(np.arange(len(g)))
    want = g.to_crs(32648).to_numpy()
    assert [w is None for w in want] == [x is None for x in got]
    same = [w is None or shapely.equals_exact(w, x, tolerance=0) for w, x in zip(want, got)]
    assert all(same)
