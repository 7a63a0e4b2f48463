"""The coverage model's layers on the map: drawn from the arrays in memory (no raster file),
their covered cells exactly the modelled RSRP at or above the technology's threshold.

The oracle thresholds the array itself and decodes the overlay's PNG here (zlib, by the PNG
specification), without the map's code.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import pytest
from affine import Affine
from pyproj import Transformer

from geo_cds.labels import labels
from geo_cds.outputs.maps import build_payload
from geo_cds.outputs.maps.rasters import GridLayer, grid_payload
from geo_cds.outputs.maps.synthetic import read_communes
from geo_cds.plan import REPO_ROOT, Thresholds

T = {**labels("map", "en"), **labels("map_sources", "en")}
LIMITS = Thresholds()


def decode_png(url: str) -> np.ndarray:
    """``(h, w, 4)`` RGBA of an 8-bit PNG data URI, RGBA or indexed (PLTE colours, tRNS
    alphas: 255 for entries past its end), whose rows are unfiltered."""
    data = base64.b64decode(url.removeprefix("data:image/png;base64,"))
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, size, plte, trns = 8, b"", None, b"", b""
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        tag, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if tag == b"IHDR":
            w, h, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (3, 6)
            size = (h, w)
        elif tag == b"PLTE":
            plte = body
        elif tag == b"tRNS":
            trns = body
        elif tag == b"IDAT":
            idat += body
        pos += 12 + n
    h, w = size
    channels = 4 if colour == 6 else 1
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(h, 1 + channels * w)
    assert (rows[:, 0] == 0).all()  # filter type none
    if colour == 6:
        return rows[:, 1:].reshape(h, w, 4)
    colours = np.frombuffer(plte, dtype=np.uint8).reshape(-1, 3)
    alphas = np.full(len(colours), 255, dtype=np.uint8)
    alphas[:len(trns)] = np.frombuffer(trns, dtype=np.uint8)
    rgba = np.concatenate([colours, alphas[:, None]], axis=1)
    return rgba[rows[:, 1:]]


def test_covered_cells_are_the_array_thresholded_on_a_web_mercator_grid():
    """On a grid already in EPSG:3857 and under the size limit the picture is the grid cell
    for cell: drawn exactly where the modelled RSRP reaches the threshold."""
    rng = np.random.default_rng(7)
    for tech, limit in (("4g", LIMITS.rsrp_4g_dbm), ("5g", LIMITS.rsrp_5g_dbm)):
        values = rng.uniform(-140.0, -60.0, size=(37, 53)).astype("float32")
        values[0, :4] = [limit, limit - 0.01, limit + 0.01, -140.0]  # at, just under, over
        layer = GridLayer(name=f"modelled_{tech}", values=values, crs="EPSG:3857",
                          transform=Affine(250.0, 0, 11_800_000.0, 0, -250.0, 1_900_000.0),
                          technology=tech, source="source_modelled_stations")
        item = grid_payload(layer, LIMITS, T, max_px=2400)
        rgba = decode_png(item["url"])
        assert rgba.shape[:2] == values.shape
        np.testing.assert_array_equal(rgba[..., 3] > 0, values >= limit)
        assert list(rgba[0, :4, 3] > 0) == [True, False, True, False]
        assert item["source"] == "Source: modelled from the station list, not measured"
        assert item["label"] == f"Modelled {tech.upper()} coverage (RSRP)"


def test_covered_cells_follow_the_array_on_a_utm_grid():
    """A UTM grid is warped to the screen's projection: every overlay pixel whose source
    cell and its neighbours are all on one side of the threshold is drawn (or not) as that
    cell is; the rest of the picture is clear."""
    x, y = np.meshgrid(np.arange(120) * 100.0, np.arange(90) * 100.0)
    # two stations' worth of smoothly falling RSRP around (3 km, 4 km) and (9 km, 5 km)
    d1, d2 = np.hypot(x - 3000, y - 4000), np.hypot(x - 9000, y - 5000)
    values = np.maximum(-60 - 0.02 * d1, -70 - 0.025 * d2).astype("float32")
    src = Affine(100.0, 0, 600_000.0, 0, -100.0, 1_700_000.0)  # UTM 48N, central Vietnam
    layer = GridLayer(name="modelled_4g", values=values, transform=src, crs="EPSG:32648",
                      technology="4g", source="source_modelled_stations")
    item = grid_payload(layer, LIMITS, T, max_px=2400)
    rgba = decode_png(item["url"])
    (south, west), (north, east) = item["bounds"]
    to_merc = Transformer.from_crs(4326, 3857, always_xy=True)
    (x0, x1), (y0, y1) = to_merc.transform([west, east], [south, north])
    h, w = rgba.shape[:2]
    cx = x0 + (np.arange(w) + 0.5) * (x1 - x0) / w
    cy = y1 - (np.arange(h) + 0.5) * (y1 - y0) / h
    mx, my = np.meshgrid(cx, cy)
    ux, uy = Transformer.from_crs(3857, 32648, always_xy=True).transform(mx, my)
    col, row = ~src @ (ux, uy)
    col, row = np.floor(col).astype(int), np.floor(row).astype(int)
    inside = (col >= 0) & (col < values.shape[1]) & (row >= 0) & (row < values.shape[0])
    covered = values >= LIMITS.rsrp_4g_dbm
    padded = np.pad(covered, 1, mode="edge")
    stack = np.stack([padded[1 + dr:1 + dr + covered.shape[0], 1 + dc:1 + dc + covered.shape[1]]
                      for dr in (-1, 0, 1) for dc in (-1, 0, 1)])
    sure_yes, sure_no = stack.all(axis=0), ~stack.any(axis=0)
    r, c = np.clip(row, 0, values.shape[0] - 1), np.clip(col, 0, values.shape[1] - 1)
    drawn = rgba[..., 3] > 0
    yes, no = inside & sure_yes[r, c], inside & sure_no[r, c]
    assert yes.sum() > 1000 and no.sum() > 1000  # both sides well represented
    assert drawn[yes].all() and not drawn[no].any()
    assert not drawn[~inside].any()


def test_payload_lists_model_overlays_after_raster_files():
    communes = read_communes(REPO_ROOT / "boundaries" / "communes_2025_seed_provinces.gpkg")
    communes = communes[communes["province_code"] == "51"]
    values = np.full((20, 20), -80.0, dtype="float32")
    layer = GridLayer(name="modelled_4g", values=values, crs="EPSG:32649",
                      transform=Affine(100.0, 0, 300_000.0, 0, -100.0, 1_660_000.0),
                      technology="4g", source="source_modelled_stations", generated=True)
    payload = build_payload(communes=communes, villages=None, modelled=[layer], lang="vi")
    (item,) = payload["rasters"]
    assert item["name"] == "modelled_4g"
    assert item["source"] == "Nguồn: mô hình hoá từ danh sách trạm, không phải đo kiểm"
    assert "modelled_4g" in payload["generated"]
    assert item["label"] in payload["generated_labels"]


@pytest.mark.parametrize("max_px", [8, 30])
def test_large_grid_is_averaged_down_to_the_limit(max_px):
    values = np.full((200, 100), -80.0, dtype="float32")
    layer = GridLayer(name="modelled_4g", values=values, crs="EPSG:3857",
                      transform=Affine(100.0, 0, 11_800_000.0, 0, -100.0, 1_900_000.0),
                      technology="4g", source="source_modelled_stations")
    item = grid_payload(layer, LIMITS, T, max_px=max_px)
    assert max(item["size"]) <= max_px
    assert (decode_png(item["url"])[..., 3] > 0).all()  # −80 dBm everywhere: all covered
