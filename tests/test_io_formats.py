"""GeoParquet, FlatGeobuf and zipped shapefiles read wherever a layer is read.

Each format is written in ``tmp_path`` from one tiny layer built in code (two 10 × 10 m
communes) and read back through the reader of a plan's inputs, the crosswalk reader and
``geo-cds coverage`` zones — with no optional GDAL driver (GeoParquet goes through pyarrow).
"""

from __future__ import annotations

import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import from_origin
from shapely.geometry import box

from geo_cds.cli.main import cli
from geo_cds.inputs import read_layer
from geo_cds.inputs.files import read_polygons
from geo_cds.plan import InputSpec
from geo_cds.problems import ProblemLog

X0, Y0 = 500_000.0, 2_000_000.0  # UTM 48N, in Vietnam


def _zones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"ma_xa": ["21433", "21181"], "ten_xa": ["Xã Lân Phong", "Xã Thọ Phong"]},
        geometry=[box(X0, Y0, X0 + 20, Y0 + 20), box(X0 + 100, Y0, X0 + 110, Y0 + 10)],
        crs="EPSG:32648",
    ).to_crs("EPSG:4326")


def _write(fmt: str, folder) -> object:
    g = _zones()
    if fmt == "geoparquet":
        path = folder / "xa.parquet"
        g.to_parquet(path)
    elif fmt == "flatgeobuf":
        path = folder / "xa.fgb"
        g.to_file(path, driver="FlatGeobuf")
    else:  # a zipped shapefile, inside a folder of the zip as e-mailed archives often are
        g.to_file(folder / "xa.shp")
        path = folder / "xa.zip"
        with zipfile.ZipFile(path, "w") as z:
            for ext in ("shp", "shx", "dbf", "prj", "cpg"):
                if (folder / f"xa.{ext}").exists():
                    z.write(folder / f"xa.{ext}", f"ranh_gioi/xa.{ext}")
                    (folder / f"xa.{ext}").unlink()
    return path


FORMATS = ["geoparquet", "flatgeobuf", "zipped-shapefile"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_plan_input_reads_the_format(tmp_path, fmt):
    path = _write(fmt, tmp_path)
    problems = ProblemLog()
    spec = InputSpec(path=path, vintage="2025",
                     columns={"commune_code": "ma_xa", "commune_name": "ten_xa"})
    frame = read_layer(spec, "communes", problems)
    assert problems.errors == [], [str(p) for p in problems.errors]
    # (FlatGeobuf's spatial index may reorder the features)
    frame = frame.sort_values("commune_code", ascending=False)
    assert frame["commune_code"].tolist() == ["21433", "21181"]
    assert frame["commune_name"].tolist() == ["Xã Lân Phong", "Xã Thọ Phong"]
    # 20 × 20 m and 10 × 10 m squares, back in a metric CRS
    assert frame.to_crs("EPSG:32648").area.round(1).tolist() == [400.0, 100.0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_crosswalk_reader_reads_the_format(tmp_path, fmt):
    frame, code, _ = read_polygons(_write(fmt, tmp_path), code="ma_xa")
    assert code == "ma_xa"
    assert sorted(frame[code]) == ["21181", "21433"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_coverage_zones_read_the_format(tmp_path, fmt):
    zones = _write(fmt, tmp_path)
    rsrp = tmp_path / "rsrp.tif"
    with rasterio.open(rsrp, "w", driver="GTiff", width=2, height=2, count=1, dtype="float32",
                       crs="EPSG:32648", transform=from_origin(X0, Y0 + 20, 10, 10),
                       nodata=-9999) as dst:
        dst.write(np.array([[-80, -110], [-100, -9999]], "float32"), 1)
    out = tmp_path / "cov.csv"
    res = CliRunner().invoke(cli, ["coverage", str(zones), str(out), "-r", f"4g={rsrp}",
                                   "--id", "ma_xa"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out, dtype={"ma_xa": str}).set_index("ma_xa")
    assert sorted(table.index) == ["21181", "21433"]
    # -80 and -100 reach -105 dBm, -110 does not, the fourth cell is nodata: 2 of 3
    assert table.loc["21433", "4g_area_share"] == pytest.approx(2 / 3, abs=1e-6)
    assert np.isnan(table.loc["21181", "4g_area_share"])  # off the raster: no data


def test_a_missing_id_column_is_named_for_geoparquet_zones(tmp_path):
    zones = _write("geoparquet", tmp_path)
    res = CliRunner().invoke(cli, ["coverage", str(zones), str(tmp_path / "o.csv"),
                                   "-r", f"4g={zones}", "--id", "khong_co"])
    assert res.exit_code == 2
    assert "khong_co" in res.output and "ma_xa" in res.output


def test_a_zip_with_two_layers_asks_which(tmp_path):
    g = _zones()
    g.to_file(tmp_path / "a.fgb", driver="FlatGeobuf")
    g.to_file(tmp_path / "b.fgb", driver="FlatGeobuf")
    with zipfile.ZipFile(tmp_path / "two.zip", "w") as z:
        z.write(tmp_path / "a.fgb", "a.fgb")
        z.write(tmp_path / "b.fgb", "b.fgb")
    problems = ProblemLog()
    spec = InputSpec(path=tmp_path / "two.zip", vintage="2025",
                     columns={"commune_code": "ma_xa", "commune_name": "ten_xa"})
    assert read_layer(spec, "communes", problems) is None
    assert any("a.fgb" in p.problem and "b.fgb" in p.problem for p in problems.layer_errors())
    chosen = InputSpec(**{**spec.__dict__, "layer": "b"})
    assert len(read_layer(chosen, "communes", ProblemLog())) == 2
