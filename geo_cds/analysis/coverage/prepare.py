"""Compile the coverage kernels once, ahead of the first run.

numba compiles the kernels of ``_kernels`` on their first call (10–20 s on a small machine)
and keeps the machine code in its disk cache (``cache=True``: ``__pycache__`` beside the
module, else numba's per-user cache folder); every later process loads it in well under a
second. ``prepare()`` makes that first call on a tiny case, so that the compilation happens
at install time (``make install`` runs ``python -m geo_cds.analysis.coverage.prepare``) or is
announced by the first run, instead of silently doubling the first run's time.

The kernels see raster windows as float32 or float64 only (``grid.kernel_block``), so the
tiny case below covers every version a run can ask for.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from geo_cds.analysis.coverage import _kernels, display

# Kernels called with a raster window, and the window types each must be compiled for.
_WINDOW_KERNELS = ("accumulate", "point_values", "block_means")
_WINDOW_TYPES = {"float32", "float64"}
# The progress key of the wait (its text: geo_cds.labels, section "stage").
ANNOUNCEMENT = "prepare_coverage"


def _dispatchers() -> dict:
    from numba.core.registry import CPUDispatcher

    return {name: f for module in (_kernels, display) for name, f in vars(module).items()
            if isinstance(f, CPUDispatcher)}


def is_ready() -> bool:
    """True when numba's disk cache holds every kernel in every version a run uses.

    Reads numba's cache index files (which numba itself discards when the source changed);
    an unreadable index counts as not ready, so the worst case is one needless announcement.
    """
    if not _kernels.HAVE_NUMBA:
        return True
    try:
        for name, f in _dispatchers().items():
            index = f._cache._cache_file._load_index()  # {(signature, target, …): file}
            if not index:
                return False
            if name in _WINDOW_KERNELS:
                seen = {str(key[0][0].dtype) for key in index}
                if not _WINDOW_TYPES <= seen:
                    return False
    except Exception:  # noqa: BLE001 - numba internals: unknown means "prepare again"
        return False
    return True


def prepare() -> float:
    """Compile (or load) every kernel version on a 4 × 4 raster; return the seconds it took."""
    import geopandas as gpd
    import rasterio
    from rasterio.transform import from_origin
    from shapely.geometry import Point, box

    from geo_cds.analysis.coverage import Displays, values_at_points, zonal_coverage

    t0 = time.perf_counter()
    zones = gpd.GeoDataFrame(geometry=[box(0.5, 0.5, 2.5, 2.5)], crs="EPSG:4326")
    points = gpd.GeoDataFrame(geometry=[Point(1.2, 1.7)], crs="EPSG:4326")
    with tempfile.TemporaryDirectory(prefix="geo-cds-prepare-") as folder:
        for dtype in sorted(_WINDOW_TYPES):
            path = Path(folder) / f"{dtype}.tif"
            with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1,
                               dtype=dtype, crs="EPSG:4326", transform=from_origin(0, 4, 1, 1),
                               nodata=-9999.0) as dst:
                dst.write(np.arange(16, dtype=dtype).reshape(4, 4), 1)
            for mode in ("exact", "fast"):
                zonal_coverage(zones, {"r": path}, thresholds={"r": 5.0}, population=path,
                               mode=mode, display=Displays({"r"}, side=2))
            values_at_points(points, path)
            values_at_points(points, path, radius_m=1000.0)
    return time.perf_counter() - t0


def ensure_ready(progress=None) -> float | None:
    """Prepare the kernels unless they are cached; return the seconds spent, None if cached.

    ``progress(label, None)`` is called before and ``progress(label, seconds)`` after, so a
    caller can announce the wait (see ``geo_cds.pipeline.Progress``).
    """
    return prepare_once(is_ready, prepare, ANNOUNCEMENT, progress)


def prepare_once(ready, compile_, announcement: str, progress=None) -> float | None:
    """``compile_()`` unless ``ready()``, announced through ``progress`` (shared with the
    coverage model's kernels, ``geo_cds.analysis.radio.prepare``)."""
    if ready():
        return None
    if progress:
        progress(announcement, None)
    seconds = compile_()
    if progress:
        progress(announcement, seconds)
    return seconds


def command(what: str, ensure) -> None:
    """The body of ``python -m …prepare`` (what ``make install`` runs): ``ensure(show)``."""

    def show(label: str, seconds: float | None) -> None:
        print(f"{label}…" if seconds is None else f" {seconds:.1f} s", end="", flush=True)

    if ensure(show) is None:
        print(f"{what}: compiled kernels already cached")
    else:
        print()


def main() -> None:
    """``python -m geo_cds.analysis.coverage.prepare``: what ``make install`` runs."""
    command("coverage engine", ensure_ready)


if __name__ == "__main__":
    main()
