"""A layer's rejected rows found by file and row number, against the plain row-by-row lookup.

``Layer.already_rejected`` looks the rows up per file with ``isin`` instead of building a
(file, row) key per row; the oracle is the key-per-row lookup it replaced (main ee8107e).
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.inputs.layer import SOURCE_FILE, SOURCE_ROW, Context, Layer
from geo_cds.plan import InputSpec
from geo_cds.problems import ProblemLog

FILES = ["a.gpkg", "b.gpkg", "c.gpkg"]


def old_already_rejected(layer, out):
    if not layer.rejected:
        return pd.Series(False, index=out.index)
    files = out[SOURCE_FILE] if SOURCE_FILE in out else pd.Series(layer.display,
                                                                 index=out.index)
    keys = list(zip(files, out[SOURCE_ROW].astype(int)))
    return pd.Series([k in layer.rejected for k in keys], index=out.index)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(FILES), st.integers(1, 12)), max_size=20),
       rejected=st.sets(st.tuples(st.sampled_from(FILES), st.integers(1, 12)), max_size=10),
       several_files=st.booleans())
def test_rejected_rows_are_those_the_key_lookup_finds(rows, rejected, several_files):
    layer = Layer(InputSpec(path="a.gpkg"), "villages", ProblemLog(), Context())
    layer.rejected = set(rejected)
    out = pd.DataFrame({SOURCE_ROW: pd.array([r for _, r in rows], dtype="Int64")},
                       index=pd.RangeIndex(len(rows)) + 100)
    if several_files:
        out[SOURCE_FILE] = [f for f, _ in rows]
    got = layer.already_rejected(out)
    want = old_already_rejected(layer, out)
    assert got.index.equals(want.index)
    assert got.astype(bool).tolist() == want.astype(bool).tolist()
