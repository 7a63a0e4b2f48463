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


def _tree(root: Path) -> dict:
    """Every path under ``root`` with its content (files) and modification time."""
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("name", ["../x", "", ".", "..", "<abs>", "a/b", "..\\x", "a\tb"])
def test_a_bad_run_name_touches_nothing(tmp_path, name):
    """--name with separators, '..', empty or absolute: a usage error before anything is
    written or deleted — not even with --overwrite."""
    from geo_cds.outputs.write import atomic_folder

    out = tmp_path / "outputs"
    with atomic_folder(out / "earlier", overwrite=True) as staging:  # a run to keep
        (staging / "communes.csv").write_text("earlier run")
    (tmp_path / "victim").mkdir()
    (tmp_path / "victim" / "notes.txt").write_text("not geo-cds")
    (tmp_path / "x").mkdir()
    if name == "<abs>":
        name = str(tmp_path / "victim")
    before = _tree(tmp_path)
    result = CliRunner().invoke(cli, ["run", "--output-dir", str(out), "--name", name,
                                      "--overwrite"])
    assert result.exit_code == 2, result.output
    assert "run name" in result.output and "--name" in result.output
    assert _tree(tmp_path) == before


def test_an_unwritable_output_folder_stops_the_run_before_the_work(tmp_path, monkeypatch):
    import errno

    real_touch = Path.touch

    def touch(self, *args, **kwargs):
        if self.parent == tmp_path:
            raise OSError(errno.EROFS, "Read-only file system", str(self))
        return real_touch(self, *args, **kwargs)

    monkeypatch.setattr(Path, "touch", touch)
    result = CliRunner().invoke(cli, ["run", "--output-dir", str(tmp_path), "--name", "r"])
    assert result.exit_code == 1
    assert f"cannot write to {tmp_path}: the file system is read-only" in result.output
    assert "Traceback" not in result.output and "time:" not in result.output
    assert list(tmp_path.iterdir()) == []


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
