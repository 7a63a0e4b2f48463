"""The vectorised planning helpers against plain loops that spell out the rule, on random
instances (the loops are the definition; the helpers must agree to the VND and the character)."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.spatial import cKDTree

from geo_cds import schema as s
from geo_cds.planning import interventions as iv
from geo_cds.planning import spatial
from geo_cds.planning.budget import SelectionProblem, _groups
from geo_cds.planning.interventions import split_by_weight, split_groups
from geo_cds.planning.ledger import (
    COST_CARRIED_IDS,
    INTERVENTION_IDS,
    _whole_interventions,
    carry_costs,
    split_ids,
)
from geo_cds.planning.priority import _join_where
from geo_cds.planning.spatial import _unique_rows, cover_within, greedy_cover, kernel_cover

ids = st.sampled_from(["S0001", "S0002", "F0001", "F0002", "G0001"])
id_rows = st.lists(st.lists(ids, max_size=3, unique=True).map(";".join), max_size=25)


@settings(max_examples=80, deadline=None)
@given(rows=id_rows)
def test_carry_costs_puts_each_cost_on_the_first_row_needing_it(rows):
    cost_of = {"S0001": 7, "S0002": 11, "F0001": 13, "F0002": 17, "G0001": 19}
    seen, want_cost, want_ids = set(), [], []
    for row in rows:
        mine = [i for i in row.split(";") if i and i not in seen]
        seen.update(mine)
        want_cost.append(sum(cost_of[i] for i in mine))
        want_ids.append(";".join(mine))
    cost, carried = carry_costs(rows, cost_of)
    assert cost.tolist() == want_cost and carried == want_ids
    assert cost.sum() == sum(cost_of[i] for i in seen)  # each cost exactly once


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.one_of(st.none(), st.just(""), st.just(";;"), st.integers(),
                               st.just(float("nan")),
                               st.lists(ids, max_size=3).map(";".join)), max_size=20))
def test_split_ids_lists_each_rows_ids_in_order(rows):
    want = [(r, i) for r, text in enumerate(rows) if isinstance(text, str)
            for i in text.split(";") if i]
    row, iid = split_ids(rows)
    assert list(zip(row.tolist(), iid.tolist(), strict=True)) == want
    # the same cells as a pandas text column (missing where not a string), in two chunks
    text = [x if isinstance(x, str) else None for x in rows]
    half = len(text) // 2
    col = pd.concat([pd.Series(text[:half], dtype="string"),
                     pd.Series(text[half:], dtype="string")], ignore_index=True)
    row, iid = split_ids(col)
    assert list(zip(row.tolist(), iid.tolist(), strict=True)) == want


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_split_groups_equals_split_by_weight_group_by_group(data):
    n_g = data.draw(st.integers(1, 6))
    totals = data.draw(st.lists(st.integers(0, 10**12), min_size=n_g, max_size=n_g))
    group = np.array(data.draw(st.lists(st.integers(0, n_g - 1), min_size=0, max_size=30)),
                     dtype=np.int64)
    weights = np.array(data.draw(st.lists(st.integers(0, 5000), min_size=len(group),
                                          max_size=len(group))), dtype=float)
    got = split_groups(totals, weights, group)
    for g in range(n_g):
        mine = np.flatnonzero(group == g)
        if len(mine):
            assert got[mine].tolist() == split_by_weight(totals[g], weights[mine]).tolist()
            assert got[mine].sum() == totals[g]


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_join_where_joins_the_parts_whose_condition_holds(data):
    n = data.draw(st.integers(0, 12))
    conds = [np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
             for _ in range(3)]
    texts = ["a", np.array([f"x{i}" for i in range(n)], dtype=object), "c"]
    got = _join_where(list(zip(conds, texts, strict=True)), "; ", n)
    for i in range(n):
        parts = [t if isinstance(t, str) else t[i] for c, t in zip(conds, texts, strict=True)
                 if c[i]]
        assert got[i] == "; ".join(parts)


@settings(max_examples=60, deadline=None)
@given(needs=st.lists(st.lists(st.integers(0, 5), max_size=3, unique=True), min_size=1,
                      max_size=30),
       people=st.lists(st.integers(0, 100), min_size=30, max_size=30),
       n_costs=st.sampled_from([6, 2 ** 21]))  # 2**21: needs too wide for one integer key
def test_groups_merge_villages_needing_the_same_interventions(needs, people, n_costs):
    needs = [[k if n_costs == 6 else n_costs - 1 - k for k in ks] for ks in needs]
    p = SelectionProblem.build(np.full(n_costs, 1e8), needs, people[:len(needs)])
    codes, m, value = _groups(p)
    first_seen: dict[tuple, int] = {}
    for v, ks in enumerate(needs):
        key = tuple(sorted(ks))
        first_seen.setdefault(key, len(first_seen))
        assert codes[v] == first_seen[key]  # numbered in order of first village
    for key, g in first_seen.items():
        assert tuple(m.indices[m.indptr[g]:m.indptr[g + 1]].tolist()) == key
        assert value[g] == sum(people[v] for v, ks in enumerate(needs)
                               if tuple(sorted(ks)) == key)


def _whole_interventions_loop(priority, interventions):
    """The ledger's whole-intervention check as first written (string joins and sets): the
    oracle of the integer-coded one."""
    def flag(col):
        return col.astype("boolean").fillna(False).astype(bool)

    problems = []
    vid = priority[s.VILLAGE_ID].astype(str).to_numpy(object)
    funded = flag(priority[s.IN_BUDGET]).to_numpy(bool)
    n_row, n_id = split_ids(priority[INTERVENTION_IDS])
    c_row, c_id = split_ids(priority[COST_CARRIED_IDS])
    iids = interventions["intervention_id"].astype(str).to_numpy(object)
    bought = flag(interventions[s.IN_BUDGET]).to_numpy(bool)
    l_row, l_vid = split_ids(interventions[iv.VILLAGE_IDS].fillna(""))
    village_ones = np.zeros(len(iids), dtype=bool)
    village_ones[l_row] = True
    listed = pd.DataFrame({"iid": iids[l_row], "vid": l_vid}).drop_duplicates()
    needers = pd.DataFrame({"iid": n_id, "vid": vid[n_row]}).drop_duplicates()
    pairs = listed.merge(needers, how="outer", indicator=True)
    checked = set(iids[village_ones])
    odd = pairs.loc[(pairs["_merge"] != "both") & pairs["iid"].isin(checked), "iid"]
    if len(odd):
        listed_by = listed.groupby("iid")["vid"].agg(lambda v: sorted(v))
        needed_by = needers.groupby("iid")["vid"].agg(lambda v: sorted(v))
        for iid in iids[pd.Index(iids).isin(odd.unique())]:
            problems.append(f"{iid} serves {listed_by.get(iid, [])} but the list has "
                            f"{needed_by.get(iid, [])}")
    carriers = pd.DataFrame({"iid": c_id, "funded": funded[c_row]}).groupby("iid")["funded"]
    n_rows = carriers.size().reindex(iids, fill_value=0).to_numpy()
    row_funded = carriers.first().reindex(iids).to_numpy(object)
    for k in np.flatnonzero(village_ones & ((n_rows != 1)
                                            | (n_rows == 1) & (row_funded != bought))):
        if n_rows[k] != 1:
            problems.append(f"{iids[k]} costed on {n_rows[k]} rows")
        else:
            problems.append(f"{iids[k]} {'funded' if bought[k] else 'not funded'} but costed "
                            f"on a {'funded' if row_funded[k] else 'not funded'} row")
    unfunded_need = funded[n_row] & ~pd.Index(n_id).isin(iids[bought])
    need_text = priority[INTERVENTION_IDS].to_numpy(object)
    for r in np.unique(n_row[unfunded_need]):
        problems.append(f"village {vid[r]} in budget but not all of {need_text[r]} funded")
    return not problems, "; ".join(problems[:5])


vids = st.sampled_from(["A", "B", "C", "D"])


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(vids, st.lists(ids, max_size=3, unique=True).map(";".join),
                               st.lists(ids, max_size=2, unique=True).map(";".join),
                               st.booleans()), max_size=8),
       inter=st.lists(st.tuples(ids, st.lists(vids, max_size=3).map(";".join), st.booleans()),
                      max_size=6))
def test_whole_interventions_check_equals_the_string_version(rows, inter):
    # random (often inconsistent) ledgers: the same verdict and the same problems, in order
    priority = pd.DataFrame(rows, columns=[s.VILLAGE_ID, INTERVENTION_IDS, COST_CARRIED_IDS,
                                           s.IN_BUDGET])
    interventions = pd.DataFrame(inter, columns=["intervention_id", iv.VILLAGE_IDS,
                                                 s.IN_BUDGET])
    check = _whole_interventions(priority, interventions)
    assert (check.ok, check.note) == _whole_interventions_loop(priority, interventions)


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.tuples(st.sampled_from([-1.5, -0.0, 0.0, 2.0, 1e6, 3.25]),
                                 st.sampled_from([-0.0, 0.0, 7.0, -2.5, 1e-9])), max_size=40))
def test_unique_rows_equals_numpy_unique_on_axis_0(points):
    xy = np.array(points, dtype=float).reshape(-1, 2)
    uniq, first, inverse = _unique_rows(xy)
    want_uniq, want_first, want_inverse = np.unique(xy, axis=0, return_index=True,
                                                    return_inverse=True)
    assert uniq.tolist() == want_uniq.tolist()
    assert first.tolist() == want_first.tolist()
    assert inverse.tolist() == want_inverse.ravel().tolist()


def _within(xy, radius):
    """Each point's neighbours within ``radius`` (itself included), rows sorted: a KD-tree."""
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(radius, output_type="ndarray").reshape(-1, 2)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1], np.arange(n)])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0], np.arange(n)])
    cover = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    cover.sort_indices()
    return cover


