"""`geo-cds coverage`: zones + rasters → table (exit codes and the options named in messages)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import from_origin
from shapely.geometry import box

from geo_cds.analysis.coverage.zones import zone_coverage
from geo_cds.cli.main import cli

X0, Y0 = 500_000.0, 2_000_000.0


@pytest.fixture
def inputs(tmp_path):
    # 2 × 2 raster of 10 m cells: -80 -110 / -100 nodata
    data = np.array([[-80, -110], [-100, -9999]], "float32")
    rsrp = tmp_path / "rsrp.tif"
    with rasterio.open(
        rsrp,
        "w",
        driver="GTiff",
        width=2,
        height=2,
        count=1,
        dtype="float32",
        crs="EPSG:32648",
        transform=from_origin(X0, Y0 + 20, 10, 10),
        nodata=-9999,
    ) as dst:
        dst.write(data, 1)
    zones = gpd.GeoDataFrame(
        {"commune_code": ["00001", "00004"], "name": ["Xã A", "Xã B"]},
        geometry=[box(X0, Y0, X0 + 20, Y0 + 20), box(X0 + 100, Y0, X0 + 110, Y0 + 10)],
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")
    path = tmp_path / "zones.gpkg"
    zones.to_file(path, layer="communes")
    return path, rsrp


def test_coverage_to_csv(inputs, tmp_path):
    zones, rsrp = inputs
    out = tmp_path / "cov.csv"
    res = CliRunner().invoke(
        cli, ["coverage", str(zones), str(out), "-r", f"4g={rsrp}", "--id", "commune_code"]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype={"commune_code": str})
    assert list(table["commune_code"]) == ["00001", "00004"]  # codes keep their zeros
    # default 4G threshold -105 dBm: -80 and -100 covered, -110 not; nodata left out
    assert table.loc[0, "4g_area_share"] == pytest.approx(2 / 3, abs=1e-6)
    assert table.loc[0, "4g_valid_share"] == pytest.approx(3 / 4, abs=1e-6)
    assert np.isnan(table.loc[1, "4g_area_share"])  # off the raster: empty, not 0
    assert "2 zones" in res.output


def test_coverage_to_parquet_with_threshold_and_cache(inputs, tmp_path):
    zones, rsrp = inputs
    out = tmp_path / "cov.parquet"
    args = [
        "coverage",
        str(zones),
        str(out),
        "-r",
        f"sig={rsrp}",
        "-t",
        "sig=-90",
        "--cache-dir",
        str(tmp_path / "cache"),
    ]
    assert CliRunner().invoke(cli, args).exit_code == 0
    table = pd.read_parquet(out)
    assert list(table.columns[:2]) == ["commune_code", "name"]
    assert table.loc[0, "sig_area_share"] == pytest.approx(1 / 3, abs=1e-6)
    assert any((tmp_path / "cache").iterdir())


def test_refuses_to_overwrite(inputs, tmp_path):
    zones, rsrp = inputs
    out = tmp_path / "cov.csv"
    out.write_text("keep me")
    res = CliRunner().invoke(cli, ["coverage", str(zones), str(out), "-r", f"4g={rsrp}"])
    assert res.exit_code == 1
    assert "--overwrite" in res.output
    assert out.read_text() == "keep me"
    res = CliRunner().invoke(
        cli, ["coverage", str(zones), str(out), "-r", f"4g={rsrp}", "--overwrite"]
    )
    assert res.exit_code == 0


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["-r", "nothing"], "--raster"),
        (["-r", "4g=RSRP", "-t", "5g=-100"], "--threshold"),
        (["-r", "4g=RSRP", "-t", "4g=strong"], "--threshold"),
        (["-r", "4g=RSRP", "--id", "no_such_column"], "--id"),
        (["-r", "4g=RSRP", "--mode", "approx"], "--mode"),
    ],
)
def test_bad_parameters_exit_2_and_name_the_option(inputs, tmp_path, args, named):
    zones, rsrp = inputs
    args = [a.replace("RSRP", str(rsrp)) for a in args]
    res = CliRunner().invoke(cli, ["coverage", str(zones), str(tmp_path / "o.csv"), *args])
    assert res.exit_code == 2
    assert named in res.output


def test_bad_output_suffix(inputs, tmp_path):
    zones, rsrp = inputs
    res = CliRunner().invoke(
        cli, ["coverage", str(zones), str(tmp_path / "o.xlsx"), "-r", f"4g={rsrp}"]
    )
    assert res.exit_code == 2 and "OUTPUT" in res.output


def test_unreadable_raster_is_a_refusal(inputs, tmp_path):
    zones, _ = inputs
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff")
    res = CliRunner().invoke(
        cli, ["coverage", str(zones), str(tmp_path / "o.csv"), "-r", f"4g={bad}"]
    )
    assert res.exit_code == 1 and "cannot open" in res.output


def test_help_has_an_example():
    res = CliRunner().invoke(cli, ["coverage", "--help"])
    assert res.exit_code == 0 and "geo-cds coverage communes.gpkg" in res.output


def test_every_unusable_raster_is_named_at_once(inputs, tmp_path):
    zones, _ = inputs
    bad_a, bad_b = tmp_path / "bad_a.tif", tmp_path / "bad_b.tif"
    bad_a.write_text("not a tiff")
    bad_b.write_text("not a tiff either")
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(
        cli, ["coverage", str(zones), str(out), "-r", f"4g={bad_a}", "-r", f"5g={bad_b}"]
    )
    assert res.exit_code == 1
    assert "bad_a.tif" in res.output and "bad_b.tif" in res.output
    assert not out.exists()


def test_every_missing_id_column_is_named_at_once(inputs, tmp_path):
    zones, rsrp = inputs
    res = CliRunner().invoke(
        cli,
        ["coverage", str(zones), str(tmp_path / "o.csv"), "-r", f"4g={rsrp}",
         "--id", "ma_xa", "--id", "ten_xa"],
    )
    assert res.exit_code == 2
    assert "ma_xa" in res.output and "ten_xa" in res.output


def test_zone_coverage_collects_problems_for_a_notebook(inputs, tmp_path):
    zones, rsrp = inputs
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff")
    result = zone_coverage(
        zones, {"4g": rsrp, "5g": bad}, thresholds={"3g": -100}, id_columns=["ma_xa", "ten_xa"]
    )
    assert result.table is None
    errors = result.problems.errors
    assert sorted(p.column for p in errors if p.layer == "zones") == ["ma_xa", "ten_xa"]
    assert [p.layer for p in errors if p.layer.startswith("raster")] == ["raster 5g"]
    assert [p.column for p in errors if p.layer == "thresholds"] == ["3g"]


def test_zone_coverage_matches_the_hand_worked_raster(inputs):
    zones, rsrp = inputs
    result = zone_coverage(zones, {"4g": rsrp}, id_columns=["commune_code"])
    assert not result.problems.errors
    assert list(result.table.columns[:2]) == ["commune_code", "4g_area_share"]
    # default 4G threshold -105 dBm: -80 and -100 covered, -110 not; nodata left out
    assert result.table.loc[0, "4g_area_share"] == pytest.approx(2 / 3, abs=1e-6)


def test_every_bad_threshold_is_named_at_once(inputs, tmp_path):
    zones, rsrp = inputs
    res = CliRunner().invoke(
        cli,
        ["coverage", str(zones), str(tmp_path / "o.csv"), "-r", f"4g={rsrp}",
         "-t", "4g=strong", "-t", "3g=-100"],
    )
    assert res.exit_code == 2
    assert "'strong' is not a number" in res.output and "'3g'" in res.output


def test_quiet_prints_nothing_on_success_and_still_prints_errors(inputs, tmp_path):
    zones, rsrp = inputs
    out = tmp_path / "cov.csv"
    args = ["coverage", str(zones), str(out), "-r", f"4g={rsrp}"]
    loud = CliRunner().invoke(cli, args)
    assert loud.exit_code == 0 and "coverage… " in loud.stderr  # the stage and its time
    quiet = CliRunner().invoke(cli, ["-q", *args, "--overwrite"])
    assert quiet.exit_code == 0 and quiet.output == ""
    refused = CliRunner().invoke(cli, ["-q", *args])
    assert refused.exit_code == 1 and "--overwrite" in refused.stderr
