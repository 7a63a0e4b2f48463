"""In offline Chromium, with the mouse: a commune whose figure rests on little data is drawn
hatched, says so in the legend, its tooltip and its popup ("dựa trên 2/3 thôn (66,7%), 20% dân
số — ít dữ liệu"). The run is ``thin_run`` of test_datacov_run (figures worked out there):
Xã Lân Phong's 4G share rests on 2 of 3 villages but 20 % of the people, Phường Nếnh's fibre
share on 1 of 4 villages.
"""

from __future__ import annotations

import geopandas as gpd
import pytest
import test_map_browser
from test_datacov_run import thin_run  # noqa: F401 - the run, as a fixture
from test_map_browser import Opened, payload

from geo_cds.outputs import maps as maps_module
from geo_cds.outputs.maps import write_map

pytestmark = pytest.mark.browser
browser = test_map_browser.browser  # the module's Chromium fixture
SCALE = 1e5


def _click_commune(page: Opened, html, code: str) -> tuple[str, str]:
    """Centre the commune's label point (no click), then hover and click it with the mouse."""
    data = payload(html)["communes"]
    x, y, _ = data["label"][data["code"].index(code)]
    page.view(y / SCALE, x / SCALE, 12)
    at = page.js(f"""(() => {{
        const p = geoCds.map.latLngToContainerPoint([{y / SCALE}, {x / SCALE}]),
              r = geoCds.map.getContainer().getBoundingClientRect();
        return [r.left + p.x, r.top + p.y]; }})()""")
    page.page.mouse.move(at[0] - 4, at[1] - 4)
    page.page.mouse.move(*at, steps=3)
    tip = page.tooltip()
    page.page.mouse.click(*at)
    return tip, page.popup()


def _hatched(page: Opened) -> list[str]:
    """The names of the communes drawn with a hatch pattern (their SVG fill)."""
    return page.js("""geoCds.layers.communeShapes.getLayers()
        .filter(l => String(l.options.fillColor).startsWith('url(#gcds-hatch'))
        .map(l => geoCds.data.communes.name[l._gcdsIndex])""")


def test_a_thin_commune_is_hatched_and_its_popup_says_how_little(browser, thin_run):  # noqa: F811
    html = thin_run / "map.html"
    page = Opened(browser, html)
    try:
        assert not page.js("geoCds.useCanvas")
        # 4G (the first indicator): only Lân Phong rests on little data
        assert _hatched(page) == ["Xã Lân Phong"]
        pattern = page.js("document.querySelector('.leaflet-gcds-communes-pane svg pattern')"
                          ".outerHTML")
        assert "<rect" in pattern and "stroke=\"#ffffff\"" in pattern
        legend = page.page.locator(".gcds-legend").inner_text()
        assert "Ít dữ liệu: dưới 50% số thôn hoặc dân số có số liệu" in legend
        tip, text = _click_commune(page, html, "21433")
        assert tip == "Xã Lân Phong: 100% (ít dữ liệu)"
        assert text.startswith("Xã Lân Phong")
        assert "Tỷ lệ thôn có 4G\t100% (dựa trên 2/3 thôn (66,7%), 20% dân số) — ít dữ liệu" \
            in text
        # its fibre share rests on 2 of 3 villages and 90 % of the people: enough
        assert "Tỷ lệ thôn có cáp quang\t100% (dựa trên 2/3 thôn (66,7%), 90% dân số)\n" in text
        page.close_popup()
        # fibre: Phường Nếnh's share rests on 1 of its 4 villages
        page.page.locator("select[name=gcds-indicator]").select_option("share_villages_fibre")
        assert _hatched(page) == ["Phường Nếnh"]
        tip, text = _click_commune(page, html, "07795")
        assert tip == "Phường Nếnh: 100% (ít dữ liệu)"
        assert "Tỷ lệ thôn có cáp quang\t100% (dựa trên 1/4 thôn (25%), 50% dân số) — ít dữ liệu" \
            in text
        # every village known: the figure alone, no note on its basis
        assert "Tỷ lệ thôn có 4G\t75%\n" in text
        page.close_popup()
        # a commune without villages: no data, no basis, no mark
        tip, text = _click_commune(page, html, "07696")
        assert tip.endswith(": Không có dữ liệu")
        assert "dựa trên" not in text and "ít dữ liệu" not in text
        page.close_popup()
        assert page.errors == []
    finally:
        page.close()


def test_a_thin_commune_is_hatched_on_a_canvas_too(browser, thin_run, tmp_path):  # noqa: F811
    """The national map draws communes on a canvas: the hatch is a canvas pattern there."""
    communes = gpd.read_file(thin_run / "communes.gpkg", layer="communes")
    communes = communes[communes["commune_code"].isin(["21433", "21181", "07795"])]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(maps_module, "CANVAS_ABOVE", 1)
        html = write_map(tmp_path / "map.html", communes=communes, villages=None, lang="vi")
    page = Opened(browser, html)
    try:
        assert page.js("geoCds.useCanvas")
        assert page.js("""geoCds.layers.communeShapes.getLayers()
            .filter(l => l.options.fillColor instanceof CanvasPattern)
            .map(l => geoCds.data.communes.name[l._gcdsIndex])""") == ["Xã Lân Phong"]
        tip, text = _click_commune(page, html, "21433")
        assert tip == "Xã Lân Phong: 100% (ít dữ liệu)"
        assert "(dựa trên 2/3 thôn (66,7%), 20% dân số) — ít dữ liệu" in text
        assert page.errors == []
    finally:
        page.close()
