"""The old → new commune table cross-checked against the 2025 boundaries' merger lists.

The checker runs on tables and lists built in code (each kind of disagreement worked out by
hand); the shipped table is checked for the two corrections the real seed-province lists and
the old communes' centroids call for (see geo_cds/data/PROVENANCE.md).
"""

from __future__ import annotations

import pandas as pd
import pytest

from geo_cds.inputs.codes import old_to_new
from geo_cds.inputs.merger_lists import check_old_to_new, parse_before_merger, tone_key


@pytest.mark.parametrize("a, b", [("Xã Hoà Bình", "xã Hòa Bình"), ("Thuỷ", "Thủy"),
                                  ("Phường  Khoá", "Khóa"), ("Xã Đắk Hà", "Thị trấn Đăk Hà")])
def test_names_agree_whatever_the_tone_placement(a, b):
    assert tone_key(a) == tone_key(b)


@pytest.mark.parametrize("a, b", [("Quảng Tiến", "Quảng Tiên"), ("Ngọk Tem", "Ngọc Tem"),
                                  ("Tân Lập", "Tân Lạp"), ("An", "Ân")])
def test_names_that_differ_by_a_letter_or_a_tone_differ(a, b):
    assert tone_key(a) != tone_key(b)


def test_lists_are_split_outside_parentheses_and_partial_parts_marked():
    text = ("Xã Minh Quang (phần còn lại sau khi sáp nhập vào xã Bất Bạt, xã Ba Vì), "
            "Xã Tân Lập (huyện Sông Lô), Không sáp nhập")
    assert parse_before_merger(text) == [("Xã Minh Quang", True), ("Xã Tân Lập", False)]


def _table(rows):
    t = pd.DataFrame(rows, columns=["old_code", "old_name", "new_code", "merge_type"])
    t["n_new"] = t.groupby("old_code")["new_code"].transform("size")
    t["old_province_code"] = t["new_province_code"] = "44"
    t["new_name"] = ""
    return t


# Four new communes N1..N4 of province 44 and the old communes the table sends to them.
TABLE = _table([
    ("00001", "Xã Hòa An", "10001", "full"),      # agrees with N1's list (tone placement)
    ("00002", "Xã Quảng Tiến", "10001", "partial"),  # split N1 + N2, but listed whole in N1
    ("00002", "Xã Quảng Tiến", "10002", "partial"),
    ("00003", "Xã Quảng Tiên", "10002", "full"),  # agrees (a letter's tone apart from 00002)
    ("00004", "Xã Hà Mòn", "10003", "full"),      # the lists name it under N2: wrong target
    ("00005", "Xã Thượng", "10003", "full"),      # agrees
    ("00006", "Xã Lạc", "10004", "full"),         # N4's list leaves it out, no list names it
])
COMMUNES = pd.DataFrame({
    "commune_code": ["10001", "10002", "10003", "10004"],
    "province_code": ["44"] * 4,
    "before_merger": ["Xã Hoà An, Xã Quảng Tiến",
                      "Xã Quảng Tiên, Xã Hà Mòn",
                      "Xã Thượng",
                      "Xã Lạc Xuân"],  # a name no old commune has
})


def test_every_kind_of_disagreement_is_found_and_nothing_else():
    found = check_old_to_new(COMMUNES, table=TABLE)
    got = sorted(zip(found["problem"], found["old_code"], found["new_code"]))
    assert got == [
        ("not_listed", "00006", "10004"),
        ("unknown_name", "", "10004"),
        ("whole_marked_split", "00002", "10001"),
        ("wrong_target", "00004", "10003"),
    ]
    wrong = found[found["problem"] == "wrong_target"].iloc[0]
    assert "00004 Xã Hà Mòn to 10003" in wrong["detail"] and "under 10002" in wrong["detail"]


def test_units_without_a_list_are_not_checked():
    communes = COMMUNES.assign(before_merger=[None] * 4)
    assert check_old_to_new(communes, table=TABLE).empty


