"""A run from a station list alone (layers/sample_plan_stations.toml, no coverage raster):
the modelled 4G coverage switched on with the mouse in a real browser, its legend naming the
station list as the source."""

from __future__ import annotations

import dataclasses

import pytest
import test_map_browser
from test_map_browser import Opened, layer_checkbox, payload

from geo_cds.pipeline import run
from geo_cds.plan import REPO_ROOT, load_plan

pytestmark = pytest.mark.browser
browser = test_map_browser.browser  # the module's Chromium fixture

IMAGES = "document.querySelectorAll('img.leaflet-image-layer')"


@pytest.fixture(scope="module")
def station_map(tmp_path_factory):
    plan = load_plan(REPO_ROOT / "layers" / "sample_plan_stations.toml")
    assert not any(spec.kind in ("rsrp", "mask") for spec in plan.rasters.values())
    # a coarser grid than the sample's 100 m keeps the run short; the layers are the same
    plan = dataclasses.replace(plan, output_dir=tmp_path_factory.mktemp("stations"),
                               coverage_model=dataclasses.replace(plan.coverage_model,
                                                                  resolution_m=500.0))
    return run(plan).folder / "map.html"


def test_modelled_4g_switched_on_by_mouse_with_its_source_in_the_legend(browser, station_map):
    rasters = {r["name"]: r for r in payload(station_map)["rasters"]}
    assert set(rasters) == {"modelled_4g", "modelled_5g"}
    opened = Opened(browser, station_map)
    try:
        assert opened.js(f"{IMAGES}.length") == 0  # off at first
        legend = opened.js("document.querySelector('.gcds-legend').textContent")
        assert "danh sách trạm" not in legend
        box = layer_checkbox(opened, "Vùng phủ sóng 4G mô hình hoá")
        box.click()  # the real mouse on the layer switcher
        opened.page.wait_for_function(f"{IMAGES}.length === 1 && {IMAGES}[0].complete")
        image = opened.js(f"(() => {{ const i = {IMAGES}[0]; const r = i.getBoundingClientRect();"
                          " return [i.src.slice(0, 22), i.naturalWidth, r.width, r.height]; })()")
        assert image[0] == "data:image/png;base64," and image[1] == rasters["modelled_4g"]["size"][0]
        assert image[2] > 50 and image[3] > 50  # drawn on the screen, not a speck
        legend = opened.js("document.querySelector('.gcds-legend').textContent")
        assert "Vùng phủ sóng 4G mô hình hoá (RSRP)" in legend
        assert "Nguồn: mô hình hoá từ danh sách trạm" in legend
        assert "Dưới ngưỡng -105 dBm" in legend  # the 4G threshold, not 5G's
        box.click()
        opened.page.wait_for_function(f"{IMAGES}.length === 0")
        assert "danh sách trạm" not in opened.js(
            "document.querySelector('.gcds-legend').textContent")
        assert opened.errors == [] and opened.requests == []
    finally:
        opened.close()
