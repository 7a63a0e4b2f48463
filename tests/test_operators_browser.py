"""Several operators on the map, in a real browser with the mouse: the run of
``test_operators`` (three per-operator 4G rasters) switched to one operator's indicator.

Xã An Lạc (07654) has Viettel's coverage known for 4 villages, 2 covered: 50 %, the second
class of the share scale; every other commune has no villages, so no data.
"""

from __future__ import annotations

import pytest
from test_map_browser import Opened, browser  # noqa: F401  (browser: a fixture)
from test_operators import THREE, write_inputs

from geo_cds.outputs.maps.data import NODATA_COLOUR, SHARE_COLOURS
from geo_cds.pipeline import run
from geo_cds.plan import load_plan

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(browser, tmp_path_factory):  # noqa: F811
    result = run(load_plan(write_inputs(tmp_path_factory.mktemp("operators_map"), THREE)))
    opened = Opened(browser, result.folder / "map.html")
    yield opened, list(result.communes["commune_code"])
    opened.close()


def fill_of(page: Opened, i: int) -> str:
    return page.js(f"geoCds.communeLayer({i}).options.fillColor")


def test_switch_to_an_operator_and_click_its_commune(page):
    page, codes = page
    i = codes.index("07654")
    assert fill_of(page, i) == SHARE_COLOURS[2]  # any operator: 4 of 5 = 80 %, 80-95 %
    select = page.page.locator("select[name=gcds-indicator]")
    assert "Villages with 4G (any operator)" in select.inner_text()
    select.click()  # the mouse opens the list; the option is then chosen
    select.select_option("share_villages_4g_viettel")
    assert fill_of(page, i) == SHARE_COLOURS[1]  # 50 %: 50-80 %
    assert fill_of(page, i - 1 if i else 1) == NODATA_COLOUR
    assert "Villages with 4G: Viettel" in page.js(
        "document.querySelector('.gcds-legend').textContent")
    # A spot of the commune away from its villages (they sit along 21.335° N).
    page.view(21.355, 106.955, 13)
    x, y = page.js("""() => {
      const p = geoCds.map.latLngToContainerPoint([21.355, 106.955]);
      const r = geoCds.map.getContainer().getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }""")
    page.page.mouse.move(x - 3, y - 3)
    page.page.mouse.move(x, y, steps=3)
    assert page.tooltip().startswith("Xã An Lạc: 50%")
    page.page.mouse.click(x, y)
    text = page.popup()
    assert "Villages with 4G: Viettel\t50%" in text or "Villages with 4G: Viettel\n50%" in text
    assert "Villages with 4G (any operator)" in text
    page.close_popup()
    assert page.errors == []


def test_a_village_popup_names_each_operator(page):
    page, _ = page
    page.view(21.335, 106.905, 16)  # village v1: Viettel yes, VNPT no, MobiFone no
    x, y = page.js("""() => {
      const p = geoCds.map.latLngToContainerPoint([21.335, 106.905]);
      const r = geoCds.map.getContainer().getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }""")
    page.page.mouse.move(x - 3, y - 3)
    page.page.mouse.move(x, y, steps=3)
    page.page.mouse.click(x, y)
    text = page.popup()
    assert text.startswith("Thôn v1")
    rows = dict(line.split("\t", 1) for line in text.splitlines() if "\t" in line)
    assert rows["4G – Viettel"] == "Yes" and rows["4G – VNPT"] == "No"
    assert rows["4G – MobiFone"] == "No"
    page.close_popup()
    assert page.errors == []
