"""Village lists as provinces and operators hold them (issue 12, items 1, 2 and 8).

* a list needs only a commune code and a village name: ids are derived, the population is
  estimated from households (and marked), villages without a location are kept;
* yes/no columns: a column of marks and blanks reads a blank as no, a column with explicit
  yes and no words reads a blank as unknown, and the reading is said;
* messages scale: repeated problems are one line with the count and the first rows, row
  numbers are whole numbers in the rejects file, "repaired" counts rows that were changed.

Layers are built in code: two 0.1° communes in Quảng Ngãi (real 2025 codes 21433 Xã Lân
Phong and 21181 Xã Thọ Phong).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from click.testing import CliRunner
from shapely.geometry import box

from geo_cds import schema as S
from geo_cds.cli.main import cli
from geo_cds.inputs import load_inputs
from geo_cds.plan import InputSpec, Plan


@pytest.fixture
def communes_file(tmp_path):
    gdf = gpd.GeoDataFrame(
        {"gso_ward_code": ["21433", "21181"], "gso_full_name": ["Xã Lân Phong", "Xã Thọ Phong"],
         "province_code": ["51", "51"]},
        geometry=[box(108.80, 15.00, 108.90, 15.10), box(108.90, 15.00, 109.00, 15.10)],
        crs="EPSG:4326",
    )
    path = tmp_path / "communes.gpkg"
    gdf.to_file(path, layer="communes")
    return path


def communes_spec(path):
    return InputSpec(path=path, layer="communes", vintage="2025",
                     columns={"commune_code": "gso_ward_code", "commune_name": "gso_full_name"})


def load(tmp_path, communes_file, table: pd.DataFrame, **spec):
    path = tmp_path / "thon.csv"
    table.to_csv(path, index=False)
    villages = InputSpec(path=path, vintage="2025", **spec)
    return load_inputs(Plan(communes=communes_spec(communes_file), villages=villages))


# --- 1. minimal tables -------------------------------------------------------------------


def test_a_list_of_codes_and_names_is_enough(tmp_path, communes_file):
    table = pd.DataFrame({"Mã xã": ["21433", "21433", "21181"],
                          "Tên thôn": ["Thôn Văn Hà", "Thôn  Đông", "Thôn Tây"]})
    inputs = load(tmp_path, communes_file, table)
    v = inputs.villages
    assert inputs.problems.errors == [], [str(p) for p in inputs.problems.errors]
    assert v[S.VILLAGE_ID].tolist() == ["21433-Thôn Văn Hà", "21433-Thôn Đông", "21181-Thôn Tây"]
    assert v[S.POPULATION].isna().all()  # unknown, never 0
    assert v[S.POPULATION_ESTIMATED].isna().all()
    assert any("ids derived for 3 villages" in p.problem for p in inputs.problems.warnings)


def test_derived_ids_do_not_depend_on_row_order(tmp_path, communes_file):
    table = pd.DataFrame({"commune_code": ["21433", "21181", "21433", "21433"],
                          "village_name": ["Thôn 1", "Thôn 1", "Thôn 2", "Thôn 1"]})
    first = load(tmp_path, communes_file, table).villages
    again = load(tmp_path, communes_file, table.iloc[[2, 1, 0, 3]]).villages
    assert sorted(first[S.VILLAGE_ID]) == sorted(again[S.VILLAGE_ID]) == [
        "21181-Thôn 1", "21433-Thôn 1", "21433-Thôn 1-2", "21433-Thôn 2"]
    by_name = dict(zip(again[S.VILLAGE_ID], again[S.VILLAGE_NAME]))
    assert by_name["21433-Thôn 2"] == "Thôn 2"


def test_a_given_id_is_kept_and_only_the_empty_ones_derived(tmp_path, communes_file):
    table = pd.DataFrame({"village_id": ["T-9", None], "commune_code": ["21433", "21181"],
                          "village_name": ["Thôn A", "Thôn B"]})
    v = load(tmp_path, communes_file, table).villages
    assert v[S.VILLAGE_ID].tolist() == ["T-9", "21181-Thôn B"]


def test_population_from_households_is_estimated_and_marked(tmp_path, communes_file):
    table = pd.DataFrame({"commune_code": ["21433", "21433", "21181"],
                          "village_name": ["A", "B", "C"],
                          "population": [500, None, None], "households": [120, 100, None]})
    v = load(tmp_path, communes_file, table).villages.set_index(S.VILLAGE_NAME)
    # 100 households × 3.6 people (2019 census average) = 360
    assert v[S.POPULATION].tolist()[:2] == [500, 360]
    assert pd.isna(v.loc["C", S.POPULATION])  # no households either: unknown
    assert v[S.POPULATION_ESTIMATED].tolist()[:2] == [False, True]
    assert pd.isna(v.loc["C", S.POPULATION_ESTIMATED])
    # the plan's factor: 100 × 4.5 = 450
    other = load(tmp_path, communes_file, table, people_per_household=4.5).villages
    assert other[S.POPULATION].tolist()[1] == 450


def test_a_bad_household_factor_is_refused(tmp_path, communes_file):
    table = pd.DataFrame({"commune_code": ["21433"], "village_name": ["A"], "households": [3]})
    inputs = load(tmp_path, communes_file, table, people_per_household=0)
    assert any("people_per_household" in p.problem for p in inputs.problems.layer_errors())


def test_one_column_for_two_roles_is_refused(tmp_path, communes_file):
    table = pd.DataFrame({"commune_code": ["21433"], "Tên thôn": ["Thôn A"]})
    inputs = load(tmp_path, communes_file, table,
                  columns={"village_id": "Tên thôn", "village_name": "Tên thôn"})
    errors = inputs.problems.layer_errors()
    assert inputs.villages is None
    assert any("'Tên thôn' is mapped to 2 roles (village_id, village_name)" in p.problem
               and "derives ids" in p.fix for p in errors), [str(p) for p in errors]


# --- 2. yes/no conventions -----------------------------------------------------------------


def test_blank_is_no_in_a_column_of_marks_and_unknown_beside_yes_and_no_words(
        tmp_path, communes_file):
    table = pd.DataFrame({
        "commune_code": ["21433"] * 4, "village_name": ["A", "B", "C", "D"],
        "Phủ sóng 4G": ["x", "", "✓", None],  # marks and blanks
        "Có cáp quang": ["Có", "Không", "", None],  # explicit words
        "Tổ công nghệ số": ["1", "0", "", "1"],  # 1/0 is explicit too
        "Có điện": ["1", "", "1", "1"],  # 1 alone is a mark
    })
    inputs = load(tmp_path, communes_file, table)
    v = inputs.villages
    assert v[S.HAS_4G].tolist() == [True, False, True, False]
    assert v[S.HAS_FIBRE].tolist()[:2] == [True, False] and v[S.HAS_FIBRE][2:].isna().all()
    assert v[S.HAS_DIGITAL_TEAM].isna().tolist() == [False, False, True, False]
    assert v[S.HAS_POWER].tolist() == [True, False, True, True]
    notes = {p.column: p.problem for p in inputs.problems.problems if p.severity == "note"}
    assert "'Phủ sóng 4G'" in notes[S.HAS_4G] and "2 blank(s) read as NO" in notes[S.HAS_4G]
    assert "2 blank(s) read as UNKNOWN" in notes[S.HAS_FIBRE]


def test_a_typed_field_of_a_gis_layer_keeps_its_nulls_unknown(tmp_path, communes_file):
    # a GeoPackage boolean with nulls comes back as 1.0 / NaN: not a column of marks
    v = gpd.GeoDataFrame({"commune_code": ["21433", "21433"], "village_name": ["A", "B"],
                          "has_4g": [True, None]},
                         geometry=gpd.points_from_xy([108.85, 108.86], [15.05, 15.05]),
                         crs="EPSG:4326")
    v.to_file(tmp_path / "thon.gpkg", layer="villages")
    villages = InputSpec(path=tmp_path / "thon.gpkg", vintage="2025")
    got = load_inputs(Plan(communes=communes_spec(communes_file), villages=villages)).villages
    assert got[S.HAS_4G].iloc[0] == True and pd.isna(got[S.HAS_4G].iloc[1])  # noqa: E712


def test_the_plan_sets_the_reading_of_a_column(tmp_path, communes_file):
    table = pd.DataFrame({"commune_code": ["21433"] * 2, "village_name": ["A", "B"],
                          "Phủ sóng 4G": ["x", ""], "Có cáp quang": ["Có", ""]})
    v = load(tmp_path, communes_file, table,
             blank_means={"has_4g": "unknown", "has_fibre": "no"}).villages
    assert v[S.HAS_4G].isna().tolist() == [False, True]
    assert v[S.HAS_FIBRE].tolist() == [True, False]
    bad = load(tmp_path, communes_file, table, blank_means={"population": "no"})
    assert any("blank_means" in p.problem for p in bad.problems.layer_errors())


# --- 8. messages that scale ----------------------------------------------------------------


def _plan_file(tmp_path, communes_file, table: pd.DataFrame):
    table.to_csv(tmp_path / "thon.csv", index=False)
    plan = tmp_path / "plan.toml"
    plan.write_text(f"""
