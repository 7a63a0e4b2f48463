"""The HTML map without a browser: offline assets, compact data, labels, rasters."""

from __future__ import annotations

import json
import os
import re
import struct
import zlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from map_columns_decode import decoded
from rasterio.transform import from_origin
from shapely.geometry import LineString, Point, Polygon, box

from geo_cds import schema as s
from geo_cds.errors import LayerError
from geo_cds.labels import LANGS, labels
from geo_cds.outputs.maps import data as mdata
from geo_cds.outputs.maps import geometry as mgeom
from geo_cds.outputs.maps import normalise_name, render_map, write_map
from geo_cds.outputs.maps import rasters as mrasters
from geo_cds.plan import RasterSpec, Thresholds

REPO = Path(__file__).resolve().parent.parent
LABELS = {lang: dict(labels("map", lang)) for lang in LANGS}


def tiny_communes(**extra) -> gpd.GeoDataFrame:
    """Two 0.1° communes side by side near Quảng Ngãi."""
    return gpd.GeoDataFrame({
        s.COMMUNE_CODE: ["21433", "07795"],
        s.COMMUNE_NAME: ["Xã Lân Phong", "Phường Nếnh"],
        s.PROVINCE_NAME: ["Quảng Ngãi", "Bắc Ninh"],
        s.POPULATION: [12_345, 6_789],
        **extra,
    }, geometry=[box(108.7, 15.0, 108.8, 15.1), box(108.8, 15.0, 108.9, 15.1)], crs=s.WGS84)


def tiny_villages() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({
        s.VILLAGE_ID: ["21433-001", "21433-002", "07795-001"],
        s.VILLAGE_NAME: ["Thôn Văn Hà", "Thôn Đồng Tâm", "Thôn Lâm Lang"],
        s.COMMUNE_CODE: ["21433", "21433", "07795"],
        s.POPULATION: [1200, 800, 500],
        s.HOUSEHOLDS: [300, 200, 125],
        s.COVERED_4G: [True, False, True],
        s.COVERED_5G: [False, False, True],
        s.HAS_FIBRE: [True, False, False],
        s.GAP_STATUS: ["ok", "mobile_fibre", "fibre"],
    }, geometry=[Point(108.75, 15.05), Point(108.72, 15.02), Point(108.85, 15.05)],
        crs=s.WGS84)


def payload_of(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>', html,
                  re.DOTALL)
    assert m, "the map data block is missing"
    return decoded(json.loads(m.group(1)))


# --------------------------------------------------------------------------------------------
# Offline: nothing is fetched


def test_no_remote_script_or_stylesheet(tmp_path):
    path = write_map(tmp_path / "map.html", communes=tiny_communes(), villages=tiny_villages())
    html = path.read_text(encoding="utf-8")
    assert re.findall(r"<script[^>]+src=", html) == []
    assert re.findall(r"<link[^>]+href=", html) == []
    # CSS images are inlined too: a relative url() would fail to load beside the HTML file.
    assert "url(images/" not in html
    assert "sourceMappingURL" not in html
    # Leaflet, supercluster and the map code are all in the file.
    assert "Leaflet" in html and "Supercluster" in html and "geoCdsMap" in html
    # The only http(s) URLs a browser would request are the optional basemap tiles.
    for url in re.findall(r"""["'](https?://[^"']+\{[xyz]\}[^"']*)["']""", html):
        assert "tile" in url


def test_folder_assets_are_local(tmp_path):
    path = write_map(tmp_path / "map.html", communes=tiny_communes(), villages=None,
                     assets="folder")
    html = path.read_text(encoding="utf-8")
    srcs = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert srcs and all(src.startswith("map_assets/") for src in srcs)
    for src in srcs:
        assert (tmp_path / src).exists()
    assert (tmp_path / "map_assets" / "leaflet-layers.png").exists()


