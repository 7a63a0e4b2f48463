"""Messy table values: headers, yes/no, codes, numbers — and rasters, CRS-less layers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box

from geo_cds import schema as S
from geo_cds.inputs import check_rasters, read_layer, tables
from geo_cds.inputs.columns import match_columns, normalise_header
from geo_cds.plan import InputSpec, RasterSpec
from geo_cds.problems import ProblemLog


@pytest.mark.parametrize(
    "header, key",
    [
        ("Mã xã", "ma_xa"),
        ("MA_XA", "ma_xa"),
        ("  Tên   thôn ", "ten_thon"),
        ("Có cáp quang", "co_cap_quang"),
        ("Đạt", "dat"),
        ("Phủ sóng 4G", "phu_song_4g"),
        ("Ma\u0300 xa\u0303", "ma_xa"),  # decomposed (NFD) input
    ],
)
def test_normalise_header(header, key):
    assert normalise_header(header) == key


def test_match_columns_aliases_and_plan_mapping():
    cols = [
        "Mã thôn",
        "Tên thôn",
        "Mã xã",
        "Dân số",
        "Số hộ",
        "Có cáp quang",
        "Phủ sóng 4G",
        "Phủ sóng 5G",
        "Tổ công nghệ số",
        "Có điện",
        "ĐBKK",
        "Tỷ lệ hộ cáp quang",
        "x",
    ]
    rename, missing = match_columns(cols, S.VILLAGE_COLUMNS, {"population": "Số hộ"})
    assert missing == {}
    assert rename["Số hộ"] == S.POPULATION  # the plan's mapping wins
    assert rename["Mã xã"] == S.COMMUNE_CODE and rename["Tên thôn"] == S.VILLAGE_NAME
    assert rename["Mã thôn"] == S.VILLAGE_ID and rename["Có cáp quang"] == S.HAS_FIBRE
    assert rename["Phủ sóng 4G"] == S.HAS_4G and rename["Phủ sóng 5G"] == S.HAS_5G
    assert rename["Tổ công nghệ số"] == S.HAS_DIGITAL_TEAM and rename["Có điện"] == S.HAS_POWER
    assert rename["ĐBKK"] == S.DBKK and rename["Tỷ lệ hộ cáp quang"] == S.FIBRE_HH_SHARE
    assert "Dân số" not in rename  # population already taken by the plan's mapping
    _, missing = match_columns(cols, S.VILLAGE_COLUMNS, {"population": "nope"})
    assert missing == {"population": "nope"}


def test_yes_no_in_every_common_form():
    yes = [
        "Có",
        "có",
        "CÓ",
        "x",
        "X",
        1,
        1.0,
        "1",
        True,
        "TRUE",
        "true",
        "yes",
        "Y",
        "Đạt",
        "đạt",
        "✓",
    ]
    no = ["Không", "không", "K", 0, "0", False, "FALSE", "no", "N", "Chưa", "Chưa đạt", "-"]
    values, bad = tables.parse_bool(pd.Series(yes + no + ["", None, "có lẽ"], dtype=object))
    assert values[: len(yes)].tolist() == [True] * len(yes)
    assert values[len(yes) : len(yes) + len(no)].tolist() == [False] * len(no)
    assert values[-3:].isna().all()
    assert bad.tolist() == [False] * (len(yes) + len(no) + 2) + [True]


def test_codes_keep_or_regain_their_zeros():
    codes, repaired, bad = tables.parse_code(
        pd.Series(
            [7795, 7795.0, "7795", "07795", " 21433 ", "1", "123456", "7A", ""], dtype=object
        ),
        5,
    )
    assert codes[:6].tolist() == ["07795", "07795", "07795", "07795", "21433", "00001"]
    assert repaired.tolist() == [True, True, True, False, False, True, False, False, False]
    assert bad.tolist() == [False] * 6 + [True, True, False]
    prov, rep, _ = tables.parse_code(pd.Series([4, "51"], dtype=object), 2)
    assert prov.tolist() == ["04", "51"] and rep.tolist() == [True, False]


def test_numbers_as_people_write_them():
    nums, bad = tables.parse_number(
        pd.Series(["1.234", "1 234", "12,5", "85%", "-3", "abc"], dtype=object), integer=False
    )
    assert nums[:5].tolist() == [1.234, 1234.0, 12.5, 0.85, -3.0] and bad.tolist()[-1]
    ints, bad = tables.parse_number(pd.Series(["1.234", "2,5", 7], dtype=object), integer=True)
    assert ints[0] == 1234 and np.isnan(ints[1]) and bad.tolist() == [False, True, False]


def test_percent_shares_are_scaled(tmp_path):
    path = tmp_path / "v.csv"
    pd.DataFrame(
        {
            "village_id": ["a", "b"],
            "village_name": ["A", "B"],
            "commune_code": ["21433", "21433"],
            "population": [1, 2],
            "fibre_household_share": [85, 40],
        }
    ).to_csv(path, index=False)
    problems = ProblemLog()
    v = read_layer(InputSpec(path=path, vintage="2025"), "villages", problems)
    assert v[S.FIBRE_HH_SHARE].tolist() == [0.85, 0.40]
    assert any("percentages" in p.problem for p in problems.warnings)


@pytest.mark.filterwarnings("ignore:Column names longer than 10")
@pytest.mark.filterwarnings("ignore:Normalized/laundered field name")
def test_shapefile_without_prj_in_degrees_is_read_as_wgs84_with_warning(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"commune_code": ["21433"], "commune_name": ["Xã Lân Phong"]},
        geometry=[box(108.8, 15.0, 108.9, 15.1)],
        crs="EPSG:4326",
    )
    path = tmp_path / "c.shp"
    gdf.to_file(path)
    path.with_suffix(".prj").unlink()
    problems = ProblemLog()
    c = read_layer(InputSpec(path=path, vintage="2025"), "communes", problems)
    assert c.crs.to_epsg() == 4326 and problems.errors == []
    assert c[S.COMMUNE_CODE].tolist() == ["21433"]  # "commune_co": cut to 10 characters
    assert any("EPSG:4326" in p.problem for p in problems.warnings)


def test_layer_in_the_wrong_crs_is_stopped(tmp_path):
    # lon/lat written but declared as UTM 48N: lands in the Gulf of Guinea
    gdf = gpd.GeoDataFrame(
        {"commune_code": ["21433"], "commune_name": ["Xã Lân Phong"]},
        geometry=[box(108.8, 15.0, 108.9, 15.1)],
        crs="EPSG:32648",
    )
    path = tmp_path / "c.gpkg"
    gdf.to_file(path)
    problems = ProblemLog()
    assert read_layer(InputSpec(path=path, vintage="2025"), "communes", problems) is None
    [err] = problems.layer_errors()
    assert "outside Vietnam" in err.problem and "source_crs" in err.fix


def write_tif(path, crs, west=108.80, north=15.10, size=0.01):
    data = np.full((4, 4), -90.0, dtype="float32")
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        width=4,
        height=4,
        count=1,
        dtype="float32",
        crs=crs,
        transform=from_origin(west, north, size, size),
        nodata=-9999,
    ) as dst:
        dst.write(data, 1)


def test_rasters_checked(tmp_path):
    communes = gpd.GeoDataFrame(
        {"commune_code": ["21433"]}, geometry=[box(108.8, 15.0, 108.9, 15.1)], crs="EPSG:4326"
    )
    write_tif(tmp_path / "ok.tif", "EPSG:4326")
    write_tif(tmp_path / "nocrs.tif", None)
    write_tif(tmp_path / "far.tif", "EPSG:4326", west=100.0, north=40.0)
    (tmp_path / "broken.tif").write_bytes(b"not a tiff")
    rasters = {
        "ok": RasterSpec(path=tmp_path / "ok.tif", technology="4g"),
        "nocrs": RasterSpec(path=tmp_path / "nocrs.tif", technology="4g"),
        "nocrs_given": RasterSpec(
            path=tmp_path / "nocrs.tif", technology="4g", source_crs="EPSG:4326"
        ),
        "far": RasterSpec(path=tmp_path / "far.tif", technology="5g"),
        "broken": RasterSpec(path=tmp_path / "broken.tif", technology="5g"),
        "missing": RasterSpec(path=tmp_path / "missing.tif", technology="5g"),
        "notech": RasterSpec(path=tmp_path / "ok.tif"),
    }
    problems = ProblemLog()
    files = {}
    ok = check_rasters(rasters, communes, problems, files)
    assert set(ok) == {"ok", "nocrs_given"}
    by_layer = {p.layer: p.problem for p in problems.layer_errors()}
    assert set(by_layer) == {
        "rasters.nocrs",
        "rasters.far",
        "rasters.broken",
        "rasters.missing",
        "rasters.notech",
    }
    assert "no CRS" in by_layer["rasters.nocrs"]
    assert "overlap" in by_layer["rasters.far"]
    assert "rasters.ok" in files


def test_dates_parsed_by_the_reader_come_back_as_iso_dates():
    import datetime

    from geo_cds.inputs.tables import clean_text

    values = pd.Series([pd.Timestamp("2023-03-26"), datetime.date(2024, 1, 2), " Chợ Thương "])
    assert clean_text(values).tolist() == ["2023-03-26", "2024-01-02", "Chợ Thương"]
