"""Compile the coverage model's kernels once, ahead of the first run that models coverage.

As for the coverage engine (``geo_cds.analysis.coverage.prepare``): numba compiles on the first
call (~10 s here) and keeps the machine code in its disk cache; ``make install`` runs
``python -m geo_cds.analysis.radio.prepare`` so that a first ``coverage-model`` or a first run
with ``[coverage_model]`` does not compile silently (when the cache is cold they announce it).
"""

from __future__ import annotations

import time

import numpy as np

from geo_cds.analysis.coverage.prepare import command, prepare_once
from geo_cds.analysis.radio import _kernels

# The kernels called from Python (the others are compiled into them).
ENTRY_KERNELS = ("bucket_stations", "best_server", "best_server_terrain")
ANNOUNCEMENT = "prepare_radio"  # progress key (its text: geo_cds.labels, section "stage")


def is_ready() -> bool:
    """True when numba's disk cache holds every kernel called from Python."""
    if not _kernels.HAVE_NUMBA:
        return True
    try:
        for name in ENTRY_KERNELS:
            if not getattr(_kernels, name)._cache._cache_file._load_index():
                return False
    except Exception:  # noqa: BLE001 - numba internals: unknown means "prepare again"
        return False
    return True


def prepare() -> float:
    """Compile (or load) the kernels (flat and with terrain) on a 3 × 3 grid; return the
    seconds it took."""
    from geo_cds.analysis.radio.model import ModelGrid, Terrain, best_server_layer

    t0 = time.perf_counter()
    for crs in ("EPSG:32648", "EPSG:4326"):
        cell = 100.0 if crs != "EPSG:4326" else 0.001
        grid = ModelGrid.covering((0.0, 0.0, 3 * cell, 3 * cell), crs, cell)
        one = (np.array([cell]), np.array([cell]), np.array([0.0]), np.array([35.0]), grid, 20.0)
        best_server_layer(*one)
        best_server_layer(*one, Terrain(np.zeros((3, 3), np.float32), np.array([30.0]),
                                        np.array([0.17])))
    return time.perf_counter() - t0


def ensure_ready(progress=None) -> float | None:
    """Prepare unless cached; the seconds spent, None if cached (``progress`` as in
    ``geo_cds.analysis.coverage.prepare.ensure_ready``)."""
    return prepare_once(is_ready, prepare, ANNOUNCEMENT, progress)


def main() -> None:
    """``python -m geo_cds.analysis.radio.prepare``: what ``make install`` runs."""
    command("coverage model", ensure_ready)


if __name__ == "__main__":
    main()
