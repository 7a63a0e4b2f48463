"""The site cover's greedy for large, dense instances, compiled by numba (imported only when
an instance needs it: :func:`geo_cds.planning.spatial.cover_within`)."""

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
def grid_cover(x, y, key, order, keys, start, ny, r2, off, pop):  # pragma: no cover - numba
    """:func:`geo_cds.planning.spatial.greedy_cover` over the points within reach, found by
    grid cell (:func:`geo_cds.planning.spatial._grid`). Gains and
    people are kept up to date as points are covered, so a popped key is stale exactly when
    its gain is no longer the candidate's gain, as in ``greedy_cover``."""
    n = len(x)
    gain = np.zeros(n, np.int64)
    people = np.zeros(n, np.int64)  # of the uncovered points in reach
    covered = np.zeros(n, np.bool_)
    assigned = np.full(n, -1, np.int64)
    buf = np.empty(n, np.int64)

    def reach(p, out):  # the points within reach of p, in no particular order
        k = 0
        for dx in range(-2, 3):
            for dy in range(-2, 3):
                want = key[p] + dx * ny + dy
                i = np.searchsorted(keys, want)
                if i < len(keys) and keys[i] == want:
                    for s in range(start[i], start[i + 1]):
                        q = order[s]
                        ex = x[q] - x[p]
                        ey = y[q] - y[p]
                        if ex * ex + ey * ey <= r2:
                            out[k] = q
                            k += 1
        return k

    for p in range(n):
        k = reach(p, buf)
        gain[p] = k
        for i in range(k):
            people[p] += pop[buf[i]]
    # the heap of greedy_cover: keys (-gain, off, -people, candidate) in parallel arrays
    hg = np.empty(n, np.int64)
    ho = np.empty(n, np.int64)
    hq = np.empty(n, np.float64)
    hc = np.empty(n, np.int64)
    size = 0
    for c in range(n):  # pushed in candidate order: the same heap as heapify of the list
        hg[size], ho[size], hq[size], hc[size] = -gain[c], off[c], -float(pop[c]), c
        _sift_up(hg, ho, hq, hc, size)
        size += 1
    chosen = np.empty(n, np.int64)
    n_chosen = 0
    left = n
    inner = np.empty(n, np.int64)
    while left > 0 and size > 0:
        g, o, c = -hg[0], ho[0], hc[0]
        size -= 1  # pop: the last entry to the root, sifted down
        hg[0], ho[0], hq[0], hc[0] = hg[size], ho[size], hq[size], hc[size]
        j = 0
        while True:
            a, b, m = 2 * j + 1, 2 * j + 2, j
            if a < size and _less(hg[a], ho[a], hq[a], hc[a], hg[m], ho[m], hq[m], hc[m]):
                m = a
            if b < size and _less(hg[b], ho[b], hq[b], hc[b], hg[m], ho[m], hq[m], hc[m]):
                m = b
            if m == j:
                break
            hg[j], hg[m] = hg[m], hg[j]
            ho[j], ho[m] = ho[m], ho[j]
            hq[j], hq[m] = hq[m], hq[j]
            hc[j], hc[m] = hc[m], hc[j]
            j = m
        if gain[c] == 0:
            continue
        if gain[c] != g:  # stale: re-queue with its current gain (and people)
            hg[size], ho[size], hq[size], hc[size] = -gain[c], o, -float(people[c]), c
            _sift_up(hg, ho, hq, hc, size)
            size += 1
            continue
        k = reach(c, buf)
        for i in range(k):
            q = buf[i]
            if covered[q]:
                continue
            covered[q] = True
            assigned[q] = n_chosen
            left -= 1
            m = reach(q, inner)  # every candidate in reach of q loses q
            for t in range(m):
                gain[inner[t]] -= 1
                people[inner[t]] -= pop[q]
        chosen[n_chosen] = c
        n_chosen += 1
    return chosen[:n_chosen], assigned
