from pathlib import Path

import pytest
from click.testing import CliRunner

from geo_cds.cli.main import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-run")
    result = CliRunner().invoke(cli, ["run", "--output-dir", str(out), "--name", "t", "--budget", "20e9"])
    return out, result


def test_run_writes_the_named_folder_and_reports(ran):
    out, result = ran
    assert result.exit_code == 0, result.output
    assert (out / "t" / "map.html").exists()
    assert "villages on the priority list" in result.output
    import json
    manifest = json.loads((out / "t" / "run.json").read_text(encoding="utf-8"))
    assert manifest["plan"]["budget"]["vnd"] == 20e9 and manifest["plan"]["name"] == "t"


def test_run_refuses_to_replace_a_run_without_overwrite(ran):
    out, _ = ran
    result = CliRunner().invoke(cli, ["run", "--output-dir", str(out), "--name", "t"])
    assert result.exit_code == 1
    assert "--overwrite" in result.output


def test_bad_plan_is_a_usage_error_naming_the_key(tmp_path):
    plan = tmp_path / "p.toml"
    plan.write_text("[thresholds]\nrsrp_4g = -100\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["run", str(plan)])
    assert result.exit_code == 2
    assert "rsrp_4g" in result.output


def test_help_has_an_example():
    result = CliRunner().invoke(cli, ["run", "--help"])
    assert result.exit_code == 0 and "geo-cds run" in result.output


def test_map_assets_can_sit_in_a_folder_beside_the_map(tmp_path):
    result = CliRunner().invoke(cli, ["run", "--output-dir", str(tmp_path), "--map-assets",
                                      "folder"])
    assert result.exit_code == 0, result.output
    run_dir = tmp_path / "sample"
    html = (run_dir / "map.html").read_text(encoding="utf-8")
    assert 'src="map_assets/leaflet.js"' in html
    assert (run_dir / "map_assets" / "leaflet.js").stat().st_size > 100_000
    import re

    refs = re.findall(r'<(?:script[^>]*src|link[^>]*href)="([^"]+)"', html)
    assert refs and all(r.startswith("map_assets/") for r in refs)  # nothing from the network


def test_run_shows_each_stage_and_its_time_on_stderr(ran):
    import re

    _, result = ran
    for stage in ("load", "coverage", "priority", "writing the map"):
        assert re.search(rf"^{stage}… \d+\.\d s$", result.stderr, re.M), result.stderr
    assert "villages on the priority list" not in result.stderr  # the summary is on stdout


def test_quiet_run_prints_nothing_on_success(tmp_path):
    result = CliRunner().invoke(cli, ["-q", "run", "--output-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "sample" / "summary.md").exists()
    assert result.output == ""  # neither progress (stderr) nor the closing summary (stdout)


def test_quiet_still_prints_errors(ran, tmp_path):
    out, _ = ran
    refused = CliRunner().invoke(cli, ["-q", "run", "--output-dir", str(out), "--name", "t"])
    assert refused.exit_code == 1 and "--overwrite" in refused.stderr
    plan = tmp_path / "p.toml"
    plan.write_text("[thresholds]\nrsrp_4g = -100\n", encoding="utf-8")
    bad = CliRunner().invoke(cli, ["-q", "run", str(plan)])
    assert bad.exit_code == 2 and "rsrp_4g" in bad.stderr
