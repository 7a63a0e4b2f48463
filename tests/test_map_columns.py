"""The map's vectorised column conversions against the plain loops they replaced (kept here
as the oracle), on random columns of every dtype the pipeline hands to the map."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from map_columns_decode import villages as decoded_villages
from shapely.geometry import Point

from geo_cds import schema as s
from geo_cds.outputs.maps import data as mdata
from geo_cds.outputs.maps import villages as mvillages


def old_column_values(df, column, *, digits=None, integer=False):
    if column not in df.columns:
        return None
    ser = df[column]
    if integer:
        num = pd.to_numeric(ser, errors="coerce").astype("Float64").round(0)
        return [None if pd.isna(v) else int(v) for v in num]
    if digits is not None:
        num = pd.to_numeric(ser, errors="coerce").astype("float64").round(digits)
        return [None if math.isnan(v) else float(v) for v in num]
    return [None if pd.isna(v) else str(v) for v in ser]


def old_bool_array(df, column):
    ser = df[column]
    if ser.dtype == object or str(ser.dtype) == "str" or str(ser.dtype).startswith("string"):
        ser = ser.map(lambda v: str(v).strip().lower() in ("true", "1", "yes", "có", "x")
                      if not pd.isna(v) else False)
    return ser.astype("boolean").fillna(False).to_numpy(dtype=bool)


def old_status(values):
    status_idx = {g: i for i, g in enumerate(mdata.GAP_STATUSES)}
    last = len(mdata.GAP_STATUSES) - 1
    return [status_idx.get(str(g), last) if not pd.isna(g) else last for g in values]


def old_positions(codes, wanted):
    position = {code: i for i, code in enumerate(codes)}
    return [position.get(c, -1) for c in wanted.astype("string")]


finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
numbers = st.lists(st.one_of(st.none(), finite, st.just(float("nan"))), max_size=30)
ints = st.lists(st.one_of(st.none(), st.integers(-10**12, 10**12)), max_size=30)
bools = st.lists(st.one_of(st.none(), st.booleans()), max_size=30)
words = st.lists(st.one_of(st.none(), st.sampled_from(
    ["ok", "fibre", " True", "có", "x", "no", "", "1", "mobile", "Xã Đông", "unknown"])),
    max_size=30)


def _frames(draw_values, dtype):
    return pd.DataFrame({"c": pd.Series(draw_values, dtype=dtype)})


@settings(max_examples=150, deadline=None)
@given(values=numbers, dtype=st.sampled_from(["float64", "Float64", "object"]),
       digits=st.integers(0, 4))
def test_numbers_as_the_loop(values, dtype, digits):
    df = _frames(values, dtype)
    assert mdata.column_values(df, "c", integer=True) == old_column_values(df, "c", integer=True)
    assert (mdata.column_values(df, "c", digits=digits)
            == old_column_values(df, "c", digits=digits))


@settings(max_examples=100, deadline=None)
@given(values=ints, dtype=st.sampled_from(["Int64", "object", "float64"]))
def test_integers_as_the_loop(values, dtype):
    df = _frames(values, dtype)
    assert mdata.column_values(df, "c", integer=True) == old_column_values(df, "c", integer=True)
    assert mdata.column_values(df, "c", digits=1) == old_column_values(df, "c", digits=1)
    assert mdata.column_values(df, "c") == old_column_values(df, "c")


@settings(max_examples=100, deadline=None)
@given(values=words, dtype=st.sampled_from(["object", "string", "str"]))
def test_text_and_flags_as_the_loop(values, dtype):
    df = _frames(values, dtype)
    assert mdata.column_values(df, "c") == old_column_values(df, "c")
    assert (mdata._bool_array(df, "c") == old_bool_array(df, "c")).all()


@settings(max_examples=100, deadline=None)
@given(values=st.one_of(bools.map(lambda v: ("boolean", v)), ints.map(lambda v: ("Int64", v)),
                        numbers.map(lambda v: ("float64", v)),
                        words.map(lambda v: ("object", v))))
def test_clean_values_as_the_loop(values):
    dtype, vals = values
    ser = pd.Series(vals, dtype=dtype)
    assert mdata.clean_values(ser) == [mdata._clean(v) for v in ser]
    if dtype == "boolean":
        full = ser.fillna(False).astype(bool)
        assert mdata.clean_values(full) == [mdata._clean(v) for v in full]
        assert (mdata._bool_array(pd.DataFrame({"c": ser}), "c")
                == old_bool_array(pd.DataFrame({"c": ser}), "c")).all()


@settings(max_examples=100, deadline=None)
@given(codes=st.lists(st.one_of(st.none(), st.sampled_from(list("abcdef"))), max_size=8),
       wanted=st.lists(st.one_of(st.none(), st.sampled_from(list("abcdefg"))), max_size=20),
       statuses=st.lists(st.one_of(st.none(), st.sampled_from(
           [*mdata.GAP_STATUSES, "other", "OK"])), min_size=1, max_size=20))
def test_village_commune_and_status_as_the_loop(codes, wanted, statuses):
    wanted = pd.Series(wanted, dtype="str")
    assert mvillages._positions(codes, wanted).tolist() == old_positions(codes, wanted)
    villages = gpd.GeoDataFrame({s.GAP_STATUS: pd.Series(statuses, dtype="str")},
                                geometry=[Point(105, 20)] * len(statuses), crs=s.WGS84)
    payload = mvillages.villages_payload(villages, [])
    assert decoded_villages(payload)["status"] == old_status(villages[s.GAP_STATUS])


def test_integers_beyond_64_bits_are_missing_not_wrapped():
    df = pd.DataFrame({"c": [1e19, -1e19, float("inf"), 2.5, 3.5]})
    assert mdata.column_values(df, "c", integer=True) == [None, None, None, 2, 4]


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.sampled_from(
    ["none", "reported", "modelled", "other"])), min_size=1, max_size=20),
       dtype=st.sampled_from(["str", "object", "string"]))
def test_coverage_source_as_the_loop(values, dtype):
    from geo_cds.outputs.maps.speeds import village_source_columns

    ser = pd.Series(values, dtype=dtype)
    villages = gpd.GeoDataFrame({s.COVERAGE_SOURCE: ser}, geometry=[Point(105, 20)] * len(ser),
                                crs=s.WGS84)
    sources = ("none", "reported", "modelled")
    old = [sources.index(v) if not pd.isna(v) and v in sources else 0 for v in ser]
    assert village_source_columns(villages)["cov_src"].tolist() == old


@settings(max_examples=60, deadline=None)
@given(values=st.lists(st.one_of(st.none(), st.booleans()), max_size=20))
def test_little_data_marks_as_the_loop(values):
    thin = pd.Series(values, dtype="boolean")
    old = [None if pd.isna(v) else int(v) for v in thin]
    assert mdata.clean_values(thin.astype("Int64")) == old
