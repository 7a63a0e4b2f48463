"""The map in a real browser: headless Chromium (Debian's ``chromium``) with no network.

Features are opened the way a person opens them: the mouse moves over a shape, clicks it, turns
the wheel, clicks a search result or a row of the priority list (playwright's mouse; no popup is
opened from script). Scripts only read the page: where a shape is on screen, what was drawn.

Most tests use a map built here from the real seed-province boundaries with synthetic
villages, parks, streets, interventions and two RSRP rasters in UTM (so the reprojection path
runs), independent of the pipeline. The last tests open the embedded sample run's
``map.html`` (the ``sample_run`` fixture) and save the README picture to
``tests/artifacts/map.png``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from map_columns_decode import decoded
from shapely.geometry import Point, box

from geo_cds import schema as s
from geo_cds.outputs import maps as maps_module
from geo_cds.outputs.maps import synthetic as syn
from geo_cds.outputs.maps import write_map
from geo_cds.outputs.maps.data import GAP_STATUS_COLOURS, SHARE_COLOURS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}
N_IN_BUDGET = 50


def _build(folder: Path, lang: str) -> Path:
    communes = syn.read_communes(REPO / "boundaries" / "communes_2025_seed_provinces.gpkg")
    villages = syn.synthetic_villages(communes, seed=7)
    communes = syn.aggregate(communes, villages)
    rasters = {
        "rsrp_4g": syn.synthetic_rsrp(folder / "rsrp_4g.tif", communes, "4g", cell_m=1000),
        "rsrp_5g": syn.synthetic_rsrp(folder / "rsrp_5g.tif", communes, "5g", cell_m=1000,
                                      crs="EPSG:32649"),
    }
    gaps = villages[villages["gap_status"] != "ok"]
    priority = pd.DataFrame({"village_id": gaps["village_id"].to_numpy(),
                             "rank": range(1, len(gaps) + 1),
                             "intervention": "fibre_extension",
                             "cost_vnd": [250_000_000 + 1_000_000 * (i % 7)
                                          for i in range(len(gaps))],
                             "in_budget": [i < N_IN_BUDGET for i in range(len(gaps))]})
    info = {"run_name": "browser-test", "run_date": "2025-07-01",
            "sources": "Ranh giới xã 2025 (gis.vn; sapnhap.bando.com.vn)",
            "generated": ["villages", "parks", "streets", "rsrp_4g", "rsrp_5g"]}
    return write_map(folder / f"map_{lang}.html", communes=communes, villages=villages,
                     parks=syn.synthetic_parks(communes), streets=syn.synthetic_streets(communes),
                     interventions=syn.synthetic_interventions(villages), rasters=rasters,
                     priority=priority, info=info, lang=lang)


@pytest.fixture(scope="module")
def maps(tmp_path_factory):
    folder = tmp_path_factory.mktemp("map")
    return {"vi": _build(folder, "vi"), "en": _build(folder, "en")}


def payload(html: Path) -> dict:
    m = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>',
                  html.read_text(encoding="utf-8"), re.DOTALL)
    return decoded(json.loads(m.group(1).replace("<\\/", "</")))


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium "
                    "(apt-get install -y chromium), as the README's test command does")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page holding the map, with what it logged and what it tried to fetch."""

    def __init__(self, browser, html: Path, viewport=VIEWPORT):
        self.context = browser.new_context(offline=True, viewport=viewport)
        self.errors: list[str] = []
        self.requests: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:")):
                r.continue_()
            else:
                self.requests.append(url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("console",
                     lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(html.as_uri(), wait_until="load")
        self.page.wait_for_function("window.geoCds !== undefined", timeout=60_000)

    def js(self, expr: str, arg=None):
        return self.page.evaluate(expr, arg)

    def view(self, lat: float, lon: float, zoom: float):
        """Move the map (no popup, no click): the starting point of a mouse action."""
        self.js(f"geoCds.map.setView([{lat}, {lon}], {zoom}, {{animate: false}}); 0")
        self.page.wait_for_timeout(150)

    def spot(self, selector: str) -> tuple[float, float] | None:
        """A screen point where an element matching ``selector`` is the topmost thing.

        Scans each element's box on a grid and keeps a point that ``elementFromPoint`` gives
        back as that element, inside the map and off the panels: what a person would click.
        """
        return self.js("""(sel) => {
          const panels = [...document.querySelectorAll('.leaflet-control')]
            .map(c => c.getBoundingClientRect());
          const free = (x, y) => x > 5 && y > 5 && x < innerWidth - 5 && y < innerHeight - 5
            && !panels.some(r => x >= r.left - 4 && x <= r.right + 4 && y >= r.top - 4
                                 && y <= r.bottom + 4);
          for (const el of document.querySelectorAll(sel)) {
            const r = el.getBoundingClientRect();
            if (!r.width && !r.height) continue;
            for (let gy = 1; gy < 12; gy++) for (let gx = 1; gx < 12; gx++) {
              const order = [6, 5, 7, 4, 8, 3, 9, 2, 10, 1, 11];
              const x = r.left + r.width * order[gx - 1] / 12;
              const y = r.top + r.height * order[gy - 1] / 12;
              if (free(x, y) && document.elementFromPoint(x, y) === el) return [x, y];
            }
          }
          return null;
        }""", selector)

    def popup(self, timeout: int = 5_000) -> str:
        loc = self.page.locator(".leaflet-popup-content")
        loc.last.wait_for(timeout=timeout)
        return loc.last.inner_text()

    def popup_count(self) -> int:
        return self.page.locator(".leaflet-popup-content").count()

    def no_popup(self):
        """Wait until no popup is left (a closed popup fades out for a moment)."""
        self.page.wait_for_function(
            "document.querySelectorAll('.leaflet-popup').length === 0", timeout=5_000)

    def close_popup(self):
        if self.popup_count():
            self.page.locator(".leaflet-popup-close-button").last.click()
        self.no_popup()

    def tooltip(self) -> str:
        loc = self.page.locator(".leaflet-tooltip")
        loc.last.wait_for(timeout=3_000)
        return loc.last.inner_text()

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def page(browser, maps):
    opened = Opened(browser, maps["vi"])
    yield opened
    opened.close()


def overlay_names(page: Opened) -> list[str]:
    return page.js("""Array.from(document.querySelectorAll(
        '.leaflet-control-layers-overlays label span span')).map(s => s.textContent.trim())""")


def layer_checkbox(page: Opened, prefix: str):
    return page.page.locator(".leaflet-control-layers-overlays label", has_text=prefix) \
        .locator("input")


def test_leaflet_initialised_without_network(page):
    assert page.js("window.L && L.version") == "1.9.4"
    assert page.js("geoCds.map instanceof L.Map")
    assert page.js("geoCds.map.getZoom()") >= 6
    assert page.js("[geoCds.map.getMinZoom(), geoCds.map.getMaxZoom()]") == [4, 18]
    assert page.errors == []
    assert page.requests == []  # nothing even tried to leave the page


def test_expected_layers_are_in_the_switcher(page):
    names = overlay_names(page)
    for expected in ("Xã/phường: chỉ tiêu", "Thôn theo khoảng trống hạ tầng",
                     "KCN/CCN/KKT: phủ sóng 5G", "Tuyến phố, chợ không dùng tiền mặt",
                     "Giải pháp đề xuất", "Vùng phủ sóng 4G (RSRP)", "Vùng phủ sóng 5G (RSRP)"):
        assert any(n.startswith(expected) for n in names), (expected, names)
    # Generated layers say so.
    assert any(n == "Thôn theo khoảng trống hạ tầng (dữ liệu mẫu)" for n in names)
    bases = page.js("""Array.from(document.querySelectorAll(
        '.leaflet-control-layers-base label span span')).map(s => s.textContent.trim())""")
    assert bases[0] == "Chỉ ranh giới (ngoại tuyến)" and len(bases) == 3


def test_first_view_is_fitted_to_the_data(page, maps):
    south_west, north_east = payload(maps["vi"])["bounds"]
    box_px = page.js(f"""(() => {{
        const m = geoCds.map, a = m.latLngToContainerPoint({south_west}),
              b = m.latLngToContainerPoint({north_east}), size = m.getSize();
        return [a.x, b.y, b.x, a.y, size.x, size.y]; }})()""")
    left, top, right, bottom, width, height = box_px
    assert left >= 0 and top >= 0 and right <= width and bottom <= height  # all data in sight
    # ... and as large as the screen allows: it fills the height or the width (the three seed
    # provinces lie north-south) up to the fitting margin and a quarter zoom step.
    assert max((bottom - top) / height, (right - left) / width) > 0.8


def test_commune_polygons_and_province_names_are_drawn(page, maps):
    n = page.js("document.querySelectorAll('.leaflet-gcds-communes-pane path').length")
    assert n == 273
    assert page.js("document.querySelectorAll('.leaflet-gcds-provinces-pane path').length") == 3
    # Villages appear as clusters (or dots) at the opening zoom.
    assert page.js("document.querySelectorAll('.gcds-cluster').length") > 0
    # Low zoom: the province names, no commune name.
    drawn = page.js("geoCds.labels.drawn.map(d => [d.kind, d.text])")
    provinces = sorted(payload(maps["vi"])["provinces"]["name"])
    assert sorted(t for k, t in drawn if k == "province") == provinces
    assert [t for k, t in drawn if k == "commune"] == []


def test_commune_names_at_a_readable_zoom_do_not_overlap(page, maps):
    names = {re.sub(r"^(Xã|Phường|Thị trấn|Đặc khu)\s+", "", n)
             for n in payload(maps["vi"])["communes"]["name"]}
    page.view(15.1, 108.75, 11)
    drawn = page.js("geoCds.labels.drawn.map(d => [d.kind, d.text, d.box])")
    communes = [d for d in drawn if d[0] == "commune"]
    assert len(communes) >= 10
    assert {t for _, t, _ in communes} <= names
    boxes = [b for _, _, b in drawn]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # The names are on a canvas that lets the mouse through: nothing in the page to select.
    assert page.js("getComputedStyle(document.querySelector('.gcds-label-canvas'))"
                   ".pointerEvents") == "none"


def _hover_then_click(page: Opened, selector: str) -> tuple[str, str, list[float]]:
    at = page.spot(selector)
    if at is None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.page.screenshot(path=str(ARTIFACTS / "failed_spot.png"))
    assert at is not None, f"no visible {selector} to click at zoom {page.js('geoCds.map.getZoom()')}"
    page.page.mouse.move(at[0] - 3, at[1] - 3)
    page.page.mouse.move(*at, steps=3)
    tip = page.tooltip()
    page.page.mouse.click(*at)
    text = page.popup()
    return tip, text, at


def test_click_a_commune_at_every_zoom(page, maps):
    data = payload(maps["vi"])["communes"]
    code_of = dict(zip(data["name"], data["code"]))
    page.page.mouse.move(700, 450)
    page.js("geoCds.map.fitBounds(geoCds.data.bounds, {animate: false}); 0")
    page.page.wait_for_timeout(200)
    zooms = []
    for step in range(4):
        page.close_popup()
        tip, text, at = _hover_then_click(page, "path.gcds-commune")
        name = tip.split(":")[0].strip()
        assert text.startswith(name) and code_of[name] in text, (tip, text)
        page.page.wait_for_timeout(1_000)  # it stays open
        assert page.popup_count() == 1 and page.popup().startswith(name)
        page.page.keyboard.press("Escape")
        page.no_popup()
        zooms.append(page.js("geoCds.map.getZoom()"))
        # Zoom in with the wheel, over a commune (the popup may have panned the map).
        page.page.mouse.move(*page.spot("path.gcds-commune"))
        for _ in range(2):
            page.page.mouse.wheel(0, -60)
            page.page.wait_for_timeout(500)
    assert zooms[-1] >= zooms[0] + 5, zooms
    assert page.errors == []


def test_click_a_village_dot_popup_stays_open(page, maps):
    data = payload(maps["vi"])["villages"]
    k = data["rank"].index(1)
    page.view(data["lat"][k] / 1e5, data["lon"][k] / 1e5, 14)
    tip, text, at = _hover_then_click(page, "path.gcds-village")
    assert tip in data["name"]
    assert text.startswith(tip) and "Mã thôn" in text and "Khoảng trống" in text
    assert "Dữ liệu mẫu được tạo tự động" in text
    page.page.wait_for_timeout(1_200)
    assert page.popup_count() == 1  # no flash: the dots redrawn on each move keep it open
    # Dragging the map redraws the dots; the popup stays.
    page.page.mouse.move(300, 700)
    page.page.mouse.down()
    page.page.mouse.move(360, 660, steps=5)
    page.page.mouse.up()
    page.page.wait_for_timeout(500)
    assert page.popup_count() == 1 and page.popup().startswith(tip)
    page.close_popup()


def test_click_a_cluster_zooms_in(page):
    page.js("geoCds.map.fitBounds(geoCds.data.bounds, {animate: false}); 0")
    page.page.wait_for_timeout(200)
    before = page.js("geoCds.map.getZoom()")
    at = page.spot(".gcds-cluster")
    page.page.mouse.move(*at, steps=3)
    assert "thôn" in page.tooltip()
    page.page.mouse.click(*at)
    page.page.wait_for_timeout(400)
    assert page.js("geoCds.map.getZoom()") > before
    assert page.popup_count() == 0


@pytest.mark.parametrize("css, layer, title", [
    ("gcds-park", "parks", None), ("gcds-street", "streets", None),
    ("gcds-market", "streets", None), ("gcds-site", "interventions", "Trạm 4G mới"),
    ("gcds-route", "interventions", "Tuyến cáp quang mới")])
def test_click_every_layer(page, maps, css, layer, title):
    features = payload(maps["vi"])[layer]["features"]
    names = {f["properties"].get("park_name") or f["properties"].get("street_name")
             for f in features}
    # Zoom to the first feature of that kind (a view change, not a click).
    page.js(f"""(() => {{
        const ls = geoCds.layers.{layer}.getLayers().filter(l => l.options.className === '{css}');
        geoCds.map.fitBounds(L.featureGroup([ls[0]]).getBounds().pad(2),
                             {{maxZoom: 14, animate: false}}); }})()""")
    page.page.wait_for_timeout(200)
    tip, text, at = _hover_then_click(page, f"path.{css}")
    heading = text.splitlines()[0]
    if title:
        assert heading == tip == title
        assert "Chi phí ước tính" in text and "₫" in text
    else:
        assert heading == tip and tip in names
    page.page.wait_for_timeout(800)
    assert page.popup_count() == 1
    page.close_popup()
    assert page.errors == []


def test_planned_work_is_drawn_above_villages_and_parks_have_their_own_colours(page):
    z = page.js("""['villages', 'interventions', 'communes', 'parks'].map(
        n => +geoCds.map.getPane('gcds-' + n).style.zIndex)""")
    assert z[1] > z[0] > z[3] > z[2]
    fills = page.js("[...document.querySelectorAll('path.gcds-park')].map(p => p.getAttribute"
                    "('fill'))")
    assert fills and not set(fills) & (set(SHARE_COLOURS) | set(GAP_STATUS_COLOURS.values()))


def test_toggling_layers(page):
    villages = layer_checkbox(page, "Thôn theo khoảng trống")
    villages.click()
    assert not page.js("geoCds.map.hasLayer(geoCds.layers.villages)")
    assert page.js("document.querySelectorAll('.gcds-cluster, path.gcds-village').length") == 0
    villages.click()
    assert page.js("geoCds.map.hasLayer(geoCds.layers.villages)")

    # The choropleth off leaves the outlines (offline basemap) with a plain fill.
    fill_on = page.js("geoCds.communeLayer(0).options.fillColor")
    layer_checkbox(page, "Xã/phường").click()
    assert page.js("geoCds.communeLayer(0).options.fillColor") == "#f3f0e8" != fill_on
    assert page.js("document.querySelectorAll('.leaflet-gcds-communes-pane path').length") == 273
    layer_checkbox(page, "Xã/phường").click()
    assert page.js("geoCds.communeLayer(0).options.fillColor") == fill_on
    assert page.errors == []


def test_coverage_overlay_keeps_commune_colours_and_opacity_slider(page):
    page.js("geoCds.map.fitBounds(geoCds.data.bounds, {animate: false}); 0")
    raster = layer_checkbox(page, "Vùng phủ sóng 4G")
    raster.click()
    assert page.js("document.querySelectorAll('.leaflet-gcds-rasters-pane img').length") == 1
    assert "Vùng phủ sóng 4G (RSRP)" in page.js(
        "document.querySelector('.gcds-legend').textContent")
    # Light enough for the commune colours below to show through.
    raster_opacity = float(page.js(
        "getComputedStyle(document.querySelector('.leaflet-gcds-rasters-pane img')).opacity"))
    assert raster_opacity <= 0.5
    # The slider, dragged to its left end with the mouse, lightens communes and coverage.
    slider = page.page.locator("input[name=gcds-opacity]")
    bb = slider.bounding_box()
    page.page.mouse.click(bb["x"] + 2, bb["y"] + bb["height"] / 2)
    assert page.js("geoCds.communeLayer(0).options.fillOpacity") < 0.2
    assert float(page.js("getComputedStyle(document.querySelector("
                         "'.leaflet-gcds-rasters-pane img')).opacity")) < raster_opacity / 3
    page.page.mouse.click(bb["x"] + bb["width"] * 0.6, bb["y"] + bb["height"] / 2)
    raster.click()
    assert page.js("document.querySelectorAll('.leaflet-gcds-rasters-pane img').length") == 0


def test_indicator_switch_restyles_communes(page):
    before = page.js("geoCds.layers.communeShapes.getLayers().map(s => s.options.fillColor).join()")
    page.page.locator("select[name=gcds-indicator]").select_option("n_villages_with_gaps")
    after = page.js("geoCds.layers.communeShapes.getLayers().map(s => s.options.fillColor).join()")
    assert after != before
    assert "Số thôn còn khoảng trống" in page.js(
        "document.querySelector('.gcds-legend').textContent")
    page.page.locator("select[name=gcds-indicator]").select_option("share_villages_4g")


def test_search_result_click_zooms_and_keeps_its_popup(page):
    page.js("geoCds.map.fitBounds(geoCds.data.bounds, {animate: false}); 0")
    zoom_before = page.js("geoCds.map.getZoom()")
    box = page.page.locator(".gcds-search input")
    box.click()
    page.page.keyboard.type("lan phong")
    first = page.page.locator(".gcds-search li").first
    assert first.inner_text().startswith("Xã Lân Phong")
    first.click()
    page.page.wait_for_timeout(1_200)  # the click must not reach the map and close it
    text = page.popup()
    assert "Xã Lân Phong" in text and "21433" in text
    assert page.js("geoCds.map.getZoom()") >= zoom_before + 3
    # The commune is under its popup's anchor.
    assert page.js("geoCds.map.getBounds().contains(geoCds.communeLabelPoint("
                   "geoCds.data.communes.code.indexOf('21433')))")
    assert page.js("geoCds.search('DUC PHO').length") >= 1  # phường Đức Phổ
    assert page.js("geoCds.search('Đức Phổ')[0].label") == page.js(
        "geoCds.search('duc pho')[0].label")
    page.close_popup()
    # A village found by name, chosen with the mouse, opens with its numbers.
    box.fill("")
    box.click()
    page.page.keyboard.type("thon")
    village = page.page.locator(".gcds-search li", has_text="Thôn").first
    name = village.inner_text().splitlines()[0]
    village.click()
    page.page.wait_for_timeout(1_000)
    assert page.popup().startswith(name) and page.popup_count() == 1
    page.close_popup()


def test_vietnamese_number_formatting(page):
    assert page.js("geoCds.format.num(1234567)") == "1.234.567"
    assert page.js("geoCds.format.pct(0.973)") == "97,3%"
    assert page.js("geoCds.format.pct(1)") == "100%"
    assert page.js("geoCds.format.vnd(1300000000)") == "1.300.000.000 ₫"
    assert page.js("geoCds.format.pct(null)") == "Không có dữ liệu"


def test_priority_panel(page, maps):
    data = payload(maps["vi"])
    V, C = data["villages"], data["communes"]
    ranked = [k for k, r in enumerate(V["rank"]) if r is not None]
    page.page.locator(".gcds-ptoggle").click()
    rows = page.page.locator(".gcds-pbody .gcds-prow")
    rows.first.wait_for()
    assert page.page.locator(".leaflet-control-layers-expanded").count() == 0
    assert page.page.locator(".gcds-pcount").inner_text() == f"{len(ranked):,} thôn".replace(
        ",", ".")
    # Virtualised: a few dozen rows in the page for thousands on the list.
    assert len(ranked) > 400 and rows.count() < 80
    first_cells = rows.first.locator("span").all_inner_texts()
    k1 = V["rank"].index(1)
    assert first_cells[:3] == ["1", V["name"][k1], C["name"][V["commune"][k1]]]

    # Sorted by cost, most expensive first (two clicks on the header).
    head = page.page.locator(".gcds-phead button", has_text="Chi phí")
    head.click()
    head.click()
    top_cost = max(V["cost"][k] for k in ranked)
    assert rows.first.locator("span").nth(5).inner_text() == f"{top_cost / 1e6:.0f}"

    # Filters: a province, then within the budget only.
    province = "Quảng Ngãi"
    in_prov = [k for k in ranked if C["prov"][V["commune"][k]] == province]
    page.page.locator("select[name=gcds-province]").select_option(province)
    assert page.page.locator(".gcds-pcount").inner_text().startswith(
        f"{len(in_prov):,}".replace(",", "."))
    communes_shown = set(page.js(
        "[...document.querySelectorAll('.gcds-pbody .gcds-prow span:nth-child(3)')]"
        ".map(s => s.textContent)"))
    assert communes_shown <= {C["name"][V["commune"][k]] for k in in_prov}
    page.page.locator("select[name=gcds-budget]").select_option("in")
    expected = [k for k in in_prov if V["in_budget"][k]]
    assert page.page.locator(".gcds-pcount").inner_text().startswith(str(len(expected)))

    # Scrolling the list scrolls the list, not the map.
    page.page.locator("select[name=gcds-budget]").select_option("")
    zoom = page.js("geoCds.map.getZoom()")
    bb = page.page.locator(".gcds-pscroll").bounding_box()
    page.page.mouse.move(bb["x"] + 100, bb["y"] + 100)
    page.page.mouse.wheel(0, 2_000)
    page.page.wait_for_timeout(1_000)
    assert page.js("geoCds.map.getZoom()") == zoom
    assert rows.first.locator("span").nth(0).inner_text() != "1" or \
        page.js("document.querySelector('.gcds-pscroll').scrollTop") > 0

    # A row clicked (one in sight, where the mouse is): the map zooms to the village and
    # opens its popup.
    bb = page.page.locator(".gcds-pscroll").bounding_box()
    x, y = bb["x"] + 120, bb["y"] + 26 * 2.5
    name = page.js(f"document.elementFromPoint({x}, {y}).closest('.gcds-prow')"
                   ".children[1].textContent")
    page.page.mouse.click(x, y)
    page.page.wait_for_timeout(1_000)
    assert page.popup().startswith(name) and page.popup_count() == 1
    assert page.js("geoCds.map.getZoom()") >= 12
    # The popup opens beside the panel, not under it.
    panel_right = page.page.locator(".gcds-priority").bounding_box()
    popup_box = page.page.locator(".leaflet-popup").last.bounding_box()
    assert popup_box["x"] >= panel_right["x"] + panel_right["width"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "map_priority.png"))
    page.close_popup()
    page.page.locator(".gcds-pclose").click()
    assert not page.page.locator(".gcds-pscroll").is_visible()
    # The layer list, folded while the table was open, is back.
    assert page.page.locator(".leaflet-control-layers-expanded").count() == 1
    assert page.errors == []


def test_info_panel_folds_and_unfolds(page):
    info = page.page.locator(".gcds-info")
    info.locator("summary").click()
    text = info.inner_text()
    assert "2025-07-01" in text and "gis.vn" in text
    assert "Dữ liệu mẫu được tạo tự động" in text
    info.locator("summary").click()
    assert "gis.vn" not in info.inner_text()


def _covered_share(opened: Opened) -> float:
    """Share of the screen under the map's panels (zoom and scale bar excluded)."""
    return opened.js("""(() => {
        const rs = [...document.querySelectorAll('.leaflet-control')]
          .filter(c => !c.matches('.leaflet-control-zoom, .leaflet-control-scale,'
                                  + ' .leaflet-control-attribution'))
          .map(c => c.getBoundingClientRect());
        let hit = 0, n = 0;
        for (let y = 2; y < innerHeight; y += 8) for (let x = 2; x < innerWidth; x += 8) {
          n++;
          if (rs.some(r => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom)) hit++;
        }
        return hit / n; })()""")


def test_panels_leave_the_map_visible(page, browser, maps):
    if page.page.locator(".gcds-pclose").is_visible():
        page.page.locator(".gcds-pclose").click()
    assert _covered_share(page) < 0.22
    legend = page.page.locator(".gcds-legend summary")
    legend.click()  # folds
    assert _covered_share(page) < 0.12
    legend.click()
    small = Opened(browser, maps["vi"], viewport={"width": 800, "height": 600})
    try:
        # Layers and legend start folded on a small screen.
        assert _covered_share(small) < 0.12
        assert small.errors == []
    finally:
        small.close()


def test_screenshot(page):
    page.js("geoCds.map.fitBounds(geoCds.layers.communeShapes.getBounds(), {animate: false}); 0")
    layer_checkbox(page, "Vùng phủ sóng 4G").click()
    page.page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "map_synthetic.png"
    page.page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000
    layer_checkbox(page, "Vùng phủ sóng 4G").click()
    page.view(15.1, 108.75, 12)
    page.page.screenshot(path=str(ARTIFACTS / "map_synthetic_zoom12.png"))
    assert page.errors == []


def test_english_map(browser, maps):
    opened = Opened(browser, maps["en"])
    try:
        names = overlay_names(opened)
        assert any(n.startswith("Villages by infrastructure gap") for n in names)
        assert any(n.endswith("(sample data)") for n in names)
        assert opened.js("geoCds.format.num(1234567)") == "1,234,567"
        assert opened.js("geoCds.format.pct(0.973)") == "97.3%"
        assert opened.js("document.documentElement.lang") == "en"
        assert opened.page.locator(".gcds-ptoggle").inner_text().startswith("Priority list")
        assert opened.errors == [] and opened.requests == []
    finally:
        opened.close()


def test_online_basemap_stays_empty_offline(browser, maps):
    opened = Opened(browser, maps["vi"])
    try:
        opened.page.locator(".leaflet-control-layers-base label",
                            has_text="OpenStreetMap").locator("input").click()
        opened.page.wait_for_timeout(300)
        # Tiles were requested and refused; the map itself keeps working.
        assert any("tile.openstreetmap.org" in u for u in opened.requests)
        assert opened.js("document.querySelectorAll('.leaflet-gcds-communes-pane path').length") \
            == 273
        assert opened.js("geoCds.communeLayer(0).options.fillOpacity") > 0  # choropleth still on
    finally:
        opened.close()


# --------------------------------------------------------------------------------------------
# Many communes: drawn on a canvas, under SVG layers, still clickable; names stay text


@pytest.fixture(scope="module")
def canvas_map(tmp_path_factory):
    evil = '<img src=x onerror="window.hacked=1">'
    communes = gpd.GeoDataFrame({
        s.COMMUNE_CODE: ["21433", "07795"], s.COMMUNE_NAME: ["Xã Lân Phong", evil],
        s.PROVINCE_NAME: ["Quảng Ngãi", "Bắc Ninh"], s.POPULATION: [12_345, 6_789],
    }, geometry=[box(108.7, 15.0, 108.8, 15.1), box(108.8, 15.0, 108.9, 15.1)], crs=s.WGS84)
    villages = gpd.GeoDataFrame({
        s.VILLAGE_ID: ["21433-001", "07795-001"], s.VILLAGE_NAME: ["Thôn Văn Hà", evil],
        s.COMMUNE_CODE: ["21433", "07795"], s.POPULATION: [1200, 500],
        s.GAP_STATUS: ["fibre", "mobile"],
    }, geometry=[Point(108.75, 15.05), Point(108.85, 15.05)], crs=s.WGS84)
    parks = gpd.GeoDataFrame({s.PARK_NAME: ["KCN Tịnh Phong"], s.area_share("5g"): [0.4]},
                             geometry=[box(108.71, 15.07, 108.73, 15.09)], crs=s.WGS84)
    priority = pd.DataFrame({"village_id": ["21433-001", "07795-001"], "rank": [1, 2],
                             "intervention": ["fibre_extension", "new_4g_site"],
                             "cost_vnd": [250e6, 1.3e9], "in_budget": [True, False]})
    with pytest.MonkeyPatch.context() as mp:  # only this map: the sample run's stays SVG
        mp.setattr(maps_module, "CANVAS_ABOVE", 1)
        mp.setattr(maps_module, "LOD_VERTICES", 1)  # coarse shapes at low zoom, as nationally
        return write_map(tmp_path_factory.mktemp("canvas") / "map.html", communes=communes,
                         villages=villages, parks=parks, priority=priority)


def test_canvas_communes_under_svg_layers_are_clickable(browser, canvas_map):
    opened = Opened(browser, canvas_map)
    try:
        assert opened.js("geoCds.useCanvas")
        opened.view(15.05, 108.8, 12)
        # Left commune, away from its village and the park: the canvas below takes the click.
        at = opened.js("(() => { const p = geoCds.map.latLngToContainerPoint([15.02, 108.72]);"
                       " return [p.x, p.y]; })()")
        assert opened.js(f"document.elementFromPoint({at[0]}, {at[1]}).tagName") == "CANVAS"
        opened.page.mouse.move(at[0] - 5, at[1])
        opened.page.mouse.move(*at, steps=3)
        assert opened.tooltip().startswith("Xã Lân Phong")
        opened.page.mouse.click(*at)
        assert opened.popup().startswith("Xã Lân Phong")
        # Zoomed out with the wheel, the detailed shapes give way to coarse ones: the popup
        # stays open.
        assert opened.js("geoCds.communeLod.mode()") == "detail"
        for _ in range(5):
            opened.page.mouse.wheel(0, 60)
            opened.page.wait_for_timeout(400)
        assert opened.js("geoCds.communeLod.mode()") == "coarse"
        assert opened.popup_count() == 1 and opened.popup().startswith("Xã Lân Phong")
        opened.close_popup()
        opened.view(15.05, 108.8, 12)
        # The park above the canvas takes its own click.
        park = opened.spot("path.gcds-park")
        opened.page.mouse.click(*park)
        opened.page.wait_for_timeout(300)
        assert opened.popup().startswith("KCN Tịnh Phong") and opened.popup_count() == 1
        opened.close_popup()
    finally:
        opened.close()


def test_names_from_data_stay_text(browser, canvas_map):
    opened = Opened(browser, canvas_map)
    try:
        evil = '<img src=x onerror="window.hacked=1">'
        opened.page.locator(".gcds-ptoggle").click()
        row = opened.page.locator(".gcds-pbody .gcds-prow").nth(1)
        assert row.locator("span").nth(1).inner_text() == evil
        row.click()
        opened.page.wait_for_timeout(500)
        assert opened.popup().startswith(evil)
        opened.page.locator(".gcds-search input").fill("img")
        assert opened.page.locator(".gcds-search li").first.inner_text().startswith(evil)
        assert opened.js("document.querySelectorAll('.leaflet-container img[src=x]').length") == 0
        assert opened.js("window.hacked === undefined")
    finally:
        opened.close()


# --------------------------------------------------------------------------------------------
# The embedded sample run's map


@pytest.fixture(scope="module")
def sample_page(browser, sample_run):
    opened = Opened(browser, Path(sample_run.folder) / "map.html")
    yield opened
    opened.close()


def test_sample_map_opens_offline_with_every_layer(sample_page):
    page = sample_page
    assert page.js("window.L && L.version") == "1.9.4"
    names = overlay_names(page)
    for expected in ("Xã/phường: chỉ tiêu", "Thôn theo khoảng trống hạ tầng",
                     "KCN/CCN/KKT: phủ sóng 5G", "Tuyến phố, chợ không dùng tiền mặt",
                     "Vùng phủ sóng 4G (RSRP)", "Vùng phủ sóng 5G (RSRP)"):
        assert any(n.startswith(expected) for n in names), (expected, names)
    assert page.js("document.querySelectorAll('.leaflet-gcds-communes-pane path').length") == 273
    assert page.js("document.querySelectorAll('.gcds-cluster').length") > 0
    # The seed village is found without its diacritics, in its 2025 commune.
    hits = page.js("geoCds.search('thon van ha').map(e => e.label + ' | ' + (e.sub || ''))")
    assert any(h.startswith("Thôn Văn Hà | Xã Lân Phong") for h in hits), hits
    assert page.errors == [] and page.requests == []


def test_sample_map_screenshot(sample_page):
    """The README picture: old Quảng Ngãi, communes by share of villages with fibre, named."""
    page = sample_page
    page.page.locator("select[name=gcds-indicator]").select_option("share_villages_fibre")
    page.view(15.0, 108.62, 10)
    assert sum(d == "commune" for d in page.js("geoCds.labels.drawn.map(d => d.kind)")) >= 20
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "map.png"
    page.page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000
    assert page.errors == []