def _greedy_cover_loop(ind, ptr, powered, pop):
    """The site cover's greedy loop as first written (numpy slices per pop): the oracle."""
    import heapq

    n = len(ptr) - 1
    covered = np.zeros(n, dtype=bool)
    assigned = np.full(n, -1)
    gain = np.diff(ptr)
    heap = [(-int(gain[c]), 0 if powered[c] else 1, -pop[c], c) for c in range(n)]
    heapq.heapify(heap)
    chosen = []
    left = n
    while left and heap:
        neg, off, _negpop, c = heapq.heappop(heap)
        members = ind[ptr[c]:ptr[c + 1]]
        new = members[~covered[members]]
        if len(new) == 0:
            continue
        if len(new) != -neg:
            heapq.heappush(heap, (-len(new), off, -float(pop[new].sum()), c))
            continue
        covered[new] = True
        assigned[new] = len(chosen)
        chosen.append(c)
        left -= len(new)
    return chosen, assigned


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_greedy_cover_equals_the_numpy_loop(data):
    # villages on a coarse grid (many ties in gain, power and people) within a 1.5-cell reach
    n = data.draw(st.integers(1, 40))
    cells = data.draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=n,
                               max_size=n))
    powered = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    pop = np.array(data.draw(st.lists(st.sampled_from([0.0, 10.0, 10.0, 55.5, 120.0]),
                                      min_size=n, max_size=n)))
    xy = np.array(cells, dtype=float)
    cover = _within(xy, 1.5)
    chosen, assigned = greedy_cover(cover.indices, cover.indptr, np.where(powered, 0, 1), pop)
    want_chosen, want_assigned = _greedy_cover_loop(cover.indices, cover.indptr, powered, pop)
    assert chosen == want_chosen
    assert assigned.tolist() == want_assigned.tolist()


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_grid_cover_equals_the_numpy_loop(data):
    # cover_within with whole populations (the kernel) on integer grids with points exactly at the
    # reach (distance 2 with a reach of 2), co-located points and ties in gain and people
    n = data.draw(st.integers(1, 40))
    cells = data.draw(st.lists(st.tuples(st.integers(-4, 6), st.integers(0, 6)), min_size=n,
                               max_size=n))
    radius = data.draw(st.sampled_from([0.0, 1.0, 2.0, 2.5]))
    powered = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    pop = np.array(data.draw(st.lists(st.sampled_from([0.0, 10.0, 10.0, 55.0, 120.0]),
                                      min_size=n, max_size=n)))
    xy = np.array(cells, dtype=float) * 1000.0
    radius *= 1000.0
    cover = _within(xy, radius)
    want_chosen, want_assigned = _greedy_cover_loop(cover.indices, cover.indptr, powered, pop)
    chosen, assigned = cover_within(xy, radius, np.where(powered, 0, 1), pop)
    assert chosen == want_chosen
    assert assigned.tolist() == want_assigned.tolist()


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_grid_cover_equals_the_loop_on_real_coordinates(data):
    # the kernel reads each point's reach from runs of grid cells narrowed to the disc; the
    # oracle compares every pair (dx² + dy² <= r², as the kernel's exact test), on metric
    # coordinates far from the origin, with points at exactly the reach (3-4-5 triangles),
    # co-located points and dense clusters across cell edges
    n = data.draw(st.integers(1, 60))
    radius = data.draw(st.sampled_from([0.0, 5.0, 500.0, 8000.0]))
    origin = np.array(data.draw(st.sampled_from([(0.0, 0.0), (550_123.25, 2_301_777.5)])))
    base = data.draw(st.lists(st.tuples(st.floats(-3, 3), st.floats(-3, 3)), min_size=1,
                              max_size=n))
    steps = data.draw(st.lists(st.tuples(st.integers(0, len(base) - 1),
                                         st.sampled_from([(0, 0), (3, 4), (-4, 3), (0, 5),
                                                          (5, 0), (-3, -4), (1, 1)])),
                               min_size=n, max_size=n))
    xy = np.array([np.asarray(base[b]) * radius + np.asarray(d) * radius / 5
                   for b, d in steps]) + origin
    powered = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    pop = np.array(data.draw(st.lists(st.sampled_from([0.0, 10.0, 10.0, 55.0, 120.0]),
                                      min_size=n, max_size=n)))
    dx = xy[:, None, 0] - xy[None, :, 0]
    dy = xy[:, None, 1] - xy[None, :, 1]
    rows, cols = np.nonzero(dx * dx + dy * dy <= radius * radius)
    cover = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    cover.sort_indices()
    want_chosen, want_assigned = _greedy_cover_loop(cover.indices, cover.indptr, powered, pop)
    chosen, assigned = kernel_cover(xy, radius, np.where(powered, 0, 1), pop)
    assert chosen == want_chosen
    assert assigned.tolist() == want_assigned.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(-3, 40), max_size=60))