def test_shipped_assets_carry_licences_and_provenance():
    assets = REPO / "geo_cds" / "assets"
    for name in ("leaflet.js", "leaflet.css", "supercluster.min.js", "LICENSE-leaflet.txt",
                 "LICENSE-supercluster.txt", "LICENSE-kdbush.txt", "README.md"):
        assert (assets / name).exists(), name
    readme = (assets / "README.md").read_text(encoding="utf-8")
    assert "leaflet@1.9.4" in readme and "supercluster@8.0.1" in readme


# --------------------------------------------------------------------------------------------
# Data: compact, complete, robust to absent optional columns


def test_polygon_encoding_round_trips_to_5_decimals():
    poly = Polygon([(108.123456, 15.654321), (108.2, 15.6), (108.25, 15.7), (108.123456, 15.654321)],
                   holes=[[(108.19, 15.64), (108.21, 15.64), (108.2, 15.66)]])
    enc = mgeom.encode_polygons(poly)
    assert len(enc) == 1 and len(enc[0]) == 2  # one polygon, exterior + hole
    ring = mgeom.decode_ring(enc[0][0])
    # The closing point is left out (Leaflet closes rings) and coordinates keep 5 decimals.
    assert ring.tolist() == [[108.12346, 15.65432], [108.2, 15.6], [108.25, 15.7]]


def test_payload_reads_canonical_columns(tmp_path):
    communes = tiny_communes(**{s.SHARE_4G: [0.5, 1.0], s.N_VILLAGE_GAPS: [1, 0],
                                s.N_VILLAGES: [2, 1]})
    html = render_map(communes=communes, villages=tiny_villages())
    d = payload_of(html)
    assert d["communes"]["code"] == ["21433", "07795"]  # codes stay strings
    assert d["communes"]["indicators"] == {s.SHARE_4G: [0.5, 1.0], s.N_VILLAGE_GAPS: [1, 0]}
    assert list(d["indicators"]) == [s.SHARE_4G, s.N_VILLAGE_GAPS]
    v = d["villages"]
    assert v["name"] == ["Thôn Văn Hà", "Thôn Đồng Tâm", "Thôn Lâm Lang"]
    assert v["commune"] == [0, 0, 1]  # index into the commune columns
    assert v["lon"][0] == 10_875_000 and v["lat"][0] == 1_505_000
    assert [mdata.GAP_STATUSES[i] for i in v["status"]] == ["ok", "mobile_fibre", "fibre"]
    # Flags: bit 0 covered_4g, bit 1 covered_5g, bit 2 has_fibre; needs_power/dbkk absent.
    assert v["flags"] == [0b101, 0b000, 0b011]
    assert v["known"] == 0b111


def test_optional_columns_may_be_absent():
    communes = tiny_communes().drop(columns=[s.PROVINCE_NAME, s.POPULATION])
    villages = tiny_villages()[[s.VILLAGE_ID, s.VILLAGE_NAME, s.COMMUNE_CODE, "geometry"]]
    d = payload_of(render_map(communes=communes, villages=villages))
    assert d["communes"]["prov"] is None and d["provinces"] is None
    # No indicator computed yet: the switch still offers one, showing "no data".
    assert d["communes"]["indicators"] == {s.SHARE_4G: [None, None]}
    assert d["villages"]["pop"] is None and d["villages"]["known"] == 0
    assert {mdata.GAP_STATUSES[i] for i in d["villages"]["status"]} == {"unknown"}


def test_missing_required_column_names_it():
    with pytest.raises(LayerError, match="commune_name"):
        render_map(communes=tiny_communes().drop(columns=[s.COMMUNE_NAME]), villages=None)


def test_layers_in_another_crs_are_shown_in_wgs84():
    communes = tiny_communes().to_crs("EPSG:32649")
    d = payload_of(render_map(communes=communes, villages=None))
    (_, west), (north, _) = d["bounds"]
    assert west == pytest.approx(108.7, abs=1e-4) and north == pytest.approx(15.1, abs=1e-4)


def test_nan_shares_become_null_not_zero():
    communes = tiny_communes(**{s.SHARE_FIBRE: [np.nan, 0.25]})
    d = payload_of(render_map(communes=communes, villages=None))
    assert d["communes"]["indicators"][s.SHARE_FIBRE] == [None, 0.25]


