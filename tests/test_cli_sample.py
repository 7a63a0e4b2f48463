"""``geo-cds sample`` on a tiny subset of communes."""

from __future__ import annotations

import geopandas as gpd
from click.testing import CliRunner

from geo_cds.cli.main import cli

SUBSET = "21433,19603,07795"


def test_sample_writes_every_layer_then_refuses_to_overwrite(tmp_path):
    out = tmp_path / "layers"
    runner = CliRunner()
    res = runner.invoke(cli, ["sample", "--out", str(out), "--communes", SUBSET])
    assert res.exit_code == 0, res.output
    assert "GENERATED" in res.output
    for f in ("villages.gpkg", "sites.gpkg", "industrial_parks.geojson",
              "cashless_streets.geojson", "rsrp_4g.tif", "rsrp_5g.tif", "population.tif",
              "README.md"):
        assert (out / f).exists(), f
    v = gpd.read_file(out / "villages.gpkg", layer="villages")
    assert set(v["commune_code"]) == set(SUBSET.split(","))
    assert "GENERATED" in (out / "README.md").read_text(encoding="utf-8")

    again = runner.invoke(cli, ["sample", "--out", str(out), "--communes", SUBSET])
    assert again.exit_code == 1
    assert "--overwrite" in again.output

    forced = runner.invoke(cli, ["sample", "--out", str(out), "--communes", SUBSET,
                                 "--overwrite"])
    assert forced.exit_code == 0, forced.output
    v2 = gpd.read_file(out / "villages.gpkg", layer="villages")
    assert v2.drop(columns="geometry").equals(v.drop(columns="geometry"))


def test_sample_unknown_commune_code(tmp_path):
    res = CliRunner().invoke(cli, ["sample", "--out", str(tmp_path), "--communes", "99999"])
    assert res.exit_code == 1
    assert "99999" in res.output


def test_sample_help_has_example():
    res = CliRunner().invoke(cli, ["sample", "--help"])
    assert res.exit_code == 0
    assert "geo-cds sample" in res.output and "--seed" in res.output
