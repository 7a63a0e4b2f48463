"""Signal strength from generated sites: a path-loss model, a fading field and tiled GeoTIFFs.

Model (documented in ``layers/README.md``): COST-231 Hata (medium city) with the Okumura-Hata
corrections for suburban and quasi-open rural clutter, mobile antenna 1.5 m, 1800 MHz for 4G and
3500 MHz for 5G (COST-231 is fitted for 1500-2000 MHz; at 3500 MHz it is an extrapolation, good
enough for a generated sample). Reference-signal EIRP per resource element 30 dBm (4G: 46 dBm over
1,200 subcarriers + 17 dBi antenna − 2 dB feeder) and 33 dBm (5G: 64T64R beam gain). The best
server wins (maximum over the nearest sites within ``max_distance_km``). A smooth deterministic
fading field (value noise on a 0.02° and a 0.005° lattice, about 4 dB standard deviation) stands in
for terrain and clutter shadowing, so coverage edges are ragged rather than circles.

Distances are chord lengths on the sphere (3-D unit vectors × Earth radius): exact to metres at
these ranges, in every UTM zone, with no projection step.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
import shapely
from affine import Affine
from rasterio.features import rasterize
from rasterio.windows import Window
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0
FREQ_MHZ = {"4g": 1800.0, "5g": 3500.0}
EIRP_DBM = {"4g": 30.0, "5g": 33.0}
RSRP_MIN, RSRP_MAX = -140, -44  # reporting range of RSRP (3GPP TS 36.133)
RSRP_NODATA = -32768
POP_NODATA = -9999.0
MOBILE_HEIGHT_M = 1.5
TILE = 256


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lo, la = np.radians(lon), np.radians(lat)
    c = np.cos(la)
    return np.column_stack([c * np.cos(lo), c * np.sin(lo), np.sin(la)])


def site_parameters(height_m: np.ndarray, clutter: np.ndarray, tech: str
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Per-site intercept and slope of ``RSRP = a - b * log10(d_km)``.

    Parameters
    ----------
    height_m : array of float
        Antenna height above ground.
    clutter : array of str
        ``"urban"``, ``"suburban"`` or ``"rural"`` around the site.
    tech : {"4g", "5g"}

    Returns
    -------
    a, b : ndarray of float
        RSRP in dBm at 1 km, and dB per decade of distance.
    """
    f = FREQ_MHZ[tech]
    lf = math.log10(f)
    hb = np.log10(np.clip(np.asarray(height_m, dtype=float), 10.0, 200.0))
    a_hm = (1.1 * lf - 0.7) * MOBILE_HEIGHT_M - (1.56 * lf - 0.8)
    corr = {
        "urban": 0.0,
        "suburban": -2.0 * math.log10(f / 28.0) ** 2 - 5.4,
        # Okumura-Hata open area is -40.94; +5 dB for quasi-open (fields, scattered trees)
        "rural": -4.78 * lf**2 + 18.33 * lf - 35.94,
    }
    c = np.vectorize(corr.get, otypes=[float])(np.asarray(clutter, dtype=object))
    loss_1km = 46.3 + 33.9 * lf - 13.82 * hb - a_hm + c
    return EIRP_DBM[tech] - loss_1km, 44.9 - 6.55 * hb


