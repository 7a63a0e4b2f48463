"""Zone weights: which cells of a grid each zone covers, and by what fraction.

Computed once per (boundaries, grid, mode) and shared by every raster on that grid; optionally
cached on disk keyed by a hash of the boundaries and of the grid.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

from geo_cds.analysis.coverage import _kernels
from geo_cds.analysis.coverage.grid import Grid, windows_from_rows
from geo_cds.atomic import atomic_file
from geo_cds.errors import LayerError

log = logging.getLogger(__name__)

MODES = ("exact", "fast")
# Bump when the weights' definition or file layout changes, so old cache files are not reused.
WEIGHTS_VERSION = 1


@dataclass
class ZoneWeights:
    """Per-zone cell weights on one grid, bucketed by grid row.

    Full cells come as runs ``[run_a, run_b)`` of zone ``run_z`` in each row (weight 1);
    partly covered cells one by one (``cell_z``, ``cell_c``, weight ``cell_w``). Entries of row r
    are ``run_ptr[r]:run_ptr[r+1]`` and ``cell_ptr[r]:cell_ptr[r+1]``.
    """

    grid_key: str
    mode: str
    n_zones: int
    area: np.ndarray  # zone area in cells (also the part off the grid); 0 for empty zones
    run_ptr: np.ndarray
    run_z: np.ndarray
    run_a: np.ndarray
    run_b: np.ndarray
    cell_ptr: np.ndarray
    cell_z: np.ndarray
    cell_c: np.ndarray
    cell_w: np.ndarray
    n_repaired: int = 0

    def windows(self, band_h: int) -> list:
        """The raster windows that hold every weighted cell, band by band (see
        :func:`geo_cds.analysis.coverage.grid.windows_over`)."""
        lo, hi = _kernels.row_bounds(
            self.run_ptr, self.run_a, self.run_b, self.cell_ptr, self.cell_c
        )
        return windows_from_rows(lo, hi, band_h)

    @property
    def n_cells(self) -> int:
        """Number of (zone, cell) pairs."""
        return int((self.run_b - self.run_a).sum()) + self.cell_w.size

    _ARRAYS = (
        "area",
        "run_ptr",
        "run_z",
        "run_a",
        "run_b",
        "cell_ptr",
        "cell_z",
        "cell_c",
        "cell_w",
    )

    def save(self, path: Path) -> None:
        """Write atomically (:func:`geo_cds.atomic.atomic_file`): never half a file."""
        meta = [self.grid_key, self.mode, str(self.n_zones), str(self.n_repaired),
                str(WEIGHTS_VERSION)]

        def write(tmp: Path) -> None:
            with open(tmp, "xb") as fh:
                np.savez(fh, meta=np.array(meta),
                         **{name: getattr(self, name) for name in self._ARRAYS})

        atomic_file(path, write)

    @classmethod
    def load(cls, path: Path) -> ZoneWeights:
        with np.load(path) as f:
            grid_key, mode, n_zones, n_repaired, _ = (str(v) for v in f["meta"])
            arrays = {name: f[name] for name in cls._ARRAYS}
        return cls(
            grid_key=grid_key, mode=mode, n_zones=int(n_zones), n_repaired=int(n_repaired), **arrays
        )


def boundaries_digest(geoms: np.ndarray, crs_wkt: str) -> str:
    """Hash of the zones' geometry (WKB, in order) and CRS: the boundary half of the cache key."""
    h = hashlib.sha256(crs_wkt.encode())
    wkb = shapely.to_wkb(geoms, hex=False, output_dimension=2, byte_order=1, flavor="iso")
    h.update(np.array([len(b) if b is not None else -1 for b in wkb], np.int64).tobytes())
    for b in wkb:
        if b is not None:
            h.update(b)
    return h.hexdigest()


def cache_path(cache_dir: str | Path, boundaries: str, grid: Grid, mode: str) -> Path:
    key = hashlib.sha256(
        f"{boundaries}|{grid.key()}|{mode}|v{WEIGHTS_VERSION}".encode()
    ).hexdigest()[:32]
    return Path(cache_dir) / f"zone-weights-{key}.npz"


