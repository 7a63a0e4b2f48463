"""Compile the planning kernels once, ahead of the first run.

As for the coverage engine (``geo_cds.analysis.coverage.prepare``): numba compiles the greedy
selection's loop (``_greedy``, every run) and the site cover of large instances
(``_cover_kernel``) on their first call (~10 s here) and keeps the machine code in its disk
cache. ``make install`` runs ``python -m geo_cds.planning.prepare``; a run that finds the cache
cold announces the wait instead of silently doubling its own time.
"""

from __future__ import annotations

import time

import numpy as np

from geo_cds.analysis.coverage.prepare import command, prepare_once

ANNOUNCEMENT = "prepare_planning"  # progress key (its text: geo_cds.labels, section "stage")


def _modules() -> tuple:
    from geo_cds.planning import _cover_kernel, _greedy

    return _greedy, _cover_kernel


def is_ready() -> bool:
    """True when numba's disk cache holds every planning kernel."""
    try:
        from numba.core.registry import CPUDispatcher
    except ImportError:  # without numba the loops run as plain Python: nothing to compile
        return True
    try:
        for module in _modules():
            for f in vars(module).values():
                if isinstance(f, CPUDispatcher) and not f._cache._cache_file._load_index():
                    return False
    except Exception:  # noqa: BLE001 - numba internals: unknown means "prepare again"
        return False
    return True


def prepare() -> float:
    """Compile (or load) the kernels through the functions a run calls, on tiny cases (the
    same argument types, so a run never compiles another version); return the seconds."""
    from geo_cds.planning.budget import SelectionProblem, select_greedy
    from geo_cds.planning.spatial import kernel_cover

    t0 = time.perf_counter()
    select_greedy(SelectionProblem.build([2e8, 1e8], [[0], [0, 1]], [10, 6]), 2e8)
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 5.0]])
    kernel_cover(xy, 2.0, np.array([0, 1, 0]), np.array([3.0, 2.0, 1.0]))
    return time.perf_counter() - t0


def ensure_ready(progress=None) -> float | None:
    """Prepare unless cached; the seconds spent, None if cached (``progress`` as in
    ``geo_cds.analysis.coverage.prepare.ensure_ready``)."""
    return prepare_once(is_ready, prepare, ANNOUNCEMENT, progress)


def main() -> None:
    """``python -m geo_cds.planning.prepare``: what ``make install`` runs."""
    command("planning", ensure_ready)


if __name__ == "__main__":
    main()
