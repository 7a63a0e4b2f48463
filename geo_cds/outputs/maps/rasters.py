"""Coverage rasters as coloured PNG image overlays (data URIs) for the map.

A Leaflet image overlay is stretched linearly between its corner coordinates on the Web
Mercator screen, so the raster is warped to EPSG:3857 first and its corners are given back in
EPSG:4326: the picture then lands exactly where it belongs at any latitude (an EPSG:4326 grid
would drift by up to ~1 km across a province).
"""

from __future__ import annotations

import base64
import math
import struct
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import calculate_default_transform, reproject, transform, transform_bounds

from geo_cds.errors import CrsError, LayerError
from geo_cds.plan import RasterSpec, Thresholds
from geo_cds.schema import OPERATORS

if TYPE_CHECKING:  # the coverage engine (numba) is not imported for drawing a map
    from geo_cds.analysis.coverage import DisplayGrid

# Longest side of a coverage overlay picture, in pixels (``raster_max_px`` of the map); the
# coverage pass averages each raster down to this size for the map (geo_cds.pipeline).
OVERLAY_MAX_PX = 2400
# zlib level of the pictures: 9 takes 4× the time of 6 at national scale for 10 % less.
PNG_LEVEL = 6
# Classes above the coverage threshold, in dB above it; below the threshold nothing is drawn.
RSRP_STEPS_DB = (0, 10, 20, 30)
RSRP_COLOURS = {
    # Greens and magentas: apart from the red-to-blue commune scale drawn underneath.
    "4g": ("#d9f0a3", "#addd8e", "#41ab5d", "#006837"),
    "5g": ("#fcc5c0", "#f768a1", "#c51b8a", "#7a0177"),
}
MASK_COLOUR = {"4g": "#41ab5d", "5g": "#c51b8a"}
ALPHA = 190


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def encode_png(index: np.ndarray, palette: np.ndarray) -> bytes:
    """Encode an ``(h, w)`` uint8 array of indices into ``palette`` (``(n, 4)`` RGBA rows,
    n <= 256) as an indexed PNG (no imaging library needed).

    An overlay has a handful of colours: one byte a pixel instead of four makes it a quarter
    of the data to compress.
    """
    h, w = index.shape
    raw = np.concatenate([np.zeros((h, 1), dtype=np.uint8), index.astype(np.uint8, copy=False)],
                         axis=1)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)
    palette = np.asarray(palette, dtype=np.uint8)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"PLTE", palette[:, :3].tobytes()) + chunk(b"tRNS", palette[:, 3].tobytes())
            + chunk(b"IDAT", zlib.compress(raw.tobytes(), PNG_LEVEL)) + chunk(b"IEND", b""))


@dataclass(frozen=True)
class GridLayer:
    """A coverage layer held in memory (the coverage model's RSRP, float32 dBm, NaN = no
    data) on a north-up grid: ``transform`` and ``crs`` as rasterio takes them. ``source`` is
    the label key naming where it comes from (shown in the legend)."""

    name: str
    values: np.ndarray
    transform: Affine
    crs: Any
    technology: str
    source: str
    kind: str = "rsrp"
    operator: str | None = None
    generated: bool = False


def read_for_display(spec: RasterSpec, max_px: int) -> tuple[np.ndarray, list[list[float]]]:
    """Band 1 warped to EPSG:3857 at most ``max_px`` on its long side, read from the file
    (a map drawn without a coverage pass; a run's map draws the pass's display grids).

    Returns the float32 array (NaN = nodata) and its ``[[south, west], [north, east]]``
    corners in EPSG:4326.
    """
    with rasterio.open(spec.path) as src:
        src_crs = CRS.from_user_input(spec.source_crs) if spec.source_crs else src.crs
        if src_crs is None:
            raise CrsError(f"{spec.path}: the raster has no CRS; give source_crs in the plan")
        # Read decimated first: a national 100 m raster never needs to be in memory at full
        # resolution to become a ~1,000 px picture.
        factor = max(1.0, max(src.width, src.height) / (2 * max_px))
        out_w = max(1, round(src.width / factor))
        out_h = max(1, round(src.height / factor))
        band = src.read(1, out_shape=(out_h, out_w), masked=True,
                        resampling=Resampling.average if factor > 1 else Resampling.nearest)
        # in the band's unit (dBm), as the coverage pass reads it: scale and offset applied
        scale = float(src.scales[0]) if src.scales else 1.0
        offset = float(src.offsets[0]) if src.offsets else 0.0
        data = (band.astype("float64").filled(np.nan) * scale + offset).astype("float32")
        src_transform = src.transform @ Affine.scale(src.width / out_w, src.height / out_h)
    return _to_display(data, src_transform, src_crs, max_px)


