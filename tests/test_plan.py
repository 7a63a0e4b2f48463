import re
from pathlib import Path

import pytest

from geo_cds.errors import PlanError
from geo_cds.plan import Plan, default_plan, load_plan


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "plan.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_defaults_are_the_documented_ones():
    plan = Plan()
    assert plan.thresholds.rsrp_4g_dbm == -105 and plan.thresholds.rsrp_5g_dbm == -110
    assert plan.costs.fibre_usd_per_km == 8000 and plan.costs.fibre_route_factor == 1.1
    assert plan.costs.new_4g_site_usd == 50_000 and plan.costs.site_radius_km == 8
    assert plan.target("household_fibre").threshold == 0.8
    assert plan.target("population_5g").year == 2030


def test_paths_resolve_against_the_plan_folder_and_overrides_apply(tmp_path):
    p = write(tmp_path, """
[run]
name = "ninh"
output_dir = "out"
[inputs.communes]
path = "data/communes.gpkg"
vintage = "2025"
[inputs.communes.columns]
commune_code = "MA_XA"
[inputs.villages]
path = "thon.xlsx"
[thresholds]
rsrp_4g_dbm = -100
[targets.household_fibre]
threshold = 0.9
[costs]
usd_to_vnd = 25000
""")
    plan = load_plan(p)
    assert plan.communes.path == (tmp_path / "data" / "communes.gpkg").resolve()
    assert plan.communes.columns == {"commune_code": "MA_XA"}
    assert plan.output_dir == (tmp_path / "out").resolve()
    assert plan.thresholds.rsrp_4g_dbm == -100 and plan.thresholds.rsrp_5g_dbm == -110
    assert plan.target("household_fibre").threshold == 0.9
    assert plan.target("household_fibre").year == 2025  # untouched fields keep their default
    assert plan.costs.usd_to_vnd == 25000
    assert plan.to_dict()["communes"]["path"].endswith("communes.gpkg")


@pytest.mark.parametrize("text, named", [
    ("[thresholds]\nrsrp_4g = -100\n", "rsrp_4g"),
    ("[inputs.village]\npath = 'x.gpkg'\n", "inputs.village"),
    ("[inputs.villages]\nlayer = 'v'\n", "path"),
    ("[budgett]\nvnd = 1\n", "budgett"),
    ("[run]\nlang = 'fr'\n", "lang"),
    ("not toml = = 1", "TOML"),
    ("[inputs.communes]\npath = 'xa.gpkg'\n", "[inputs.villages] is required"),
])
def test_mistakes_are_named(tmp_path, text, named):
    with pytest.raises(PlanError, match=re.escape(named)):
        load_plan(write(tmp_path, text))


def test_sample_plan_names_files_that_exist():
    plan = default_plan()
    for spec in [plan.communes, plan.villages, plan.parks, plan.streets, plan.sites,
                 *plan.rasters.values()]:
        assert spec.path.exists(), spec.path


def test_the_recorded_plan_round_trips():
    from geo_cds.plan import plan_from_record

    plan = default_plan()
    assert plan_from_record(plan.to_dict()) == plan
    # a manifest from another version: unknown keys are left out, not fatal
    record = plan.to_dict()
    record["costs"]["future_cost_usd"] = 1.0
    record["surprise"] = True
    assert plan_from_record(record).costs == plan.costs
