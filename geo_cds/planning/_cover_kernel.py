"""The site cover's greedy for large, dense instances, compiled by numba (imported only when
an instance needs it: :func:`geo_cds.planning.spatial.cover_within`).

The points are held sorted by grid column, then row (:func:`geo_cds.planning.spatial._grid`),
so what lies near a point or a cell is read from a few contiguous runs of the coordinates.
A chosen site's reach is one run per column the disc touches, narrowed to the disc's extent
over the column. Gains change a cell at a time: a point reaching every corner of a cell (with
a pad against rounding) gains or loses the cell's newly covered points at once, one beyond
reach none; only the points in between are tested pair by pair (``dx² + dy² <= r²``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _less(a_g, a_off, a_q, a_c, b_g, b_off, b_q, b_c):  # pragma: no cover - numba
    """Tuple order of the heap keys (-gain, off, -people, candidate)."""
    if a_g != b_g:
        return a_g < b_g
    if a_off != b_off:
        return a_off < b_off
    if a_q != b_q:
        return a_q < b_q
    return a_c < b_c


@njit(cache=True)
def _sift_up(hg, ho, hq, hc, j):  # pragma: no cover - numba
    """Move heap entry ``j`` up to its place (the heap's keys in four parallel arrays)."""
    while j > 0:
        parent = (j - 1) // 2
        if not _less(hg[j], ho[j], hq[j], hc[j], hg[parent], ho[parent], hq[parent],
                     hc[parent]):
            return
        hg[j], hg[parent] = hg[parent], hg[j]
        ho[j], ho[parent] = ho[parent], ho[j]
        hq[j], hq[parent] = hq[parent], hq[j]
        hc[j], hc[parent] = hc[parent], hc[j]
        j = parent


@njit(cache=True)
def _runs(p, xs, ys, row, colstart, x0, y0, size, r2, pad, lo_out, hi_out):
    # pragma: no cover - numba
    """The runs of sorted positions holding every point within reach of point ``p`` (and a
    few more): one per column the disc touches, its rows narrowed to the disc's extent over
    the column, widened by ``pad`` against rounding. Their number; bounds to the outputs."""
    px, py = xs[p], ys[p]
    wide = np.sqrt(r2) + pad
    ncols = len(colstart) - 1
    c_lo = max(int(np.floor((px - wide - x0) / size)), 0)
    c_hi = min(int(np.floor((px + wide - x0) / size)), ncols - 1)
    k = 0
    for c in range(c_lo, c_hi + 1):
        a, b = colstart[c], colstart[c + 1]
        if a == b:
            continue
        left = x0 + c * size
        d = max(left - px, px - (left + size), 0.0)  # x-distance to the column
        d = max(d - pad, 0.0)
        h = np.sqrt(max(wide * wide - d * d, 0.0))  # the disc's half height over the column
        rows = row[a:b]
        i = a + np.searchsorted(rows, np.floor((py - h - y0) / size), side="left")
        j = a + np.searchsorted(rows, np.floor((py + h - y0) / size), side="right")
        if i < j:
            lo_out[k] = i
            hi_out[k] = j
            k += 1
    return k


@njit(cache=True)
def _reach(p, xs, ys, row, colstart, x0, y0, size, r2, pad, lo, hi, out):
    # pragma: no cover - numba
    """The points (sorted positions) within reach of point ``p``, in no particular order:
    their number, the positions written to ``out``."""
    px, py = xs[p], ys[p]
    k = 0
    for s in range(_runs(p, xs, ys, row, colstart, x0, y0, size, r2, pad, lo, hi)):
        for q in range(lo[s], hi[s]):
            ex = xs[q] - px
            ey = ys[q] - py
            if ex * ex + ey * ey <= r2:
                out[k] = q
                k += 1
    return k


@njit(cache=True)
def _add_cell(qs, sign, xs, ys, row, col, colstart, x0, y0, size, r2, pad, spop, gain,
              people):  # pragma: no cover - numba
    """The points ``qs`` (sorted positions, all in one cell) counted (``sign`` 1) or no
    longer counted (-1) in ``gain`` and ``people`` of every point within reach of them.

    A point that reaches every corner of the cell (with ``pad`` to spare) reaches all of
    ``qs`` and one farther than the reach (plus ``pad``) from the cell reaches none: both
    take the cell's count at once; the points in between are tested pair by pair."""
    m = len(qs)
    w = 0
    for i in range(m):
        w += spop[qs[i]]
    bx0 = x0 + col[qs[0]] * size
    by0 = y0 + row[qs[0]] * size
    bx1, by1 = bx0 + size, by0 + size
    r = np.sqrt(r2)
    wide = r + pad
    inner = r - pad
    inner2 = inner * inner if inner > 0 else -1.0
    outer2 = wide * wide
    ncols = len(colstart) - 1
    c_lo = max(int(np.floor((bx0 - wide - x0) / size)), 0)
    c_hi = min(int(np.floor((bx1 + wide - x0) / size)), ncols - 1)
    r_lo = np.floor((by0 - wide - y0) / size)
    r_hi = np.floor((by1 + wide - y0) / size)
    for c in range(c_lo, c_hi + 1):
        a, b = colstart[c], colstart[c + 1]
        if a == b:
            continue
        rows = row[a:b]
        i = a + np.searchsorted(rows, r_lo, side="left")
        j = a + np.searchsorted(rows, r_hi, side="right")
        for t in range(i, j):
            tx, ty = xs[t], ys[t]
            fx = max(tx - bx0, bx1 - tx)
            fy = max(ty - by0, by1 - ty)
            if fx * fx + fy * fy <= inner2:  # every corner within reach: all of qs
                gain[t] += sign * m
                people[t] += sign * w
                continue
            dx = max(bx0 - tx, tx - bx1, 0.0)
            dy = max(by0 - ty, ty - by1, 0.0)
            if dx * dx + dy * dy > outer2:  # the cell out of reach: none of qs
                continue
            for k in range(m):
                q = qs[k]
                ex = xs[q] - tx
                ey = ys[q] - ty
                if ex * ex + ey * ey <= r2:
                    gain[t] += sign
                    people[t] += sign * spop[q]


@njit(cache=True)
def _cell_runs(qs, k, row, col, starts):  # pragma: no cover - numba
    """Where the runs of ``qs[:k]`` in one cell start (consecutive points of a cell):
    their number; the starts (and ``k`` after the last) written to ``starts``."""
    g = 0
    for i in range(k):
        if i == 0 or col[qs[i]] != col[qs[i - 1]] or row[qs[i]] != row[qs[i - 1]]:
            starts[g] = i
            g += 1
    starts[g] = k
    return g


@njit(cache=True)
def grid_cover(xs, ys, order, row, col, colstart, x0, y0, size, pad, r2, off,
               pop):  # pragma: no cover - numba
    """:func:`geo_cds.planning.spatial.greedy_cover` over the points within reach (``r2``:
    the reach squared), the points sorted by grid column and row (``xs``, ``ys``: their
    coordinates in that order; ``order``: their original index; ``row``: their row;
    ``col``: their column; ``colstart``: where each column's points start; cells of side ``size`` from ``x0, y0``;
    ``pad``: the margin the cells are searched with; see
    :func:`geo_cds.planning.spatial._grid`). ``off`` and ``pop`` are per original point.
    Gains and people are kept up to date as points are covered, so a popped key is stale
    exactly when its gain is no longer the candidate's gain, as in ``greedy_cover``.

    Returns the chosen candidates (original indices) in order and, per original point, the
    position in that list of the candidate covering it.
    """
    n = len(xs)
    at = np.empty(n, np.int64)  # original index -> sorted position
    at[order] = np.arange(n)
    spop = pop[order]  # people by sorted position
    gain = np.zeros(n, np.int64)
    people = np.zeros(n, np.int64)  # of the uncovered points in reach
    covered = np.zeros(n, np.bool_)
    assigned = np.full(n, -1, np.int64)
    buf = np.empty(n, np.int64)
    lo = np.empty(len(colstart), np.int64)
    hi = np.empty(len(colstart), np.int64)
    every = np.arange(n)
    starts = np.empty(n + 1, np.int64)
    for g in range(_cell_runs(every, n, row, col, starts)):  # reach is symmetric: each
        # cell's points count in the gain of every point they reach
        _add_cell(every[starts[g]:starts[g + 1]], 1, xs, ys, row, col, colstart, x0, y0, size,
                  r2, pad, spop, gain, people)
    # the heap of greedy_cover: keys (-gain, off, -people, candidate) in parallel arrays
    hg = np.empty(n, np.int64)
    ho = np.empty(n, np.int64)
    hq = np.empty(n, np.float64)
    hc = np.empty(n, np.int64)
    size_h = 0
    for c in range(n):  # pushed in candidate order: the same heap as heapify of the list
        hg[size_h], ho[size_h], hq[size_h], hc[size_h] = -gain[at[c]], off[c], -float(pop[c]), c
        _sift_up(hg, ho, hq, hc, size_h)
        size_h += 1
    chosen = np.empty(n, np.int64)
    n_chosen = 0
    left = n
    while left > 0 and size_h > 0:
        g, o, c = -hg[0], ho[0], hc[0]
        size_h -= 1  # pop: the last entry to the root, sifted down
        hg[0], ho[0], hq[0], hc[0] = hg[size_h], ho[size_h], hq[size_h], hc[size_h]
        j = 0
        while True:
            a, b, m = 2 * j + 1, 2 * j + 2, j
            if a < size_h and _less(hg[a], ho[a], hq[a], hc[a], hg[m], ho[m], hq[m], hc[m]):
                m = a
            if b < size_h and _less(hg[b], ho[b], hq[b], hc[b], hg[m], ho[m], hq[m], hc[m]):
                m = b
            if m == j:
                break
            hg[j], hg[m] = hg[m], hg[j]
            ho[j], ho[m] = ho[m], ho[j]
            hq[j], hq[m] = hq[m], hq[j]
            hc[j], hc[m] = hc[m], hc[j]
            j = m
        pc = at[c]
        if gain[pc] == 0:
            continue
        if gain[pc] != g:  # stale: re-queue with its current gain (and people)
            hg[size_h], ho[size_h], hq[size_h], hc[size_h] = -gain[pc], o, -float(people[pc]), c
            _sift_up(hg, ho, hq, hc, size_h)
            size_h += 1
            continue
        k = _reach(pc, xs, ys, row, colstart, x0, y0, size, r2, pad, lo, hi, buf)
        fresh = 0
        for i in range(k):  # in the order of the runs: the points of a cell together
            q = buf[i]
            if covered[q]:
                continue
            covered[q] = True
            assigned[order[q]] = n_chosen
            left -= 1
            buf[fresh] = q
            fresh += 1
        for g in range(_cell_runs(buf, fresh, row, col, starts)):
            # every candidate in reach of the newly covered points loses them
            _add_cell(buf[starts[g]:starts[g + 1]], -1, xs, ys, row, col, colstart, x0, y0,
                      size, r2, pad, spop, gain, people)
        chosen[n_chosen] = c
        n_chosen += 1
    return chosen[:n_chosen], assigned
