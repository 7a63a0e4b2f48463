"""The sample run with its generated Ookla-format tiles: one measured figure everywhere.

The communes table, the summary and the map data are read back from the written files and
checked against each other and against the tiles file itself.
"""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo_cds.plan import SAMPLE_PLAN

OOKLA_PARQUET = ["quadkey", "tile", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms", "avg_lat_down_ms",
                 "avg_lat_up_ms", "tests", "devices"]


@pytest.fixture(scope="module")
def out(sample_run):
    return sample_run.folder


@pytest.fixture(scope="module")
def tiles():
    return pd.read_parquet(SAMPLE_PLAN.parent / "speeds_mobile.parquet")


@pytest.fixture(scope="module")
def summary(out):
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _map_data(out) -> dict:
    html = (out / "map.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>', html,
                  re.DOTALL)
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_sample_tiles_have_ookla_published_columns(tiles):
    assert list(tiles.columns) == OOKLA_PARQUET
    assert tiles["quadkey"].str.fullmatch(r"[0-3]{16}").all()
    assert tiles["quadkey"].is_unique and (tiles["tests"] >= 1).all()
    assert tiles["tile"].str.startswith("POLYGON").all()


def test_every_test_counted_once_in_the_communes(out, summary, tiles):
    communes = pd.read_csv(out / "communes.csv", dtype={"commune_code": str},
                           encoding="utf-8-sig")
    sp = summary["sources"]["speeds"]
    assert sp["tests"] == int(tiles["tests"].sum()) and sp["rows"] == len(tiles)
    assert int(communes["speed_tests"].sum()) + sp["tests_outside_communes"] == sp["tests"]
    assert sp["generated"] and "speeds" in summary["generated_layers"]
    # not measurable below the minimum, no data without tests: never 0
    few = communes["speed_tests"] < sp["min_tests"]
    assert communes.loc[few, "download_mbps_measured"].isna().all()
    assert communes.loc[~few, "download_mbps_measured"].notna().all()
    assert (communes["speed_source"] == "Ookla-format mobile tiles").all()


def test_commune_figure_same_in_table_and_map(out):
    communes = pd.read_csv(out / "communes.csv", dtype={"commune_code": str},
                           encoding="utf-8-sig").set_index("commune_code")
    data = _map_data(out)
    c = data["communes"]
    speed = pd.Series(c["speed"], index=c["code"], dtype=float)
    tests = pd.Series(c["speed_tests"], index=c["code"])
    table = communes.loc[speed.index]
    assert np.allclose(speed, table["download_mbps_measured"].round(1), equal_nan=True)
    assert (tests == table["speed_tests"]).all()
    assert sum(data["speeds"]["tests"]) == sum(tests) + _outside(out)
    assert data["speeds"]["name"] == "Ookla-format mobile tiles"
    # reported and modelled 4G as choropleths of their own, their source in the name
    for source, word in (("reported", "báo cáo"), ("modelled", "mô hình")):
        key = f"share_villages_4g_{source}"
        assert word in data["indicators"][key]["label"]
        shown = pd.Series(c["indicators"][key], index=c["code"], dtype=float)
        assert np.allclose(shown, table[key].round(4), equal_nan=True)
    assert "speeds" in data["generated"]


def _outside(out) -> int:
    return json.loads((out / "summary.json").read_text())["sources"]["speeds"][
        "tests_outside_communes"]


def test_download_targets_judged_on_the_measured_village_speeds(out, summary):
    v = gpd.read_file(out / "villages.gpkg", layer="villages")
    on_5g = v["covered_5g"].fillna(False).astype(bool)
    on_4g = v["covered_4g"].fillna(False).astype(bool) & ~on_5g
    targets = {t["target_id"]: t for t in summary["targets"] if t["province_code"] == "all"}
    for target_id, on in (("download_4g", on_4g), ("download_5g", on_5g)):
        measured = v.loc[on, "download_mbps_measured"].dropna()
        t = targets[target_id]
        assert t["source"] == "measured"
        assert t["value"] == pytest.approx(measured.mean()) and t["base_units"] == len(measured)
        row = next(r for r in summary["sources"]["speed"] if r["target_id"] == target_id)
        assert row["measured"] == len(measured)
        assert row["measured_below"] == int((measured < t["threshold"]).sum())
    # the village keeps each source apart
    for col in ("covered_4g_reported", "covered_4g_modelled", "download_mbps",
                "download_mbps_measured", "speed_tests", "speed_status", "coverage_source"):
        assert col in v.columns
    md = (out / "summary.md").read_text(encoding="utf-8")
    assert "## Nguồn số liệu" in md and "đo kiểm (kết quả đo tốc độ)" in md