def grid_for_display(layer: GridLayer | DisplayGrid,
                     max_px: int) -> tuple[np.ndarray, list[list[float]]]:
    """:func:`read_for_display` for a layer in memory (the coverage model's, or a raster the
    coverage pass averaged down): averaged down first (as a raster file is read) when over
    twice ``max_px`` on its long side."""
    src_crs = CRS.from_user_input(layer.crs)
    height, width = layer.values.shape
    data = layer.values.astype("float32", copy=False)
    transform_ = layer.transform
    factor = max(1.0, max(width, height) / (2 * max_px))
    if factor > 1:
        out_w, out_h = max(1, round(width / factor)), max(1, round(height / factor))
        transform_ = layer.transform @ Affine.scale(width / out_w, height / out_h)
        small = np.full((out_h, out_w), np.nan, dtype="float32")
        reproject(data, small, src_transform=layer.transform, src_crs=src_crs,
                  src_nodata=np.nan, dst_transform=transform_, dst_crs=src_crs,
                  dst_nodata=np.nan, resampling=Resampling.average)
        data = small
    return _to_display(data, transform_, src_crs, max_px)


def _to_display(data: np.ndarray, src_transform: Affine, src_crs: CRS,
                max_px: int) -> tuple[np.ndarray, list[list[float]]]:
    """``data`` on ``src_transform`` warped to EPSG:3857, with its EPSG:4326 corners."""
    out_h, out_w = data.shape
    left, top = src_transform @ (0, 0)
    right, bottom = src_transform @ (out_w, out_h)
    dst_crs = CRS.from_epsg(3857)
    # The output box comes from the densified source outline, so no corner is cut off;
    # cells are no finer than the (decimated) source cells and no more than max_px across.
    west, south, east, north = transform_bounds(src_crs, dst_crs, left, bottom, right, top,
                                                densify_pts=21)
    guess, _, _ = calculate_default_transform(src_crs, dst_crs, out_w, out_h, left=left,
                                              bottom=bottom, right=right, top=top)
    res = max(abs(guess.a), (east - west) / max_px, (north - south) / max_px)
    width = max(1, math.ceil((east - west) / res - 1e-9))
    height = max(1, math.ceil((north - south) / res - 1e-9))
    dst_transform = Affine(res, 0.0, west, 0.0, -res, north)
    dst = np.full((height, width), np.nan, dtype="float32")
    reproject(data, dst, src_transform=src_transform, src_crs=src_crs, src_nodata=np.nan,
              dst_transform=dst_transform, dst_crs=dst_crs, dst_nodata=np.nan,
              resampling=Resampling.bilinear)
    x0, y0 = dst_transform @ (0, 0)
    x1, y1 = dst_transform @ (width, height)
    lons, lats = transform(dst_crs, CRS.from_epsg(4326), [x0, x1], [y0, y1])
    bounds = [[round(min(lats), 6), round(min(lons), 6)], [round(max(lats), 6), round(max(lons), 6)]]
    return dst, bounds


def classes(values: np.ndarray, kind: str, threshold: float) -> np.ndarray:
    """The colour class of each cell (uint8): 0 clear (below ``threshold``, or no data), then
    1, 2, … for the RSRP classes ``RSRP_STEPS_DB`` above it; a mask's covered cells are 1."""
    if kind == "mask":
        return (values >= 0.5).astype(np.uint8)  # NaN compares false: clear
    index = np.zeros(values.shape, dtype=np.uint8)
    for step in RSRP_STEPS_DB:  # a cell's class is the number of class floors it reaches
        index += values >= threshold + step
    return index


