"""``geo-cds crosswalk polygons`` and ``geo-cds crosswalk table`` on the real Quảng Ngãi (51)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner

from geo_cds.cli.main import cli
from geo_cds.inputs.codes import old_to_new
from geo_cds.inputs.convert import convert_table_file
from geo_cds.inputs.crosswalk import approximate_old_communes
from geo_cds.plan import REPO_ROOT

SEED = REPO_ROOT / "boundaries" / "communes_2025_seed_provinces.gpkg"
pytestmark = pytest.mark.skipif(not SEED.exists(), reason="sample boundaries not present")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("xw")
    new = gpd.read_file(SEED)
    new = new[new["province_code"] == "51"][["gso_ward_code", "gso_full_name", "geometry"]]
    new_path = d / "new.gpkg"
    new.to_file(new_path)
    old = approximate_old_communes(new, code="gso_ward_code")
    old = old.dissolve("old_code").reset_index()[["old_code", "geometry"]]
    old = old.rename(columns={"old_code": "Mã xã"})
    old_path = d / "old.gpkg"
    old.to_file(old_path)
    # old commune table: households and households on fibre, codes as integers (zeros lost)
    codes = sorted(old["Mã xã"])
    table = pd.DataFrame(
        {
            "Mã xã": [int(c) for c in codes],
            "Số hộ": 100,
            "Hộ cáp quang": [50 + i % 50 for i in range(len(codes))],
        }
    )
    table_path = d / "ho.xlsx"
    table.to_excel(table_path, index=False)
    return d, new_path, old_path, table_path, table


def test_polygons_overlay_matches_official_table(files):
    d, new_path, old_path, _, _ = files
    out = d / "xw.csv"
    res = CliRunner().invoke(
        cli,
        [
            "crosswalk",
            "polygons",
            str(old_path),
            str(new_path),
            "--new-code",
            "gso_ward_code",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    xw = pd.read_csv(out, dtype={"old_code": str, "new_code": str})
    assert xw["old_code"].str.len().eq(5).all()
    official = old_to_new().groupby("old_code")["new_code"].agg(set)
    main = xw[xw["share_of_old"] > 0.5]
    assert all(n in official[o] for o, n in zip(main["old_code"], main["new_code"]))
    report = pd.read_csv(d / "xw_disagreements.csv", dtype=str)
    assert "disagree" in res.output or report.empty
    # refuses to overwrite
    again = CliRunner().invoke(
        cli,
        [
            "crosswalk",
            "polygons",
            str(old_path),
            str(new_path),
            "--new-code",
            "gso_ward_code",
            "-o",
            str(out),
        ],
    )
    assert again.exit_code == 1 and "--overwrite" in again.output


def test_table_refuses_split_communes_without_boundaries(files):
    d, _, _, table_path, _ = files
    out = d / "t1.csv"
    res = CliRunner().invoke(
        cli,
        [
            "crosswalk",
            "table",
            str(table_path),
            "--count",
            "Số hộ",
            "--count",
            "Hộ cáp quang",
            "--share",
            "ty_le=Hộ cáp quang/Số hộ",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 1
    assert "21142" in res.output  # Xã Trà Bùi, split between Cà Đam and Tây Trà Bồng
    assert "21136" in res.output and "21157" in res.output
    assert not out.exists()
    assert (d / "t1_refused.csv").exists()
    res = CliRunner().invoke(
        cli,
        [
            "crosswalk",
            "table",
            str(table_path),
            "--count",
            "Số hộ",
            "--count",
            "Hộ cáp quang",
            "--allow-partial",
            "--share",
            "ty_le=Hộ cáp quang/Số hộ",
            "-o",
            str(out),
            "--overwrite",
        ],
    )
    assert res.exit_code == 0, res.output
    conv = pd.read_csv(out, dtype={"commune_code": str})
    assert (conv["method"] == "full").all()
    assert conv["ty_le"].round(9).equals((conv["Hộ cáp quang"] / conv["Số hộ"]).round(9))


def test_table_with_old_boundaries_allocates_by_area(files):
    d, new_path, old_path, table_path, table = files
    out = d / "t2.csv"
    res = CliRunner().invoke(
        cli,
        [
            "crosswalk",
            "table",
            str(table_path),
            "--count",
            "Số hộ",
            "--count",
            "Hộ cáp quang",
            "--share",
            "ty_le=Hộ cáp quang/Số hộ",
            "--old-boundaries",
            str(old_path),
            "--new-boundaries",
            str(new_path),
            "--new-boundaries-code",
            "gso_ward_code",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    conv = pd.read_csv(out, dtype={"commune_code": str})
    assert conv["Số hộ"].sum() == pytest.approx(table["Số hộ"].sum())
    assert set(conv["method"]) == {"full", "area_share"}
    by_area = set(conv.loc[conv["method"] == "area_share", "commune_code"])
    assert by_area and by_area <= {"21136", "21157"}  # where Trà Bùi (21142) went


def test_bad_share_option_names_the_option(files):
    d, _, _, table_path, _ = files
    res = CliRunner().invoke(
        cli, ["crosswalk", "table", str(table_path), "--share", "oops", "-o", str(d / "t3.csv")]
    )
    assert res.exit_code == 2 and "--share" in res.output


def test_help_has_examples():
    res = CliRunner().invoke(cli, ["crosswalk", "--help"])
    assert res.exit_code == 0 and "Example" in res.output


def _two_bad_columns(tmp_path):
    """An old-commune table whose code column and count column both hold unreadable values."""
    path = tmp_path / "bad.csv"
    pd.DataFrame(
        {"Mã xã": ["21142", "abc", "2113x"], "Số hộ": ["100", "nhiều", "50"]}
    ).to_csv(path, index=False)
    return path


def test_table_reports_every_bad_column_at_once(tmp_path):
    path = _two_bad_columns(tmp_path)
    out = tmp_path / "t.csv"
    res = CliRunner().invoke(
        cli, ["crosswalk", "table", str(path), "--count", "Số hộ", "-o", str(out)]
    )
    assert res.exit_code == 1
    assert "'Mã xã'" in res.output and "rows 2, 3" in res.output  # codes "abc", "2113x"
    assert "'Số hộ'" in res.output and "rows 2)" in res.output  # count "nhiều"
    assert not out.exists()


def test_table_names_every_missing_column(tmp_path):
    path = _two_bad_columns(tmp_path)
    res = CliRunner().invoke(
        cli,
        ["crosswalk", "table", str(path), "--count", "Dân số", "--count", "Số hộ cáp quang",
         "-o", str(tmp_path / "t.csv")],
    )
    assert res.exit_code == 1
    assert "'Dân số'" in res.output and "'Số hộ cáp quang'" in res.output


def test_convert_table_file_collects_problems_for_a_notebook(tmp_path):
    result = convert_table_file(_two_bad_columns(tmp_path), counts=["Số hộ"])
    assert result.converted is None
    assert sorted(p.column for p in result.problems.errors) == ["Mã xã", "Số hộ"]


def test_polygons_reports_problems_of_both_files(files, tmp_path):
    d, new_path, old_path, _, _ = files
    # old file: no code column; new file: VN-2000 metres without a CRS
    old = gpd.read_file(old_path).rename(columns={"Mã xã": "something"})
    old.to_file(tmp_path / "old.gpkg")
    new = gpd.read_file(new_path).to_crs("EPSG:9210").set_crs(None, allow_override=True)
    new.to_file(tmp_path / "new.gpkg")
    res = CliRunner().invoke(
        cli,
        ["crosswalk", "polygons", str(tmp_path / "old.gpkg"), str(tmp_path / "new.gpkg"),
         "--new-code", "gso_ward_code", "-o", str(tmp_path / "xw.csv")],
    )
    assert res.exit_code == 1
    assert "no commune code column" in res.output and "no CRS" in res.output
    assert not (tmp_path / "xw.csv").exists()