def _lattice(i: np.ndarray, j: np.ndarray, seed: int) -> np.ndarray:
    """Deterministic uniform values in [-1, 1] on integer lattice nodes (splitmix64 hash)."""
    with np.errstate(over="ignore"):
        h = (i.astype(np.int64).view(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             ^ j.astype(np.int64).view(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F)
             ^ np.uint64((seed * 0x165667B1) & 0xFFFFFFFFFFFFFFFF))
        h ^= h >> np.uint64(30)
        h *= np.uint64(0xBF58476D1CE4E5B9)
        h ^= h >> np.uint64(27)
        h *= np.uint64(0x94D049BB133111EB)
        h ^= h >> np.uint64(31)
    return (h >> np.uint64(11)).astype(np.float64) / float(1 << 53) * 2.0 - 1.0


def _value_noise(lon: np.ndarray, lat: np.ndarray, step: float, seed: int) -> np.ndarray:
    x, y = lon / step, lat / step
    i, j = np.floor(x), np.floor(y)
    fx, fy = x - i, y - j
    fx, fy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)  # smoothstep: no creases at nodes
    i, j = i.astype(np.int64), j.astype(np.int64)
    v00, v10 = _lattice(i, j, seed), _lattice(i + 1, j, seed)
    v01, v11 = _lattice(i, j + 1, seed), _lattice(i + 1, j + 1, seed)
    return (v00 * (1 - fx) + v10 * fx) * (1 - fy) + (v01 * (1 - fx) + v11 * fx) * fy


def fading_db(lon: np.ndarray, lat: np.ndarray, seed: int) -> np.ndarray:
    """Shadow-fading field in dB at the given points (same value whatever the tiling)."""
    return 9.0 * _value_noise(lon, lat, 0.02, seed) + 4.0 * _value_noise(lon, lat, 0.005, seed + 1)