def test_the_ledgers_unique_is_numpys(values):
    from geo_cds.planning.ledger import _unique, _unique_first

    x = np.array(values, dtype=np.int64)
    assert _unique(x).tolist() == np.unique(x).tolist()
    seen, first = _unique_first(x)
    want_seen, want_first = np.unique(x, return_index=True)
    assert seen.tolist() == want_seen.tolist()
    assert first.tolist() == want_first.tolist()


def test_grid_cover_with_a_tiny_reach_over_a_country():
    # a reach of 1 m over 1,000 km: the grid's columns are capped (cells wider than the
    # reach); clusters of points 0.6 m apart and exact repeats, against all pairs
    rng = np.random.default_rng(7)
    centres = rng.uniform(0, 1_000_000, size=(12, 2))
    xy = np.vstack([c + rng.integers(0, 3, size=(5, 2)) * 0.6 for c in centres])
    xy = np.vstack([xy, xy[:4]])
    n = len(xy)
    powered = rng.random(n) < 0.7
    pop = rng.choice([0.0, 10.0, 55.0], size=n)
    dx = xy[:, None, 0] - xy[None, :, 0]
    dy = xy[:, None, 1] - xy[None, :, 1]
    rows, cols = np.nonzero(dx * dx + dy * dy <= 1.0)
    cover = csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    cover.sort_indices()
    want_chosen, want_assigned = _greedy_cover_loop(cover.indices, cover.indptr, powered, pop)
    assert spatial._grid(xy, 1.0)[8] > 1.0 / 4  # the cells are wider than a quarter reach
    chosen, assigned = kernel_cover(xy, 1.0, np.where(powered, 0, 1), pop)
    assert chosen == want_chosen
    assert assigned.tolist() == want_assigned.tolist()
