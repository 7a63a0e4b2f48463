"""The loader: formats, column aliases, types, codes, and one message + rejects row per problem.

Layers are tiny and built in code: two 0.1° communes in Quảng Ngãi (real 2025 codes 21433
Xã Lân Phong and 21181 Xã Thọ Phong), villages in them.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

from geo_cds import schema as S
from geo_cds.inputs import load_inputs, read_layer
from geo_cds.plan import InputSpec, Plan
from geo_cds.problems import ProblemLog

A = box(108.80, 15.00, 108.90, 15.10)  # 21433
B = box(108.90, 15.00, 109.00, 15.10)  # 21181


@pytest.fixture
def communes_file(tmp_path):
    gdf = gpd.GeoDataFrame(
        {
            "gso_ward_code": ["21433", "21181"],
            "gso_full_name": ["Xã Lân Phong", "Xã Thọ Phong"],
            "province_code": ["51", "51"],
            "population": [12000, 9000],
        },
        geometry=[A, B],
        crs="EPSG:4326",
    )
    path = tmp_path / "communes.gpkg"
    gdf.to_file(path, layer="communes")
    return path


def communes_spec(path):
    return InputSpec(
        path=path,
        layer="communes",
        vintage="2025",
        columns={"commune_code": "gso_ward_code", "commune_name": "gso_full_name"},
    )


def villages_frame():
    return pd.DataFrame(
        {
            "village_id": ["V1", "V2", "V3"],
            "village_name": ["Thôn Văn Hà", "Thôn Đông", "Thôn Tây"],
            "commune_code": ["21433", "21433", "21181"],
            "population": [500, 300, 200],
            "has_fibre": ["Có", "Không", "x"],
            "lon": [108.85, 108.86, 108.95],
            "lat": [15.05, 15.06, 15.05],
        }
    )


def test_sample_like_load_gives_canonical_frames(tmp_path, communes_file):
    vpath = tmp_path / "villages.csv"
    villages_frame().to_csv(vpath, index=False)
    plan = Plan(
        communes=communes_spec(communes_file), villages=InputSpec(path=vpath, vintage="2025")
    )
    inputs = load_inputs(plan)
    assert inputs.problems.errors == []
    c = inputs.communes
    assert list(c[S.COMMUNE_CODE]) == ["21433", "21181"]
    assert c.crs.to_epsg() == 4326 and list(c.index) == [0, 1]
    assert c[S.POPULATION].dtype == "Int64"
    v = inputs.villages
    assert set(S.VILLAGE_COLUMNS) <= set(v.columns)
    assert list(v["source_row"]) == [1, 2, 3]
    assert v[S.HAS_FIBRE].tolist() == [True, False, True]
    assert v[S.HAS_4G].isna().all()  # optional column missing → NA, not an error
    assert v.geometry.iloc[0].equals(Point(108.85, 15.05))
    acc = inputs.accounting.set_index("layer")
    assert acc.loc["villages", "rows_read"] == 3 and acc.loc["villages", "used"] == 3
    assert inputs.files["villages"] == vpath


def test_excel_with_vietnamese_headers_and_integer_codes(tmp_path, communes_file):
    sheet = pd.DataFrame(
        {
            "Mã thôn": ["T01", "T02"],
            "Tên thôn": ["Thôn Văn Hà", "Thôn Đông"],
            "Mã xã": [21433, 21181],
            "Dân số": [500, 300],
            "Số hộ": [120, 80],
            "Có cáp quang": ["Có", "Không"],
            "Phủ sóng 4G": [1, 0],
            "Tổ công nghệ số": ["x", None],
            "Kinh độ": [108.85, 108.95],
            "Vĩ độ": [15.05, 15.05],
        }
    )
    path = tmp_path / "thon.xlsx"
    sheet.to_excel(path, index=False)
    plan = Plan(
        communes=communes_spec(communes_file), villages=InputSpec(path=path, vintage="2025")
    )
    inputs = load_inputs(plan)
    v = inputs.villages
    assert inputs.problems.errors == []
    assert v[S.COMMUNE_CODE].tolist() == ["21433", "21181"]  # integers keep 5 digits
    assert v[S.VILLAGE_NAME].tolist() == ["Thôn Văn Hà", "Thôn Đông"]
    assert v[S.HOUSEHOLDS].tolist() == [120, 80]
    assert v[S.HAS_FIBRE].tolist() == [True, False]
    assert v[S.HAS_4G].tolist() == [True, False]
    # a column of marks and blanks: the blank reads as no (the form convention)
    assert v[S.HAS_DIGITAL_TEAM].tolist() == [True, False]


def test_lost_leading_zero_repaired_with_warning(tmp_path):
    # 07795 Phường Nếnh (Bắc Ninh): an integer column loses the zero.
    comm = gpd.GeoDataFrame(
        {"commune_code": ["07795"], "commune_name": ["Phường Nếnh"]},
        geometry=[box(106.0, 21.2, 106.1, 21.3)],
        crs="EPSG:4326",
    )
    cpath = tmp_path / "c.gpkg"
    comm.to_file(cpath)
    vpath = tmp_path / "v.csv"
    pd.DataFrame(
        {
            "village_id": ["A"],
            "village_name": ["Thôn A"],
            "commune_code": [7795],
            "population": [10],
        }
    ).to_csv(vpath, index=False)
    inputs = load_inputs(
        Plan(
            communes=InputSpec(path=cpath, vintage="2025"),
            villages=InputSpec(path=vpath, vintage="2025"),
        )
    )
    assert inputs.villages[S.COMMUNE_CODE].tolist() == ["07795"]
    warn = [p for p in inputs.problems.warnings if p.column == S.COMMUNE_CODE and p.row == 1]
    assert len(warn) == 1 and "leading zeros" in warn[0].problem
    acc = inputs.accounting.set_index("layer")
    assert acc.loc["villages", "repaired"] == 1 and acc.loc["villages", "rejected"] == 0


def test_every_bad_row_gets_a_message_and_nothing_else_is_lost(tmp_path, communes_file):
    rows = villages_frame()
    rows = pd.concat(
        [
            rows,
            pd.DataFrame(
                {
                    "village_id": ["V4", "V1", "V6", "V7", "V8"],
                    "village_name": ["Thôn Bốn", "Thôn Trùng", "", "Thôn Sáu", "Thôn Tám"],
                    "commune_code": ["21433", "21433", "21433", "ABC", "21433"],
                    "population": ["nhiều", 10, 10, 10, 10],
                    "has_fibre": ["Có", "Có", "Có", "Có", "có lẽ"],
                    "lon": [108.85, 108.85, 108.85, 108.85, "108.85"],
                    "lat": [15.05, 15.05, 15.05, 15.05, None],
                }
            ),
        ],
        ignore_index=True,
    )
    path = tmp_path / "v.csv"
    rows.to_csv(path, index=False)
    problems = ProblemLog()
    comm = read_layer(communes_spec(communes_file), "communes", problems)
    v = read_layer(InputSpec(path=path, vintage="2025"), "villages", problems, communes=comm)
    errors = {(p.row, p.column) for p in problems.errors}
    # "nhiều" is not a number: population is optional (a village needs only a code and a
    # name), so a warning, the value left empty and the row kept with its population unknown
    assert any(p.row == 4 and p.column == S.POPULATION for p in problems.warnings)
    assert (6, S.VILLAGE_NAME) in errors  # empty required value
    assert (7, S.COMMUNE_CODE) in errors  # not a code
    assert (8, "lon/lat") in errors  # only one coordinate
    # V1 appears on rows 1 and 5 with different values: both rejected
    assert (1, S.VILLAGE_ID) in errors and (5, S.VILLAGE_ID) in errors
    # "có lẽ" is not yes/no: optional column → warning, value left empty, row kept... but row 8
    # was rejected for its coordinates anyway.
    assert any(p.row == 8 and p.column == S.HAS_FIBRE for p in problems.warnings)
    assert sorted(v["village_id"]) == ["V2", "V3", "V4"]
    assert pd.isna(v.set_index("village_id").loc["V4", S.POPULATION])
    frame = problems.to_frame()
    assert {"file", "row", "problem", "fix"} <= set(frame.columns)
    assert all(frame["fix"].str.len() > 0)


def test_whole_layer_errors_are_collected_not_raised(tmp_path, communes_file):
    vpath = tmp_path / "v.csv"
    pd.DataFrame({"village_name": ["A"], "households": [12]}).to_csv(vpath, index=False)
    plan = Plan(
        communes=communes_spec(communes_file),
        villages=InputSpec(path=vpath, vintage="2025"),
        parks=InputSpec(path=tmp_path / "missing.geojson"),
    )
    inputs = load_inputs(plan)
    layer_errors = inputs.problems.layer_errors()
    assert {p.layer for p in layer_errors} == {"villages", "parks"}
    assert any("commune_code" in p.problem for p in layer_errors)
    assert inputs.villages is None and inputs.parks is None
    assert not inputs.ok


def test_duplicate_identical_row_keeps_one_copy(tmp_path, communes_file):
    rows = pd.concat([villages_frame(), villages_frame().iloc[[0]]], ignore_index=True)
    path = tmp_path / "v.csv"
    rows.to_csv(path, index=False)
    inputs = load_inputs(
        Plan(communes=communes_spec(communes_file), villages=InputSpec(path=path, vintage="2025"))
    )
    assert inputs.villages["village_id"].tolist() == ["V1", "V2", "V3"]
    [err] = inputs.problems.errors
    assert err.row == 4 and "duplicate of row 1" in err.problem


def test_invalid_polygon_repaired_empty_rejected(tmp_path):
    bowtie = Polygon([(108.8, 15.0), (108.9, 15.1), (108.9, 15.0), (108.8, 15.1)])
    gdf = gpd.GeoDataFrame(
        {
            "commune_code": ["21433", "21181", "07795"],
            "commune_name": ["Xã Lân Phong", "Xã Thọ Phong", "Xã X"],
        },
        geometry=[bowtie, B, Polygon()],
        crs="EPSG:4326",
    )
    path = tmp_path / "c.gpkg"
    gdf.to_file(path)
    problems = ProblemLog()
    c = read_layer(InputSpec(path=path, vintage="2025"), "communes", problems)
    assert c[S.COMMUNE_CODE].tolist() == ["21433", "21181"]
    assert c.geometry.is_valid.all()
    assert any(p.row == 1 and "repaired" in p.problem for p in problems.warnings)
    assert any(p.row == 3 and "empty geometry" in p.problem for p in problems.errors)


def test_table_without_coordinates_allowed_for_villages_only(tmp_path, communes_file):
    path = tmp_path / "v.csv"
    villages_frame().drop(columns=["lon", "lat"]).to_csv(path, index=False)
    inputs = load_inputs(
        Plan(
            communes=communes_spec(communes_file),
            villages=InputSpec(path=path, vintage="2025"),
            sites=InputSpec(path=path),
        )
    )
    assert len(inputs.villages) == 3
    assert (inputs.villages.geometry.isna() | inputs.villages.geometry.is_empty).all()
    assert any(
        p.layer == "sites" and "coordinate" in p.problem for p in inputs.problems.layer_errors()
    )


def test_plan_column_mapping_wins_and_missing_mapping_is_named(tmp_path, communes_file):
    path = tmp_path / "v.csv"
    villages_frame().rename(columns={"population": "nguoi"}).to_csv(path, index=False)
    ok = load_inputs(
        Plan(
            communes=communes_spec(communes_file),
            villages=InputSpec(path=path, vintage="2025", columns={"population": "nguoi"}),
        )
    )
    assert ok.villages[S.POPULATION].tolist() == [500, 300, 200]
    bad = load_inputs(
        Plan(
            communes=communes_spec(communes_file),
            villages=InputSpec(path=path, vintage="2025", columns={"population": "dan"}),
        )
    )
    [err] = bad.problems.layer_errors()
    assert "'dan'" in err.problem and "nguoi" in err.problem


def test_geojson_and_geoparquet_read(tmp_path, communes_file):
    gdf = gpd.GeoDataFrame(
        {
            "park_id": ["P1"],
            "park_name": ["VSIP Quảng Ngãi"],
            "kind": ["KCN"],
            "target_5g_year": [2025],
        },
        geometry=[box(108.85, 15.05, 108.86, 15.06)],
        crs="EPSG:4326",
    )
    gj, pq = tmp_path / "p.geojson", tmp_path / "p.parquet"
    gdf.to_file(gj)
    gdf.to_parquet(pq)
    for path in (gj, pq):
        inputs = load_inputs(
            Plan(communes=communes_spec(communes_file), parks=InputSpec(path=path))
        )
        assert inputs.problems.errors == []
        assert inputs.parks[S.PARK_NAME].tolist() == ["VSIP Quảng Ngãi"]
        assert inputs.parks[S.TARGET_5G_YEAR].tolist() == [2025]


def test_inputs_are_not_modified(tmp_path, communes_file):
    path = tmp_path / "v.csv"
    villages_frame().to_csv(path, index=False)
    before = path.read_bytes(), communes_file.read_bytes()
    load_inputs(
        Plan(communes=communes_spec(communes_file), villages=InputSpec(path=path, vintage="2025"))
    )
    assert (path.read_bytes(), communes_file.read_bytes()) == before


def test_plan_replace_keeps_working():
    # InputSpec is frozen: overrides go through dataclasses.replace
    spec = InputSpec(path="x.gpkg")
    assert dataclasses.replace(spec, vintage="pre2025").vintage == "pre2025"


def test_excel_title_rows_blank_rows_and_legacy_text(tmp_path, communes_file):
    from openpyxl import Workbook

    from geo_cds.inputs import legacy

    wb = Workbook()
    ws = wb.active

    def tcvn(text):
        return legacy.encode_legacy(text, "tcvn3").decode("latin-1")

    ws.append([tcvn("BẢNG TỔNG HỢP THÔN NĂM 2024")])
    ws.append([])
    ws.append([tcvn(h) for h in ("STT", "Mã thôn", "Tên thôn", "Mã xã", "Dân số")])
    ws.append([1, "T1", tcvn("Thôn Văn Hà"), 21433, 500])
    ws.append([])  # blank row in the middle: layout, not data
    ws.append([2, "T2", tcvn("Thôn Đông"), 21181, "1.200"])
    path = tmp_path / "bao_cao.xlsx"
    wb.save(path)
    inputs = load_inputs(
        Plan(communes=communes_spec(communes_file), villages=InputSpec(path=path, vintage="2025"))
    )
    v = inputs.villages
    assert inputs.problems.errors == []
    assert v[S.VILLAGE_NAME].tolist() == ["Thôn Văn Hà", "Thôn Đông"]
    assert v[S.POPULATION].tolist() == [500, 1200]
    assert v["source_row"].tolist() == [1, 3]  # data rows below the header
    notes = " ".join(p.problem for p in inputs.problems.warnings)
    assert "header is on sheet row 3" in notes and "TCVN3" in notes
    assert inputs.accounting.set_index("layer").loc["villages", "rows_read"] == 2
