"""The grouped target table and data-coverage figures against the plain per-province loop.

``gaps.target_table`` computes every province's figures from one grouping of the villages,
and ``datacov.by_group`` aggregates every figure in one groupby. The oracles below are the
plain versions they replaced — one boolean selection of the whole table per province, one
groupby per figure — kept here verbatim, and compared on random small tables holding every
kind of unknown (NA coverage, NaN shares, unknown population, villages of a commune outside
the communes layer, provinces without villages). Unknown stays unknown: the tables must be
identical, NA for NA.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds import schema as s
from geo_cds.analysis import datacov, gaps
from geo_cds.plan import Plan

PLAN = Plan()


# ---- the oracles: the implementations before the grouping (main ee8107e) -----------------

def old_by_group(villages, by, min_share):
    pop = pd.to_numeric(villages[s.POPULATION], errors="coerce").astype(float)
    total_villages = by.groupby(by).size().astype("int64")
    total_pop = pop.groupby(by).sum(min_count=1)
    out = {}
    for key, known in datacov.known_masks(villages).items():
        k = known.to_numpy(bool)
        n = pd.Series(k.astype("int64"), index=villages.index).groupby(by).sum()
        people = pop.where(k).groupby(by).sum()
        v_share = n / total_villages
        p_share = (people / total_pop.replace(0, np.nan)).astype(float)
        out[key] = pd.DataFrame({
            "n_villages": total_villages, "villages_known": n.astype("int64"),
            "villages_known_share": v_share.astype(float),
            "village_population": total_pop.fillna(0).round().astype("int64"),
            "population_known": people.round().astype("int64"),
            "population_known_share": p_share,
            "thin": datacov.is_thin(v_share, p_share, n > 0, min_share),
        })
    return out


def old_thin_targets(villages, min_share):
    cov = old_by_group(villages, pd.Series("x", index=villages.index), min_share)
    thin = {tid: cov[key]["thin"].iloc[0] if len(cov[key]) else pd.NA
            for tid, key in datacov.TARGET_FIGURES.items()}
    return {tid: None if pd.isna(v) else bool(v) for tid, v in thin.items()}


def old_judged_on(villages, speed_source="reported"):
    def decided(column):
        used = set(villages[column]) if column in villages else set()
        return "+".join(x for x in ("reported", "modelled") if x in used) or "none"

    mobile = decided(s.COVERAGE_SOURCE)
    smart = "+".join(x for x in ("reported", "modelled") if x == "reported" or x in mobile)
    return {"village_mobile_broadband": mobile, "population_5g": decided(s.COVERAGE_SOURCE_5G),
            "village_fibre": "reported", "household_fibre": "reported",
            "commune_fibre": "reported", "smart_village": smart,
            "park_5g": "modelled", "download_4g": speed_source, "download_5g": speed_source}


def old_speeds(villages, plan, speed_source="reported"):
    limits = {t.id: t.threshold for t in plan.targets}
    speed = gaps.village_speed(villages, speed_source)
    on_5g = villages[s.COVERED_5G].fillna(False).astype(bool)
    on_4g = villages[s.COVERED_4G].fillna(False).astype(bool) & ~on_5g
    out = {}
    for target_id, on in (("download_4g", on_4g), ("download_5g", on_5g)):
        if target_id in limits:
            measured = speed[on].dropna()
            mean = float(measured.mean()) if len(measured) else np.nan
            out[target_id] = (mean, float(len(measured)),
                              float((measured < limits[target_id]).sum()))
    return out


def old_target_table(communes, villages, parks, plan, speed_source="reported"):
    rows = []
    prov_of = communes.set_index(s.COMMUNE_CODE)[s.PROVINCE_CODE]
    v = villages.assign(_prov=villages[s.COMMUNE_CODE].map(prov_of))
    p = None
    if parks is not None and len(parks):
        p = parks.assign(_prov=parks[s.PROVINCE_CODE] if s.PROVINCE_CODE in parks else None)
    names = communes.groupby(s.PROVINCE_CODE)[s.PROVINCE_NAME].first()
    scopes = [(code, names[code]) for code in sorted(names.index)] + [("all", "Tổng")]
    for code, name in scopes:
        vs = v if code == "all" else v[v["_prov"] == code]
        cs = communes if code == "all" else communes[communes[s.PROVINCE_CODE] == code]
        ps = p if (p is None or code == "all") else p[p["_prov"] == code]
        ps_due, park_year = gaps._parks_due(ps, plan)
        pop = pd.to_numeric(vs[s.POPULATION]).astype(float)
        hh = pd.to_numeric(vs[s.HOUSEHOLDS], errors="coerce").astype(float)
        hh_share = pd.to_numeric(vs[s.FIBRE_HH_SHARE], errors="coerce")
        measures = {
            "village_mobile_broadband": gaps._known_share(vs[s.COVERED_4G]),
            "village_fibre": gaps._known_share(vs[s.HAS_FIBRE]),
            "household_fibre": gaps._ratio((hh_share * hh).sum(), hh[hh_share.notna()].sum(),
                                           hh[hh_share.notna()].sum()),
            "commune_fibre": gaps._known_share(cs[s.COMMUNE_HAS_FIBRE]),
            "park_5g": gaps._known_share(ps_due[s.PARK_COVERED_5G]) if len(ps_due)
            else (np.nan, 0),
            "population_5g": gaps._ratio(pop[vs[s.COVERED_5G].fillna(False).astype(bool)].sum(),
                                         pop[vs[s.COVERED_5G].notna()].sum(),
                                         pop[vs[s.COVERED_5G].notna()].sum()),
            "smart_village": gaps._known_share(cs[s.HAS_SMART_VILLAGE]),
            **old_speeds(vs, plan, speed_source),
        }
        sources = old_judged_on(vs, speed_source)
        thin = old_thin_targets(vs, plan.thresholds.min_known_share)
        for t in plan.targets:
            if t.id not in measures:
                continue
            value, base = measures[t.id][:2]
            year = park_year if (t.id == "park_5g" and park_year is not None) else t.year
            if np.isnan(value):
                short = np.nan
            elif t.unit == "Mb/s":
                short = round(max(0.0, t.threshold - value), 1)
            else:
                short = max(0.0, np.ceil(t.threshold * base - value * base - 1e-9))
            rows.append({
                "province_code": code, "province_name": name, "target_id": t.id,
                "indicator": t.indicator, "indicator_en": t.indicator_en,
                "value": value, "threshold": t.threshold, "year": year,
                "status": gaps.status(value, t.threshold, year, plan.reference_year),
                "shortfall": short, "shortfall_unit": gaps.SHORTFALL_UNITS.get(t.id, t.unit),
                "base_units": base, "instrument": t.instrument, "unit": t.unit,
                "source": sources.get(t.id, ""),
                "thin": thin.get(t.id),
            })
    return pd.DataFrame(rows)


# ---- random small tables with unknowns everywhere ----------------------------------------

COMMUNES = ["00001", "00002", "00003", "00004", "00005"]
PROVINCES = {"00001": "01", "00002": "01", "00003": "02", "00004": "03", "00005": "04"}
MAYBE = st.sampled_from([True, False, None])


def _boolean(values):
    return pd.array(values, dtype="boolean")


village_rows = st.lists(st.tuples(
    st.sampled_from(COMMUNES + ["99999"]),  # 99999: a commune the communes layer lacks
    st.one_of(st.none(), st.integers(0, 5000)),  # population (unknown allowed)
    st.one_of(st.none(), st.integers(0, 900)),  # households
    st.one_of(st.none(), st.floats(0, 1, allow_nan=False)),  # share of households on fibre
    MAYBE, MAYBE, MAYBE, MAYBE,  # covered 4G, covered 5G, fibre, digital team
    st.sampled_from(["reported", "modelled", "none"]),
    st.sampled_from(["reported", "modelled", "none"]),
    st.one_of(st.none(), st.floats(0, 300, allow_nan=False)),  # download Mb/s
), max_size=40)


def _villages(rows):
    cols = list(zip(*rows)) if rows else [[]] * 11
    frame = pd.DataFrame({
        s.COMMUNE_CODE: pd.Series(cols[0], dtype="str"),
        s.POPULATION: pd.array(cols[1], dtype="Int64"),
        s.HOUSEHOLDS: pd.array(cols[2], dtype="Int64"),
        s.FIBRE_HH_SHARE: pd.Series(cols[3], dtype="float64"),
        s.COVERED_4G: _boolean(cols[4]),
        s.COVERED_5G: _boolean(cols[5]),
        s.HAS_FIBRE: _boolean(cols[6]),
        s.HAS_DIGITAL_TEAM: _boolean(cols[7]),
        s.COVERAGE_SOURCE: pd.Series(cols[8], dtype="str"),
        s.COVERAGE_SOURCE_5G: pd.Series(cols[9], dtype="str"),
        s.DOWNLOAD_MBPS: pd.Series(cols[10], dtype="float64"),
        "village_name": [f"Thôn {i}" for i in range(len(rows))],  # a column no figure reads
    })
    frame.index = pd.RangeIndex(len(rows)) * 3 + 7  # an index that is not 0..n-1
    return frame


def _communes(fibre, smart):
    return pd.DataFrame({
        s.COMMUNE_CODE: COMMUNES, s.PROVINCE_CODE: [PROVINCES[c] for c in COMMUNES],
        s.PROVINCE_NAME: [f"Tỉnh {PROVINCES[c]}" for c in COMMUNES],
        s.COMMUNE_HAS_FIBRE: _boolean(fibre), s.HAS_SMART_VILLAGE: _boolean(smart),
    })


@settings(max_examples=40, deadline=None)
@given(rows=village_rows, fibre=st.lists(MAYBE, min_size=5, max_size=5),
       smart=st.lists(MAYBE, min_size=5, max_size=5),
       speed_source=st.sampled_from(["reported", "measured"]))
def test_target_table_is_the_plain_loops_table(rows, fibre, smart, speed_source):
    villages = _villages(rows)
    if speed_source == "measured":
        villages[s.DOWNLOAD_MEASURED] = villages[s.DOWNLOAD_MBPS][::-1].to_numpy()
    communes = _communes(fibre, smart)
    got = gaps.target_table(communes, villages, None, PLAN, speed_source=speed_source)
    want = old_target_table(communes, villages, None, PLAN, speed_source=speed_source)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


@settings(max_examples=40, deadline=None)
@given(rows=village_rows, min_share=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
       by_province=st.booleans())
def test_by_group_is_one_groupby_per_figure(rows, min_share, by_province):
    villages = _villages(rows)
    by = villages[s.COMMUNE_CODE].map(PROVINCES) if by_province else villages[s.COMMUNE_CODE]
    got = datacov.by_group(villages, by, min_share)
    want = old_by_group(villages, by, min_share)
    assert list(got) == list(want)
    for key in want:
        pd.testing.assert_frame_equal(got[key], want[key], check_exact=True)


def test_a_province_without_villages_has_no_figure_and_no_thin_flag():
    """Hand-worked: province 04 (commune 00005) has no village; 01 has two, one known."""
    villages = _villages([
        ("00001", 100, 10, 0.5, True, None, True, True, "reported", "none", None),
        ("00002", 300, 30, None, None, None, False, None, "none", "none", None),
    ])
    t = gaps.target_table(_communes([True, None, None, None, None], [None] * 5), villages,
                          None, PLAN).set_index(["province_code", "target_id"])
    mobile = t.loc[("01", "village_mobile_broadband")]
    assert mobile["value"] == 1.0 and mobile["base_units"] == 1.0
    assert mobile["thin"] is True  # 1 of 2 villages known, 100 of 400 people: < 0.5
    assert t.loc[("01", "household_fibre"), "value"] == 0.5
    empty = t.loc[("04", "village_mobile_broadband")]
    assert np.isnan(empty["value"]) and empty["status"] == "not measurable"
    assert empty["thin"] is None