def test_the_shipped_table_is_corrected_where_the_seed_lists_say_so():
    t = old_to_new().set_index("old_code")
    # Xã Hà Mòn (Đăk Hà district) is listed in 23500 Xã Đăk Hà, and its centroid lies there;
    # the source sent it to 23425 Tu Mơ Rông (once Xã Đắk Hà of Tu Mơ Rông district).
    assert t.loc[["23521"], "new_code"].tolist() == ["23500"]
    # Xã Quảng Tiến went whole into 19030 Trung Thuần (listed there; centroid there); the
    # source also sent it to 19075 Nam Ba Đồn, which took Xã Quảng Tiên — another commune.
    assert t.loc[["19039"], "new_code"].tolist() == ["19030"]
    assert t.loc[["19039"], "merge_type"].tolist() == ["full"]
    assert t.loc[["19069"], "new_code"].tolist() == ["19075"]


# --- reported by validate (the communes layer) and by crosswalk polygons --------------------

def _two_communes(tmp_path):
    """Real codes 23425 Tu Mơ Rông and 23500 Đăk Hà, with lists that put Xã Hà Mòn (23521,
    sent to 23500 by the table) under 23425: one wrong_target disagreement."""
    import geopandas as gpd
    from shapely.geometry import box

    g = gpd.GeoDataFrame(
        {"gso_ward_code": ["23425", "23500"], "gso_full_name": ["Xã Tu Mơ Rông", "Xã Đăk Hà"],
         "province_code": ["51", "51"],
         "before_merger": ["Xã Đắk Hà, Xã Tu Mơ Rông, Xã Hà Mòn",
                           "Thị trấn Đăk Hà, Xã Đăk La"]},
        geometry=[box(107.9, 14.8, 108.0, 14.9), box(107.9, 14.4, 108.0, 14.5)], crs=4326)
    path = tmp_path / "xa_2025.gpkg"
    g.to_file(path, layer="communes")
    return path


def test_validate_reports_a_table_entry_the_lists_contradict(tmp_path):
    from geo_cds.inputs import read_layer
    from geo_cds.plan import InputSpec
    from geo_cds.problems import ProblemLog

    problems = ProblemLog()
    spec = InputSpec(path=_two_communes(tmp_path), layer="communes", vintage="2025",
                     columns={"commune_code": "gso_ward_code", "commune_name": "gso_full_name"})
    assert read_layer(spec, "communes", problems) is not None
    found = [p for p in problems.warnings if "merger lists" in (p.kind or "")]
    # named on the commune the table sends it to (row 2, 23500)
    assert len(found) == 1 and found[0].row == 2 and found[0].feature_id == "23500"
    assert "sends 23521 Xã Hà Mòn to 23500; the lists name it under 23425" in found[0].problem


def test_crosswalk_polygons_lists_the_table_disagreements(tmp_path):
    from click.testing import CliRunner

    from geo_cds.cli.main import cli

    new = _two_communes(tmp_path)
    import geopandas as gpd

    old = gpd.read_file(new)[["gso_ward_code", "geometry"]].rename(
        columns={"gso_ward_code": "ma_xa"})
    old.to_file(tmp_path / "xa_cu.gpkg")
    out = tmp_path / "xw.csv"
    res = CliRunner().invoke(cli, ["crosswalk", "polygons", str(tmp_path / "xa_cu.gpkg"),
                                   str(new), "--new-code", "gso_ward_code", "-o", str(out)])
    assert res.exit_code == 0, res.output
    report = pd.read_csv(tmp_path / "xw_disagreements.csv", dtype=str, keep_default_na=False)
    wrong = report[report["problem"] == "wrong_target"]
    assert wrong["old_code"].tolist() == ["23521"] and wrong["official"].tolist() == ["23500"]
    assert "23521: wrong_target" in res.output
