"""Names are data: hostile text from inputs never becomes code in the map, workbook or CSV.

The oracles are independent of the writers: the HTML is read back with the standard
library's HTML parser, the workbook with openpyxl (cell types), the CSV with pandas; the
browser test opens a page built with hostile names in headless Chromium and checks that no
script ran (``window.alert`` and a global flag are hooked before the page loads).
"""

from __future__ import annotations

import functools
import json
from html.parser import HTMLParser
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from map_columns_decode import decoded
from shapely.geometry import LineString, Point, box

from geo_cds import schema as s
from geo_cds.outputs.maps import render_map, write_map
from geo_cds.outputs.maps.synthetic import synthetic_rsrp
from geo_cds.outputs.workbook import write_priority_xlsx
from geo_cds.outputs.write import neutralise_cell, write_csv

# Each one breaks something when written raw: HTML/script injection, spreadsheet formulas
# (DDE included), comment openers, bidi and zero-width characters.
HOSTILE = [
    "</title><script>alert(7)</script>",
    "</script><script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "<!--<script>",
    "=HYPERLINK(\"http://example.com/x\",\"bấm vào\")",
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "Thôn \u202eevil\u202c \u200bzero\u200d",
    "' onmouseover='window.__pwned=1",
    "&lt;b&gt;not bold&lt;/b&gt;",
    "#N/A",
]
# Text as hypothesis draws it, weighted towards the characters that matter here.
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.sampled_from(list("<>/&'\"=+-@!|\t\r\n ;:()scriptalet7") + ["\u202e", "\u200b"]),
            max_size=40),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
)
PAGE_SETTINGS = settings(max_examples=25, deadline=None,
                         suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------------------------
# CSV: one rule for text cells that a spreadsheet would evaluate


@pytest.mark.parametrize(("value", "written"), [
    ("=1+1", "'=1+1"),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"),
    ("\r=1", "'\r=1"),
    ("-105", "-105"),          # a plain number stored as text stays a number
    ("+84", "+84"),
    ("07795", "07795"),        # codes untouched
    ("Thôn Văn Hà", "Thôn Văn Hà"),
    ("a=b", "a=b"),            # only the start counts
])
def test_csv_rule_by_hand(value, written):
    assert neutralise_cell(value) == written


def test_csv_numbers_and_codes_untouched(tmp_path):
    df = pd.DataFrame({"commune_code": ["07795", "21433"], "village_name": ["=1+1", "Thôn A"],
                       "rsrp_4g_dbm": [-105.5, -90.0], "population": [-1, 20]})
    path = write_csv(df, tmp_path / "x.csv")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == ["07795,'=1+1,-105.5,-1", "21433,Thôn A,-90.0,20"]


@settings(max_examples=200, deadline=None)
@given(st.lists(hostile_text.filter(lambda t: "\x00" not in t), min_size=1, max_size=5))
def test_csv_text_cells_never_start_like_a_formula(tmp_path_factory, names):
    path = tmp_path_factory.mktemp("csv") / "x.csv"
    df = pd.DataFrame({"village_name": names, "population": range(-len(names), 0)})
    write_csv(df, path)
    back = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    for original, cell in zip(names, back["village_name"]):
        dangerous = original.startswith(("=", "+", "-", "@", "\t", "\r"))
        number = original.strip() != "" and _is_number(original)
        if dangerous and not number:
            assert cell == "'" + original
        else:
            assert cell == original
    assert back["population"].tolist() == [str(i) for i in range(-len(names), 0)]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text == text.strip() and not any(c.isalpha() for c in text)


# --------------------------------------------------------------------------------------------
# Workbook: no cell from the data is a formula


def _priority(names: list[str]) -> pd.DataFrame:
    n = len(names)
    return pd.DataFrame({
        s.RANK: range(1, n + 1),
        s.PROVINCE_CODE: ["51"] * n,
        s.PROVINCE_NAME: names,
        s.COMMUNE_CODE: names,
        s.COMMUNE_NAME: names,
        s.VILLAGE_ID: names,
        s.VILLAGE_NAME: names,
        s.POPULATION: [100] * n,
        s.COST_VND: [1_000_000] * n,
        s.IN_BUDGET: [True] * n,
        "notes": names,
    })


@settings(max_examples=60, deadline=None)
@given(st.lists(hostile_text, min_size=1, max_size=4))
def test_workbook_holds_no_formula(tmp_path_factory, names):
    path = tmp_path_factory.mktemp("xlsx") / "p.xlsx"
    write_priority_xlsx(path, _priority(names), {"note": names[0], "park": names[-1]})
    wb = openpyxl.load_workbook(path)
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert not (isinstance(cell.value, str) and cell.data_type == "e")
    ws = wb.worksheets[0]
    head = [c.value for c in ws[1]]
    col = head.index("Thôn") + 1
    for i, name in enumerate(names):
        written = ws.cell(row=i + 2, column=col).value
        # Control characters Excel cannot store are replaced; everything else is kept (XML
        # reads a line end back as LF).
        expected = "".join("\ufffd" if _illegal(ch) else ch for ch in name)
        expected = expected.replace("\r\n", "\n").replace("\r", "\n")
        assert (written or "") == expected


def _illegal(ch: str) -> bool:
    o = ord(ch)  # not an XML 1.0 character (surrogates are not drawn)
    return (o < 32 and ch not in "\t\n\r") or ch in "\ufffe\uffff"


def test_workbook_hostile_by_hand(tmp_path):
    path = write_priority_xlsx(tmp_path / "p.xlsx", _priority(HOSTILE), {})
    ws = openpyxl.load_workbook(path).worksheets[0]
    head = [c.value for c in ws[1]]
    cell = ws.cell(row=2 + HOSTILE.index("=cmd|' /C calc'!A0"), column=head.index("Thôn") + 1)
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"
    code = ws.cell(row=2 + HOSTILE.index("#N/A"), column=head.index("Mã xã") + 1)
    assert code.value == "#N/A" and code.data_type == "s"


# --------------------------------------------------------------------------------------------
# The map page, read back with an HTML parser


def _layers(names: list[str]):
    k = len(names)
    communes = gpd.GeoDataFrame({
        s.COMMUNE_CODE: [f"{21400 + i:05d}" for i in range(k)],
        s.COMMUNE_NAME: names,
        s.PROVINCE_NAME: names,
        s.POPULATION: [1000] * k,
    }, geometry=[box(108.7 + 0.1 * i, 15.0, 108.8 + 0.1 * i, 15.1) for i in range(k)],
        crs=s.WGS84)
    villages = gpd.GeoDataFrame({
        s.VILLAGE_ID: names,
        s.VILLAGE_NAME: names,
        s.COMMUNE_CODE: communes[s.COMMUNE_CODE],
        s.POPULATION: [100] * k,
        s.GAP_STATUS: ["fibre"] * k,
    }, geometry=[Point(108.75 + 0.1 * i, 15.05) for i in range(k)], crs=s.WGS84)
    parks = gpd.GeoDataFrame({s.PARK_ID: names, s.PARK_NAME: names, s.PARK_KIND: names},
                             geometry=[box(108.71 + 0.1 * i, 15.01, 108.72 + 0.1 * i, 15.02)
                                       for i in range(k)], crs=s.WGS84)
    streets = gpd.GeoDataFrame({s.STREET_ID: names, s.STREET_NAME: names, s.STATUS: names,
                                s.MERCHANTS: [10] * k, s.MERCHANTS_QR: [5] * k},
                               geometry=[LineString([(108.73 + 0.1 * i, 15.03),
                                                     (108.74 + 0.1 * i, 15.04)])
                                         for i in range(k)], crs=s.WGS84)
    return communes, villages, parks, streets


class _Page(HTMLParser):
    """The <title> text and the text of each <script> element, as a browser splits them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title, self.scripts, self._in = "", [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("title", "script"):
            self._in = tag
            if tag == "script":
                self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag):
        self._in = None

    def handle_data(self, data):
        if self._in == "title":
            self.title += data
        elif self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


@functools.cache
def _plain_script_count() -> int:
    communes, villages, parks, streets = _layers(["Xã A", "Xã B"])
    page = _Page()
    page.feed(render_map(communes=communes, villages=villages, parks=parks, streets=streets,
                         info={"run_name": "plain"}, lang="en"))
    return len(page.scripts)


@PAGE_SETTINGS
@given(run=hostile_text, names=st.lists(hostile_text, min_size=1, max_size=3))
def test_map_page_keeps_names_as_data(run, names):
    communes, villages, parks, streets = _layers(names)
    html = render_map(communes=communes, villages=villages, parks=parks, streets=streets,
                      info={"run_name": run, "sources": names[0]}, lang="en")
    page = _Page()
    page.feed(html)
    page.close()
    expected_title = f"Digital infrastructure map – {run}" if run else "Digital infrastructure map"
    assert page.title == expected_title
    # Only the page's own scripts: as many as a page with plain names has.
    data = [text for attrs, text in page.scripts if attrs.get("id") == "geo-cds-data"]
    assert len(data) == 1 and len(page.scripts) == _plain_script_count()
    assert "<" not in data[0]
    payload = decoded(json.loads(data[0]))
    assert payload["communes"]["name"] == names
    assert payload["villages"]["name"] == names
    assert [f["properties"][s.PARK_NAME] for f in payload["parks"]["features"]] == names


# --------------------------------------------------------------------------------------------
# The real browser: nothing executes, names show as text

POPUP_TEXT = "geoCds.map._popup.getElement().querySelector('.leaflet-popup-content').textContent"
HOOK = """
window.__pwned = 0;
window.__alerts = [];
window.alert = function (m) { window.__alerts.push(String(m)); window.__pwned = 1; };
"""


@pytest.mark.browser
def test_browser_shows_hostile_names_as_text(tmp_path):
    from test_map_browser import CHROMIUM, CHROMIUM_ARGS, VIEWPORT

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    names = HOSTILE[:4] + HOSTILE[11:13]
    communes, villages, parks, streets = _layers(names)
    run = "</title><script>alert(7)</script>"
    # A raster's name (a key of the plan) reaches the layer switcher, which Leaflet writes as HTML.
    raster_name = "<img src=x onerror=\"window.__pwned=1\">"
    # (shown when two rasters share a label: the second is told apart by its name)
    rasters = {"rsrp_4g": synthetic_rsrp(tmp_path / "a.tif", communes, "4g", cell_m=2000),
               raster_name: synthetic_rsrp(tmp_path / "b.tif", communes, "4g", cell_m=2000)}
    path = write_map(tmp_path / "map.html", communes=communes, villages=villages, parks=parks,
                     streets=streets, rasters=rasters,
                     info={"run_name": run, "sources": names[2], "generated": [raster_name]},
                     lang="en")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport=VIEWPORT)
        context.add_init_script(HOOK)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
        page.goto(path.as_uri(), wait_until="load")
        page.wait_for_function("window.geoCds !== undefined", timeout=60_000)
        assert page.title() == f"Digital infrastructure map – {run}"
        info = page.locator(".gcds-info summary").inner_text()
        assert run in info
        # Open every popup and tooltip kind, and search, so every template runs.
        for i in range(len(names)):
            page.evaluate(f"geoCds.goTo({{kind: 'commune', i: {i}}}); 0")
            assert names[i].strip() in page.evaluate(POPUP_TEXT)
            page.evaluate(f"geoCds.goTo({{kind: 'village', i: {i}}}); 0")
            assert names[i].strip() in page.evaluate(POPUP_TEXT)
        page.evaluate("""geoCds.layers.parks.eachLayer(l => { l.openPopup(); l.openTooltip(); });
                         geoCds.layers.streets.eachLayer(l => { l.openPopup(); l.openTooltip(); });
                         0""")
        switcher = page.locator(".leaflet-control-layers-overlays").inner_text()
        assert raster_name in switcher
        page.locator(".leaflet-control-layers-overlays label", has_text=raster_name) \
            .locator("input").click()
        assert raster_name in page.locator(".gcds-legend").inner_text()
        page.locator(".gcds-search input").fill("script")
        assert "</script>" in page.locator(".gcds-search ul").inner_text()
        page.wait_for_timeout(300)
        (Path(__file__).parent / "artifacts").mkdir(exist_ok=True)
        page.screenshot(path=str(Path(__file__).parent / "artifacts" / "map_hostile.png"))
        assert page.evaluate("window.__pwned") == 0
        assert page.evaluate("window.__alerts") == []
        assert page.evaluate("document.scripts.length") == _plain_script_count()
        assert page.evaluate("document.querySelectorAll('img[src=x]').length") == 0
        assert errors == []
        context.close()
        browser.close()
