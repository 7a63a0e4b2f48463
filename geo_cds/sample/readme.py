"""``layers/README.md``, written from the measured figures of the generated sample."""

from __future__ import annotations

import json
from pathlib import Path

from geo_cds.sample.context import (
    FIBRE_TARGETS,
    MOBILE_TARGETS,
    OLD_PROVINCE_NAMES,
    TEAM_TARGETS,
)


def _pct(x) -> str:
    return f"{100 * float(x):.1f}%"


def _rows(records: list[dict], key: str, label) -> list[str]:
    out = []
    for r in records:
        out.append(
            f"| {label(r)} | {r['communes']} | {r['villages']:,} | {r['population']:,} | "
            f"{_pct(r['villages_4g'])} | {_pct(r['villages_5g'])} | {_pct(r['villages_fibre'])} | "
            f"{_pct(r['households_fibre'])} | {_pct(r['digital_team'])} | {_pct(r['power'])} | "
            f"{_pct(r['dbkk'])} |")
    return out


HEADER = ("| {} | communes | villages | population | villages 4G | villages 5G | villages fibre | "
          "households on fibre | digital team | grid power | ĐBKK |\n"
          "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")


def render_readme(figures: dict, boundaries) -> str:
    """Markdown describing the generated layers, the calibration and the measured figures."""
    f = figures
    o = f["overall"]
    sizes = f["sizes_bytes"]
    total = sum(sizes.values())
    targets = "\n".join(
        f"| {OLD_PROVINCE_NAMES[c]} | {_pct(MOBILE_TARGETS[c])} | {_pct(FIBRE_TARGETS[c])} | "
        f"{_pct(TEAM_TARGETS[c])} |" for c in ("51", "62", "24", "27", "45", "44"))
    by_prov = "\n".join(_rows(f["by_province"], "province", lambda r: r["province"]))
    by_old = "\n".join(_rows(f["by_old_province"], "group", lambda r: r["group"]))
    by_terrain = "\n".join(_rows(
        f["by_old_province_terrain"], "group",
        lambda r: f"{r['group']} — {'mountain' if r['mountain'] else 'lowland'}"))
    size_rows = "\n".join(f"| `{k}` | {v / 1e6:.2f} MB |" for k, v in sizes.items())
    ops = ", ".join(f"{k} {v:,}" for k, v in f["sites_by_operator"].items())
    files = "\n".join([
        "| file | what |",
        "| --- | --- |",
        f"| `villages.gpkg` (layer `villages`) | {f['villages']:,} villages (thôn / tổ dân phố / "
        "khu phố / bản / làng / plei) as points: the columns of "
        "`geo_cds.schema.VILLAGE_COLUMNS` + `generated` |",
        f"| `sites.gpkg` (layer `sites`) | {f['sites']:,} mobile sites ({ops}; "
        f"{f['sites_5g']:,} with 5G): `site_id`, `operator`, `technologies`, `height_m`, "
        "`clutter`, `commune_code` |",
        "| `rsrp_4g.tif`, `rsrp_5g.tif` | best-server RSRP, Int16 dBm, EPSG:4326, 0.001° "
        "(≈ 100 m) cells, nodata −32768 outside the three provinces; tiled, DEFLATE, sparse |",
        "| `population.tif` | people per cell on the same grid (Float32, nodata −9999), each "
        "village's population spread around its point |",
        "| `stations.csv` | the sites as a provincial station register (Mã trạm, Nhà mạng, Kinh "
        "độ, Vĩ độ, Công nghệ, Băng tần (MHz), Độ cao anten (m); one row per site and "
        "technology) for the coverage model: `sample_plan_stations.toml` runs the sample from "
        "it with no coverage raster |",
        f"| `industrial_parks.geojson` | {f['parks']} industrial parks (KCN), clusters (CCN) and "
        "economic zones (KKT): real names in their real 2025 communes, real (rounded) areas, "
        "generated shapes |",
        f"| `cashless_streets.geojson` | {f['streets']} cashless streets (lines) and "
        f"{f['markets']} markets (points): real places, generated merchant counts |",
        f"| `speeds_mobile.parquet` | {f['speed_tiles']:,} GENERATED mobile speed-test tiles in "
        "the schema of Ookla's open data (zoom-16 `quadkey`, `tile` WKT, `avg_d_kbps`, "
        "`avg_u_kbps`, `avg_lat_ms`, `avg_lat_down_ms`, `avg_lat_up_ms`, `tests`, `devices`): "
        "not Ookla's measurements |",
    ])
    code_line = (f"Code: `geo_cds/sample/` (`write_sample`). Seed: **{f['seed']}**. "
                 f"Boundaries: `{Path(boundaries).name}`.")
    return f"""# Sample layers — GENERATED, not survey data

Every file in this folder except the plans (`sample_plan*.toml`) is **generated** by seeded code in this
repository, on the **real** 2025 commune boundaries of Quảng Ngãi (51), Quảng Trị (44) and Bắc Ninh
(24) (`../boundaries/`). No public village points, cell sites, coverage or population rasters of
Vietnam could be obtained, so these stand in for them. Every layer carries `generated = true`
(a column, or a GeoTIFF tag) and must be labelled as generated wherever it is shown.

Regenerate (same seed ⇒ the same tables and rasters):

```
geo-cds sample --overwrite            # seed {f['seed']}, writes this folder
```

{code_line}

{files}

## How it is generated

- **Villages.** ≈ 19.2 per commune on average (national 2025: 63,619 villages in 3,321 communes),
  more where more people live (count ∝ population^0.6, mountain hamlets smaller); points cluster
  around a few settlement cores inside each real commune polygon. Population is split by gamma
  weights and rounded so villages sum **exactly** to the commune's population; households =
  population / U(3.5, 4.2). Names are NFC Vietnamese, unique within a commune: "Thôn …" in xã,
  "Tổ dân phố …" in wards ("Khu phố …" in old Bắc Ninh), "Bản …" in the uplands of old Bắc Giang
  and Quảng Trị/Quảng Bình, "Làng …"/"Plei …" in old Kon Tum. Ids are `<commune code>-<nnn>`.
  Seed places: **Thôn Văn Hà** in xã Lân Phong (21433) and **Thôn Lâm Lang** in xã Hiếu Giang
  (19603).
- **Mountain / ĐBKK.** A commune is *mountain* when most of the old communes merged into it lay
  in a mountain district (all of old Kon Tum; Ba Tơ, Minh Long, Sơn Hà, Sơn Tây, Trà Bồng of old
  Quảng Ngãi; Hướng Hóa, Đa Krông of old Quảng Trị; Minh Hóa, Tuyên Hóa of old Quảng Bình; Sơn
  Động, Lục Ngạn/Chũ of old Bắc Giang), or when it is a commune under 60 people/km² in western
  Quảng Bình/Quảng Trị (official old→new table, `geo_cds/sample/seed_communes.csv`). ĐBKK: the
  mountain xã under 80 people/km².
- **Sites and rasters.** Each operator lays a grid over the villages (≈ 1 km cells in town,
  2-2.6 km in the lowlands, 5-6 km in the mountains) with one site per occupied cell; some
  mountain cells get none. A calibration pass then adds sites at uncovered villages until every
  lowland village and the target share of mountain villages are covered. RSRP: COST-231 Hata with
  Okumura-Hata suburban / quasi-open corrections, 1800 MHz (4G) and 3500 MHz (5G), EIRP per
  resource element 30 / 33 dBm, best server over the 8 nearest sites within 20 km, plus a smooth
  deterministic shadowing field (≈ 4 dB). 5G: Viettel sites in urban wards, VNPT in the densest,
  and a 0.7 km grid in the parks marked as having 5G (zones such as Dung Quất, Bờ Y, Hòn La and
  some newer parks/clusters are left as 5G gaps).
- **Village coverage agrees with the rasters.** `has_4g`/`has_5g` are the raster value at the
  village's cell against −105 dBm (4G) and −110 dBm (5G); about 10% of villages have them unknown
  (empty) so the pipeline must take them from the rasters; `rsrp_*_dbm` (the raster value) is
  filled for about a third of the others, `download_mbps` for some covered villages.

## Calibration (published figures, DESIGN.md "Seed figures")

Quảng Ngãi (old): 100% of villages with mobile coverage, 97.3% with fibre, 1,141 community
digital teams. Bắc Giang (old, now in Bắc Ninh): fibre in 99% of villages, 1,891 village digital
teams. Nationally (2025): 99.3% of villages with mobile broadband, 85.1% of households on fibre.
Mountain districts of old Kon Tum, western Quảng Ngãi and western Quảng Trị: markedly lower. The
targets the generator aims at (village shares; fibre and digital team exact per old province,
4G reached by adding sites):

| old province | villages with 4G | villages with fibre | digital team |
| --- | ---: | ---: | ---: |
{targets}

Old Quảng Ngãi keeps its reported 100% mobile coverage; its western mountain districts
stand out by fibre and household uptake instead. Grid power: 99.8% of lowland villages, 97.5% mountain, 95.5% ĐBKK.

## Measured figures of the generated data

- {f['villages']:,} villages in {f['communes']} communes ({f['villages_per_commune']} per commune).
- Villages with 4G {_pct(o['villages_4g'])}, with 5G {_pct(o['villages_5g'])}, with fibre {_pct(o['villages_fibre'])}; households on fibre {_pct(o['households_fibre'])}; digital team {_pct(o['digital_team'])}.
- 4G/5G status left unknown (to be taken from the rasters) for {f['unknown_4g']:,} villages; RSRP given for {f['with_rsrp']:,}; download speed for {f['with_download']:,}.
- Rasters: {f['raster_cells']:,} valid cells; area with 4G {_pct(f['area_share_4g'])}, with 5G {_pct(f['area_share_5g'])}.
- Population raster total {f['population_raster_total']:,.0f} for {f['village_population_total']:,} people in the villages.
- Parks: {f['parks']} ({f['parks_with_5g_sites']} given 5G sites); cashless streets {f['streets']}, markets {f['markets']}.
- Speed tiles (generated, Ookla format): {f['speed_tiles']:,} tiles, {f['speed_tests']:,} tests, test-weighted median download {f['speed_test_median_mbps']} Mb/s (calibrated on Vietnam's published mobile median, 144.5 Mb/s in February 2025, Speedtest Global Index, scaled down by the villages' modelled signal); {f['speed_tiles_under_10_tests']:,} tiles with fewer than 10 tests.

By province (2025):

{HEADER.format("province")}
{by_prov}

By old (pre-2025) province:

{HEADER.format("old province")}
{by_old}

By old province and terrain:

{HEADER.format("area")}
{by_terrain}

Sizes ({total / 1e6:.1f} MB in all):

| file | size |
| --- | ---: |
{size_rows}

<details><summary>All figures (JSON)</summary>

```json
{figures_json(f)}
```
</details>
"""


def figures_json(figures: dict) -> str:
    return json.dumps(figures, ensure_ascii=False, indent=1, default=str)
