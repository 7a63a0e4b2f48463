"""The vectorised planning helpers against plain loops that spell out the rule, on random
instances (the loops are the definition; the helpers must agree to the VND and the character)."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.planning.budget import SelectionProblem, _groups
from geo_cds.planning.interventions import split_by_weight, split_groups
from geo_cds.planning.ledger import carry_costs, split_ids
from geo_cds.planning.priority import _join_where

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
@given(rows=st.lists(st.one_of(st.none(), st.just(""), st.lists(ids, max_size=3).map(";".join)),
                     max_size=20))
def test_split_ids_lists_each_rows_ids_in_order(rows):
    row, iid = split_ids(rows)
    want = [(r, i) for r, text in enumerate(rows) if isinstance(text, str)
            for i in text.split(";") if i]
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
       people=st.lists(st.integers(0, 100), min_size=30, max_size=30))
def test_groups_merge_villages_needing_the_same_interventions(needs, people):
    p = SelectionProblem.build([1e8] * 6, needs, people[:len(needs)])
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