@dataclass
class RadioModel:
    """The sites of one technology, indexed for best-server queries."""

    tech: str
    lon: np.ndarray
    lat: np.ndarray
    a: np.ndarray
    b: np.ndarray
    tree: cKDTree | None
    seed: int
    max_distance_km: float = 20.0
    k: int = 8

    @classmethod
    def from_sites(cls, sites, tech: str, seed: int = 2025, max_distance_km: float = 20.0,
                   k: int = 8) -> "RadioModel":
        """Sites carrying ``tech`` ("4g"/"5g" in the ``technologies`` column)."""
        techs = sites["technologies"].astype(str).str.lower().str.split(",")
        has = np.array([tech in t for t in techs], dtype=bool) if len(sites) else np.zeros(0, bool)
        s = sites[has]
        lon, lat = shapely.get_x(s.geometry.values), shapely.get_y(s.geometry.values)
        clutter = (s["clutter"].to_numpy(dtype=object) if "clutter" in s
                   else np.full(len(s), "suburban", dtype=object))
        a, b = site_parameters(s["height_m"].to_numpy(dtype=float), clutter, tech)
        tree = cKDTree(_unit_vectors(lon, lat) * EARTH_RADIUS_KM) if len(s) else None
        return cls(tech, lon, lat, a, b, tree, seed, max_distance_km, k)

    def rsrp(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Best-server RSRP in dBm (float, clipped to the reporting range) at points."""
        lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        shape = lon.shape
        lon, lat = lon.ravel(), lat.ravel()
        if self.tree is None or lon.size == 0:
            return np.full(shape, float(RSRP_MIN))
        k = min(self.k, len(self.a))
        d, idx = self.tree.query(_unit_vectors(lon, lat) * EARTH_RADIUS_KM, k=k,
                                 distance_upper_bound=self.max_distance_km)
        d, idx = d.reshape(len(lon), k), idx.reshape(len(lon), k)
        ok = np.isfinite(d)
        idx = np.where(ok, idx, 0)
        val = self.a[idx] - self.b[idx] * np.log10(np.maximum(d, 0.05))
        val = np.where(ok, val, -np.inf).max(axis=1)
        val = val + fading_db(lon, lat, self.seed + (0 if self.tech == "4g" else 7))
        return np.clip(np.where(np.isfinite(val), val, RSRP_MIN), RSRP_MIN, RSRP_MAX).reshape(shape)


def _origin(west: float, north: float, res: float) -> Affine:
    # rasterio's from_origin multiplies affines with `*`, which newer affine deprecates
    return Affine(res, 0.0, west, 0.0, -res, north)


@dataclass(frozen=True)
class Grid:
    """A north-up lon/lat grid snapped to ``resolution`` that covers ``bounds``."""

    west: float
    north: float
    width: int
    height: int
    resolution: float

    @classmethod
    def covering(cls, bounds, resolution: float = 0.001) -> "Grid":
        minx, miny, maxx, maxy = bounds
        eps = 1e-6  # 106.0 / 0.01 is 10600.000000000002 in floating point: not a new cell
        west = math.floor(minx / resolution + eps) * resolution
        north = math.ceil(maxy / resolution - eps) * resolution
        width = int(math.ceil((maxx - west) / resolution - eps))
        height = int(math.ceil((north - miny) / resolution - eps))
        return cls(round(west, 9), round(north, 9), width, height, resolution)

    @property
    def transform(self):
        return _origin(self.west, self.north, self.resolution)

    def profile(self, dtype: str, nodata: float) -> dict:
        return {
            "driver": "GTiff", "width": self.width, "height": self.height, "count": 1,
            "dtype": dtype, "nodata": nodata, "crs": "EPSG:4326", "transform": self.transform,
            "tiled": True, "blockxsize": TILE, "blockysize": TILE, "compress": "deflate",
            "zlevel": 9, "predictor": 2 if dtype.startswith("int") else 3, "sparse_ok": True,
        }

    def windows(self) -> Iterator[Window]:
        for r in range(0, self.height, TILE):
            for c in range(0, self.width, TILE):
                yield Window(c, r, min(TILE, self.width - c), min(TILE, self.height - r))

    def centres(self, w: Window) -> tuple[np.ndarray, np.ndarray]:
        cols = self.west + (np.arange(w.col_off, w.col_off + w.width) + 0.5) * self.resolution
        rows = self.north - (np.arange(w.row_off, w.row_off + w.height) + 0.5) * self.resolution
        return np.meshgrid(cols, rows)

    def rowcol(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        col = np.floor((np.asarray(lon) - self.west) / self.resolution).astype(np.int64)
        row = np.floor((self.north - np.asarray(lat)) / self.resolution).astype(np.int64)
        return row, col


class Mask:
    """Which cells of a grid lie in the study area (cells touched by a polygon), tile by tile."""

    def __init__(self, grid: Grid, geometries):
        self.grid = grid
        self.geoms = np.asarray(geometries)
        self.tree = shapely.STRtree(self.geoms)
        self._cache: dict[tuple[int, int], np.ndarray | None] = {}

    def tile(self, w: Window) -> np.ndarray | None:
        """Boolean mask of the window, or None when no polygon touches it."""
        key = (int(w.row_off), int(w.col_off))
        if key not in self._cache:
            g = self.grid
            west = g.west + w.col_off * g.resolution
            north = g.north - w.row_off * g.resolution
            box = shapely.box(west, north - w.height * g.resolution,
                              west + w.width * g.resolution, north)
            hit = self.tree.query(box, predicate="intersects")
            if len(hit) == 0:
                self._cache[key] = None
            else:
                self._cache[key] = rasterize(
                    ((geom, 1) for geom in self.geoms[hit]), out_shape=(w.height, w.width),
                    transform=_origin(west, north, g.resolution),
                    all_touched=True, dtype="uint8",
                ).astype(bool)
        return self._cache[key]


def write_rsrp_raster(sites, tech: str, path: str | Path, grid: Grid, mask: Mask,
                      seed: int = 2025, max_distance_km: float = 20.0) -> dict:
    """Write best-server RSRP (Int16 dBm) of ``tech`` over the masked cells of ``grid``.

    Tiles with no study area are never written (sparse GeoTIFF), so a national grid costs only
    its land; each tile is computed and written on its own, so memory stays at one tile.

    Parameters
    ----------
    sites : GeoDataFrame
        Points with ``technologies``, ``height_m`` and optionally ``clutter``.
    tech : {"4g", "5g"}
    path : path of the GeoTIFF to write
    grid : Grid
    mask : Mask
        Cells outside it are nodata (−32768).
    seed : int
        Seed of the fading field.
    max_distance_km : float
        Sites farther than this from a cell are ignored.

    Returns
    -------
    dict
        ``cells`` (valid cells written) and ``covered`` (cells at or above the coverage
        threshold used by the sample: −105 dBm for 4G, −110 dBm for 5G).
    """
    model = RadioModel.from_sites(sites, tech, seed=seed, max_distance_km=max_distance_km)
    threshold = -105 if tech == "4g" else -110
    cells = covered = 0
    with rasterio.open(path, "w", **grid.profile("int16", RSRP_NODATA)) as dst:
        for w in grid.windows():
            m = mask.tile(w)
            if m is None or not m.any():
                continue
            lon, lat = grid.centres(w)
            out = np.full(m.shape, RSRP_NODATA, dtype=np.int16)
            out[m] = np.round(model.rsrp(lon[m], lat[m])).astype(np.int16)
            dst.write(out, 1, window=w)
            cells += int(m.sum())
            covered += int((out[m] >= threshold).sum())
        dst.update_tags(generated="true", technology=tech, units="dBm",
                        model="COST-231 Hata + Okumura-Hata clutter corrections, best server",
                        seed=str(seed))
    return {"cells": cells, "covered": covered}


def write_population_raster(lon: np.ndarray, lat: np.ndarray, population: np.ndarray,
                            path: str | Path, grid: Grid, mask: Mask, radius_cells: int = 3,
                            sigma_cells: float = 1.2) -> dict:
    """Spread each village's population around its point into people per cell (Float32).

    Each village's weights (Gaussian over a ``2r+1`` square, only on study-area cells) are
    normalised to 1, so the raster sums to the village population up to float rounding. The
    village's own cell is always in the study area (the mask counts every touched cell).

    Returns
    -------
    dict
        ``total`` (sum of the raster) and ``cells`` (valid cells).
    """
    off = np.arange(-radius_cells, radius_cells + 1)
    dr, dc = (a.ravel() for a in np.meshgrid(off, off, indexing="ij"))
    k = np.exp(-(dr**2 + dc**2) / (2 * sigma_cells**2))
    row0, col0 = grid.rowcol(lon, lat)
    vid = np.repeat(np.arange(len(lon)), len(k))
    row = (row0[:, None] + dr[None, :]).ravel()
    col = (col0[:, None] + dc[None, :]).ravel()
    w = np.tile(k, len(lon))
    keep = (row >= 0) & (row < grid.height) & (col >= 0) & (col < grid.width)
    vid, row, col, w = vid[keep], row[keep], col[keep], w[keep]
    # Entries sorted by tile, so each tile takes one slice (no scan of every entry per tile).
    n_tile_cols = -(-grid.width // TILE)
    tile_id = (row // TILE) * n_tile_cols + col // TILE
    order = np.argsort(tile_id, kind="stable")
    vid, row, col, w, tile_id = vid[order], row[order], col[order], w[order], tile_id[order]
    tiles, starts = np.unique(tile_id, return_index=True)
    ends = np.append(starts[1:], len(tile_id))
    slices = {int(t): slice(a, b) for t, a, b in zip(tiles, starts, ends)}

    def window_of(t: int) -> Window:
        tr, tc = divmod(t, n_tile_cols)
        return Window(tc * TILE, tr * TILE, min(TILE, grid.width - tc * TILE),
                      min(TILE, grid.height - tr * TILE))

    inside = np.zeros(len(w), bool)
    for t, sl in slices.items():
        win = window_of(t)
        m = mask.tile(win)
        if m is not None:
            inside[sl] = m[row[sl] - win.row_off, col[sl] - win.col_off]
    w = np.where(inside, w, 0.0)
    wsum = np.bincount(vid, weights=w, minlength=len(lon))
    share = np.divide(w, wsum[vid], out=np.zeros_like(w), where=wsum[vid] > 0)
    val = np.asarray(population, dtype=float)[vid] * share
    total = 0.0
    cells = 0
    with rasterio.open(path, "w", **grid.profile("float32", POP_NODATA)) as dst:
        for win in grid.windows():
            m = mask.tile(win)
            if m is None or not m.any():
                continue
            acc = np.zeros(win.height * win.width)
            sl = slices.get(int((win.row_off // TILE) * n_tile_cols + win.col_off // TILE))
            if sl is not None:
                flat = (row[sl] - win.row_off) * win.width + (col[sl] - win.col_off)
                acc = np.bincount(flat, weights=val[sl], minlength=win.height * win.width)
            out = np.where(m, acc.reshape(win.height, win.width), POP_NODATA).astype(np.float32)
            dst.write(out, 1, window=win)
            total += float(out[m].astype(np.float64).sum())
            cells += int(m.sum())
        dst.update_tags(generated="true", units="people per cell")
    return {"total": total, "cells": cells}


def _grid_and_mask(areas, bounds, resolution: float) -> tuple[Grid, Mask]:
    if areas is None and bounds is None:
        raise ValueError("give the study-area polygons (areas=) or bounds=")
    geoms = np.asarray(getattr(areas, "geometry", areas)) if areas is not None else None
    if bounds is None:
        bounds = shapely.total_bounds(geoms)
    grid = Grid.covering(bounds, resolution)
    return grid, Mask(grid, geoms if geoms is not None else [shapely.box(*bounds)])


def generate_rsrp_raster(sites, tech: str, path: str | Path, *, areas=None, bounds=None,
                         resolution: float = 0.001, seed: int = 2025,
                         max_distance_km: float = 20.0) -> dict:
    """Write a best-server RSRP GeoTIFF (Int16 dBm, EPSG:4326) of ``tech`` from ``sites``.

    Computed and written tile by tile (256 × 256 cells), only where the study area is, so a
    national 100 m grid never sits in memory.

    Parameters
    ----------
    sites : GeoDataFrame
        From ``generate_sites`` (``technologies``, ``height_m``, ``clutter``).
    tech : {"4g", "5g"}
    path : path of the GeoTIFF
    areas : GeoDataFrame or array of polygons, optional
        Study area (e.g. communes); cells touching no polygon are nodata (−32768).
    bounds : (minx, miny, maxx, maxy), optional
        Grid extent (default: the bounds of ``areas``; without ``areas``, every cell is valid).
    resolution : float
        Cell size in degrees (0.001° ≈ 100 m).
    seed : int
        Seed of the fading field (use the seed the villages were generated with).
    max_distance_km : float

    Returns
    -------
    dict
        ``cells`` written and ``covered`` cells (≥ −105 dBm 4G / −110 dBm 5G).

    Examples
    --------
    >>> generate_rsrp_raster(sites, "4g", "rsrp_4g.tif", areas=communes)  # doctest: +SKIP
    """
    grid, mask = _grid_and_mask(areas, bounds, resolution)
    return write_rsrp_raster(sites, tech, path, grid, mask, seed=seed,
                             max_distance_km=max_distance_km)


def generate_population_raster(villages, path: str | Path, *, areas=None, bounds=None,
                               resolution: float = 0.001) -> dict:
    """Write people per cell (Float32, nodata −9999) spread around the village points.

    The raster sums to the villages' population (float rounding); see
    :func:`write_population_raster`. Parameters as :func:`generate_rsrp_raster`.
    """
    grid, mask = _grid_and_mask(areas, bounds, resolution)
    lon = shapely.get_x(villages.geometry.values)
    lat = shapely.get_y(villages.geometry.values)
    return write_population_raster(lon, lat, villages["population"].to_numpy(dtype=float), path,
                                   grid, mask)
