"""Raster grids and windowed reading."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import MaskFlags
from rasterio.windows import Window

from geo_cds.errors import CrsError, LayerError

# Default size of one window read (bytes of the raster's own data type). Rasters larger than
# this are read in row windows of about this size, so memory does not grow with the raster.
DEFAULT_BLOCK_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class Grid:
    """The cell grid of a raster: CRS, affine transform (north-up or south-up) and shape."""

    crs: rasterio.crs.CRS
    transform: Affine
    width: int
    height: int

    @classmethod
    def of(cls, src: rasterio.io.DatasetReader, path: str | Path = "", crs=None) -> Grid:
        """The grid of ``src``; ``crs`` (the plan's ``source_crs``) replaces the file's CRS."""
        t = src.transform
        if t.b != 0 or t.d != 0:
            raise LayerError(
                f"{path}: rotated/sheared raster grids are not supported; warp it to a "
                "north-up grid first (gdalwarp)"
            )
        crs = rasterio.crs.CRS.from_user_input(crs) if crs else src.crs
        if crs is None:
            raise CrsError(
                f"{path}: the raster has no CRS; set one (gdal_edit.py -a_srs EPSG:...) or "
                "give source_crs in the plan"
            )
        return cls(crs, t, src.width, src.height)

    def key(self) -> str:
        """Stable text identifying the grid (for grouping rasters and for the weight cache)."""
        t = self.transform
        return "|".join(
            [
                self.crs.to_wkt(),
                repr((t.a, t.b, t.c, t.d, t.e, t.f)),
                str(self.width),
                str(self.height),
            ]
        )

    def to_pixel(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Map coordinates in the grid's CRS to fractional (column, row)."""
        t = self.transform
        return (x - t.c) / t.a, (y - t.f) / t.e


def band_height(src: rasterio.io.DatasetReader, block_bytes: int = DEFAULT_BLOCK_BYTES) -> int:
    """Rows per window: whole internal blocks (no tile decompressed twice), at least ~256 rows
    (few read calls on striped files), at most ~block_bytes for a full-width window."""
    block_h = src.block_shapes[0][0] if src.block_shapes else 1
    rows = block_h * max(1, -(-256 // block_h))
    itemsize = np.dtype(src.dtypes[0]).itemsize
    cap = (block_bytes // max(src.width * itemsize, 1)) // block_h * block_h
    return max(block_h, min(rows, cap) if cap else block_h)


def windows_over(
    r0: np.ndarray,
    r1: np.ndarray,
    c0: np.ndarray,
    c1: np.ndarray,
    height: int,
    width: int,
    band_h: int,
) -> list[Window]:
    """Windows that hold every rectangle ``[r0, r1) × [c0, c1)`` (cells), one per band of
    ``band_h`` rows, each only as wide and as tall as that band's rectangles need.

    Reading only these windows skips the tiles no zone (or point) touches, e.g. the sea
    around a coastal country, which is most of the bounding box of Vietnam.
    """
    r0 = np.clip(np.asarray(r0, np.int64), 0, height)
    r1 = np.clip(np.asarray(r1, np.int64), 0, height)
    c0 = np.clip(np.asarray(c0, np.int64), 0, width)
    c1 = np.clip(np.asarray(c1, np.int64), 0, width)
    keep = (r1 > r0) & (c1 > c0)
    r0, r1, c0, c1 = r0[keep], r1[keep], c0[keep], c1[keep]
    if r0.size == 0:
        return []
    first = r0 // band_h
    span = (r1 - 1) // band_h - first + 1
    idx = np.repeat(np.arange(r0.size), span)
    band = first[idx] + (np.arange(idx.size) - np.repeat(np.cumsum(span) - span, span))
    n_bands = -(-height // band_h)
    lo_r = np.full(n_bands, height, np.int64)
    hi_r = np.zeros(n_bands, np.int64)
    lo_c = np.full(n_bands, width, np.int64)
    hi_c = np.zeros(n_bands, np.int64)
    np.minimum.at(lo_r, band, np.maximum(r0[idx], band * band_h))
    np.maximum.at(hi_r, band, np.minimum(r1[idx], (band + 1) * band_h))
    np.minimum.at(lo_c, band, c0[idx])
    np.maximum.at(hi_c, band, c1[idx])
    return [
        Window(int(lo_c[b]), int(lo_r[b]), int(hi_c[b] - lo_c[b]), int(hi_r[b] - lo_r[b]))
        for b in np.flatnonzero(hi_r > lo_r)
    ]


def windows_from_rows(lo: np.ndarray, hi: np.ndarray, band_h: int) -> list[Window]:
    """Like :func:`windows_over`, from the column range ``[lo[r], hi[r])`` each row needs
    (``lo >= hi``: nothing in that row)."""
    height = lo.size
    n_bands = -(-height // band_h)
    pad = n_bands * band_h - height
    has = np.concatenate([hi > lo, np.zeros(pad, bool)]).reshape(n_bands, band_h)
    big = np.iinfo(np.int64).max
    lo_b = np.concatenate([np.where(hi > lo, lo, big), np.full(pad, big)])
    hi_b = np.concatenate([np.where(hi > lo, hi, 0), np.zeros(pad, np.int64)])
    lo_c = lo_b.reshape(n_bands, band_h).min(axis=1)
    hi_c = hi_b.reshape(n_bands, band_h).max(axis=1)
    first = has.argmax(axis=1)
    last = band_h - has[:, ::-1].argmax(axis=1)
    return [
        Window(
            int(lo_c[b]),
            int(b * band_h + first[b]),
            int(hi_c[b] - lo_c[b]),
            int(last[b] - first[b]),
        )
        for b in np.flatnonzero(has.any(axis=1))
    ]


def nodata_of(src: rasterio.io.DatasetReader) -> tuple[float, bool]:
    """(nodata value as the band's type would hold it, whether one is set)."""
    nd = src.nodata
    if nd is None or (isinstance(nd, float) and np.isnan(nd)):
        return 0.0, False  # NaN is always treated as no data by the kernels
    return float(np.asarray(nd).astype(src.dtypes[0])), True


class Band:
    """Band 1 of a raster as the engine reads it: the band's scale and offset applied, and
    nodata, the GDAL mask band (per-dataset mask, alpha band) and NaN all read as no data.

    :meth:`read` returns ``(window, nodata, has_nodata)`` for the kernels. A band with only a
    nodata value (or nothing) is passed through as stored; a band with a scale, an offset or a
    mask band becomes float64 with NaN where there is no data.
    """

    def __init__(self, src: rasterio.io.DatasetReader):
        self.src = src
        self.nodata, self.has_nodata = nodata_of(src)
        self.scale = float(src.scales[0]) if src.scales else 1.0
        self.offset = float(src.offsets[0]) if src.offsets else 0.0
        flags = src.mask_flag_enums[0]
        self.mask_band = MaskFlags.all_valid not in flags and MaskFlags.nodata not in flags
        self.plain = self.scale == 1.0 and self.offset == 0.0 and not self.mask_band

    def read(self, window: Window) -> tuple[np.ndarray, float, bool]:
        raw = self.src.read(1, window=window)
        if self.plain:
            return kernel_block(raw), self.nodata, self.has_nodata
        invalid = raw == raw.dtype.type(self.nodata) if self.has_nodata else None
        if self.mask_band:
            masked = self.src.read_masks(1, window=window) == 0
            invalid = masked if invalid is None else invalid | masked
        # round to 1e-9 so that a stored -1050 × 0.1 is -105 exactly, not -105.00000000000001
        values = np.round(raw.astype(np.float64) * self.scale + self.offset, 9)
        if invalid is not None:
            values[invalid] = np.nan
        return values, 0.0, False


def kernel_block(block: np.ndarray) -> np.ndarray:
    """A raster window in one of the two value types the kernels are compiled for.

    numba compiles a kernel once per argument type, so each raster dtype would cost its own
    compilation on first use. float32 windows pass through; integer types of up to 16 bits
    become float32 and everything else float64 — both exact, nodata included — so the kernels
    exist in two versions only, both built ahead of a run by ``prepare``.
    """
    if block.dtype in (np.float32, np.float64):
        return block
    if block.dtype.kind in "iub" and block.dtype.itemsize <= 2:
        return block.astype(np.float32)
    return block.astype(np.float64)


# GDAL decodes the tiles of one window on several threads when told to. Every tile is read
# once, so a large block cache (GDAL's default: 5 % of RAM) would only raise the peak memory.
GDAL_ENV = {"GDAL_NUM_THREADS": "ALL_CPUS", "GDAL_CACHEMAX": 128}


def open_raster(path: str | Path, name: str):
    """The raster at ``path``, or a :class:`LayerError` naming it."""
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise LayerError(f"raster {name!r}: cannot open {path}: {exc}") from None