[run]
name = "check"
output_dir = "out"
[inputs.communes]
path = "{communes_file.as_posix()}"
layer = "communes"
vintage = "2025"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
[inputs.villages]
path = "thon.csv"
vintage = "2025"
""", encoding="utf-8")
    return plan


def test_a_repeated_problem_is_one_line_with_its_count_and_first_rows(tmp_path, communes_file):
    n = 1_102
    table = pd.DataFrame({"commune_code": ["21181"] * n,
                          "village_name": [f"Thôn {i}" for i in range(n)],
                          "lon": [108.95] * n, "lat": [15.05] * n})
    table.loc[[2, 6, 11], "commune_code"] = "2118"  # 4 digits: padded to 02118 (rows 3, 7, 12)
    table["households"] = "nhiều"  # not a number, on every row
    plan = _plan_file(tmp_path, communes_file, table)
    res = CliRunner().invoke(cli, ["validate", str(plan), "--rejects", str(tmp_path / "r.csv")])
    lines = [ln for ln in res.output.splitlines() if "not a whole number" in ln]
    assert len(lines) == 1, res.output[:3000]
    assert "1,102 rows: not a whole number (rows 1, 2, 3, 4, 5, … — all in rejects.csv)" in lines[0]
    zeros = [ln for ln in res.output.splitlines() if "leading zeros" in ln]
    assert len(zeros) == 1 and "3 rows" in zeros[0] and "(rows 3, 7, 12)" in zeros[0]
    rejects = (tmp_path / "r.csv").read_text(encoding="utf-8-sig")
    rows = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False)["row"]
    assert set(rows) - {""} == {str(i) for i in range(1, n + 1)}  # whole numbers, never 22.0
    assert ".0," not in rejects


def test_repaired_counts_only_rows_that_were_changed(tmp_path):
    communes = gpd.GeoDataFrame(
        {"gso_ward_code": ["07795", "21433"], "gso_full_name": ["Phường Nếnh", "Xã Lân Phong"]},
        geometry=[box(106.10, 21.20, 106.20, 21.30), box(108.80, 15.00, 108.90, 15.10)],
        crs="EPSG:4326")
    communes.to_file(tmp_path / "c.gpkg", layer="communes")
    table = pd.DataFrame({"commune_code": ["7795", "21433", "21433"],
                          "village_name": ["A", "B", "C"], "population": [10, 20, 30]})
    # row 1: its code padded (changed); rows 2-3: no coordinates — a note, nothing changed
    inputs = load(tmp_path, tmp_path / "c.gpkg", table)
    acc = inputs.accounting.set_index("layer")
    assert inputs.villages[S.COMMUNE_CODE].tolist() == ["07795", "21433", "21433"]
    assert acc.loc["villages", "repaired"] == 1
    assert acc.loc["villages", "rejected"] == 0


def test_a_row_repaired_twice_counts_once(tmp_path, communes_file):
    from geo_cds.pipeline import validate

    # "2118" is padded to 02118 (a change), which is no 2025 code: the join then places the
    # village by its point in 21181 (a second change to the same row): 1 row repaired
    table = pd.DataFrame({"commune_code": ["2118", "21433"], "village_name": ["A", "B"],
                          "lon": [108.95, 108.85], "lat": [15.05, 15.05]})
    table.to_csv(tmp_path / "v.csv", index=False)
    plan = Plan(communes=communes_spec(communes_file),
                villages=InputSpec(path=tmp_path / "v.csv", vintage="2025"))
    acc = validate(plan).accounting.set_index("layer")
    assert (acc.loc["villages", "used"], acc.loc["villages", "repaired"]) == (2, 1)
