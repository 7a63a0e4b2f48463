"""The spatial building blocks of the interventions (:mod:`geo_cds.planning.interventions`):
the candidate edges of a Euclidean minimum spanning tree, each village's nearest point of the
served network, and the greedy set cover that places new sites.
"""

from __future__ import annotations

import heapq

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.spatial import Delaunay, QhullError, cKDTree


def _unique_rows(xy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``np.unique(xy, axis=0, return_index=True, return_inverse=True)`` for (n, 2) floats:
    the distinct points sorted by x then y, each one's first row, and each row's point."""
    order = np.lexsort((xy[:, 1], xy[:, 0]))  # stable: equal points keep their row order
    s = xy[order]
    new = np.ones(len(s), dtype=bool)
    new[1:] = (s[1:, 0] != s[:-1, 0]) | (s[1:, 1] != s[:-1, 1])
    inverse = np.empty(len(xy), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return s[new], order[new], inverse


def candidate_edges(xy: np.ndarray, max_len: float) -> tuple[np.ndarray, np.ndarray]:
    """Edges that can be in the Euclidean minimum spanning tree, no longer than ``max_len``.

    The Euclidean MST is a subgraph of the Delaunay triangulation, so its edges are enough
    (≈ 3n instead of n²/2). Points sharing a location are triangulated once and joined to
    that location's first point by a zero-length edge; tiny or collinear sets use every
    pair (or, when large, every pair within ``max_len``).
    """
    n = len(xy)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0)
    uniq, first, inverse = _unique_rows(xy)
    edges = None
    if len(uniq) > 8:
        try:
            simp = Delaunay(uniq).simplices.astype(np.int64)
            e = np.vstack([simp[:, [0, 1]], simp[:, [1, 2]], simp[:, [0, 2]]])
            e.sort(axis=1)
            key = np.unique(e[:, 0] * len(uniq) + e[:, 1])  # the rows of e, sorted, once each
            edges = first[np.column_stack([key // len(uniq), key % len(uniq)])]
        except QhullError:  # all points on a line
            edges = None
    if edges is None:
        if len(uniq) > 3000:
            pairs = cKDTree(uniq).query_pairs(max_len, output_type="ndarray")
            edges = first[np.asarray(pairs, dtype=np.int64).reshape(-1, 2)]
        else:
            i, j = np.triu_indices(len(uniq), k=1)
            edges = first[np.column_stack([i, j])]
    dup = np.flatnonzero(first[inverse] != np.arange(n))
    if len(dup):
        edges = np.vstack([edges, np.column_stack([first[inverse[dup]], dup])])
    length = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    keep = length <= max_len
    return edges[keep], length[keep]


def nearest_network(pts: np.ndarray, xy: np.ndarray, net: np.ndarray, net_xy: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each village's distance to the nearest of ``net`` (geometries) and ``net_xy`` (points),
    and which one it is: an index into ``net_xy`` or ``net`` (-1 in the other).

    The distance to a point is computed as GEOS computes it (``sqrt(dx² + dy²)``), so it does
    not matter which of the two finds it; at an exact tie the point is taken."""
    n = len(pts)
    d_net = np.full(n, np.inf)
    near_xy, near_geom = np.full(n, -1), np.full(n, -1)
    ok = np.isfinite(xy).all(axis=1)
    if len(net_xy) and ok.any():
        _, k = cKDTree(net_xy, balanced_tree=False, compact_nodes=False).query(xy[ok])
        dx, dy = xy[ok, 0] - net_xy[k, 0], xy[ok, 1] - net_xy[k, 1]
        d_net[ok], near_xy[ok] = np.sqrt(dx * dx + dy * dy), k
    if len(net):
        (qi, ti), dist = shapely.STRtree(net).query_nearest(pts, return_distance=True,
                                                            all_matches=False)
        closer = dist < d_net[qi]
        qi, ti = qi[closer], ti[closer]
        d_net[qi], near_geom[qi], near_xy[qi] = dist[closer], ti, -1
    return d_net, near_xy, near_geom


def greedy_cover(ind: np.ndarray, ptr: np.ndarray, off: np.ndarray, pop: np.ndarray
                 ) -> tuple[list[int], np.ndarray]:
    """Greedy set cover, evaluated lazily (a candidate's gain never grows).

    Candidate ``c`` covers the items ``ind[ptr[c]:ptr[c + 1]]`` (CSR rows; the candidates are
    the items themselves). The candidate covering the most uncovered items is taken next;
    ties go to ``off == 0`` (a location on the grid), then to more people (``pop``: at first
    the candidate's own, after a re-count the people it would newly cover), then to the
    lower index. A popped candidate whose gain has fallen is re-queued with its gain now.

    Returns
    -------
    chosen : list of int
        The candidates taken, in order.
    assigned : array of int
        Per item, the position in ``chosen`` of the candidate that covered it (-1: none).
    """
    n = len(ptr) - 1
    indl, ptrl = ind.tolist(), ptr.tolist()
    covered = [False] * n
    assigned = [-1] * n
    gain = np.diff(ptr)
    # plain Python numbers in the keys: tuples of them compare several times faster
    heap = list(zip((-gain).tolist(), np.asarray(off).tolist(), (-pop).tolist(), range(n),
                    strict=True))
    heapq.heapify(heap)
    chosen: list[int] = []
    left = n
    while left and heap:
        neg, o, _negpop, c = heapq.heappop(heap)
        new = [j for j in indl[ptrl[c]:ptrl[c + 1]] if not covered[j]]
        if not new:
            continue
        if len(new) != -neg:  # stale: re-queue with its current gain
            heapq.heappush(heap, (-len(new), o, -float(pop[new].sum()), c))
            continue
        k = len(chosen)
        for j in new:
            covered[j] = True
            assigned[j] = k
        chosen.append(c)
        left -= len(new)
    return chosen, np.asarray(assigned, dtype=np.int64)


# --- the same greedy cover without the neighbour lists --------------------------------------
# A million villages with 300,000 of them without 4G hold 130 million pairs within reach (20 GB
# as the lists above); the kernel keeps only the points sorted by grid cell. It is compiled at
# install (``python -m geo_cds.planning.prepare``), so it serves every instance it can.


def cover_within(xy: np.ndarray, radius: float, off: np.ndarray, pop: np.ndarray
                 ) -> tuple[list[int], np.ndarray]:
    """:func:`greedy_cover` where candidate ``c`` covers the points within ``radius`` of it
    (the candidates are the points ``xy`` themselves).

    Whole populations (people counts) go to the numba kernel
    :func:`geo_cds.planning._cover_kernel.grid_cover`, which takes the same candidates in the
    same order without storing the pairs; others build the neighbour lists
    (``cKDTree.query_pairs``) for :func:`greedy_cover`.
    """
    n = len(xy)
    pop = np.asarray(pop, dtype=float)
    whole = bool(np.all(np.isfinite(pop)) and np.all(pop == np.round(pop))
                 and np.abs(pop).sum() < 2 ** 52)
    if n and whole and np.isfinite(xy).all():
        return kernel_cover(xy, radius, off, pop)
    pairs = cKDTree(xy).query_pairs(radius, output_type="ndarray").reshape(-1, 2)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    cover = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    cover.sort_indices()
    return greedy_cover(cover.indices, cover.indptr, off, pop)


def kernel_cover(xy: np.ndarray, radius: float, off: np.ndarray, pop: np.ndarray
                 ) -> tuple[list[int], np.ndarray]:
    """:func:`cover_within` by the numba kernel (whole, finite populations; any size)."""
    from geo_cds.planning._cover_kernel import grid_cover  # numba, only when needed

    chosen, assigned = grid_cover(*_grid(xy, radius), float(radius) * float(radius),
                                  np.asarray(off, dtype=np.int64), np.round(pop).astype(np.int64))
    return chosen.tolist(), assigned


def _grid(xy: np.ndarray, radius: float, per_reach: int = 4):
    """The points sorted by grid column, then row, then index, for the kernel: x and y in
    that order, each one's original index, row and column, where each column's points start, the
    grid's origin and cell side (``radius / per_reach``), and the pad the kernel searches
    the cells with (rounding of the cells and of the distances, generously)."""
    x, y = xy[:, 0], xy[:, 1]
    x0, y0 = float(x.min()), float(y.min())
    size = float(radius) / per_reach if radius > 0 else 1.0
    # at most a million columns whatever the reach (a tiny reach over a country would
    # otherwise index billions of empty columns; larger cells only widen what is tested)
    size = max(size, float(x.max() - x0) / 1_000_000)
    col = np.floor((x - x0) / size).astype(np.int64)
    row = np.floor((y - y0) / size).astype(np.int64)
    order = np.lexsort((row, col))  # stable: equal cells keep the points' order
    colstart = np.searchsorted(col[order], np.arange(int(col.max()) + 2)).astype(np.int64)
    scale = max(float(np.abs(xy).max()), float(radius), size)
    return (np.ascontiguousarray(x[order]), np.ascontiguousarray(y[order]), order,
            np.ascontiguousarray(row[order]).astype(np.float64), col[order], colstart, x0, y0,
            size, scale * 1e-7)
