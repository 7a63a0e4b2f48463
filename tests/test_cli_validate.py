from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from geo_cds.cli.main import cli

REPO = Path(__file__).resolve().parent.parent
BOUNDARIES = REPO / "boundaries" / "communes_2025_seed_provinces.gpkg"


def plan_with_villages(tmp_path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(tmp_path / "thon.csv", index=False)
    plan = tmp_path / "plan.toml"
    plan.write_text(f"""
[run]
name = "check"
output_dir = "out"
[inputs.communes]
path = "{BOUNDARIES.as_posix()}"
layer = "communes"
vintage = "2025"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
province_code = "province_code"
province_name = "province"
[inputs.villages]
path = "thon.csv"
vintage = "2025"
x = "lon"
y = "lat"
""", encoding="utf-8")
    return plan


GOOD = {"village_id": "21433-001", "village_name": "Thôn Văn Hà", "commune_code": "21433",
        "population": 900, "lon": 108.907, "lat": 14.9156}  # in Xã Lân Phong


def test_sample_validates(tmp_path):
    result = CliRunner().invoke(cli, ["validate", "--rejects", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_every_problem_is_reported_and_written(tmp_path):
    rows = [
        {**GOOD, "lon": 106.9401, "lat": 21.32118},  # lies in Bắc Ninh, coded Lân Phong
        {**GOOD, "village_id": "x-2", "commune_code": "", "lon": 100.0, "lat": 10.0},  # nowhere
    ]
    plan = plan_with_villages(tmp_path, rows)
    rejects = tmp_path / "rejects.csv"
    result = CliRunner().invoke(cli, ["validate", str(plan), "--rejects", str(rejects)])
    assert result.exit_code == 1
    assert "row 1" in result.output and "row 2" in result.output
    assert "outside its coded commune 21433" in result.output
    table = pd.read_csv(rejects, encoding="utf-8-sig")
    assert set(table.loc[table.severity == "error", "row"]) == {1, 2}
    assert "villages: 2 read, 0 usable, 0 repaired, 2 rejected" in result.output


def test_missing_plan_file_is_a_usage_error():
    result = CliRunner().invoke(cli, ["validate", "no/such/plan.toml"])
    assert result.exit_code == 2


def test_vintage_override_converts_old_codes(tmp_path):
    # 21436 was Xã Đức Lân (pre-2025), merged whole into 21433 Xã Lân Phong.
    old = {**GOOD, "commune_code": "21436", "lon": 108.907, "lat": 14.9156}
    plan = plan_with_villages(tmp_path, [old])
    rejects = tmp_path / "r.csv"
    refused = CliRunner().invoke(cli, ["validate", str(plan), "--rejects", str(rejects)])
    assert refused.exit_code == 1  # declared 2025 in the plan, but the code is an old one
    converted = CliRunner().invoke(
        cli, ["validate", str(plan), "--vintage", "villages=pre2025", "--rejects", str(rejects)])
    assert converted.exit_code == 0, converted.output
    assert "villages: 1 read, 1 usable" in converted.output


def test_override_must_name_layer_and_value(tmp_path):
    result = CliRunner().invoke(cli, ["validate", "--vintage", "pre2025"])
    assert result.exit_code == 2 and "LAYER=VALUE" in result.output


def test_run_strict_refuses_rows_with_errors(tmp_path):
    plan = plan_with_villages(tmp_path, [GOOD, {**GOOD, "village_id": "x", "lon": 100.0,
                                                "lat": 10.0}])
    strict = CliRunner().invoke(cli, ["run", str(plan), "--strict"])
    assert strict.exit_code == 1 and "1 error(s)" in strict.output
    assert not (tmp_path / "out" / "check").exists()  # nothing written
    lenient = CliRunner().invoke(cli, ["run", str(plan)])
    assert lenient.exit_code == 0, lenient.output
    assert "1 row(s) rejected" in lenient.output


def test_a_full_disk_for_the_rejects_file_is_a_message(tmp_path, monkeypatch):
    import errno

    plan = plan_with_villages(tmp_path, [GOOD])
    real_replace = __import__("os").replace

    def full(src, dst):
        if str(dst).endswith("rejects.csv"):
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr("os.replace", full)
    result = CliRunner().invoke(cli, ["validate", str(plan), "--rejects",
                                      str(tmp_path / "w" / "rejects.csv")])
    assert result.exit_code == 1
    assert f"cannot write to {tmp_path / 'w'}: the disk is full" in result.output
    assert "Traceback" not in result.output
    assert list((tmp_path / "w").iterdir()) == []  # no temporary file left