def test_parks_streets_interventions():
    parks = gpd.GeoDataFrame({s.PARK_NAME: ["KCN VSIP Quảng Ngãi"], s.PARK_KIND: ["KCN"],
                              s.AREA_HA: [1_000.0], s.area_share("5g"): [0.42],
                              s.PARK_COVERED_5G: [False]},
                             geometry=[box(108.71, 15.01, 108.72, 15.02)], crs=s.WGS84)
    streets = gpd.GeoDataFrame({s.STREET_NAME: ["Tuyến phố Văn Hà", "Chợ Nếnh"],
                                s.STREET_KIND: ["street", "market"],
                                s.MERCHANTS: [40, 0], s.MERCHANTS_QR: [30, 0]},
                               geometry=[LineString([(108.74, 15.05), (108.76, 15.05)]),
                                         Point(108.85, 15.06)], crs=s.WGS84)
    interventions = gpd.GeoDataFrame(
        {"kind": ["new_4g_site", "fibre_route"], s.COST_VND: [1_300_000_000, 229_000_000],
         s.N_VILLAGES: [1, 2], "population_served": [800, 1300]},
        geometry=[Point(108.72, 15.02), LineString([(108.7, 15.0), (108.72, 15.02)])],
        crs=s.WGS84)
    d = payload_of(render_map(communes=tiny_communes(), villages=tiny_villages(), parks=parks,
                              streets=streets, interventions=interventions))
    assert d["parks"]["features"][0]["properties"][s.area_share("5g")] == 0.42
    qr = [f["properties"][s.QR_SHARE] for f in d["streets"]["features"]]
    assert qr == [0.75, None]  # no merchants: no share, not 0
    kinds = [e["label"] for e in d["intervention_legend"]]
    assert kinds == [LABELS["vi"]["int_fibre_route"], LABELS["vi"]["int_new_4g_site"]]
    cost = d["interventions"]["features"][0]["properties"][s.COST_VND]
    assert cost == 1_300_000_000


# --------------------------------------------------------------------------------------------
# Labels and info panel


def test_vietnamese_by_default_english_on_request():
    vi = payload_of(render_map(communes=tiny_communes(), villages=None))
    en = payload_of(render_map(communes=tiny_communes(), villages=None, lang="en"))
    assert vi["labels"]["layer_villages"] == "Thôn theo khoảng trống hạ tầng"
    assert vi["labels"]["generated_note"] == "Dữ liệu mẫu được tạo tự động"
    assert en["labels"]["generated_note"] == "generated sample data"
    assert set(LABELS["vi"]) == set(LABELS["en"])


def test_labels_are_nfc():
    import unicodedata
    for text in LABELS["vi"].values():
        assert unicodedata.normalize("NFC", text) == text


def test_bad_lang_is_refused(tmp_path):
    with pytest.raises(ValueError, match="lang"):
        write_map(tmp_path / "m.html", communes=tiny_communes(), villages=None, lang="fr")


def test_info_panel_and_generated_layers():
    info = {"run_name": "sample", "run_date": "2025-07-01", "sources": "gis.vn; sapnhap",
            "generated": ["villages", "parks"]}
    d = payload_of(render_map(communes=tiny_communes(), villages=tiny_villages(), info=info))
    assert ["Ngày chạy", "2025-07-01"] in d["info"]
    assert ["Nguồn dữ liệu", "gis.vn; sapnhap"] in d["info"]
    assert {"villages", "communes", "parks"} <= set(d["generated"])
    assert "Thôn theo khoảng trống hạ tầng" in d["generated_labels"]


def test_normalise_name_ignores_diacritics_and_d_bar():
    assert normalise_name("Lân Phong") == normalise_name("lan phong") == "lan phong"
    assert normalise_name("Xã Đức  Phong") == "xa duc phong"
    assert normalise_name("ĐỒNG TÂM") == "dong tam"


def test_write_is_atomic_and_leaves_no_temporary(tmp_path):
    path = write_map(tmp_path / "out" / "map.html", communes=tiny_communes(), villages=None)
    assert path.exists()
    assert [p.name for p in path.parent.iterdir()] == ["map.html"]
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # not a private temp file


