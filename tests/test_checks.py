"""A run checks itself; a failing check stops it with a message naming what disagrees."""

import json

import pandas as pd
import pytest
from test_ledger import _shared_site_one_village_left_out

from geo_cds import schema as s
from geo_cds.checks import accounting_checks, enforce, shares_in_unit_interval, village_placement
from geo_cds.errors import CheckFailed
from geo_cds.planning.ledger import money_checks


def test_rows_read_must_be_used_plus_rejected():
    table = pd.DataFrame({"layer": ["villages", "parks"], "file": ["v.gpkg", "p.geojson"],
                          "rows_read": [10, 3], "used": [8, 3], "repaired": [1, 0],
                          "rejected": [1, 0]})  # one village neither used nor rejected
    checks = accounting_checks(table)
    assert [c.ok for c in checks] == [False, True]
    with pytest.raises(CheckFailed, match="rows: villages read = used \\+ rejected"):
        enforce(checks)


def test_each_village_in_one_commune_or_rejected():
    communes = pd.DataFrame({s.COMMUNE_CODE: ["07795", "07696"], s.N_VILLAGES: [2, 1]})
    villages = pd.DataFrame({s.COMMUNE_CODE: ["07795", "07795", "07696"],
                             "source_row": [1, 2, 4]})
    assert village_placement(4, villages, communes, {3}).ok
    assert not village_placement(5, villages, communes, {3}).ok  # row 5 went nowhere
    assert not village_placement(4, villages, communes, {4}).ok  # row 4 placed and rejected
    stray = villages.assign(**{s.COMMUNE_CODE: ["07795", "07795", "99999"]})
    assert not village_placement(4, stray, communes, {3}).ok


def test_shares_outside_the_unit_interval_fail():
    good = pd.DataFrame({"share_4g": [0.0, 1.0, None]})
    bad = pd.DataFrame({"share_4g": [0.2, 1.5]})
    targets = pd.DataFrame({"value": [0.5, 54.7], "unit": ["share", "Mb/s"]})
    assert [c.ok for c in shares_in_unit_interval(
        {"communes": good, "parks": bad, "targets": targets})] == [True, False, True]


def test_a_cost_split_between_funded_and_unfunded_rows_is_caught():
    inv = _shared_site_one_village_left_out()
    assert all(c.ok for c in inv.checks)
    # the old way: the shared site's cost split by population (1,000 : 100) onto both rows
    split = inv.priority.copy()
    site = 50_000 * 26_000
    a = split[s.VILLAGE_ID] == "A"
    split.loc[a, s.COST_VND] = round(site * 1000 / 1100)
    split.loc[~a, s.COST_VND] += site - round(site * 1000 / 1100)
    failed = [c.name() for c in money_checks(split, inv.interventions, inv.parks, inv.summary)
              if not c.ok]
    assert "money: in-budget spend in every view" in failed


def test_the_sample_run_records_its_checks(sample_run):
    run = json.loads((sample_run.folder / "run.json").read_text(encoding="utf-8"))
    summary = json.loads((sample_run.folder / "summary.json").read_text(encoding="utf-8"))
    names = {c["name"] for c in run["checks"]}
    assert {"money: in-budget spend in every view", "rows: villages read = used + rejected",
            "villages: each in exactly one commune or in the rejects",
            "shares: communes in [0, 1]"} <= names
    assert all(c["ok"] for c in run["checks"]) and summary["checks"] == run["checks"]
    assert "## Tự kiểm tra của lượt chạy" in (sample_run.folder / "summary.md").read_text(
        encoding="utf-8")


def test_checks_read_in_vietnamese():
    from geo_cds.checks import Check, equal

    c = Check.from_dict(equal("money_in_budget", {"village_list_parks": 1_234_567.0,
                                                  "plan_summary": 1_234_567.0}).to_dict())
    assert c.name("vi") == "tiền: chi trong ngân sách như nhau ở mọi bảng"
    assert c.detail("vi") == "danh sách thôn + KCN 1.234.567 = tóm tắt kế hoạch 1.234.567"
    assert c.detail("en") == "village list + parks 1,234,567 = plan summary 1,234,567"
