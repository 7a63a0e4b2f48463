"""In offline Chromium: the README's notebook example (the run's ``folium.Map`` extended with
folium layers and saved), and the sample run's map.html: charts, print layouts (PDF), PNG export.
"""

from __future__ import annotations

import base64
import io
import os
import re
import struct
from pathlib import Path

import folium
import pypdf
import pytest
import test_map_browser
from test_map_browser import ARTIFACTS, Opened

pytestmark = pytest.mark.browser
browser = test_map_browser.browser  # the module's Chromium fixture

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_map_example() -> str:
    section = README.read_text(encoding="utf-8").split("### The map", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.fixture(scope="module")
def extended(sample_run, tmp_path_factory):
    """The README's notebook example, run as written on the sample run."""
    folder = tmp_path_factory.mktemp("notebook")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        names = {"result": sample_run}
        exec(compile(readme_map_example(), str(README), "exec"), names)
    finally:
        os.chdir(cwd)
    assert isinstance(names["m"], folium.Map)
    return folder / "map_with_schools.html"


@pytest.fixture
def page(browser, sample_run):
    """The sample run's own map.html, as the pipeline wrote it."""
    opened = Opened(browser, Path(sample_run.folder) / "map.html")
    yield opened
    opened.close()


def _click_summary(page: Opened, cls: str) -> None:
    page.page.locator(f".{cls} summary").click()


def test_readme_notebook_example_extends_and_saves_an_offline_map(browser, extended):
    page = Opened(browser, extended)
    try:
        icons = page.page.locator(".leaflet-marker-pane img.leaflet-marker-icon")
        assert icons.count() == 2  # the marker and the school (a GeoJSON point)
        assert icons.evaluate_all(
            "l => l.every(i => i.complete && i.naturalWidth > 0 && i.src.startsWith('data:'))")
        page.js("geoCds.map.setView([15.06, 108.75], 11, {animate: false}); 0")  # apart
        popups = []
        for i in range(2):  # real mouse clicks; the marker has a popup, the school a tooltip
            icons.nth(i).click()
            page.page.wait_for_timeout(200)
            popups += page.page.locator(".leaflet-popup-content").all_inner_texts()
        assert popups == ["Trạm y tế xã"]
        labels = page.js("""Array.from(document.querySelectorAll(
            '.leaflet-control-layers-overlays label span span')).map(s => s.textContent.trim())""")
        assert "Trường học" in labels
        assert page.js("geoCds.map.hasLayer(geoCds.layers.villages)") is False
        assert page.js("geoCds.map.hasLayer(geoCds.layers.communes)") is True
        assert page.errors == [] and page.requests == []
    finally:
        page.close()


def test_charts_draw_the_runs_numbers(page, sample_run):
    _click_summary(page, "gcds-charts")
    targets = sample_run.targets[sample_run.targets["unit"] != "Mb/s"]
    bars = page.js("""Array.from(document.querySelectorAll('.gcds-chart-targets rect[class]'))
        .map(r => r.getAttribute('class'))""")
    known = targets["value"].notna()
    assert len(bars) == int(known.sum())
    status = targets.loc[known, "status"]
    assert bars.count("gcds-met") == int((status == "met").sum())
    assert bars.count("gcds-not-met") == int((status == "not met").sum())
    assert bars.count("gcds-not-due") == int((status == "not due yet").sum())
    # The first bar's length, as a share of the full bar, is the first province's value.
    first = targets[targets["target_id"] == targets["target_id"].iloc[0]]
    first = first[first["province_code"] != "all"].iloc[0]
    ratio = page.js("""(() => { const svg = document.querySelector('.gcds-chart-targets');
        const rects = svg.querySelectorAll('rect');
        return rects[1].getAttribute('width') / rects[0].getAttribute('width'); })()""")
    assert ratio == pytest.approx(min(1.0, first["value"]), abs=1e-6)
    assert page.js("document.querySelectorAll('.gcds-chart-budget polyline').length") == 2
    n_points = page.js("document.querySelector('.gcds-curve-exact').getAttribute('points')"
                       ".trim().split(' ').length")
    assert n_points >= 9
    kinds = sample_run.investment.interventions["kind"].nunique()
    assert page.js("document.querySelectorAll('.gcds-chart-cost rect').length") == 2 * kinds
    page.page.screenshot(path=str(ARTIFACTS / "charts.png"))
    assert page.errors == [] and page.requests == []


def _pdf(page: Opened) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(page.page.pdf(prefer_css_page_size=True,
                                                    print_background=True)))


