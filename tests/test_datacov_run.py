"""The data behind the shares, end to end: the summary, the workbook, the communes table and the
map's data say the same, and mark the same figures as resting on little data.

Nine villages without coordinates in three real 2025 communes (placed by their codes); a blank
in the Có/Không columns is unknown. Worked out by hand (threshold 50 %):

=======  =======  ======  =========  =====  =====================================
commune  village  people  4G         fibre
=======  =======  ======  =========  =====  =====================================
07795    A1       1000    Có         Có     4G 4/4 villages, 2000/2000 people;
07795    A2        500    Không             fibre 1/4 (25 %), 1000/2000 → little data
07795    A3        300    Có
07795    A4        200    Có
19603    B1        100               Có     4G 1/2 (50 %: not under), 900/1000;
19603    B2        900    Có         Không  fibre 2/2
21433    C1        800               Có     4G 2/3 villages but 200/1000 people (20 %)
21433    C2        100    Có         Có     → little data; fibre 2/3, 900/1000
21433    C3        100    Có
=======  =======  ======  =========  =====  =====================================

Each commune is the only one with villages in its province (Bắc Ninh 24, Quảng Trị 44,
Quảng Ngãi 51), so each province reads as its commune.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from geo_cds.cli.main import cli

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = REPO / "boundaries" / "communes_2025_seed_provinces.gpkg"
ROWS = [
    ("07795", "A1", 1000, "Có", "Có"), ("07795", "A2", 500, "Không", ""),
    ("07795", "A3", 300, "Có", ""), ("07795", "A4", 200, "Có", ""),
    ("19603", "B1", 100, "", "Có"), ("19603", "B2", 900, "Có", "Không"),
    ("21433", "C1", 800, "", "Có"), ("21433", "C2", 100, "Có", "Có"),
    ("21433", "C3", 100, "Có", ""),
]
# commune → (4G: villages known, people known, little data), (fibre: the same)
EXPECTED = {
    "07795": ((4, 2000, False), (1, 1000, True)),
    "19603": ((1, 900, False), (2, 1000, False)),
    "21433": ((2, 200, True), (2, 900, False)),
}
PROVINCE_OF = {"07795": "24", "19603": "44", "21433": "51"}
TOTAL = {"07795": (4, 2000), "19603": (2, 1000), "21433": (3, 1000)}


@pytest.fixture(scope="module")
def thin_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("datacov")
    pd.DataFrame(ROWS, columns=["Mã xã", "Tên thôn", "Dân số", "Có 4G", "Có cáp quang"]) \
        .to_csv(tmp / "thon.csv", index=False, encoding="utf-8")
    plan = tmp / "plan.toml"
    plan.write_text(f"""