# --------------------------------------------------------------------------------------------
# Coverage rasters


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_png_encoder_writes_a_valid_image():
    index = np.zeros((3, 5), dtype=np.uint8)
    index[1, 2] = 1
    png = mrasters.encode_png(index, np.array([(0, 0, 0, 0), (255, 0, 0, 190)], np.uint8))
    assert _png_size(png) == (5, 3)
    assert png[24:26] == bytes([8, 3])  # 8-bit indexed colour
    # The palette (PLTE, 2 × RGB), its alphas (tRNS), then the IDAT: the red pixel where we
    # put it.
    assert png[33:37] == struct.pack(">I", 6) and png[37:41] == b"PLTE"
    assert png[41:47] == bytes([0, 0, 0, 255, 0, 0])
    assert png[51:55] == struct.pack(">I", 2) and png[55:59] == b"tRNS"
    assert png[59:61] == bytes([0, 190])
    idat_len = struct.unpack(">I", png[65:69])[0]
    assert png[69:73] == b"IDAT"
    raw = zlib.decompress(png[73:73 + idat_len])
    rows = np.frombuffer(raw, dtype=np.uint8).reshape(3, 1 + 5)
    assert (rows[:, 0] == 0).all()
    assert rows[1, 1 + 2] == 1 and rows[:, 1:].sum() == 1


def test_rsrp_classes_start_at_the_threshold():
    values = np.array([[-120.0, -105.0, -95.0], [-85.0, -70.0, np.nan]], dtype="float32")
    rgba = mrasters.colourise(values, "rsrp", "4g", threshold=-105.0)
    assert rgba[0, 0, 3] == 0  # below the threshold: clear
    assert rgba[1, 2, 3] == 0  # nodata: clear
    colours = [mrasters._rgb(c) for c in mrasters.RSRP_COLOURS["4g"]]
    assert tuple(rgba[0, 1, :3]) == colours[0]  # -105: first class
    assert tuple(rgba[0, 2, :3]) == colours[1]  # -95
    assert tuple(rgba[1, 0, :3]) == colours[2]  # -85
    assert tuple(rgba[1, 1, :3]) == colours[3]  # -70


def _utm_raster(path: Path) -> RasterSpec:
    """4 x 4 cells of 1 km in UTM 49N, -90 dBm with one nodata cell."""
    data = np.full((4, 4), -90, dtype="int16")
    data[0, 0] = -32768
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="int16",
                       crs="EPSG:32649", transform=from_origin(800_000, 1_670_000, 1000, 1000),
                       nodata=-32768) as dst:
        dst.write(data, 1)
    return RasterSpec(path=path, kind="rsrp", technology="4g")


def test_raster_overlay_is_reprojected_with_wgs84_bounds(tmp_path):
    spec = _utm_raster(tmp_path / "r.tif")
    item = mrasters.raster_payload("rsrp_4g", spec, Thresholds(), LABELS["vi"], max_px=100)
    (south, west), (north, east) = item["bounds"]
    from pyproj import Transformer
    to_wgs = Transformer.from_crs("EPSG:32649", "EPSG:4326", always_xy=True)
    lon0, lat0 = to_wgs.transform(800_000, 1_666_000)
    lon1, lat1 = to_wgs.transform(804_000, 1_670_000)
    # Warping may grow the box by a cell; it must still contain the raster's corners.
    assert south <= min(lat0, lat1) + 1e-6 and north >= max(lat0, lat1) - 1e-6
    assert west <= min(lon0, lon1) + 1e-6 and east >= max(lon0, lon1) - 1e-6
    assert north - south < 0.06 and east - west < 0.06
    assert item["url"].startswith("data:image/png;base64,")
    assert item["label"] == "Vùng phủ sóng 4G (RSRP)"
    assert item["legend"][-1]["label"] == "-105 đến -95 dBm"


