"""The point-in-commune pairs of the join, asked commune by commune, against brute force.

``join._containers`` asks each commune (a prepared polygon) for the points it holds instead
of asking each point for its communes. Oracles: every (point, commune) pair tested with
``shapely.intersects`` (brute force), and the order of the plain per-point query (for a point
in several overlapping communes the first is the one named in messages).
"""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from geo_cds.analysis.join import _containers

# Overlapping boxes, a concave commune and a commune with a hole: points on edges and
# vertices (grid coordinates) are common.
COMMUNES = np.array([box(0, 0, 4, 4), box(3, 0, 8, 4), box(0, 3, 8, 8),
                     Polygon([(8, 0), (12, 0), (12, 8), (10, 8), (10, 2), (8, 2)]),
                     Polygon([(12, 0), (16, 0), (16, 8), (12, 8)],
                             [[(13, 3), (15, 3), (15, 5), (13, 5)]])])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.none(), st.tuples(st.integers(-1, 17), st.integers(-1, 9)),
                          st.tuples(st.floats(-1, 17), st.floats(-1, 9))), max_size=40))
def test_pairs_and_their_order_are_the_per_point_querys(cells):
    pts = np.array([None if c is None else Point(*c) for c in cells], dtype=object)
    located = np.array([c is not None for c in cells], dtype=bool)
    tree = shapely.STRtree(COMMUNES)
    pt_idx, poly_idx = _containers(tree, COMMUNES, pts, located)
    brute = {(i, k) for i in np.flatnonzero(located) for k in range(len(COMMUNES))
             if shapely.intersects(pts[i], COMMUNES[k])}
    assert set(zip(pt_idx.tolist(), poly_idx.tolist())) == brute
    assert len(pt_idx) == len(brute)
    a, b = tree.query(pts[located], predicate="intersects")
    assert pt_idx.tolist() == np.flatnonzero(located)[a].tolist()
    assert poly_idx.tolist() == b.tolist()
