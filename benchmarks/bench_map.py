"""National-scale map: file size, build time, load and zoom times in headless Chromium.

All 3,321 communes of 2025 (452k vertices) with ~64,000 synthetic villages (seeded random
points inside the communes, ~19 per commune as nationally), synthetic parks, streets,
interventions and a synthetic national 4G RSRP raster. Prints figures; asserts nothing about
time (issue 6 asks for < 25 MB).

    python benchmarks/bench_map.py                     # national communes from ../shared/data
    python benchmarks/bench_map.py --raster benchmarks/cache/rsrp_4g_100m.tif
    python benchmarks/bench_map.py --communes X.gpkg --out /tmp/bench_map --no-browser
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_COMMUNES = REPO.parent / "shared" / "data" / "boundaries" / "communes_2025_national.gpkg"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def build(communes_path: Path, out: Path, villages_per_commune: float,
          raster: Path | None = None) -> tuple[Path, dict]:
    import shapely

    from geo_cds.outputs.maps import synthetic as syn
    from geo_cds.outputs.maps import write_map
    from geo_cds.plan import RasterSpec

    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    communes = syn.read_communes(communes_path)
    villages = syn.synthetic_villages(communes, mean_per_commune=villages_per_commune, seed=11)
    communes = syn.aggregate(communes, villages)
    parks = syn.synthetic_parks(communes, n=300)
    streets = syn.synthetic_streets(communes)
    interventions = syn.synthetic_interventions(villages)
    figures["communes"] = len(communes)
    figures["vertices"] = int(shapely.get_num_coordinates(communes.geometry.values).sum())
    figures["villages"] = len(villages)
    # A national 4G RSRP raster: the one given, else a synthetic one (2 km cells, UTM 48N).
    if raster is not None:
        spec = RasterSpec(path=raster, kind="rsrp", technology="4g")
    else:
        spec = syn.synthetic_rsrp(out / "rsrp_4g_national.tif", communes, "4g", n_sites=150,
                                  cell_m=2000)
    rasters = {"rsrp_4g": spec}
    # Every village on the priority list: the panel's worst case (~64k rows nationally).
    import pandas as pd

    n = len(villages)
    priority = pd.DataFrame({"village_id": villages["village_id"].to_numpy(),
                             "rank": range(1, n + 1), "intervention": "fibre_extension",
                             "cost_vnd": [100_000_000 + 1_000_000 * (i % 97) for i in range(n)],
                             "in_budget": [i < n // 10 for i in range(n)]})
    figures["prepare_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    path = write_map(out / "map_national.html", communes=communes, villages=villages,
                     parks=parks, streets=streets, interventions=interventions, rasters=rasters,
                     priority=priority, info={"run_name": "bench-national", "generated": ["villages", "parks",
                                                                       "streets"]})
    figures["build_s"] = time.perf_counter() - t0
    figures["size_mb"] = path.stat().st_size / 1e6
    payload = json.loads(re.search(r'id="geo-cds-data">(.*?)</script>',
                                   path.read_text(encoding="utf-8"), re.DOTALL).group(1))
    for part in ("communes", "provinces", "villages", "parks", "interventions", "rasters"):
        text = json.dumps(payload[part], ensure_ascii=False, separators=(",", ":"))
        figures[f"size_mb[{part}]"] = len(text.encode("utf-8")) / 1e6
    return path, figures


def browse(path: Path, screenshot: Path | None) -> dict:
    from playwright.sync_api import sync_playwright

    figures: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        ctx = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
        ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                  else r.abort())
        page = ctx.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        t0 = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=300_000)
        page.wait_for_function("window.geoCds !== undefined", timeout=300_000)
        figures["load_s"] = time.perf_counter() - t0
        figures["js_heap_mb"] = page.evaluate(
            "performance.memory ? performance.memory.usedJSHeapSize / 1e6 : -1")
        figures["canvas"] = page.evaluate("geoCds.useCanvas")
        # Each view change is timed until the next two animation frames have been painted.
        views = [("zoom 8, Hà Nội", [21.03, 105.85], 8), ("zoom 11, Hà Nội", [21.03, 105.85], 11),
                 ("zoom 13, Huế", [16.46, 107.59], 13), ("zoom 6, national", [16.0, 106.0], 6)]
        for name, centre, zoom in views:
            ms = page.evaluate(
                """([c, z]) => new Promise(done => {
                    const t = performance.now();
                    geoCds.map.setView(c, z, {animate: false});
                    requestAnimationFrame(() => requestAnimationFrame(
                        () => done(performance.now() - t)));
                })""", [centre, zoom])
            figures[f"view_ms[{name}]"] = ms
        ms = page.evaluate("""() => { const t = performance.now();
            const r = geoCds.search('lan phong'); return [performance.now() - t, r.length]; }""")
        figures["first_search_ms"], figures["search_hits"] = ms
        figures.update(priority_panel(page))
        if screenshot:
            page.evaluate("geoCds.map.setView([16.0, 106.0], 6, {animate: false}); 0")
            page.wait_for_timeout(300)
            page.screenshot(path=str(screenshot))
        figures["console_errors"] = len(errors)
        browser.close()
    return figures


def priority_panel(page) -> dict:
    """The priority list, driven with the mouse: open, sort, filter, scroll, row to popup."""
    def timed(action, until: str) -> float:
        t0 = time.perf_counter()
        action()
        page.wait_for_function(until, timeout=120_000)
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        return (time.perf_counter() - t0) * 1000

    figures = {"priority_rows": page.evaluate("geoCds.data.villages.rank.length")}
    figures["priority_open_ms"] = timed(lambda: page.locator(".gcds-ptoggle").click(),
                                        "document.querySelector('.gcds-pbody .gcds-prow')")
    head = page.locator(".gcds-phead button").nth(1)
    figures["priority_sort_by_name_ms"] = timed(
        head.click, "document.querySelector('.gcds-phead button:nth-child(2)')"
        ".getAttribute('aria-sort') === 'ascending'")
    province = page.evaluate("document.querySelector('select[name=gcds-province]')"
                             ".options[1].value")
    figures["priority_filter_province_ms"] = timed(
        lambda: page.locator("select[name=gcds-province]").select_option(province),
        "true")
    box = page.locator(".gcds-pscroll").bounding_box()
    page.mouse.move(box["x"] + 50, box["y"] + 50)
    figures["priority_scroll_ms"] = timed(lambda: page.mouse.wheel(0, 20_000), "true")
    figures["priority_rows_in_page"] = page.evaluate(
        "document.querySelectorAll('.gcds-pbody .gcds-prow').length")
    figures["priority_row_to_popup_ms"] = timed(
        lambda: page.locator(".gcds-pbody .gcds-prow").nth(3).click(),
        "document.querySelector('.leaflet-popup-content')")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=Path, default=DEFAULT_COMMUNES)
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "cache")
    parser.add_argument("--villages-per-commune", type=float, default=19.2)
    parser.add_argument("--raster", type=Path, default=None,
                        help="a national RSRP GeoTIFF (e.g. benchmarks/cache/rsrp_4g_100m.tif)")
    parser.add_argument("--no-browser", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path, figures = build(args.communes, args.out, args.villages_per_commune, args.raster)
    if not args.no_browser:
        figures.update(browse(path, args.out / "map_national.png"))
    print(f"map: {path}")
    for key, value in figures.items():
        print(f"  {key:32s} {value:,.2f}" if isinstance(value, float) else f"  {key:32s} {value}")
    print(f"  under 25 MB: {figures['size_mb'] < 25}")


if __name__ == "__main__":
    main()
