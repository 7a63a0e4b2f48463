"""The compiled greedy loop (``planning/_greedy.py``) against the loop it replaced.

``select_greedy`` must buy exactly what the heapq + numpy loop bought, for every budget:
that loop is kept here, verbatim, as the oracle (``_old_select_greedy``), and compared on
random small ledgers (shared sites and routes, villages needing several, ties of value and
cost) and on hand-worked cases. Its gains are numpy sums, so the compiled ``np_sum`` is
checked bit for bit against ``ndarray.sum``.
"""

import heapq

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix

from geo_cds.planning import _greedy
from geo_cds.planning.budget import SelectionProblem, _finish, _groups, select_greedy


def _row_entries(m: csr_matrix, rows: np.ndarray) -> np.ndarray:
    start, stop = m.indptr[rows], m.indptr[np.asarray(rows) + 1]
    lens = stop - start
    offsets = np.repeat(start - (np.cumsum(lens) - lens), lens)
    return m.indices[offsets + np.arange(int(lens.sum()))]


def _old_select_greedy(p: SelectionProblem, budget: float):
    """select_greedy as it was (main 698f4b3), with nothing cached on the problem."""
    codes, m, value = _groups(p)
    has = np.diff(m.indptr) > 0
    remaining = np.diff(m.indptr).astype(float)
    served = np.zeros(m.shape[0], dtype=bool)
    cost = p.costs
    mt = m.T.tocsr()
    solo = np.bincount(m.indices[np.repeat(np.diff(m.indptr) > 1, np.diff(m.indptr))],
                       minlength=len(cost)) == 0
    credit = np.where(has & (remaining > 0), value / np.maximum(remaining, 1), 0.0)
    gains = mt @ credit
    ks = np.flatnonzero(gains > 0)
    keys = np.where(cost[ks] > 0, -(gains[ks] / np.where(cost[ks] > 0, cost[ks], 1.0)),
                    -np.inf)
    heap = list(zip(keys.tolist(), ks.tolist(), [0] * len(ks), strict=True))
    heapq.heapify(heap)
    solo = solo.tolist()
    cost_l = cost.tolist()

    def gain(k):
        g = mt.indices[mt.indptr[k]:mt.indptr[k + 1]]
        g = g[~served[g] & has[g]]
        return float((value[g] / remaining[g]).sum())

    def key(k, gk):
        return -(gk / cost_l[k]) if cost_l[k] > 0 else -np.inf

    chosen = [False] * len(cost)
    version = [0] * len(cost)
    solo_bought = []
    left = float(budget)
    order = []
    while heap:
        _, k, ver = heapq.heappop(heap)
        if chosen[k] or ver != version[k]:
            continue
        if cost_l[k] > left + 1e-6:
            continue
        chosen[k] = True
        order.append(k)
        left -= cost_l[k]
        if solo[k]:
            solo_bought.append(k)
            continue
        g = mt.indices[mt.indptr[k]:mt.indptr[k + 1]]
        g = g[~served[g]]
        remaining[g] -= 1
        served[g[remaining[g] == 0]] = True
        for j in np.unique(_row_entries(m, g)).tolist():
            if not chosen[j]:
                version[j] += 1
                gj = gain(j)
                if gj > 0:
                    heapq.heappush(heap, (key(j, gj), j, version[j]))
    served[_row_entries(mt, np.asarray(solo_bought, dtype=np.int64))] = True
    return _finish(p, served[codes], "greedy", "greedy")


def _same(a, b):
    assert (a.chosen == b.chosen).all()
    assert (a.served == b.served).all()
    assert (a.value, a.people, a.cost) == (b.value, b.people, b.cost)


@st.composite
def ledgers(draw):
    """Villages needing 0-4 of a few interventions (shared sites, routes), with many ties:
    costs and people from short lists, so equal value per VND is common."""
    k = draw(st.integers(1, 14))
    costs = draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, 8]), min_size=k, max_size=k))
    n = draw(st.integers(0, 40))
    needs = [sorted(draw(st.sets(st.integers(0, k - 1), max_size=min(4, k))))
             for _ in range(n)]
    people = draw(st.lists(st.sampled_from([0, 1, 2, 3, 6, 7, 10, 333]), min_size=n,
                           max_size=n))
    values = draw(st.one_of(st.just(None), st.lists(
        st.floats(0, 1e4, allow_nan=False), min_size=n, max_size=n)))
    return SelectionProblem.build([c * 1e8 for c in costs], needs,
                                  people if values is None else values, people)


@settings(max_examples=300, deadline=None)
@given(p=ledgers(), shares=st.lists(st.floats(0, 1.2), min_size=1, max_size=6))
def test_greedy_buys_exactly_what_the_old_loop_bought(p, shares):
    total = float(p.costs.sum())
    budgets = [0.0, total, *(float(np.floor(s * total)) for s in shares)]
    for b in budgets:  # the same problem object: what is cached across budgets is reused
        _same(select_greedy(p, b), _old_select_greedy(p, b))


def test_hand_worked_shared_site_and_route():
    # site 0 (cost 2) serves village A (10 people) alone; villages B (6) and C (6) need the
    # route 1 (cost 3) and site 2 (cost 1); D (1) needs site 2 only.
    p = SelectionProblem.build([2e8, 3e8, 1e8], [[0], [1, 2], [1, 2], [2]], [10, 6, 6, 1])
    # gains per VND: site 0: 10/2 = 5; route 1: (3+3)/3 = 2; site 2: (3+3+1)/1 = 7.
    # Site 2 first (7), then site 0 (5), then the route (now 12/3 = 4).
    assert select_greedy(p, 1e8).chosen.tolist() == [False, False, True]
    assert select_greedy(p, 3e8).chosen.tolist() == [True, False, True]
    sel = select_greedy(p, 6e8)
    assert sel.chosen.tolist() == [True, True, True] and sel.people == 23
    # 4e8: after site 2 and site 0 the route (3e8) does not fit in the 1e8 left
    sel = select_greedy(p, 4e8)
    assert sel.chosen.tolist() == [True, False, True] and sel.people == 11


def test_hand_worked_tie_goes_to_the_lower_intervention():
    # two sites of equal cost and people: the heap breaks the tie by intervention number
    p = SelectionProblem.build([1e8, 1e8], [[1], [0]], [5, 5])
    assert select_greedy(p, 1e8).chosen.tolist() == [True, False]


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.floats(0, 1e9, allow_nan=False), max_size=700),
       scale=st.sampled_from([1.0, 1e-7, 3.3e5]))
def test_np_sum_is_numpys_sum_bit_for_bit(values, scale):
    a = np.asarray(values, dtype=np.float64) * scale
    assert _greedy.np_sum(a) == float(a.sum())


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 4099])
def test_np_sum_every_block_boundary(n):
    a = np.random.default_rng(n).random(n) * 10.0 ** np.random.default_rng(1).integers(-3, 6, n)
    assert _greedy.np_sum(a) == float(a.sum())


def test_the_compiled_loop_runs_again_from_numba_s_cache():
    """A fresh process loads the loop from numba's on-disk cache (a recursive kernel once
    crashed there): two in a row, the second certainly from the cache."""
    import subprocess
    import sys

    code = ("from geo_cds.planning.budget import SelectionProblem, select_greedy\n"
            "p = SelectionProblem.build([2e8, 3e8, 1e8], [[0], [1, 2], [1, 2], [2]],"
            " [10, 6, 6, 1])\n"
            "print(select_greedy(p, 6e8).people)\n")
    for _ in range(2):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=300)
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.strip() == "23.0"
