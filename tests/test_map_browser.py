"""The map in a real browser: headless Chromium (Debian's ``chromium``) with no network.

Most tests use a map built here from the real seed-province boundaries with synthetic
villages, parks, streets, interventions and two RSRP rasters in UTM (so the reprojection path
runs), independent of the pipeline. The last tests open the embedded sample run's
``map.html`` (the ``sample_run`` fixture) and save the README picture to
``tests/artifacts/map.png``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo_cds.outputs.maps import synthetic as syn
from geo_cds.outputs.maps import write_map

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1400, "height": 900}


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
                             "intervention": "fibre_extension", "cost_vnd": 250_000_000,
                             "in_budget": [i < 50 for i in range(len(gaps))]})
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

    def __init__(self, browser, html: Path):
        self.context = browser.new_context(offline=True, viewport=VIEWPORT)
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

    def js(self, expr: str):
        return self.page.evaluate(expr)

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


def test_commune_polygons_are_drawn(page):
    n = page.js("document.querySelectorAll('.leaflet-gcds-communes-pane path').length")
    assert n == 273
    assert page.js("document.querySelectorAll('.leaflet-gcds-provinces-pane path').length") == 3
    # Villages appear as clusters (or dots) at the opening zoom.
    assert page.js("document.querySelectorAll('.gcds-cluster').length") > 0


def test_toggling_layers(page):
    def checkbox(prefix):
        return page.page.locator(".leaflet-control-layers-overlays label", has_text=prefix) \
            .locator("input")

    villages = checkbox("Thôn theo khoảng trống")
    villages.click()
    assert not page.js("geoCds.map.hasLayer(geoCds.layers.villages)")
    assert page.js("document.querySelectorAll('.gcds-cluster').length") == 0
    villages.click()
    assert page.js("geoCds.map.hasLayer(geoCds.layers.villages)")
    assert page.js("document.querySelectorAll('.gcds-cluster').length") > 0

    raster = checkbox("Vùng phủ sóng 4G")
    raster.click()
    assert page.js("document.querySelectorAll('.leaflet-gcds-rasters-pane img').length") == 1
    assert "Vùng phủ sóng 4G (RSRP)" in page.js(
        "document.querySelector('.gcds-legend').textContent")
    raster.click()
    assert page.js("document.querySelectorAll('.leaflet-gcds-rasters-pane img').length") == 0

    # The choropleth off leaves the outlines (offline basemap) with a plain fill.
    fill_on = page.js("geoCds.communeLayer(0).options.fillColor")
    checkbox("Xã/phường").click()
    assert page.js("geoCds.communeLayer(0).options.fillColor") == "#f3f0e8" != fill_on
    assert page.js("document.querySelectorAll('.leaflet-gcds-communes-pane path').length") == 273
    checkbox("Xã/phường").click()
    assert page.js("geoCds.communeLayer(0).options.fillColor") == fill_on
    assert page.errors == []


def test_indicator_switch_restyles_communes(page):
    before = page.js("geoCds.layers.communeShapes.getLayers().map(s => s.options.fillColor).join()")
    page.page.locator("input[name=gcds-indicator][value=n_villages_with_gaps]").check()
    after = page.js("geoCds.layers.communeShapes.getLayers().map(s => s.options.fillColor).join()")
    assert after != before
    assert "Số thôn còn khoảng trống" in page.js(
        "document.querySelector('.gcds-legend').textContent")
    page.page.locator("input[name=gcds-indicator][value=share_villages_4g]").check()


def test_search_ignores_diacritics(page):
    box = page.page.locator(".gcds-search input")
    box.fill("lan phong")
    first = page.page.locator(".gcds-search li").first
    assert first.inner_text().startswith("Xã Lân Phong")
    first.click()
    popup = page.page.locator(".leaflet-popup-content", has_text="Xã Lân Phong")
    popup.wait_for()
    text = popup.inner_text()
    assert "Xã Lân Phong" in text and "21433" in text
    assert page.js("geoCds.search('DUC PHO').length") >= 1  # phường Đức Phổ
    assert page.js("geoCds.search('Đức Phổ')[0].label") == page.js(
        "geoCds.search('duc pho')[0].label")
    page.js("geoCds.map.closePopup(); 0")


def test_vietnamese_number_formatting(page):
    assert page.js("geoCds.format.num(1234567)") == "1.234.567"
    assert page.js("geoCds.format.pct(0.973)") == "97,3%"
    assert page.js("geoCds.format.pct(1)") == "100%"
    assert page.js("geoCds.format.vnd(1300000000)") == "1.300.000.000 ₫"
    assert page.js("geoCds.format.pct(null)") == "Không có dữ liệu"


def test_village_popup_has_the_numbers(page):
    page.js("geoCds.goTo({kind: 'village', i: 0}); 0")
    # The previous popup fades out for a moment: pick the village one.
    popup = page.page.locator(".leaflet-popup-content", has_text="Mã thôn")
    popup.wait_for()
    text = popup.inner_text()
    assert "Dân số" in text and "Khoảng trống" in text and "Dữ liệu mẫu được tạo tự động" in text
    page.js("geoCds.map.closePopup(); 0")
    first = page.js("geoCds.data.villages.rank.indexOf(1)")
    page.js(f"geoCds.goTo({{kind: 'village', i: {first}}}); 0")
    text = page.page.locator(".leaflet-popup-content", has_text="Thứ tự ưu tiên").inner_text()
    assert "Kéo cáp quang" in text and "250.000.000 ₫" in text
    # Zoomed in, single villages are dots on the canvas, not 5,000 DOM markers.
    assert page.js("geoCds.layers.villages._shown") < 2000
    page.js("geoCds.map.closePopup(); 0")


def test_info_panel(page):
    text = page.page.locator(".gcds-info").inner_text()
    assert "2025-07-01" in text and "gis.vn" in text
    assert "Dữ liệu mẫu được tạo tự động" in text


def test_screenshot(page):
    page.js("geoCds.map.fitBounds(geoCds.layers.communeShapes.getBounds(), {animate: false}); 0")
    page.js("geoCds.map.addLayer(geoCds.layers.raster_rsrp_4g); 0")
    page.page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "map_synthetic.png"
    page.page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000
    page.js("geoCds.map.removeLayer(geoCds.layers.raster_rsrp_4g); 0")
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
    """The README picture: old Quảng Ngãi, communes by share of villages with fibre."""
    page = sample_page
    page.js("geoCds.setIndicator('share_villages_fibre'); "
            "geoCds.map.setView([15.05, 108.35], 9, {animate: false}); 0")
    page.page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "map.png"
    page.page.screenshot(path=str(out))
    assert out.stat().st_size > 10_000
    assert page.errors == []
