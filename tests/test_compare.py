"""compare_runs on two run folders written by hand (CSV files only)."""

import pandas as pd

from geo_cds import schema as s
from geo_cds.planning.compare import compare_runs


def _folder(path, communes, priority):
    path.mkdir()
    pd.DataFrame(communes).to_csv(path / "communes.csv", index=False)
    pd.DataFrame(priority).to_csv(path / "priority_villages.csv", index=False)
    return path


COMMUNES = {s.COMMUNE_CODE: ["00001", "00002"], s.N_VILLAGES: [1, 1],
            s.VILLAGE_HOUSEHOLDS: [100, 20], s.SHARE_HH_FIBRE: [1.0, 0.0],
            s.SHARE_4G: [1.0, 0.0]}


def _priority(in_budget):
    return {s.VILLAGE_ID: ["V1", "V2", "V3"], s.RANK: [1, 2, 3],
            s.POPULATION: [100, 200, 300], s.COST_VND: [10, 20, 30], s.IN_BUDGET: in_budget}


def test_household_share_weighted_by_households_and_drop_outs_named(tmp_path):
    a = _folder(tmp_path / "a", COMMUNES, _priority([True, True, False]))
    b = _folder(tmp_path / "b", COMMUNES, _priority([True, False, True]))
    cmp = compare_runs(a, b)
    t = cmp.totals.set_index("metric")
    # households: (100·1.0 + 20·0.0) / 120 = 0.833, not the villages' (1 + 0) / 2 = 0.5
    assert t.loc[s.SHARE_HH_FIBRE, "run_a"] == 100 / 120
    assert t.loc[s.SHARE_4G, "run_a"] == 0.5  # a village share stays weighted by villages
    status = cmp.villages.set_index(s.VILLAGE_ID)["status"].to_dict()
    assert status == {"V1": "same", "V2": "dropped_out", "V3": "entered"}


def test_village_and_park_costs_add_up_to_the_plan_spend(sample_run, tmp_path):
    from geo_cds.pipeline import replan

    again = replan(sample_run.folder, tmp_path / "equity", preset="equity")
    b, inv = again.folder, again.investment
    t = compare_runs(sample_run.folder, b).totals.set_index("metric")
    for run in ("run_a", "run_b"):
        assert t.loc["cost_in_budget_vnd", run] + t.loc["parks_cost_in_budget_vnd", run] == \
            t.loc["summary:in_budget_cost_vnd", run]
    assert t.loc["summary:in_budget_cost_vnd", "run_b"] == inv.summary["in_budget"]["cost_vnd"]
    assert t.loc["total_cost_vnd", "run_b"] == inv.summary["total_cost_vnd"]