def repair(geoms: np.ndarray) -> tuple[np.ndarray, int]:
    """Make invalid polygons valid (polygonal result only); returns (geoms, number repaired)."""
    geoms = np.asarray(geoms, dtype=object)
    present = ~shapely.is_missing(geoms)
    bad = np.zeros(geoms.shape, bool)
    bad[present] = ~shapely.is_valid(geoms[present])
    n = int(bad.sum())
    if n:
        geoms = geoms.copy()
        geoms[bad] = shapely.make_valid(geoms[bad], method="structure", keep_collapsed=False)
    return geoms, n


def rings_in_pixels(geoms: np.ndarray, grid: Grid):
    """Flatten polygonal geometries into the ring arrays the kernel reads (pixel space).

    Returns x, y, ring_off, ring_hole, zone_ring_off.
    """
    n = len(geoms)
    parts, part_zone = shapely.get_parts(geoms, return_index=True)
    types = shapely.get_type_id(parts)
    # GeometryCollections from repairs or user files: keep their polygonal members, at any
    # depth (a collection may hold multipolygons or collections); its lines and points go
    from_collection = shapely.get_type_id(geoms)[part_zone] == 7
    while (types >= 4).any():
        multi = types >= 4
        sub, sub_idx = shapely.get_parts(parts[multi], return_index=True)
        sub_from = (from_collection[multi] | (types[multi] == 7))[sub_idx]
        parts = np.concatenate([parts[~multi], sub])
        part_zone = np.concatenate([part_zone[~multi], part_zone[multi][sub_idx]])
        from_collection = np.concatenate([from_collection[~multi], sub_from])
        order = np.argsort(part_zone, kind="stable")
        parts, part_zone = parts[order], part_zone[order]
        from_collection = from_collection[order]
        types = shapely.get_type_id(parts)
    other = (types != 3) & ~shapely.is_empty(parts) & ~from_collection
    if other.any():
        zones = np.unique(part_zone[other])[:10]
        kinds = sorted({shapely.GeometryType(t).name.lower() for t in types[other]})
        raise LayerError(
            f"zonal coverage needs polygons; zone position(s) {zones.tolist()} hold "
            f"{', '.join(kinds)} (points: use values_at_points; lines: buffer them first)"
        )
    keep = (types == 3) & ~shapely.is_empty(parts)
    parts, part_zone = parts[keep], part_zone[keep]
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    first = np.ones(len(rings), bool)
    first[1:] = ring_part[1:] != ring_part[:-1]
    ring_hole = ~first
    ring_zone = part_zone[ring_part]
    coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
    ring_off = np.zeros(len(rings) + 1, np.int64)
    np.cumsum(np.bincount(ring_idx, minlength=len(rings)), out=ring_off[1:])
    zone_ring_off = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(ring_zone, minlength=n), out=zone_ring_off[1:])
    x, y = grid.to_pixel(coords[:, 0], coords[:, 1])
    return (np.ascontiguousarray(x), np.ascontiguousarray(y), ring_off, ring_hole, zone_ring_off)


def compute_weights(
    geoms: np.ndarray, grid: Grid, mode: str = "exact", n_repaired: int = 0
) -> ZoneWeights:
    """Zone weights of polygons already in the grid's CRS (and already repaired).

    Parameters
    ----------
    geoms : array of shapely (Multi)Polygons, None or empty allowed
    grid : the raster grid
    mode : "exact" (covered fraction of each cell, as exactextract) or "fast" (1 for each cell
        whose centre is inside the zone)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    x, y, ring_off, ring_hole, zone_ring_off = rings_in_pixels(np.asarray(geoms, object), grid)
    (area, run_z, run_r, run_a, run_b, cell_z, cell_r, cell_c, cell_w) = _kernels.zone_weights(
        x, y, ring_off, ring_hole, zone_ring_off, grid.height, grid.width, mode == "fast"
    )
    if mode == "fast":
        # no partial cells by construction; a "boundary" cell here can only be rounding noise
        cell_w = np.round(cell_w)
    run_perm, run_ptr = _kernels.row_order(run_r, grid.height)
    cell_perm, cell_ptr = _kernels.row_order(cell_r, grid.height)
    return ZoneWeights(
        grid_key=grid.key(),
        mode=mode,
        n_zones=len(geoms),
        area=np.abs(area),
        run_ptr=run_ptr,
        run_z=run_z[run_perm],
        run_a=run_a[run_perm],
        run_b=run_b[run_perm],
        cell_ptr=cell_ptr,
        cell_z=cell_z[cell_perm],
        cell_c=cell_c[cell_perm],
        cell_w=cell_w[cell_perm],
        n_repaired=n_repaired,
    )
