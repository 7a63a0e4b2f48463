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
        (["-r", "4g=RSRP", "--source-crs", "5g=EPSG:32648"], "--source-crs"),
        (["-r", "4g=RSRP", "--source-crs", "4g=EPSG:999999"], "--source-crs"),
        (["-r", "4g=RSRP", "--source-crs", "4g"], "--source-crs"),
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


# --- --source-crs: a raster without CRS, or with a wrong one --------------------------------

def _write(path, data, crs):
    with rasterio.open(path, "w", driver="GTiff", width=data.shape[1], height=data.shape[0],
                       count=1, dtype=data.dtype, crs=crs, nodata=-9999,
                       transform=from_origin(X0, Y0 + 10 * data.shape[0], 10, 10)) as dst:
        dst.write(data, 1)
    return path


@pytest.fixture
def crs_less(tmp_path):
    """A 4 × 4 RSRP raster in UTM 48N metres whose file has no CRS, the same numbers in a file
    that says WGS 84 (wrong), a population raster that says WGS 84 (wrong), and zones in
    EPSG:4326 (so the zones must be projected onto the CRS given)."""
    rsrp = np.array([[-80, -90, -100, -110], [-85, -95, -120, -9999],
                     [-70, -104, -106, -130], [-9999, -100, -110, -90]], "float32")
    pop = np.array([[10, 0, 5, 1], [2, 2, 2, 2], [0, 0, 8, 3], [1, 1, 1, 1]], "float32")
    utm = [box(X0, Y0, X0 + 40, Y0 + 40), box(X0 + 5, Y0 + 3, X0 + 33, Y0 + 27),
           box(X0 + 12, Y0 + 12, X0 + 38, Y0 + 38), box(X0 + 100, Y0, X0 + 110, Y0 + 10)]
    zones = gpd.GeoDataFrame({"zone": ["a", "b", "c", "off"]}, geometry=utm, crs="EPSG:32648")
    path = tmp_path / "zones.gpkg"
    zones.to_crs("EPSG:4326").to_file(path)
    mask = np.where(rsrp == -9999, -9999, (rsrp >= -105).astype("float32")).astype("float32")
    valid = np.where(rsrp == -9999, -9999, 1).astype("float32")
    return {
        "zones": path, "zones_utm": zones,
        "no_crs": _write(tmp_path / "no_crs.tif", rsrp, None),
        "wrong_crs": _write(tmp_path / "wrong_crs.tif", rsrp, "EPSG:4326"),
        # for exactextract: the covered and the valid cells (1, nodata elsewhere)
        "mask": _write(tmp_path / "mask.tif", mask, None),
        "valid": _write(tmp_path / "valid.tif", valid, None),
        "pop": _write(tmp_path / "pop.tif", pop, "EPSG:4326"),
    }


def test_source_crs_agrees_with_exactextract(crs_less, tmp_path):
    exactextract = pytest.importorskip("exactextract")
    out = tmp_path / "cov.csv"
    res = CliRunner().invoke(cli, [
        "coverage", str(crs_less["zones"]), str(out), "--id", "zone",
        "-r", f"4g={crs_less['no_crs']}", "-r", f"x={crs_less['wrong_crs']}", "-t", "x=-105",
        "--source-crs", "4g=EPSG:32648", "--source-crs", "x=EPSG:32648"])
    assert res.exit_code == 0, res.output
    ours = pd.read_csv(out)
    # exactextract reads the zones as raster coordinates: it gets them in the CRS we gave
    zones = crs_less["zones_utm"]
    stats = exactextract.exact_extract(str(crs_less["no_crs"]), zones, ["mean", "min", "max"],
                                       output="pandas")
    covered = exactextract.exact_extract(str(crs_less["mask"]), zones, ["mean"], output="pandas")
    for name in ("4g", "x"):  # the missing and the wrong CRS alike
        for stat in ("mean", "min", "max"):
            assert ours[f"{name}_{stat}"].iloc[:3].to_numpy() == pytest.approx(
                stats[stat].iloc[:3].to_numpy(), abs=1e-6), (name, stat)
        assert ours[f"{name}_area_share"].iloc[:3].to_numpy() == pytest.approx(
            covered["mean"].iloc[:3].to_numpy(), abs=1e-6)
        assert np.isnan(ours[f"{name}_area_share"].iloc[3])  # off the raster: no data
    # without --source-crs the raster without CRS is refused, naming the way out
    res = CliRunner().invoke(cli, ["coverage", str(crs_less["zones"]), str(tmp_path / "o.csv"),
                                   "-r", f"4g={crs_less['no_crs']}"])
    assert res.exit_code == 1 and "--source-crs 4g=" in res.output


def test_source_crs_of_the_population_raster(crs_less, tmp_path):
    exactextract = pytest.importorskip("exactextract")
    out = tmp_path / "cov.csv"
    res = CliRunner().invoke(cli, [
        "coverage", str(crs_less["zones"]), str(out), "--id", "zone",
        "-r", f"4g={crs_less['no_crs']}", "-p", str(crs_less["pop"]),
        "--source-crs", "4g=EPSG:32648", "--source-crs", "population=EPSG:32648"])
    assert res.exit_code == 0, res.output
    ours = pd.read_csv(out)
    zones = crs_less["zones_utm"]
    # people in covered cells / people in valid cells, both exactextract's weighted sums (it
    # takes the population file's numbers as they are, whatever CRS the file says)
    def people(path):
        with pytest.warns(RuntimeWarning, match="weighting raster"):
            return exactextract.exact_extract(str(path), zones, ["weighted_sum"],
                                              weights=str(crs_less["pop"]), output="pandas")
    expected = people(crs_less["mask"])["weighted_sum"] / people(crs_less["valid"])["weighted_sum"]
    assert ours["4g_pop_share"].iloc[:3].to_numpy() == pytest.approx(
        expected.iloc[:3].to_numpy(), abs=1e-6)
    assert 0 < expected.iloc[1] < 1  # the fixture tells covered from uncovered people
