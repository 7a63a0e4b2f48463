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


BAD_NAMES = ["../x", "", " ", ".", "..", ".hidden", "/abs", "a/b", "a\\b", "a\nb", "a\x00b", 5]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_run_name_is_one_plain_folder_name(name):
    with pytest.raises(PlanError, match="run name"):
        Plan(name=name)


@pytest.mark.parametrize("name", ["sample", "ninh-2026", "Quảng Ngãi 2025", "a.b", "x..y"])
def test_plain_run_names_are_accepted(name):
    assert Plan(name=name).name == name


def test_a_bad_run_name_in_a_plan_file_names_the_file(tmp_path):
    p = write(tmp_path, '[run]\nname = "../elsewhere"\n')
    with pytest.raises(PlanError, match=re.escape(f"{p} [run] name: run name '../elsewhere'")):
        load_plan(p)


def test_output_folder_defaults_to_one_beside_the_plan_file(tmp_path):
    p = write(tmp_path, "[inputs.communes]\npath = 'c.gpkg'\n[inputs.villages]\npath = 'v.gpkg'\n")
    assert load_plan(p).output_dir == (tmp_path / "outputs").resolve()


def test_a_plan_built_in_code_never_writes_into_the_package(tmp_path, monkeypatch):
    import geo_cds

    monkeypatch.chdir(tmp_path)
    assert Plan().output_dir == tmp_path / "outputs"
    package = Path(geo_cds.__file__).resolve().parent
    assert package not in Plan().output_dir.resolve().parents


def test_the_embedded_sample_keeps_outputs_at_the_top_of_the_repository():
    repo = Path(__file__).resolve().parent.parent
    assert default_plan().output_dir == repo / "outputs"
