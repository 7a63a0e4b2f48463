"""``geo-cds plan``: re-planning a run folder built by hand in ``tmp_path``."""

import json

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import Point
from test_interventions import COMMUNES, UTM, X0, Y0, villages

from geo_cds import schema as s
from geo_cds.cli.main import cli
from geo_cds.outputs.write import MARKER
from geo_cds.plan import SAMPLE_PLAN, Plan

VND = Plan().costs.usd_to_vnd
BUDGET = 100_000 * VND  # 2.6e9: the two 950-people sites, not the off-grid 1,100 one


def make_run(folder, rows=None, *, with_sites=True):
    """A run folder as `geo-cds run` leaves it (the files re-planning reads, and the
    writer's mark that geo-cds created it)."""
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("{}", encoding="utf-8")
    rows = rows or [("A", 0, 0, 1100, {"covered_4g": False, "has_power": False}),
                    ("B", 40, 0, 950, {"covered_4g": False}),
                    ("C", 80, 0, 950, {"covered_4g": False, "dbkk": True}),
                    ("S", 82, 0, 100), ("D", 84, 0, 50, {"has_fibre": False})]
    v = villages(rows)
    v.to_file(folder / "villages.gpkg", layer="villages", driver="GPKG")
    COMMUNES.to_file(folder / "communes.gpkg", layer="communes", driver="GPKG")
    pd.DataFrame(COMMUNES.drop(columns="geometry")).assign(
        **{s.N_VILLAGES: len(v), s.SHARE_4G: (~v[s.GAP_MOBILE]).mean(),
           s.SHARE_FIBRE: (~v[s.GAP_FIBRE]).mean()}
    ).to_csv(folder / "communes.csv", index=False, encoding="utf-8-sig")
    plan = Plan().to_dict()
    if with_sites:
        sites = gpd.GeoDataFrame({"ma_tram": ["T1"], s.TECHNOLOGIES: ["4G"]},
                                 geometry=[Point(X0, Y0)], crs=UTM).to_crs(4326)
        sites.to_file(folder.parent / f"{folder.name}_sites.gpkg", layer="sites", driver="GPKG")
        plan["sites"] = {"path": str(folder.parent / f"{folder.name}_sites.gpkg"),
                         "layer": "sites", "columns": {s.SITE_ID: "ma_tram"}}
    (folder / "run.json").write_text(json.dumps({"plan": plan}), encoding="utf-8")
    return folder


