"""The merger-list check over plain lists against the pandas version it replaced.

``check_old_to_new`` now walks the old → new table as plain Python lists (a pandas lookup per
entry cost more than the check) and keeps the tone keys of names between runs. The oracle is
the version before (main ee8107e), kept verbatim; they are compared on random tables (homonyms,
tone-mark variants, splits, unknown names, units without a list, codes the table does not
know) and on the shipped table with the committed seed-province boundaries.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo_cds.inputs.codes import old_to_new
from geo_cds.inputs.merger_lists import check_old_to_new, parse_before_merger, tone_key

ROOT = Path(__file__).resolve().parent.parent


def old_check_old_to_new(communes, code="commune_code", province="province_code",
                         lists="before_merger", table=None):
    cols = ["new_code", "old_code", "old_name", "problem", "detail"]
    if lists not in communes or code not in communes:
        return pd.DataFrame(columns=cols)
    table = old_to_new() if table is None else table
    with_list = communes[communes[lists].notna() & communes[code].notna()]
    if not len(with_list):
        return pd.DataFrame(columns=cols)
    new_codes = set(with_list[code])
    prov_of = dict(zip(table["new_code"], table["new_province_code"]))
    if province in communes:
        prov_of.update(zip(communes[code], communes[province]))
    provinces = {prov_of.get(c) for c in new_codes}
    scope = table[table["new_province_code"].isin(provinces)]
    old_names = scope.drop_duplicates("old_code").set_index("old_code")["old_name"]
    old_keys = old_names.map(tone_key)
    by_key = {}
    old_prov = scope.drop_duplicates("old_code").set_index("old_code")["new_province_code"]
    for oc, key in old_keys.items():
        by_key.setdefault((old_prov[oc], key), []).append(oc)
    targets = {k: set(v) for k, v in scope.groupby("old_code")["new_code"]}

    listed = {}
    rows = []
    for new, text in zip(with_list[code], with_list[lists]):
        listed[new] = {}
        for name, partial in parse_before_merger(text):
            found = by_key.get((prov_of.get(new), tone_key(name)), [])
            if not found:
                rows.append((new, "", name, "unknown_name",
                             f"the list of {new} names {name}, which is no old commune of "
                             "the province in the old→new table (a homonym's list?)"))
                continue
            here = [oc for oc in found if new in targets.get(oc, ())]
            for oc in here or found:
                listed[new][oc] = partial
    named_in = {}
    for new, olds in listed.items():
        for oc in olds:
            named_in.setdefault(oc, set()).add(new)
    for oc, tgts in targets.items():
        in_scope = tgts & new_codes
        if not in_scope:
            continue
        where = named_in.get(oc, set())
        name = old_names.get(oc, "?")
        if len(tgts) > 1 and len(where) == 1 and where <= tgts:
            only = next(iter(where))
            others = sorted((tgts - where) & new_codes)
            if others and not listed[only][oc]:
                rows.append((only, oc, name, "whole_marked_split",
                             f"the table splits {oc} {name} between {', '.join(sorted(tgts))}; "
                             f"the lists name it whole under {only} only "
                             f"({', '.join(others)} leave it out)"))
            continue
        for new in sorted(in_scope - where):
            elsewhere = sorted(where - tgts)
            if elsewhere:
                rows.append((new, oc, name, "wrong_target",
                             f"the table sends {oc} {name} to {new}; the lists name it under "
                             f"{', '.join(elsewhere)}"))
            elif not where:
                rows.append((new, oc, name, "not_listed",
                             f"the table sends {oc} {name} to {new}, whose list leaves it out; "
                             "no list names it"))
    return pd.DataFrame(rows, columns=cols)


# Names with homonyms and tone-mark variants (Hoà = Hòa; Tiến ≠ Tiên).
NAMES = ["Xã Hòa An", "Xã Hoà An", "Xã Quảng Tiến", "Xã Quảng Tiên", "Xã Hà Mòn", "Thị trấn Lạc",
         "Phường Thuỷ", "Xã Thủy"]
NEW = ["10001", "10002", "10003", "10004", "10005"]
PROV = {"10001": "44", "10002": "44", "10003": "44", "10004": "51", "10005": "51"}


@st.composite
def cases(draw):
    n_old = draw(st.integers(1, 10))
    rows = []
    for k in range(n_old):
        old = f"0{k:04d}"
        name = draw(st.sampled_from(NAMES))
        for new in draw(st.lists(st.sampled_from(NEW), min_size=1, max_size=3, unique=True)):
            rows.append((old, name, new, PROV[new]))
    table = pd.DataFrame(rows, columns=["old_code", "old_name", "new_code", "new_province_code"])
    table["old_name"] = table["old_name"].astype("string")
    item = st.one_of(st.sampled_from(NAMES + ["Xã Không Có"]),
                     st.sampled_from(NAMES).map(lambda n: n + " (phần còn lại sau sáp nhập)"),
                     st.sampled_from(NAMES).map(lambda n: n + " (huyện Sông Lô)"))
    lists = [draw(st.one_of(st.none(), st.just("Không sáp nhập"),
                            st.lists(item, max_size=4).map(", ".join)))
             for _ in NEW]
    codes = NEW + ["10009"]  # a unit the table does not know
    lists.append(draw(st.sampled_from([None, "Xã Hà Mòn"])))
    communes = pd.DataFrame({"commune_code": pd.Series(codes, dtype="str"),
                             "province_code": [PROV.get(c, "44") for c in codes],
                             "before_merger": pd.Series(lists, dtype="str")})
    return communes, table


@settings(max_examples=200, deadline=None)
@given(case=cases())
def test_the_check_finds_what_the_pandas_version_found(case):
    communes, table = case
    got = check_old_to_new(communes, table=table)
    want = old_check_old_to_new(communes, table=table)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_the_shipped_table_with_the_seed_boundaries():
    import pyogrio

    seed = pyogrio.read_dataframe(ROOT / "boundaries" / "communes_2025_seed_provinces.gpkg")
    communes = pd.DataFrame({"commune_code": seed["gso_ward_code"],
                             "province_code": seed["province_code"],
                             "before_merger": seed["before_merger"]})
    got = check_old_to_new(communes)
    assert len(got)  # the seed provinces' lists disagree with the table somewhere
    pd.testing.assert_frame_equal(got, old_check_old_to_new(communes), check_exact=True)
