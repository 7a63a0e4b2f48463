"""Villages' population estimated from households: the ``population_estimated`` flags against
the plain row-by-row rule (True where estimated, False where given, unknown where neither)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds import schema as S
from geo_cds.inputs.layer import SOURCE_ROW, Context, Layer
from geo_cds.inputs.minimal import estimate_population
from geo_cds.plan import InputSpec
from geo_cds.problems import ProblemLog


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(0, 5000)),
                          st.one_of(st.none(), st.integers(0, 1500))), max_size=25))
def test_population_estimated_flags_as_row_by_row(cells):
    layer = Layer(InputSpec(path="v.gpkg", people_per_household=3.6), "villages", ProblemLog(),
                  Context())
    frame = pd.DataFrame({
        S.POPULATION: pd.array([p for p, _ in cells], dtype="Int64"),
        S.HOUSEHOLDS: pd.array([h for _, h in cells], dtype="Int64"),
        SOURCE_ROW: pd.array(range(2, len(cells) + 2), dtype="Int64"),
    }, index=pd.RangeIndex(len(cells)) * 2 + 7)
    estimate_population(layer, frame)
    want = [True if p is None and h is not None else (False if p is not None else pd.NA)
            for p, h in cells]
    got = frame[S.POPULATION_ESTIMATED]
    assert str(got.dtype) == "boolean"
    assert got.tolist() == want
    pops = [p if p is not None else (round(h * 3.6) if h is not None else pd.NA)
            for p, h in cells]
    assert frame[S.POPULATION].tolist() == pops