def test_population_raster_is_not_an_overlay(tmp_path):
    spec = _utm_raster(tmp_path / "r.tif")
    pop = RasterSpec(path=spec.path, kind="population")
    d = payload_of(render_map(communes=tiny_communes(), villages=None,
                              rasters={"rsrp_4g": spec, "population": pop}))
    assert [r["name"] for r in d["rasters"]] == ["rsrp_4g"]


def test_unreadable_raster_is_left_out_with_a_warning(tmp_path):
    spec = RasterSpec(path=tmp_path / "missing.tif", kind="rsrp", technology="5g")
    with pytest.warns(UserWarning, match="missing.tif"):
        d = payload_of(render_map(communes=tiny_communes(), villages=None,
                                  rasters={"rsrp_5g": spec}))
    assert d["rasters"] == []


def test_raster_is_downsampled_to_max_px(tmp_path):
    path = tmp_path / "big.tif"
    data = (np.indices((300, 400)).sum(axis=0) % 2).astype("uint8")  # a 0/1 mask
    with rasterio.open(path, "w", driver="GTiff", width=400, height=300, count=1, dtype="uint8",
                       crs="EPSG:4326", transform=from_origin(108.0, 15.5, 0.001, 0.001)) as dst:
        dst.write(data, 1)
    item = mrasters.raster_payload("r", RasterSpec(path=path, kind="mask", technology="5g"),
                                   Thresholds(), LABELS["en"], max_px=50)
    assert max(item["size"]) <= 50
    assert item["label"] == "5G coverage"


# --------------------------------------------------------------------------------------------
# Real boundaries


def test_seed_provinces_map(tmp_path):
    from geo_cds.outputs.maps import synthetic as syn

    communes = syn.read_communes(REPO / "boundaries" / "communes_2025_seed_provinces.gpkg")
    villages = syn.synthetic_villages(communes, mean_per_commune=5, seed=1)
    communes = syn.aggregate(communes, villages)
    path = write_map(tmp_path / "map.html", communes=communes, villages=villages)
    d = payload_of(path.read_text(encoding="utf-8"))
    assert len(d["communes"]["code"]) == 273
    assert all(len(g) > 0 for g in d["communes"]["geom"])  # no commune lost by simplification
    assert sorted(d["provinces"]["name"]) == ["Bắc Ninh", "Quảng Ngãi", "Quảng Trị"]
    assert len(d["villages"]["lon"]) == len(villages)
    assert -1 not in d["villages"]["commune"]
    assert path.stat().st_size < 3_000_000


def test_polygons_inside_collections_are_kept():
    from shapely.geometry import GeometryCollection, MultiPolygon

    geom = GeometryCollection([MultiPolygon([box(0, 0, 1, 1), box(2, 0, 3, 1)]),
                               LineString([(0, 0), (1, 1)])])
    assert len(mgeom.encode_polygons(geom)) == 2


def test_priority_list_reaches_the_village_popups():
    priority = pd.DataFrame({s.VILLAGE_ID: ["21433-002", "07795-001"], s.RANK: [1, 2],
                             s.INTERVENTION: ["new_4g_site;fibre_extension", "fibre_extension"],
                             s.COST_VND: [1_500_000_000, 200_000_000],
                             s.IN_BUDGET: [True, False]})
    d = payload_of(render_map(communes=tiny_communes(), villages=tiny_villages(),
                              priority=priority))
    v = d["villages"]
    assert v["rank"] == [None, 1, 2]
    assert v["intervention"] == [None, "new_4g_site;fibre_extension", "fibre_extension"]
    assert v["cost"] == [None, 1_500_000_000, 200_000_000]
    assert v["in_budget"] == [None, True, False]
    assert "rank" not in payload_of(render_map(communes=tiny_communes(),
                                               villages=tiny_villages()))["villages"]


# --------------------------------------------------------------------------------------------
# Where names are written, and the palettes of the layers drawn over the choropleth


