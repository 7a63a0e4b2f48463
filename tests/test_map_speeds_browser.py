"""The measured-speed layer in a real browser: switched on and clicked with the mouse.

Three Ookla-style tiles around Lân Phong (21433) with known speeds and tests; the run's
minimum is 10 tests, so the 4-test tile is drawn grey and says "not measurable".
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import test_map_browser
from shapely.geometry import Point, box
from test_map_browser import Opened, layer_checkbox, payload

from geo_cds import schema as s
from geo_cds.inputs.speeds import quadkey_at, quadkey_bounds
from geo_cds.outputs.maps import write_map
from geo_cds.outputs.maps.data import NODATA_COLOUR
from geo_cds.outputs.maps.speeds import SPEED_COLOURS
from geo_cds.outputs.maps.synthetic import read_communes

pytestmark = pytest.mark.browser
browser = test_map_browser.browser  # the module's Chromium fixture

REPO = Path(__file__).resolve().parent.parent
# lon, lat of each tile; download Mb/s; tests
TILES = [((108.80, 15.05), 55.5, 12), ((108.82, 15.05), 150.0, 40), ((108.84, 15.05), 8.0, 4)]


@pytest.fixture(scope="module")
def speed_map(tmp_path_factory):
    communes = read_communes(REPO / "boundaries" / "communes_2025_seed_provinces.gpkg")
    communes = communes[communes[s.PROVINCE_CODE] == "51"]
    tiles = gpd.GeoDataFrame({
        s.SPEED_DOWNLOAD: [t[1] for t in TILES], s.SPEED_UPLOAD: [20.0, 40.0, 2.0],
        s.SPEED_LATENCY: [30.0, 25.0, 70.0], s.SPEED_TESTS: [t[2] for t in TILES],
        s.SPEED_DEVICES: [6, 20, 3],
    }, geometry=[box(*quadkey_bounds(quadkey_at(x, y))) for (x, y), _, _ in TILES],
        crs=s.WGS84)
    villages = gpd.GeoDataFrame({s.VILLAGE_ID: ["v1"], s.VILLAGE_NAME: ["Thôn Văn Hà"],
                                 s.COMMUNE_CODE: ["21433"], s.GAP_STATUS: ["ok"],
                                 s.DOWNLOAD_MEASURED: [55.5], s.SPEED_TESTS_N: [12]},
                                geometry=[Point(108.70, 15.10)], crs=s.WGS84)
    info = {"run_name": "speeds", "generated": ["speeds"]}
    return write_map(tmp_path_factory.mktemp("speeds") / "map.html", communes=communes,
                     villages=villages, info=info, lang="vi", speeds=tiles,
                     speed_info={"name": "Ookla Q2 (thử)", "mobile": True, "min_tests": 10},
                     speed_targets={"download_4g": 40.0, "download_5g": 100.0})


def test_speed_layer_by_mouse_popup_with_tests_and_legend_naming_the_source(browser, speed_map):
    data = payload(speed_map)["speeds"]
    assert data["tests"] == [12, 40, 4] and data["down"] == [55.5, 150.0, 8.0]
    opened = Opened(browser, speed_map)
    try:
        assert opened.page.locator("path.gcds-speed").count() == 0  # off at first
        box = layer_checkbox(opened, "Tốc độ đo kiểm")
        box.click()  # the real mouse on the layer switcher
        assert opened.page.locator("path.gcds-speed").count() == 3
        legend = opened.js("document.querySelector('.gcds-legend').textContent")
        assert "Tốc độ đo kiểm" in legend and "Ookla Q2 (thử)" in legend
        assert "(dữ liệu mẫu)" in legend  # generated tiles say so
        # colours: 55.5 between the 4G and 5G targets, 150 above 5G, 4 tests: not measurable
        fills = opened.js("Array.from(document.querySelectorAll('path.gcds-speed'))"
                          ".map(p => p.getAttribute('fill'))")
        assert fills == [SPEED_COLOURS[2], SPEED_COLOURS[3], NODATA_COLOUR]
        opened.view(15.05, 108.82, 14)
        for k, expect in ((1, ["150", "40", "Ookla Q2 (thử)"]), (2, ["Quá ít lượt đo", "4"])):
            opened.close_popup()
            at = opened.js(f"(() => {{ const p = geoCds.map.latLngToContainerPoint("
                           f"[{TILES[k][0][1]}, {TILES[k][0][0]}]); return [p.x, p.y]; }})()")
            opened.page.mouse.move(at[0] - 4, at[1])
            opened.page.mouse.move(*at, steps=3)
            opened.page.mouse.click(*at)
            text = opened.popup()
            assert text.startswith("Ô đo tốc độ")
            for word in expect:
                assert word in text, (word, text)
            assert "Số lượt đo" in text and "Dữ liệu mẫu được tạo tự động" in text
        opened.close_popup()
        box.click()
        assert opened.page.locator("path.gcds-speed").count() == 0
        assert opened.errors == [] and opened.requests == []
    finally:
        opened.close()