@pytest.mark.parametrize("sheet,size_pt", [("a4", (842, 595)), ("a3", (1191, 842))])
def test_print_layout_gives_one_legible_landscape_page(page, sample_run, sheet, size_pt):
    _click_summary(page, "gcds-print-panel")
    page.page.locator(f".gcds-print-panel button[data-sheet={sheet}]").click()
    pdf = _pdf(page)
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size_pt
    text = pdf.pages[0].extract_text()
    title = page.js("geoCds.data.title")
    for expected in (title, "Chú giải", "Không có dữ liệu", "< 50%", "Thiếu cáp quang",
                     "Nguồn dữ liệu", "Ngày lập", sample_run.plan.name):
        assert expected in text, expected
    assert "Biểu đồ" not in text  # the panels stay off the paper
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / f"print_{sheet}.png"), full_page=True)
    page.page.get_by_role("button", name="Đóng khổ in").click()
    assert page.js("document.body.classList.contains('gcds-print')") is False
    assert page.js("document.querySelector('.leaflet-container .gcds-legend') !== null")
    assert page.errors == [] and page.requests == []


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


# Pixels of the PNG against the screenshot at points where the screen is flat (a 7 x 7 block of
# one colour), so an edge or a dot a pixel away does not decide the comparison.
COMPARE = """async ([png, shot, points, top]) => {
    const load = (b64) => new Promise(ok => { const i = new Image();
        i.onload = () => ok(i); i.src = 'data:image/png;base64,' + b64; });
    const pixels = (img) => { const c = document.createElement('canvas');
        c.width = img.width; c.height = img.height; const g = c.getContext('2d');
        g.drawImage(img, 0, 0); return g.getImageData(0, 0, c.width, c.height); };
    const [a, b] = (await Promise.all([load(png), load(shot)])).map(pixels);
    const at = (d, x, y) => Array.from(d.data.slice(4 * (y * d.width + x), 4 * (y * d.width + x) + 3));
    const flat = (d, x, y) => { const c = at(d, x, y);
        for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) {
          const o = at(d, x + dx, y + dy);
          if (o.some((v, k) => Math.abs(v - c[k]) > 2)) return false; }
        return true; };
    return points.filter(p => flat(b, p[0], p[1])).map(p => [at(a, p[0], p[1] + top), at(b, p[0], p[1])]);
}"""


def test_png_of_the_view_matches_the_screen(page):
    _click_summary(page, "gcds-print-panel")
    page.js("geoCds.map.setView([15.05, 108.35], 9, {animate: false}); 0")
    page.page.wait_for_timeout(300)
    map_box = page.page.locator(".folium-map").bounding_box()
    # Commune interiors on screen that no control, marker or label covers.
    points = page.js("""(() => { const m = geoCds.map, C = geoCds.data.communes, out = [];
        const box = m.getContainer().getBoundingClientRect();
        for (let i = 0; i < C.code.length && out.length < 80; i++) {
          const b = geoCds.communeLod.bounds(i), p = m.latLngToContainerPoint(b.getCenter());
          const x = Math.round(p.x), y = Math.round(p.y);
          if (x < 5 || y < 5 || x > box.width - 5 || y > box.height - 5) continue;
          const el = document.elementFromPoint(box.left + x, box.top + y);
          if (!el || el.closest('.leaflet-control, .leaflet-marker-icon, .leaflet-tooltip')) continue;
          if (el.tagName !== 'path' && el.tagName !== 'CANVAS') continue;
          out.push([x, y]);
        }
        return out; })()""")
    assert len(points) >= 10
    shot = page.page.screenshot(clip=map_box)
    with page.page.expect_download() as download:
        page.page.locator(".gcds-png").click()
    data = Path(download.value.path()).read_bytes()
    width, height = _png_size(data)
    assert (width, height) == (round(map_box["width"]), round(map_box["height"]) + 62)
    pairs = page.page.evaluate(COMPARE, [base64.b64encode(data).decode(),
                                         base64.b64encode(shot).decode(), points, 36])
    assert len(pairs) >= 5
    same = [all(abs(x - y) <= 6 for x, y in zip(a, b)) for a, b in pairs]
    assert sum(same) >= 0.9 * len(same), pairs
    (ARTIFACTS / "view.png").write_bytes(data)
    assert page.errors == [] and page.requests == []


def test_ctrl_p_without_the_layout_prints_the_a4_one(page):
    # What the browser fires around Ctrl+P (page.pdf does not fire them).
    page.js("window.dispatchEvent(new Event('beforeprint')); 0")
    assert page.js("geoCds.print.sheet()") == "a4"
    pdf = _pdf(page)
    assert len(pdf.pages) == 1 and round(float(pdf.pages[0].mediabox.width)) == 842
    assert "Chú giải" in pdf.pages[0].extract_text()
    page.js("window.dispatchEvent(new Event('afterprint')); 0")
    assert page.js("geoCds.print.sheet()") is None
    assert page.js("document.body.classList.contains('gcds-print')") is False
