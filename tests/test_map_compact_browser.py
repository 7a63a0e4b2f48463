"""The compact village columns in a real browser: a village's tooltip and popup, opened with
the mouse, read exactly as on a page carrying the same villages as plain JSON lists (what
every map carried before the encoding; the page's script still takes them as they are).

The plain page is made from the compact one by the tests' own decoder
(``map_columns_decode``), so the page's decoder, the tests' decoder and the popups all have
to agree.
"""

from __future__ import annotations

import json
import re

import pytest
import test_map_browser
from map_columns_decode import html_payload
from test_map_browser import Opened, payload

pytestmark = pytest.mark.browser
browser = test_map_browser.browser  # the module's Chromium fixture
maps = test_map_browser.maps

BLOCK = re.compile(r'(<script type="application/json" id="geo-cds-data">)(.*?)(</script>)',
                   re.DOTALL)


@pytest.fixture(scope="module")
def pages(browser, maps, tmp_path_factory):
    compact = maps["vi"]
    html = compact.read_text(encoding="utf-8")
    plain = html_payload(html)
    assert isinstance(json.loads(BLOCK.search(html).group(2))["villages"]["lon"], dict)
    text = json.dumps(plain, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    path = tmp_path_factory.mktemp("plain") / "map_plain.html"
    path.write_text(BLOCK.sub(lambda m: m.group(1) + text + m.group(3), html, count=1),
                    encoding="utf-8")
    a, b = Opened(browser, compact), Opened(browser, path)
    yield a, b
    a.close()
    b.close()


def _villages_to_try(V: dict) -> list[int]:
    """A village of each kind: first on the list, on the list but not in the budget, not on
    the list, with a gap, with no data on households' fibre."""
    n = len(V["lon"])
    picks = [V["rank"].index(1)]
    for want in (lambda k: V["in_budget"][k] is False, lambda k: V["rank"][k] is None,
                 lambda k: V["status"][k] not in (0, None),
                 lambda k: V["hh_fibre"] and V["hh_fibre"][k] is None):
        picks += [k for k in range(n) if want(k)][:1]
    return list(dict.fromkeys(picks))


def test_village_popups_read_as_with_plain_columns(pages, maps):
    compact, plain = pages
    V = payload(maps["vi"])["villages"]
    tried = 0
    for k in _villages_to_try(V):
        texts = []
        for page in (compact, plain):
            page.close_popup()
            page.view(V["lat"][k] / 1e5, V["lon"][k] / 1e5, 16)
        at = compact.spot("path.gcds-village")
        assert at is not None
        for page in (compact, plain):
            page.page.mouse.move(at[0] - 3, at[1] - 3)
            page.page.mouse.move(*at, steps=3)
            tip = page.tooltip()
            page.page.mouse.click(*at)
            texts.append((tip, page.popup()))
        assert texts[0] == texts[1]
        assert texts[0][1].startswith(texts[0][0])
        tried += 1
    assert tried >= 3
    assert compact.errors == [] and plain.errors == []


def test_the_page_decodes_the_columns_as_the_tests_do(pages, maps):
    compact, _ = pages
    expected = payload(maps["vi"])["villages"]
    got = compact.js("""() => { const V = geoCds.data.villages, out = {};
        for (const k of Object.keys(V)) out[k] = V[k]; return out; }""")
    assert got == expected