def _snapshot(folder):
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_plan_writes_its_own_folder(tmp_path):
    run = make_run(tmp_path / "sample")
    before = _snapshot(run)
    res = CliRunner().invoke(cli, ["plan", str(run), "--budget", str(BUDGET), "--preset", "equity"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "sample-equity-2.6bn"
    assert f"Plan written to {out}" in res.output
    for name in ("priority_villages.csv", "priority_villages.xlsx", "interventions.csv",
                 "interventions.gpkg", "plan_summary.json", "replan.json", "communes.csv"):
        assert (out / name).exists(), name
    assert _snapshot(run) == before  # the run itself is untouched
    pr = pd.read_csv(out / "priority_villages.csv", dtype={s.COMMUNE_CODE: str})
    assert pr[s.COMMUNE_CODE].eq("07795").all()
    assert set(pr.loc[pr[s.IN_BUDGET], s.VILLAGE_ID]) == {"B", "C"}
    assert pr[s.VILLAGE_ID].iloc[0] == "C"  # equity: the ĐBKK village first
    summary = json.loads((out / "plan_summary.json").read_text(encoding="utf-8"))
    assert summary["preset"] == "equity" and summary["budget_vnd"] == BUDGET
    # equity maximises people × score: C (ĐBKK) is worth 950 × 0.696 per 50,000 USD, far
    # ahead of A's 1,100 × 0.333 per 55,000; greedy then fits B, as the exact answer does
    assert summary["objective"] == "score" and summary["exact_vs_greedy"]["gap_people"] == 0
    assert "1,900 people" in res.output


def test_plan_refuses_to_overwrite(tmp_path):
    run = make_run(tmp_path / "r")
    args = ["plan", str(run), "--budget", "10e9", "--out", str(tmp_path / "p")]
    assert CliRunner().invoke(cli, args).exit_code == 0
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and "--overwrite" in res.output
    assert CliRunner().invoke(cli, args + ["--overwrite"]).exit_code == 0
    res = CliRunner().invoke(cli, ["plan", str(run), "--out", str(run)])
    assert res.exit_code == 1 and "--overwrite" in res.output
    res = CliRunner().invoke(cli, ["plan", str(run), "--out", str(run), "--overwrite"])
    assert res.exit_code == 0 and (run / "plan_summary.json").exists()


def test_plan_sweep(tmp_path):
    run = make_run(tmp_path / "r")
    res = CliRunner().invoke(cli, ["plan", str(run), "--sweep", "0,1.3e9,2.6e9,5e9,1e10",
                                   "--budget", "none", "--weight", "dbkk=0.6"])
    assert res.exit_code == 0, res.output
    sweep = pd.read_csv(tmp_path / "r-coverage-first-nobudget" / "budget_sweep.csv")
    assert sweep["people_exact"].is_monotonic_increasing
    assert (sweep["people_exact"] >= sweep["people_greedy"]).all()
    assert sweep["people_exact"].tolist()[:3] == [0, 950, 1900]
    assert "people exact" in res.output and "2,600,000,000" in res.output


@pytest.mark.parametrize("args, word", [
    (["--weight", "speed=1"], "speed"),
    (["--weight", "dbkk"], "--weight"),
    (["--budget", "lots"], "--budget"),
    (["--sweep", "1e9,x"], "--sweep"),
    (["--preset", "fastest"], "--preset"),
])
def test_plan_bad_parameters(tmp_path, args, word):
    run = make_run(tmp_path / "r")
    res = CliRunner().invoke(cli, ["plan", str(run), *args])
    assert res.exit_code == 2 and word in res.output


def test_plan_not_a_run_folder(tmp_path):
    res = CliRunner().invoke(cli, ["plan", str(tmp_path)])
    assert res.exit_code == 1 and "villages.gpkg" in res.output


def test_plan_help_has_an_example():
    res = CliRunner().invoke(cli, ["plan", "--help"])
    assert res.exit_code == 0 and "geo-cds plan --budget 50e9 --preset equity" in res.output


@pytest.mark.skipif(not (SAMPLE_PLAN.parent / "villages.gpkg").exists(),
                    reason="the embedded sample layers are not generated yet")
def test_sample_budget_sweep(sample_run):
    """On the sample: people served never decrease as the budget grows; exact ≥ greedy."""
    from geo_cds.planning.budget import budget_sweep

    p = sample_run.investment.problem
    total = float(p.costs.sum())
    sweep = budget_sweep(p, [total * f for f in (0, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)])
    assert (sweep["people_exact"].diff().dropna() >= 0).all()
    assert (sweep["people_exact"] >= sweep["people_greedy"]).all()
    assert sweep["people_exact"].iloc[-1] == p.people[p.needs.getnnz(axis=1) > 0].sum()


def test_replanning_in_place_swaps_the_whole_run(tmp_path):
    """--out RUN --overwrite: the run keeps every file it had, gets the new plan files, and
    is replaced in one swap (no backup or staging left beside it)."""
    run = make_run(tmp_path / "r")
    (run / "map.html").write_text("<html>kept</html>")
    res = CliRunner().invoke(cli, ["plan", str(run), "--budget", str(BUDGET), "--out", str(run),
                                   "--overwrite"])
    assert res.exit_code == 0, res.output
    assert (run / "map.html").read_text() == "<html>kept</html>"
    assert (run / MARKER).exists() and (run / "villages.gpkg").exists()
    summary = json.loads((run / "plan_summary.json").read_text(encoding="utf-8"))
    assert summary["budget_vnd"] == BUDGET
    assert not (run / "replan.json").exists()  # in place: still the run, not a re-plan folder
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r", "r_sites.gpkg"]


def test_replanning_into_a_foreign_folder_is_refused(tmp_path):
    run = make_run(tmp_path / "r")
    (tmp_path / "docs").mkdir()
    res = CliRunner().invoke(cli, ["plan", str(run), "--out", str(tmp_path / "docs"),
                                   "--overwrite"])
    assert res.exit_code == 1 and "not written by geo-cds" in res.output
    assert list((tmp_path / "docs").iterdir()) == []


def test_plan_prints_in_the_language_asked(tmp_path):
    run = make_run(tmp_path / "sample")
    res = CliRunner().invoke(cli, ["plan", str(run), "--budget", str(BUDGET), "--preset",
                                   "equity", "--lang", "vi", "--sweep", "0,2.6e9"])
    assert res.exit_code == 0, res.output
    out = tmp_path / "sample-equity-2.6bn"
    assert f"Kế hoạch đã ghi vào {out}" in res.output
    # 1,900 people in budget, written the Vietnamese way; the preset by its Vietnamese name
    assert "1.900 người được phục vụ" in res.output and "2.600.000.000" in res.output
    assert "ưu tiên xã đặc biệt khó khăn" in res.output and "tối ưu chính xác" in res.output
    after_path = res.output.split("\n", 1)[1]  # the folder's name holds the preset's
    for english in ("people", "preset", "budget", "equity", "exact", "optimal", "greedy"):
        assert english not in after_path
