"""How much data each share rests on, on nine villages worked out by hand.

    commune  prov  village  pop   4G    fibre  households  hh on fibre
    00001    24    a1       1000  yes   yes    200         0.9
    00001    24    a2        500  no    ?      100         ?
    00001    24    a3        300  yes   ?       60         ?
    00001    24    a4        200  yes   ?        ?         0.5     (households unknown)
    00002    44    b1        100  ?     yes     20         0.5
    00002    44    b2        900  yes   no     180         0.2
    00003    51    c1        800  ?     yes    160         1.0
    00003    51    c2        100  yes   yes     20         1.0
    00003    51    c3          ?  yes   ?       20         1.0     (population unknown)
    00004    51    (no villages)

By commune (threshold 50 %; thin = under 50 % of the villages or of the people known):

- 00001 4G: 4/4 villages, 2000/2000 people → enough. Fibre: 1/4 (25 %), 1000/2000 (50 %) →
  thin (villages). Households on fibre: a2 and a3 have no share, a4 no households → only
  a1 counts: 1/4, 1000/2000 → thin.
- 00002 4G: 1/2 (exactly 50 %: not under), 900/1000 → enough. Fibre 2/2 → enough.
- 00003 4G: c2, c3 known: 2/3 villages (66.7 %) but 100/900 people (c3's population is
  unknown, so 900 people are known to live there) = 11.1 % → thin (people). Fibre: c1, c2:
  2/3, 900/900 → enough.
- 00004: no villages: 0 known, no figure, thin missing.
- 5G and digital team: nobody knows → no figure anywhere, thin missing.

By province: 24 = 00001. 44 = 00002. 51 (00003 + 00004): as 00003. All: 4G 7/9 villages
(77.8 %), 2000 + 900 + 100 = 3000 of 3900 people (76.9 %) → enough; fibre 5/9 (55.6 %),
1000 + 1000 + 900 = 2900/3900 (74.4 %) → enough.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

from geo_cds import schema as s
from geo_cds.analysis import datacov, gaps
from geo_cds.errors import PlanError
from geo_cds.outputs.summary import summary, summary_markdown
from geo_cds.plan import Plan, Thresholds

Y, N, U = True, False, None
ROWS = [  # village, commune, population, 4G, fibre, households, share of households on fibre
    ("a1", "00001", 1000, Y, Y, 200, 0.9), ("a2", "00001", 500, N, U, 100, None),
    ("a3", "00001", 300, Y, U, 60, None), ("a4", "00001", 200, Y, U, None, 0.5),
    ("b1", "00002", 100, U, Y, 20, 0.5), ("b2", "00002", 900, Y, N, 180, 0.2),
    ("c1", "00003", 800, U, Y, 160, 1.0), ("c2", "00003", 100, Y, Y, 20, 1.0),
    ("c3", "00003", None, Y, U, 20, 1.0),
]


@pytest.fixture
def villages():
    vid, code, pop, has4g, fibre, hh, share = zip(*ROWS)
    v = pd.DataFrame({
        s.VILLAGE_ID: vid, s.COMMUNE_CODE: code,
        s.POPULATION: pd.array(pop, dtype="Int64"),
        s.HOUSEHOLDS: pd.array(hh, dtype="Int64"),
        s.HAS_4G: pd.array(has4g, dtype="boolean"),
        s.HAS_5G: pd.array([U] * 9, dtype="boolean"),
        s.HAS_FIBRE: pd.array(fibre, dtype="boolean"),
        s.FIBRE_HH_SHARE: pd.array(share, dtype="Float64"),
        s.HAS_DIGITAL_TEAM: pd.array([U] * 9, dtype="boolean"),
        s.HAS_POWER: pd.array([Y] * 9, dtype="boolean"),
    })
    return gaps.village_gaps(gaps.village_coverage(v, {}, Plan().thresholds), Plan())


@pytest.fixture
def communes():
    return gpd.GeoDataFrame({
        s.COMMUNE_CODE: ["00001", "00002", "00003", "00004"],
        s.COMMUNE_NAME: ["Xã A", "Xã B", "Xã C", "Xã D"],
        s.PROVINCE_CODE: ["24", "44", "51", "51"],
        s.PROVINCE_NAME: ["Bắc Ninh", "Quảng Trị", "Quảng Ngãi", "Quảng Ngãi"],
    }, geometry=[box(i, 0, i + 1, 1) for i in range(4)], crs="EPSG:4326")


def test_commune_columns(villages, communes):
    t = gaps.commune_table(communes, villages, None).set_index(s.COMMUNE_CODE)
    assert t["n_known_4g"].tolist() == [4, 1, 2, 0]
    assert t["pop_known_4g_share"].tolist()[:3] == pytest.approx([1.0, 0.9, 100 / 900])
    assert t["thin_4g"].tolist() == [False, False, True, pd.NA]
    assert t["n_known_fibre"].tolist() == [1, 2, 2, 0]
    assert t["pop_known_fibre_share"].tolist()[:3] == pytest.approx([0.5, 1.0, 1.0])
    assert t["thin_fibre"].tolist() == [True, False, False, pd.NA]
    assert t["n_known_hh_fibre"].tolist() == [1, 2, 3, 0]
    assert t["thin_hh_fibre"].tolist() == [True, False, False, pd.NA]
    for key in ("5g", "digital_team"):  # nobody knows: no figure, so not "thin" either
        assert t[f"n_known_{key}"].tolist() == [0, 0, 0, 0]
        assert t[f"thin_{key}"].isna().all()
    assert np.isnan(t.loc["00004", "pop_known_4g_share"])  # no villages: no data, not 0
    # the shares themselves are over the known villages (unchanged)
    assert t["share_villages_fibre"].tolist()[:3] == pytest.approx([1.0, 0.5, 1.0])


def test_the_threshold_moves_the_mark(villages, communes):
    # at 0.1 nothing is thin (00003's 4G rests on 11 % of its people); at 0.6, 00002's 4G
    # (1 of 2 villages) is thin too
    low = gaps.commune_table(communes, villages, None, 0.1).set_index(s.COMMUNE_CODE)
    assert low["thin_4g"].tolist() == [False, False, False, pd.NA]
    high = gaps.commune_table(communes, villages, None, 0.6).set_index(s.COMMUNE_CODE)
    assert high["thin_4g"].tolist() == [False, True, True, pd.NA]


def test_province_and_total_rows(villages, communes):
    t = datacov.data_coverage(communes, villages, 0.5)
    rows = {(r.scope, r.province_code, r.commune_code, r.figure): r
            for r in t.itertuples(index=False)}

    def row(scope, prov, figure, commune=pd.NA):
        key = next(k for k in rows if k[0] == scope and k[1] == prov and k[3] == figure
                   and (pd.isna(commune) or k[2] == commune))
        r = rows[key]
        return (r.villages_known, r.n_villages, r.population_known, r.village_population,
                None if pd.isna(r.thin) else bool(r.thin))

    assert row("province", "24", "fibre") == (1, 4, 1000, 2000, True)
    assert row("province", "44", "4g") == (1, 2, 900, 1000, False)
    assert row("province", "51", "4g") == (2, 3, 100, 900, True)
    assert row("all", "all", "4g") == (7, 9, 3000, 3900, False)
    assert row("all", "all", "fibre") == (5, 9, 2900, 3900, False)
    assert row("all", "all", "5g") == (0, 9, 0, 3900, None)
    assert row("commune", "51", "4g", "00004") == (0, 0, 0, 0, None)
    # one row per unit and figure: 3 provinces + all + 4 communes
    assert len(t) == (3 + 1 + 4) * len(datacov.FIGURES)
    # a province's rows are the sums of its communes' rows
    com = t[t["scope"] == "commune"]
    prov = t[t["scope"] == "province"].set_index(["province_code", "figure"])
    sums = com.groupby(["province_code", "figure"])[
        ["n_villages", "villages_known", "village_population", "population_known"]].sum()
    pd.testing.assert_frame_equal(sums, prov[sums.columns].loc[sums.index], check_dtype=False)


def test_targets_are_marked_and_the_summary_says_so(villages, communes):
    table = gaps.commune_table(communes, villages, None)
    targets = gaps.target_table(table, villages, None, Plan())
    thin = targets.set_index(["province_code", "target_id"])["thin"]
    assert thin[("24", "village_fibre")] is True
    assert thin[("51", "village_mobile_broadband")] is True
    assert thin[("44", "village_mobile_broadband")] is False
    assert thin[("all", "village_fibre")] is False
    assert thin[("24", "commune_fibre")] is None  # a figure over communes: not judged here
    cov = datacov.data_coverage(table, villages, 0.5)
    data = summary(name="t", date="2025-07-01", communes=table, villages=villages,
                   targets=targets, accounting=pd.DataFrame(), investment=None, generated=[],
                   data_coverage=cov, min_known_share=0.5)
    assert len(data["data_coverage"]) == (3 + 1) * len(datacov.FIGURES)  # no commune rows
    md = summary_markdown(data, "en")
    assert "| Bắc Ninh | Villages with fibre | 100.0% † |" in md
    assert "| Quảng Ngãi | Villages with mobile broadband | 100.0% † |" in md
    assert "† Little data: the share rests on under 50% of the area's villages" in md
    assert "| Bắc Ninh | Villages with fibre | 1 / 4 (25.0%) † | 1,000 / 2,000 (50.0%) |" in md
    assert "| All | Villages with 4G | 7 / 9 (77.8%) | 3,000 / 3,900 (76.9%) |" in md
    vi = summary_markdown(data, "vi")
    assert "| Bắc Ninh | Thôn có cáp quang | 1 / 4 (25,0%) † | 1.000 / 2.000 (50,0%) |" in vi


def test_the_threshold_is_a_share():
    assert Thresholds().min_known_share == 0.5
    with pytest.raises(PlanError, match="min_known_share"):
        Thresholds(min_known_share=50)
