"""CSV tables written column by column: the same bytes as pandas' ``to_csv`` (a peer
writer) and, read back by the csv module, the cells a plain loop over the frame expects."""

import csv
import io
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.outputs.write import neutralise_text, write_csv

text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
tricky = st.sampled_from(["=1+1", "-105", "+84", "@x", "\t=1", "\r=1", "a,b", 'say "hi"',
                          "l1\nl2", "l1\r\nl2", "", " lead", "Thôn Văn Hà", "07795", "-"])
texts = st.one_of(text, tricky)
floats = st.one_of(st.floats(), st.sampled_from([0.0, -0.0, 1e16, 1e-5, 0.1 + 0.2, math.nan]))


def _frame(data, n: int) -> pd.DataFrame:
    def draw(strategy):
        return data.draw(st.lists(strategy, min_size=n, max_size=n))

    return pd.DataFrame({
        "f": np.array(draw(floats), dtype=np.float64),
        "f32": np.array(draw(st.floats(width=32)), dtype=np.float32),
        "i": np.array(draw(st.integers(-2**63, 2**63 - 1)), dtype=np.int64),
        "b": np.array(draw(st.booleans()), dtype=bool),
        "I": pd.array(draw(st.one_of(st.none(), st.integers(-2**63, 2**63 - 1))),
                      dtype="Int64"),
        "B": pd.array(draw(st.one_of(st.none(), st.booleans())), dtype="boolean"),
        "s": pd.Series(draw(st.one_of(st.none(), texts)), dtype="str"),
        "S": pd.array(draw(st.one_of(st.none(), texts)), dtype="string"),
        "o": pd.Series(draw(st.one_of(st.none(), texts)), dtype=object),
        "name, with \"quotes\"": pd.Series(draw(texts), dtype=object),
    })


def _pandas_bytes(df, tmp_path) -> bytes:
    path = tmp_path / "peer.csv"
    neutralise_text(df).to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return path.read_bytes()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 8), data=st.data())
def test_same_bytes_as_pandas_to_csv(tmp_path_factory, n, data):
    df = _frame(data, n)
    tmp = tmp_path_factory.mktemp("csv")
    assert write_csv(df, tmp / "ours.csv").read_bytes() == _pandas_bytes(df, tmp)


@pytest.mark.parametrize("df", [
    pd.DataFrame({"only": ["", "x", None]}),  # one column: an empty row is written ""
    pd.DataFrame({"mixed": ["a", 1, 2.5, None, np.float64(0.1), True], "n": range(6)}),
    pd.DataFrame({"when": pd.to_datetime(["2025-07-01", None]), "n": [1, 2]}),
    pd.DataFrame({"cat": pd.Categorical(["a", "=b"]), "n": [1.5, -0.0]}),
    pd.DataFrame({1: ["a", "b"], "n": [1, 2]}),  # a label that is not text
    pd.DataFrame({"a": pd.Series([], dtype="str"), "n": pd.Series([], dtype=float)}),
])
def test_other_kinds_same_bytes_as_pandas(tmp_path, df):
    assert write_csv(df, tmp_path / "ours.csv").read_bytes() == _pandas_bytes(df, tmp_path)


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _is_plain_number(v: str) -> bool:
    return re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", v) is not None


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 8), data=st.data())
def test_text_cells_read_back_neutralised_cell_by_cell(tmp_path_factory, n, data):
    df = _frame(data, n)
    path = write_csv(df, tmp_path_factory.mktemp("csv") / "x.csv")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == list(df.columns)
    assert len(rows) == n + 1
    for j, column in enumerate(df.columns):
        for i, v in enumerate(df[column].astype(object).tolist()):
            got = rows[i + 1][j]
            if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
                assert got == ""
            elif isinstance(v, str):
                risky = v.startswith(FORMULA) and not _is_plain_number(v)
                assert got == ("'" + v if risky else v)
            elif isinstance(v, (bool, np.bool_)):
                assert got == str(bool(v))
            elif isinstance(v, float):
                back = np.array(float(got), dtype=df[column].dtype)  # float32: its own digits
                assert back == v and math.copysign(1, back) == math.copysign(1, v)
            else:
                assert int(got) == v


def test_line_ends_and_bom_by_hand(tmp_path):
    df = pd.DataFrame({"code": pd.Series(["07795", "=HYPERLINK()"], dtype="str"),
                       "note": ["a,b", 'x"y'], "cost": [1.3e9, np.nan]})
    raw = write_csv(df, tmp_path / "x.csv").read_bytes()
    assert raw == ('\ufeffcode,note,cost\r\n07795,"a,b",1300000000.0\r\n'
                   "'=HYPERLINK(),\"x\"\"y\",\r\n").encode()
    assert io.StringIO(raw.decode("utf-8-sig"), newline="").read().count("\r\n") == 3


@settings(max_examples=15, deadline=None)
@given(n=st.integers(0, 12), block=st.integers(1, 5), data=st.data())
def test_rows_joined_block_by_block_same_bytes_as_pandas(tmp_path_factory, n, block, data):
    from geo_cds.outputs import csvfile

    df = _frame(data, n)
    tmp = tmp_path_factory.mktemp("csv")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(csvfile, "_CSV_BLOCK", block)  # block boundaries inside the table
        ours = write_csv(df, tmp / "ours.csv").read_bytes()
    assert ours == _pandas_bytes(df, tmp)


def test_any_float64_same_text_as_pandas(tmp_path):
    """Random bit patterns: every exponent, subnormals, infinities, NaNs, ±0, repeats."""
    rng = np.random.default_rng(14)
    bits = rng.integers(-2**63, 2**63 - 1, 20_000, dtype=np.int64, endpoint=True)
    values = np.concatenate([bits.view(np.float64), [0.0, -0.0, np.inf, -np.inf, 1e16, 1e-4],
                             rng.integers(0, 10**12, 2000) / 100, np.full(3, 0.1 + 0.2)])
    singles = rng.integers(-2**31, 2**31 - 1, len(values), dtype=np.int32).view(np.float32)
    for keep in (slice(None), values != 0):  # with -0.0 and without
        df = pd.DataFrame({"x": values[keep], "y": singles[keep]})
        assert write_csv(df, tmp_path / "ours.csv").read_bytes() == _pandas_bytes(df, tmp_path)


def test_text_in_several_arrow_chunks_same_bytes_as_pandas(tmp_path):
    parts = [pd.Series(["a,b", None, "Thôn \"Hà\""], dtype="str"),
             pd.Series(["=1", "x\r\ny"], dtype="str")]
    df = pd.DataFrame({"s": pd.concat(parts, ignore_index=True), "n": range(5)})
    assert df["s"].array._pa_array.num_chunks == 2
    assert write_csv(df, tmp_path / "ours.csv").read_bytes() == _pandas_bytes(df, tmp_path)
