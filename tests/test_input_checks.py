"""What no real input can be: each broken file or impossible value is one message with the fix.

Tiny layers built in code (two 0.1° communes of Quảng Ngãi, villages in them); each test
breaks one thing and reads the layer with ``read_layer``, checking the message itself. The
end-to-end view (every sample layer broken every way, through the commands) is
``test_fuzz_inputs.py``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from test_io_read import communes_file, communes_spec, villages_frame  # noqa: F401 (fixture)

from geo_cds.inputs import checks, read_layer
from geo_cds.inputs.rasters import check_rasters
from geo_cds.inputs.tables import parse_number
from geo_cds.plan import InputSpec, RasterSpec
from geo_cds.problems import ProblemLog


def _villages(tmp_path, communes_file, frame: pd.DataFrame, name="villages.csv"):  # noqa: F811
    path = tmp_path / name
    frame.to_csv(path, index=False)
    problems = ProblemLog()
    communes = read_layer(communes_spec(communes_file), "communes", problems)
    out = read_layer(InputSpec(path=path, vintage="2025"), "villages", problems, communes)
    return out, problems


@pytest.mark.parametrize("text", ["inf", "-inf", "1e309", "nan", "Infinity"])
def test_non_finite_text_is_not_a_number(text):
    nums, bad = parse_number(pd.Series([text, "12"]))
    assert bad.tolist() == [True, False]
    assert np.isnan(nums[0]) and nums[1] == 12


def test_infinite_float_cell_is_not_a_number():
    nums, bad = parse_number(pd.Series([np.inf, 3.0]), integer=True)
    assert bad.tolist() == [True, False] and np.isnan(nums[0])


@pytest.mark.parametrize(("value", "message"), [
    ("inf", "'inf' is not a finite number"),
    ("1e309", "'1e309' is not a finite number"),
    ("1e20", "'1e20' is beyond any real population (0 to 2,000,000)"),
])
def test_absurd_population_is_named_with_the_value_and_left_empty(
        tmp_path, communes_file, value, message):  # noqa: F811
    # a village's population is optional (issue 12): the row is kept, its population unknown
    frame = villages_frame().astype({"population": object})
    frame.loc[1, "population"] = value
    out, problems = _villages(tmp_path, communes_file, frame)
    assert out["village_id"].tolist() == ["V1", "V2", "V3"]
    assert pd.isna(out.loc[1, "population"]) and not problems.errors
    (p,) = [p for p in problems.warnings if message in p.problem]
    assert (p.row, p.feature_id, p.column) == (2, "V2", "population")


def test_absurd_optional_value_is_left_empty_with_a_warning(tmp_path, communes_file):  # noqa: F811
    frame = villages_frame()
    frame["households"] = [100, 1e12, 50]
    out, problems = _villages(tmp_path, communes_file, frame)
    assert len(out) == 3 and pd.isna(out.loc[1, "households"])
    (p,) = [p for p in problems.warnings if p.column == "households"]
    assert "beyond any real households (0 to 1,000,000)" in p.problem
    assert "1000000000000" in p.problem  # the value as the file holds it, not np.float64(…)


def test_implausible_limits_by_hand():
    bad, allowed = checks.implausible(pd.Series([0, 2_000_000, 2_000_001, np.nan]), "population")
    assert bad.tolist() == [False, False, True, False] and allowed == "0 to 2,000,000"
    bad, _ = checks.implausible(pd.Series([-201.0, -200.0, 0.0, 1.0]), "rsrp_4g_dbm")
    assert bad.tolist() == [True, False, False, True]
    bad, _ = checks.implausible(pd.Series([1999, 2000, 2100, 2101]), "target_5g_year")
    assert bad.tolist() == [True, False, False, True]


def test_header_only_table_is_an_error_not_zero_villages(tmp_path, communes_file):  # noqa: F811
    out, problems = _villages(tmp_path, communes_file, villages_frame().iloc[0:0])
    assert out is None
    (p,) = problems.layer_errors()
    assert p.file.endswith("villages.csv") and "no features" in p.problem


def test_every_row_unusable_is_an_error_for_villages(tmp_path, communes_file):  # noqa: F811
    frame = villages_frame()
    frame["commune_code"] = ["many", "lots", "some"]
    out, problems = _villages(tmp_path, communes_file, frame)
    assert out is None
    assert any("none of its 3 rows can be used" in p.problem for p in problems.layer_errors())


def test_empty_optional_layer_is_left_out_with_a_warning(tmp_path, communes_file):  # noqa: F811
    import geopandas as gpd

    path = tmp_path / "parks.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    problems = ProblemLog()
    communes = read_layer(communes_spec(communes_file), "communes", problems)
    assert read_layer(InputSpec(path=path), "parks", problems, communes) is None
    assert not problems.errors
    assert "the run goes on without parks" in problems.warnings[-1].problem
    assert isinstance(communes, gpd.GeoDataFrame)


def test_point_park_is_rejected_with_the_reason(tmp_path, communes_file):  # noqa: F811
    import geopandas as gpd
    from shapely.geometry import Point, box

    parks = gpd.GeoDataFrame({"park_id": ["P1", "P2"], "park_name": ["KCN A", "KCN B"],
                              "kind": ["KCN", "KCN"]},
                             geometry=[box(108.81, 15.01, 108.82, 15.02), Point(108.85, 15.05)],
                             crs="EPSG:4326")
    path = tmp_path / "parks.geojson"
    parks.to_file(path)
    problems = ProblemLog()
    out = read_layer(InputSpec(path=path), "parks", problems)
    assert out["park_id"].tolist() == ["P1"]
    (p,) = problems.errors
    assert p.feature_id == "P2" and "geometry type Point is not allowed for parks" in p.problem


@pytest.mark.parametrize(("drop", "says"), [(".dbf", "the attribute table"),
                                            (".shx", "the index of the shapes")])
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_shapefile_without_sidecar_says_which(tmp_path, communes_file, drop, says):  # noqa: F811
    import geopandas as gpd

    frame = villages_frame()
    gdf = gpd.GeoDataFrame(frame.drop(columns=["lon", "lat"]),
                           geometry=gpd.points_from_xy(frame["lon"], frame["lat"]),
                           crs="EPSG:4326")
    shp = tmp_path / "thon.shp"
    gdf.to_file(shp)
    shp.with_suffix(drop).unlink()
    problems = ProblemLog()
    assert read_layer(InputSpec(path=shp, vintage="2025"), "villages", problems) is None
    (p,) = problems.layer_errors()
    assert p.file.endswith("thon.shp") and f"no {drop} file ({says})" in p.problem
    assert "required column" not in p.problem


def test_empty_file_and_folder(tmp_path):
    empty = tmp_path / "x.gpkg"
    empty.write_bytes(b"")
    assert "empty (0 bytes)" in checks.file_problem(empty)[0]
    assert "folder" in checks.file_problem(tmp_path)[0]


def _raster(path, data, crs="EPSG:4326", **extra):
    profile = {"driver": "GTiff", "width": data.shape[1], "height": data.shape[0], "count": 1,
               "dtype": data.dtype, "crs": crs,
               "transform": from_origin(108.8, 15.1, 0.01, 0.01), **extra}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _raster_problems(tmp_path, communes_file, spec):  # noqa: F811
    problems = ProblemLog()
    communes = read_layer(communes_spec(communes_file), "communes", problems)
    ok = check_rasters({"r": spec}, communes, problems)
    return ok, [p for p in problems.errors if p.layer == "rasters.r"]


def test_truncated_raster_found_before_any_work(tmp_path, communes_file):  # noqa: F811
    path = _raster(tmp_path / "r.tif", np.full((64, 64), -90, "int16"), tiled=True,
                   blockxsize=16, blockysize=16)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    ok, errors = _raster_problems(tmp_path, communes_file,
                                  RasterSpec(path=path, kind="rsrp", technology="4g"))
    assert ok == {} and "cut short" in errors[0].problem


@pytest.mark.parametrize(("kind", "fill", "says"), [
    ("population", np.inf, "infinite values"),
    ("population", 1e20, "beyond what a population raster can hold"),
    ("rsrp", 30.0, "beyond what a rsrp raster can hold"),
])
def test_impossible_raster_values(tmp_path, communes_file, kind, fill, says):  # noqa: F811
    data = np.full((20, 20), 5.0 if kind == "population" else -90.0, "float32")
    data[:5] = fill
    path = _raster(tmp_path / "r.tif", data, nodata=-9999.0)
    ok, errors = _raster_problems(tmp_path, communes_file,
                                  RasterSpec(path=path, kind=kind, technology="4g"))
    assert ok == {} and says in errors[0].problem


def test_plausible_raster_passes(tmp_path, communes_file):  # noqa: F811
    path = _raster(tmp_path / "r.tif", np.full((20, 20), -200.0, "float32"), nodata=-9999.0)
    ok, errors = _raster_problems(tmp_path, communes_file,
                                  RasterSpec(path=path, kind="rsrp", technology="4g"))
    assert errors == [] and list(ok) == ["r"]


def test_a_raster_is_checked_again_only_when_its_file_changed(tmp_path, communes_file,  # noqa: F811
                                                              monkeypatch):
    """The damage checks are kept per file version: the same file is not decoded again in a
    repeated run, a rewritten one is (and its new problem found)."""
    import os

    from geo_cds.inputs import rasters

    calls = []
    real = rasters.raster_values
    monkeypatch.setattr(rasters, "raster_values",
                        lambda src, kind: calls.append(kind) or real(src, kind))
    path = _raster(tmp_path / "r.tif", np.full((20, 20), -90.0, "float32"), nodata=-9999.0)
    spec = RasterSpec(path=path, kind="rsrp", technology="4g")
    for _ in range(2):
        ok, errors = _raster_problems(tmp_path, communes_file, spec)
        assert errors == [] and list(ok) == ["r"]
    assert len(calls) == 1
    stat = path.stat()
    _raster(path, np.full((20, 20), 30.0, "float32"), nodata=-9999.0)  # same size, bad values
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    ok, errors = _raster_problems(tmp_path, communes_file, spec)
    assert ok == {} and "beyond what a rsrp raster can hold" in errors[0].problem
    assert len(calls) == 2
