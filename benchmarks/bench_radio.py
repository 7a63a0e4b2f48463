"""The coverage model: best-server 4G RSRP for a province and for the country at 100 m.

Contenders, interleaved in fresh processes (A B A B …, so a change in the machine's load hits
both), each figure printed as median (min–max) over ``--runs``:

* ``numba`` — ``geo_cds.analysis.radio.model.best_server_layer`` (tiled, pruned kernel);
  its first call in the process (numba's cached machine code loaded) beside the second (warm);
* ``terrain`` — the same with a DEM (synthetic hills up to ~1,500 m on the grid): single
  knife-edge diffraction on every path the search evaluates (province only);
* ``numpy`` — the obvious vectorised alternative: per 64 × 64-cell tile, a KD-tree query for
  the stations within reach of the tile, then the (cells × stations) distance matrix and its
  maximum. Province only (at national scale it would take an hour).

Stations are synthetic and seeded: 60 % spread uniformly over the box, 40 % clustered around
towns (Gaussian, 3 km), antenna 20-50 m, suburban/rural by the model's density rule — the
province (Quảng Ngãi's box, 4,000 stations, 1.5 M cells in UTM 49N) and the country (Vietnam's
box 102.1-109.5 °E, 8.5-23.4 °N, 100,000 stations, 8,000 × 16,600 = 133 M cells in UTM 48N).
Each child also reports its peak memory (ru_maxrss).

Usage::

    python benchmarks/bench_radio.py                 # province ×5, country ×5
    python benchmarks/bench_radio.py --runs 3 --no-country
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

CASES = {
    "province": {"bounds": (107.9, 14.5, 109.1, 15.45), "crs": "EPSG:32649", "n": 4000},
    "country": {"bounds": (102.1, 8.5, 109.5, 23.4), "crs": "EPSG:32648", "n": 100_000},
}
MAX_KM = 20.0


def stations(case: str):
    import geopandas as gpd
    import pandas as pd

    spec = CASES[case]
    w, s, e, n = spec["bounds"]
    rng = np.random.default_rng(7)
    k = spec["n"]
    k_uniform = int(k * 0.6)
    towns = np.column_stack([rng.uniform(w, e, max(5, k // 1500)), rng.uniform(s, n, max(5, k // 1500))])
    pick = rng.integers(0, len(towns), k - k_uniform)
    lon = np.concatenate([rng.uniform(w, e, k_uniform),
                          towns[pick, 0] + rng.normal(0, 0.03, len(pick))])
    lat = np.concatenate([rng.uniform(s, n, k_uniform),
                          towns[pick, 1] + rng.normal(0, 0.03, len(pick))])
    frame = pd.DataFrame({"operator": "X", "technology": "4g",
                          "height_m": rng.uniform(20, 50, k), "band_mhz": 1800.0,
                          "environment": None})
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")


def hills(grid) -> np.ndarray:
    """A synthetic DEM on the grid: smooth hills up to ~1,500 m (sums of sines, 3-20 km)."""
    r = np.arange(grid.height)[:, None] * grid.cell
    c = np.arange(grid.width)[None, :] * grid.cell
    z = (400 * (1 + np.sin(c / 9000.0) * np.cos(r / 7000.0))
         + 250 * (1 + np.sin(c / 3100.0 + 1.0) * np.sin(r / 2700.0))
         + 100 * (1 + np.cos((c + r) / 20000.0)))
    return z.astype(np.float32)


def numpy_best_server(x, y, a, b, grid, max_km, tile=64):
    from scipy.spatial import cKDTree

    out = np.full((grid.height, grid.width), -np.inf, np.float32)
    tree = cKDTree(np.column_stack([x, y]))
    max_d = max_km * 1000.0
    half = tile * grid.cell * 0.5 * np.sqrt(2)
    for r0 in range(0, grid.height, tile):
        for c0 in range(0, grid.width, tile):
            r1, c1 = min(r0 + tile, grid.height), min(c0 + tile, grid.width)
            cx = grid.x0 + (np.arange(c0, c1) + 0.5) * grid.cell
            cy = grid.y0 - (np.arange(r0, r1) + 0.5) * grid.cell
            idx = tree.query_ball_point([(cx[0] + cx[-1]) / 2, (cy[0] + cy[-1]) / 2],
                                        max_d + half)
            if not idx:
                continue
            idx = np.asarray(idx)
            gx, gy = np.meshgrid(cx, cy)
            d = np.hypot(gx.ravel()[:, None] - x[idx], gy.ravel()[:, None] - y[idx])
            v = np.where(d <= max_d, a[idx] - b[idx] * np.log10(np.maximum(d, 50.0)), -np.inf)
            out[r0:r1, c0:c1] = v.max(axis=1).reshape(r1 - r0, c1 - c0)
    return out


def child(case: str, impl: str) -> None:
    import resource

    from rasterio.warp import transform_bounds

    from geo_cds.analysis.radio import ModelGrid, station_environments
    from geo_cds.analysis.radio.model import _station_lines, best_server_layer

    spec = CASES[case]
    st = stations(case)
    grid = ModelGrid.covering(transform_bounds("EPSG:4326", spec["crs"], *spec["bounds"]),
                              spec["crs"], 100.0)
    env = station_environments(st)
    pts = st.geometry.to_crs(grid.crs)
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    a, b = _station_lines(st, "4g", env, 1.5)
    terrain = None
    if impl == "terrain":
        from geo_cds.analysis.radio.model import Terrain, _bands

        dem = hills(grid)
        col = np.clip(((x - grid.x0) / grid.cell).astype(int), 0, grid.width - 1)
        row = np.clip(((grid.y0 - y) / grid.cell).astype(int), 0, grid.height - 1)
        terrain = Terrain(dem, dem[row, col] + st["height_m"].to_numpy(),
                          299.792458 / _bands(st, "4g"))
    times = []
    for _ in range(2 if impl != "numpy" else 1):
        t0 = time.perf_counter()
        if impl in ("numba", "terrain"):
            out = best_server_layer(x, y, a, b, grid, MAX_KM, terrain)
        else:
            out = numpy_best_server(x, y, a, b, grid, MAX_KM)
        times.append(time.perf_counter() - t0)
        covered = float(np.mean(out >= -105.0))
        del out
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(json.dumps({"case": case, "impl": impl, "first": times[0], "warm": times[-1],
                      "cells": grid.width * grid.height, "stations": len(st),
                      "covered": covered, "peak_gb": peak}))


def run_child(case: str, impl: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", case, impl], check=True,
                         capture_output=True, text=True, env={**os.environ})
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt(values) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--no-country", action="store_true")
    p.add_argument("--child", nargs=2)
    args = p.parse_args()
    if args.child:
        child(*args.child)
        return
    plan = [("province", "numba"), ("province", "terrain"), ("province", "numpy")]
    if not args.no_country:
        plan.append(("country", "numba"))
    results: dict[tuple[str, str], list[dict]] = {k: [] for k in plan}
    for i in range(args.runs):
        for key in plan:
            results[key].append(run_child(*key))
            print(f"round {i + 1}: {key} {results[key][-1]}", file=sys.stderr, flush=True)
    for (case, impl), rows in results.items():
        r = rows[0]
        line = (f"{case:8s} {impl:7s} {r['stations']:>7,} stations, {r['cells'] / 1e6:6.1f} M "
                f"cells: first call {fmt([x['first'] for x in rows])}")
        if impl != "numpy":
            line += f", warm {fmt([x['warm'] for x in rows])}"
        line += (f"; peak {max(x['peak_gb'] for x in rows):.2f} GB; "
                 f"covered ≥ −105 dBm {r['covered']:.1%}")
        print(line)
    if ("province", "numpy") in results:
        ratios = [n["first"] / m["first"] for n, m in zip(results[("province", "numpy")],
                                                           results[("province", "numba")])]
        print(f"province: numpy / numba (first call, pair by pair) {statistics.median(ratios):.1f}× "
              f"({min(ratios):.1f}–{max(ratios):.1f})")


if __name__ == "__main__":
    main()