[run]
name = "datacov"
output_dir = "out"
lang = "vi"
[inputs.communes]
path = "{BOUNDARIES.as_posix()}"
layer = "communes"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
province_name = "province"
[inputs.villages]
path = "thon.csv"
vintage = "2025"
[inputs.villages.columns]
has_4g = "Có 4G"
""", encoding="utf-8")
    res = CliRunner().invoke(cli, ["run", str(plan)])
    assert res.exit_code == 0, res.output
    return tmp / "out" / "datacov"


def _communes(folder: Path) -> pd.DataFrame:
    return pd.read_csv(folder / "communes.csv", dtype={"commune_code": str}) \
        .set_index("commune_code")


def test_the_communes_table_says_what_each_share_rests_on(thin_run):
    c = _communes(thin_run)
    for code, ((n4, p4, t4), (nf, pf, tf)) in EXPECTED.items():
        n, people = TOTAL[code]
        row = c.loc[code]
        assert (row["n_villages"], row["village_population"]) == (n, people)
        assert (row["n_known_4g"], row["n_known_fibre"]) == (n4, nf)
        assert row["pop_known_4g_share"] == pytest.approx(p4 / people)
        assert row["pop_known_fibre_share"] == pytest.approx(pf / people)
        assert (bool(row["thin_4g"]), bool(row["thin_fibre"])) == (t4, tf)
    no_villages = c[c["n_villages"] == 0]
    assert len(no_villages) == len(c) - 3
    assert (no_villages["n_known_4g"] == 0).all() and no_villages["thin_4g"].isna().all()


def _coverage_sheet(folder: Path) -> list[dict]:
    wb = load_workbook(folder / "priority_villages.xlsx", read_only=True)
    rows = list(wb["Số liệu làm căn cứ"].iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def _payload(folder: Path) -> dict:
    html = (folder / "map.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>', html,
                  re.DOTALL)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_summary_workbook_communes_and_map_agree(thin_run):
    """The same figures, counted once in each output, worked out above."""
    summary = json.loads((thin_run / "summary.json").read_text(encoding="utf-8"))
    assert summary["min_known_share"] == 0.5
    run = json.loads((thin_run / "run.json").read_text(encoding="utf-8"))
    assert run["plan"]["thresholds"]["min_known_share"] == 0.5
    by_prov = {(r["province_code"], r["figure"]): r for r in summary["data_coverage"]}
    sheet = _coverage_sheet(thin_run)
    by_commune = {(r["Mã xã"], r["Chỉ số"]): r for r in sheet if r["Mã xã"]}
    by_sheet_prov = {(r["Mã tỉnh"], r["Chỉ số"]): r for r in sheet
                     if r["Mã tỉnh"] and not r["Mã xã"]}
    c = _communes(thin_run)
    payload = _payload(thin_run)["communes"]
    k_of = {code: k for k, code in enumerate(payload["code"])}
    for code, figures in EXPECTED.items():
        n, people = TOTAL[code]
        for (key, name), (known, people_known, thin) in zip(
                (("4g", "Thôn có 4G"), ("fibre", "Thôn có cáp quang")), figures):
            prov = by_prov[(PROVINCE_OF[code], key)]  # summary.json, one commune per province
            assert (prov["villages_known"], prov["n_villages"], prov["population_known"],
                    prov["village_population"], prov["thin"]) == (known, n, people_known,
                                                                  people, thin)
            for row in (by_commune[(code, name)], by_sheet_prov[(PROVINCE_OF[code], name)]):
                assert (row["Thôn có số liệu"], row["Số thôn"], row["Dân số các thôn có số liệu"],
                        row["Ít dữ liệu"]) == (known, n, people_known, "Có" if thin else "Không")
            assert c.loc[code, f"n_known_{key}"] == known
            col = {"4g": "share_villages_4g", "fibre": "share_villages_fibre"}[key]
            cov = payload["data_coverage"][col]
            k = k_of[code]
            assert (cov["known"][k], cov["thin"][k]) == (known, int(thin))
            assert cov["pop"][k] == pytest.approx(people_known / people, abs=1e-4)
            assert payload["n_villages"][k] == n
    # the total: 4G 7/9 villages, 3100/4000 people; fibre 5/9, 2900/4000; neither thin
    total = {r["figure"]: r for r in summary["data_coverage"] if r["scope"] == "all"}
    assert (total["4g"]["villages_known"], total["4g"]["population_known"]) == (7, 3100)
    assert (total["fibre"]["villages_known"], total["fibre"]["population_known"]) == (5, 2900)
    assert not total["4g"]["thin"] and not total["fibre"]["thin"]
    # the targets resting on the thin figures are marked in summary.json and summary.md
    thin_targets = {(t["province_code"], t["target_id"]) for t in summary["targets"]
                    if t.get("thin")}
    assert thin_targets == {("24", "village_fibre"), ("51", "village_mobile_broadband")}
    md = (thin_run / "summary.md").read_text(encoding="utf-8")
    assert "| Bắc Ninh | Thôn có cáp quang | 100,0% † |" in md
    assert "| Quảng Ngãi | Thôn có băng rộng di động | 100,0% † |" in md
    assert "† Ít dữ liệu" in md
    assert "| Bắc Ninh | Thôn có cáp quang | 1 / 4 (25,0%) † | 1.000 / 2.000 (50,0%) |" in md
