"""The loop of :func:`geo_cds.planning.budget.select_greedy`, compiled (numba).

It makes the same purchases as the loop written with ``heapq`` and numpy it replaces, in the
same order, to the last bit: every gain is summed as numpy sums an array (:func:`np_sum`,
numpy's pairwise summation, checked against ``ndarray.sum`` by the tests), keys are computed
with the same operations, and the heap pops the least ``(key, intervention, version)`` as
``heapq`` does (entries are distinct, so any heap pops them in the same order).

numba is optional: without it this runs as plain Python (correct, slow on large problems).
"""

from __future__ import annotations

import numpy as np

try:  # pragma: no cover - exercised by whichever environment runs the tests
    from numba import njit
except ImportError:  # pragma: no cover
    def njit(*args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f


@njit(cache=True)
def _block(a: np.ndarray, lo: int, n: int) -> float:
    # numpy's pairwise_sum (numpy/_core/src/umath/loops_utils.h.src) up to 128 elements:
    # a plain loop below 8, else 8 partial sums combined pairwise, then the rest in turn.
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[lo + i]
        return res
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    stop = n - (n % 8)
    while i < stop:
        b = lo + i
        r0 += a[b]
        r1 += a[b + 1]
        r2 += a[b + 2]
        r3 += a[b + 3]
        r4 += a[b + 4]
        r5 += a[b + 5]
        r6 += a[b + 6]
        r7 += a[b + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True)
def np_sum(a: np.ndarray) -> float:
    """``float(a.sum())`` of a 1-D float64 array, bit for bit as numpy sums it.

    Above 128 elements numpy sums the two halves (the first rounded down to a multiple of 8)
    and adds them; the same tree is walked here with a stack (a recursive function compiled
    with numba's cache crashed when loaded from the cache).
    """
    los = np.empty(192, dtype=np.int64)
    ns = np.empty(192, dtype=np.int64)
    stages = np.empty(192, dtype=np.int64)
    vals = np.empty(192, dtype=np.float64)
    nv = 0
    los[0], ns[0], stages[0] = 0, len(a), 0
    sp = 1
    while sp > 0:
        sp -= 1
        lo, n, stage = los[sp], ns[sp], stages[sp]
        if n <= 128:
            vals[nv] = _block(a, lo, n)
            nv += 1
            continue
        n2 = n // 2
        n2 -= n2 % 8
        if stage == 0:  # the first half, then come back
            los[sp], ns[sp], stages[sp] = lo, n, 1
            los[sp + 1], ns[sp + 1], stages[sp + 1] = lo, n2, 0
            sp += 2
        elif stage == 1:  # the second half, then come back
            los[sp], ns[sp], stages[sp] = lo, n, 2
            los[sp + 1], ns[sp + 1], stages[sp + 1] = lo + n2, n - n2, 0
            sp += 2
        else:  # both halves summed: add them
            nv -= 1
            vals[nv - 1] = vals[nv - 1] + vals[nv]
    return 0.0 + vals[0]


@njit(cache=True)
def _less(ka, ia, va, kb, ib, vb) -> bool:
    if ka != kb:
        return ka < kb
    if ia != ib:
        return ia < ib
    return va < vb


@njit(cache=True)
def _push(keys, ids, vers, size, key, k, ver):
    if size == len(keys):  # grow
        keys2 = np.empty(2 * size + 16, dtype=np.float64)
        ids2 = np.empty(2 * size + 16, dtype=np.int64)
        vers2 = np.empty(2 * size + 16, dtype=np.int64)
        keys2[:size] = keys[:size]
        ids2[:size] = ids[:size]
        vers2[:size] = vers[:size]
        keys, ids, vers = keys2, ids2, vers2
    i = size
    while i > 0:  # sift up
        parent = (i - 1) >> 1
        if _less(key, k, ver, keys[parent], ids[parent], vers[parent]):
            keys[i], ids[i], vers[i] = keys[parent], ids[parent], vers[parent]
            i = parent
        else:
            break
    keys[i], ids[i], vers[i] = key, k, ver
    return keys, ids, vers, size + 1


@njit(cache=True)
def _pop(keys, ids, vers, size):
    """Remove the least entry (returned) from the heap of ``size`` entries."""
    key, k, ver = keys[0], ids[0], vers[0]
    size -= 1
    lk, li, lv = keys[size], ids[size], vers[size]
    i = 0
    while True:  # sift the last entry down from the root
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and _less(keys[c + 1], ids[c + 1], vers[c + 1],
                                  keys[c], ids[c], vers[c]):
            c += 1
        if _less(keys[c], ids[c], vers[c], lk, li, lv):
            keys[i], ids[i], vers[i] = keys[c], ids[c], vers[c]
            i = c
        else:
            break
    if size > 0:
        keys[i], ids[i], vers[i] = lk, li, lv
    return key, k, ver, size


@njit(cache=True)
def _gain(j, mt_ptr, mt_idx, served, has, value, remaining, buf):
    n = 0
    for q in range(mt_ptr[j], mt_ptr[j + 1]):
        g = mt_idx[q]
        if not served[g] and has[g]:
            buf[n] = value[g] / remaining[g]
            n += 1
    return np_sum(buf[:n])


@njit(cache=True)
def _key(cost, gk):
    return -(gk / cost) if cost > 0 else -np.inf


@njit(cache=True)
def greedy_loop(budget, cost, m_ptr, m_idx, mt_ptr, mt_idx, value, remaining, has, solo,
                heap_keys, heap_ids):
    """The groups served by greedy purchases within ``budget``.

    ``m``: groups × interventions (CSR arrays), ``mt`` its transpose; ``remaining``: each
    group's interventions still to buy (float, modified); ``heap_keys``/``heap_ids``: the
    initial heap entries (version 0), as a valid heap or in any order (they are pushed).
    """
    n_k = len(cost)
    n_g = len(m_ptr) - 1
    served = np.zeros(n_g, dtype=np.bool_)
    chosen = np.zeros(n_k, dtype=np.bool_)
    version = np.zeros(n_k, dtype=np.int64)
    seen = np.full(n_k, -1, dtype=np.int64)  # purchase number that last listed a neighbour
    buf = np.empty(max(n_g, 1), dtype=np.float64)
    touched = np.empty(max(n_g, 1), dtype=np.int64)
    neigh = np.empty(max(n_k, 1), dtype=np.int64)
    solo_bought = np.empty(max(n_k, 1), dtype=np.int64)
    n_solo = 0
    cap = len(heap_keys) + 16
    keys = np.empty(cap, dtype=np.float64)
    ids = np.empty(cap, dtype=np.int64)
    vers = np.empty(cap, dtype=np.int64)
    size = 0
    for e in range(len(heap_keys)):
        keys, ids, vers, size = _push(keys, ids, vers, size, heap_keys[e], heap_ids[e], 0)
    left = float(budget)
    purchase = 0
    while size > 0:
        _, k, ver, size = _pop(keys, ids, vers, size)
        if chosen[k] or ver != version[k]:
            continue
        if cost[k] > left + 1e-6:
            continue  # never fits again: the budget only shrinks
        chosen[k] = True
        left -= cost[k]
        if solo[k]:  # its groups need nothing else and count in no other gain
            solo_bought[n_solo] = k
            n_solo += 1
            continue
        n_t = 0
        for q in range(mt_ptr[k], mt_ptr[k + 1]):
            g = mt_idx[q]
            if not served[g]:
                touched[n_t] = g
                n_t += 1
        for t in range(n_t):
            g = touched[t]
            remaining[g] -= 1
            if remaining[g] == 0:
                served[g] = True
        n_n = 0
        for t in range(n_t):
            g = touched[t]
            for q in range(m_ptr[g], m_ptr[g + 1]):
                j = m_idx[q]
                if seen[j] != purchase:
                    seen[j] = purchase
                    neigh[n_n] = j
                    n_n += 1
        purchase += 1
        for t in range(n_n):
            j = neigh[t]
            if not chosen[j]:
                version[j] += 1
                gj = _gain(j, mt_ptr, mt_idx, served, has, value, remaining, buf)
                if gj > 0:
                    keys, ids, vers, size = _push(keys, ids, vers, size, _key(cost[j], gj),
                                                  j, version[j])
    for t in range(n_solo):
        k = solo_bought[t]
        for q in range(mt_ptr[k], mt_ptr[k + 1]):
            served[mt_idx[q]] = True
    return served
