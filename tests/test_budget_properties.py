"""Budget selection against independent oracles on random small instances: brute force,
monotonicity in the budget, exact ≥ greedy."""

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.planning.budget import SelectionProblem, select_budget, select_greedy


@st.composite
def problems(draw, max_units=12, max_villages=10):
    k = draw(st.integers(1, max_units))
    costs = draw(st.lists(st.integers(1, 50), min_size=k, max_size=k))
    n = draw(st.integers(1, max_villages))
    needs = [sorted(draw(st.sets(st.integers(0, k - 1), min_size=1, max_size=min(3, k))))
             for _ in range(n)]
    people = draw(st.lists(st.integers(1, 2000), min_size=n, max_size=n))
    return SelectionProblem.build([c * 1e8 for c in costs], needs, people)


def brute_force(p: SelectionProblem, budget: float) -> float:
    """The most people any affordable set of interventions serves, by trying every set."""
    k = len(p.costs)
    needs = [set(p.needs.indices[p.needs.indptr[v]:p.needs.indptr[v + 1]])
             for v in range(p.needs.shape[0])]
    best = 0.0
    for bits in itertools.product((False, True), repeat=k):
        bought = {j for j in range(k) if bits[j]}
        if sum(p.costs[j] for j in bought) > budget:
            continue
        best = max(best, sum(p.people[v] for v, need in enumerate(needs) if need <= bought))
    return best


@settings(max_examples=40, deadline=None)
@given(p=problems(), share=st.floats(0, 1))
def test_exact_equals_brute_force(p, share):
    budget = float(np.floor(share * p.costs.sum()))  # whole VND, as budgets are
    assert select_budget(p, budget, "exact").people == brute_force(p, budget)


@settings(max_examples=40, deadline=None)
@given(p=problems(max_units=25, max_villages=30), shares=st.lists(st.floats(0, 1.1),
                                                                   min_size=2, max_size=5))
def test_people_served_never_decrease_as_the_budget_grows_and_exact_beats_greedy(p, shares):
    budgets = sorted(float(np.floor(s * p.costs.sum())) for s in shares)
    served = [select_budget(p, b, "exact").people for b in budgets]
    assert all(a <= b for a, b in zip(served, served[1:]))
    for b, exact in zip(budgets, served, strict=True):
        assert exact >= select_greedy(p, b).people


@settings(max_examples=30, deadline=None)
@given(p=problems(), share=st.floats(0, 1))
def test_a_selection_buys_exactly_what_its_served_villages_need(p, share):
    for method in ("exact", "greedy"):
        sel = select_budget(p, share * p.costs.sum(), method)
        needed = np.asarray(p.needs[sel.served].sum(axis=0)).ravel() > 0
        assert (sel.chosen == needed).all()  # nothing bought idle, nothing missing
        for v in range(p.needs.shape[0]):  # a village with everything it needs is served
            mine = p.needs.indices[p.needs.indptr[v]:p.needs.indptr[v + 1]]
            assert sel.served[v] == bool(sel.chosen[mine].all())