def palette(kind: str, technology: str) -> np.ndarray:
    """RGBA rows of the colour classes of :func:`classes` (row 0: clear)."""
    colours = ([MASK_COLOUR.get(technology, "#41ab5d")] if kind == "mask"
               else RSRP_COLOURS.get(technology, RSRP_COLOURS["4g"]))
    return np.array([(0, 0, 0, 0)] + [(*_rgb(c), ALPHA) for c in colours], dtype=np.uint8)


def colourise(values: np.ndarray, kind: str, technology: str, threshold: float) -> np.ndarray:
    """RGBA picture: RSRP classes above ``threshold`` (or covered mask cells); rest clear."""
    return palette(kind, technology)[classes(values, kind, threshold)]


def _num(value: float) -> str:
    return f"{value:g}"


def legend(kind: str, technology: str, threshold: float,
           labels: Mapping[str, str]) -> tuple[list[dict[str, str]], str]:
    """Legend rows (colour, label) and a note for one raster overlay."""
    if kind == "mask":
        return [{"colour": MASK_COLOUR.get(technology, "#41ab5d"),
                 "label": labels["mask_covered"]}], ""
    colours = RSRP_COLOURS.get(technology, RSRP_COLOURS["4g"])
    rows = []
    for i in reversed(range(len(RSRP_STEPS_DB))):
        lo = threshold + RSRP_STEPS_DB[i]
        if i + 1 < len(RSRP_STEPS_DB):
            hi = threshold + RSRP_STEPS_DB[i + 1]
            text = labels["rsrp_range"].format(a=_num(lo), b=_num(hi))
        else:
            text = labels["rsrp_at_least"].format(v=_num(lo))
        rows.append({"colour": colours[i], "label": text})
    return rows, labels["below_threshold"].format(v=_num(threshold))


def raster_payload(name: str, spec: RasterSpec, thresholds: Thresholds,
                   labels: Mapping[str, str], max_px: int,
                   grid: DisplayGrid | None = None) -> dict[str, Any]:
    """One coverage overlay of a raster: PNG data URI, EPSG:4326 bounds, label and legend.

    Drawn from ``grid`` (the raster as the coverage pass averaged it down) when given, else
    read from the file.
    """
    tech = (spec.technology or "").lower()
    if spec.kind not in ("rsrp", "mask"):
        raise LayerError(f"raster {name!r}: kind {spec.kind!r} is not a coverage raster")
    values, bounds = (grid_for_display(grid, max_px) if grid is not None
                      else read_for_display(spec, max_px))
    key = (f"layer_raster_mask_{tech}" if spec.kind == "mask" else f"layer_raster_{tech}")
    text = labels.get(key, f"{labels['layer_raster']} {name}")
    return _payload(name, spec.kind, tech, spec.operator, text, values, bounds, thresholds,
                    labels)


def grid_payload(layer: GridLayer, thresholds: Thresholds, labels: Mapping[str, str],
                 max_px: int) -> dict[str, Any]:
    """One coverage overlay from a layer in memory (the coverage model's): as
    :func:`raster_payload`, labelled as modelled and with its ``source`` named."""
    tech = layer.technology.lower()
    values, bounds = grid_for_display(layer, max_px)
    text = labels.get(f"layer_modelled_{tech}", f"{labels['layer_raster']} {layer.name}")
    item = _payload(layer.name, layer.kind, tech, layer.operator, text, values, bounds,
                    thresholds, labels)
    item["source"] = labels[layer.source]
    return item


def _payload(name: str, kind: str, tech: str, operator: str | None, text: str,
             values: np.ndarray, bounds: list[list[float]], thresholds: Thresholds,
             labels: Mapping[str, str]) -> dict[str, Any]:
    threshold = thresholds.rsrp_5g_dbm if tech == "5g" else thresholds.rsrp_4g_dbm
    png = encode_png(classes(values, kind, threshold), palette(kind, tech))
    rows, note = legend(kind, tech, threshold, labels)
    return {
        "name": name,
        "label": f"{text} – {OPERATORS[operator]}" if operator else text,
        "technology": tech,
        "kind": kind,
        "url": "data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        "bounds": bounds,
        "legend": rows,
        "note": note,
        "size": [int(values.shape[1]), int(values.shape[0])],
    }
