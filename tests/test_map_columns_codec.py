"""The compact village columns read back (by the tests' own decoder, written from the
format's description) give exactly the values, None where missing; and what travels is
plain ASCII the page carries unescaped."""

import json
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from map_columns_decode import column, numbers

from geo_cds.outputs.maps.columns import delta_column, encode_column, present, varints

UNSAFE = set('"\\<>&')


def _plain(values):
    return [None if v is None or (isinstance(v, float) and math.isnan(v)) else v
            for v in values]


def _round_trip(values, **kw):
    enc = encode_column(values, **kw)
    back = column(json.loads(json.dumps(enc, ensure_ascii=False)), len(values))
    assert back == _plain(values)
    assert [type(x) for x in back] == [type(x) for x in _plain(values)]
    return enc


def _strings(enc) -> str:
    if isinstance(enc, list):
        return ""
    return "".join(v for k, v in enc.items() if k in ("s", "p", "l"))


texts = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
columns = st.one_of(
    st.lists(st.one_of(st.none(), st.integers(-2**53 + 1, 2**53 - 1)), max_size=60),
    st.lists(st.one_of(st.none(), st.integers(0, 5)), max_size=60),
    st.lists(st.one_of(st.none(), st.booleans()), max_size=60),
    st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)), max_size=60),
    st.lists(st.one_of(st.none(), texts), max_size=60),
    st.lists(texts, max_size=60),
    st.lists(st.sampled_from(["09877-001", "09877-002", "09877-010", "0987", "Thôn 1",
                              "Thôn Lâm Thượng", "", "a😀b"]), max_size=60),
)


@settings(max_examples=300, deadline=None)
@given(values=columns, dict_max=st.sampled_from([None, 0, 1, 3]))
def test_any_column_reads_back_exactly(values, dict_max):
    enc = _round_trip(values, dict_max=dict_max)
    assert not UNSAFE & set(_strings(enc) if not isinstance(enc, dict) or enc["e"] != "front"
                            else enc["p"] + enc["l"])


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(-2**40, 2**40), max_size=80))
def test_delta_column_reads_back(values):
    enc = delta_column(np.asarray(values, dtype=np.int64))
    assert column(enc, len(values)) == values
    assert not UNSAFE & set(enc["s"])


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(0, 2**63 - 1), max_size=40))
def test_varints_read_back(values):
    text = varints(np.asarray(values, dtype=np.uint64))
    assert numbers(text) == values
    assert text.isascii() and not UNSAFE & set(text)


def test_hand_worked_numbers():
    # 0 -> " " (digit 0); 44 -> "P"? no: digit 44 is the 45th safe character; 45 -> two
    # digits, 0 with "more" (digit 45) then 1.
    alphabet = [chr(c) for c in range(32, 127) if chr(c) not in UNSAFE]
    assert varints(np.array([0, 1, 44, 45, 2024, 2025])) == "".join([
        alphabet[0], alphabet[1], alphabet[44], alphabet[45] + alphabet[1],
        alphabet[45 + 44] + alphabet[44], alphabet[45] + alphabet[45] + alphabet[1]])


def test_shapes_chosen_for_village_columns():
    ids = [f"{c:05d}-{k:03d}" for c in range(40) for k in range(1, 26)]
    enc = _round_trip(ids)
    assert enc["e"] == "front" and len(_strings(enc)) < 4 * len(ids)
    names = ["Thôn 1", "Thôn 2", "Tổ dân phố 3"] * 300 + [None]
    enc = _round_trip(names)
    assert enc["e"] == "dict" and enc["v"][0] in ("Thôn 1", "Thôn 2", "Tổ dân phố 3")
    assert present({"name": enc}, "name") == {"Thôn 1", "Thôn 2", "Tổ dân phố 3", None}
    ranks = list(range(1, 1001)) + [None] * 500
    assert _round_trip(ranks)["e"] == "int"
    assert _round_trip([None] * 7) == {"e": "dict", "v": [None], "s": ""}
    assert _round_trip([0.125, 1.5, None, 0.125] * 50)["e"] == "dict"
    assert isinstance(_round_trip([i / 7 for i in range(500)]), list)  # many decimals
    # a number JavaScript cannot hold exactly travels as JSON would, in a plain list
    assert isinstance(_round_trip([2**60 + i for i in range(100)]), list)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), n=st.integers(0, 50), k=st.integers(1, 4))
def test_joined_columns_read_back(data, n, k):
    from map_columns_decode import villages

    from geo_cds.outputs.maps.columns import joint_column

    pools = [[None, True, False], [0, 1, 2, 3, 63], ["ok", "fibre", None, ""], [0.5, None]]
    cols = {f"c{j}": data.draw(st.lists(st.sampled_from(pools[j]), min_size=n, max_size=n))
            for j in range(k)}
    enc = joint_column(cols)
    assert not UNSAFE & set(enc["s"])
    back = villages({"n": n, "joint": json.loads(json.dumps(enc)), "operators": []})
    for name, values in cols.items():
        assert back[name] == values
        assert [type(x) for x in back[name]] == [type(x) for x in values]