def test_label_points_are_the_centre_of_the_largest_inside_circle():
    square = box(0, 0, 1, 1)
    # An L of two 3 x 1 arms: the largest circle sits in the corner, touching both outer
    # edges and the inner corner (1, 1): r = x and sqrt(2) (1 - x) = r, so x = r = 2 - sqrt(2).
    ell = Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 3), (0, 3)])
    corner = 2 - np.sqrt(2)
    out = mgeom.label_points(np.array([square, ell, Polygon()], dtype=object))
    x, y, r = (v / mgeom.SCALE for v in out[0])
    assert (x, y, r) == pytest.approx((0.5, 0.5, 0.5), abs=2e-3)
    x, y, r = (v / mgeom.SCALE for v in out[1])
    assert (x, y, r) == pytest.approx((corner, corner, corner), abs=2e-3)
    assert out[2] == [0, 0, 0]  # nothing to label: radius 0, the map skips it


def test_payload_carries_label_points_for_communes_and_provinces():
    payload = payload_of(render_map(communes=tiny_communes(), villages=tiny_villages()))
    for x, y, r in payload["communes"]["label"]:
        assert 0.05 * mgeom.SCALE - 200 <= r <= 0.05 * mgeom.SCALE  # half the 0.1° square
    labels = dict(zip(payload["provinces"]["name"], payload["provinces"]["label"]))
    assert labels["Quảng Ngãi"][0] == pytest.approx(108.75 * mgeom.SCALE, abs=200)


def test_parks_and_streets_have_palettes_of_their_own():
    scales = mdata.scales("vi", LABELS["vi"])
    taken = set(mdata.SHARE_COLOURS) | set(mdata.GAP_COLOURS) | \
        set(mdata.GAP_STATUS_COLOURS.values())
    for key in ("park", "street"):
        colours = scales[key]["colours"]
        assert len(colours) == len(mdata.SHARE_COLOURS) and not set(colours) & taken
        assert [row["colour"] for row in scales[key]["legend"][:-1]] == colours
    assert not set(scales["park"]["colours"]) & set(scales["street"]["colours"])


def _encode_one_by_one(geom):
    """Brute force: each ring of each polygon on its own, as the page decodes it."""
    def ring(coords):
        ints = [tuple(round(v * mgeom.SCALE) for v in c[:2]) for c in coords]
        if len(ints) > 1 and ints[0] == ints[-1]:
            ints = ints[:-1]
        ints = [p for i, p in enumerate(ints) if i == 0 or p != ints[i - 1]]
        prev, flat = (0, 0), []
        for p in ints:
            flat += [p[0] - prev[0], p[1] - prev[1]]
            prev = p
        return flat

    def polygons(g):
        if g.geom_type == "Polygon":
            return [g]
        return [p for part in getattr(g, "geoms", []) for p in polygons(part)]

    if geom is None or geom.is_empty:
        return []
    out = []
    for p in polygons(geom):
        rings = [r for r in [ring(p.exterior.coords), *(ring(i.coords) for i in p.interiors)]
                 if len(r) >= 6]
        if rings:
            out.append(rings)
    return out


_coord = st.floats(102.0, 110.0, allow_nan=False).map(lambda v: round(v, 6))
_polygon = st.lists(st.tuples(_coord, _coord), min_size=3, max_size=8).map(
    lambda pts: Polygon(pts).buffer(0))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), _polygon,
                          st.lists(_polygon, min_size=1, max_size=3).map(
                              lambda ps: shapely.MultiPolygon(
                                  [q for p in ps for q in getattr(p, "geoms", [p])
                                   if not q.is_empty]))), max_size=6))
def test_all_rings_encoded_at_once_as_one_by_one(geoms):
    got = mgeom.encode_many(np.array(geoms, dtype=object))
    assert got == [_encode_one_by_one(g) for g in geoms]


def test_names_are_not_read_as_template_code(tmp_path):
    # The data block goes into the page verbatim: a name with Jinja syntax stays as it is.
    communes = tiny_communes()
    communes.loc[0, s.COMMUNE_NAME] = "Xã {{ 7*7 }} {# x #}"
    d = payload_of(render_map(communes=communes, villages=tiny_villages()))
    assert d["communes"]["name"][0] == "Xã {{ 7*7 }} {# x #}"
