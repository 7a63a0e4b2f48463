"""GENERATED measured speeds: Ookla-format mobile tiles over the sample's villages.

The file has exactly the columns of Ookla's open-data Parquet tiles (``quadkey``, ``tile`` as
WKT, ``avg_d_kbps``, ``avg_u_kbps``, ``avg_lat_ms``, ``avg_lat_down_ms``, ``avg_lat_up_ms``,
``tests``, ``devices``; zoom-16 web-mercator tiles) so that the reader is exercised on the
published schema — but every value is generated, seeded, and labelled so wherever shown.

Calibration: the Speedtest Global Index put Vietnam's median mobile download at 144.5 Mb/s in
February 2025 (Ookla, reported by Thanh Niên 20/03/2025; 134.19 in January, 86.96 in
December 2024), driven by the 5G roll-out in towns. The generator scales that median by the
village's modelled signal (5G-covered ×1.6; 4G RSRP ≥ −95 dBm ×0.55; −105…−95 ×0.3; weaker
×0.1), with a log-normal spread (σ 0.45); uploads are about a quarter of the download,
latency 20-60 ms. Tests are where people are: a share of villages (fewer in the mountains)
has tests in its tile, about one per 60 people per quarter, so small villages fall below the
run's minimum of tests ("not measurable"). Villages sharing a tile share its tests.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as S
from geo_cds.inputs.speeds import quadkey_at, quadkey_bounds

NATIONAL_MEDIAN_MBPS = 144.5  # Speedtest Global Index, Vietnam mobile, February 2025
OOKLA_COLUMNS = ["quadkey", "tile", "avg_d_kbps", "avg_u_kbps", "avg_lat_ms",
                 "avg_lat_down_ms", "avg_lat_up_ms", "tests", "devices"]


def signal_factor(rsrp_4g: np.ndarray, rsrp_5g: np.ndarray) -> np.ndarray:
    """The share of the national median a village's modelled signal gives (NaN: no 4G)."""
    return np.select(
        [rsrp_5g >= -110, rsrp_4g >= -95, rsrp_4g >= -105, rsrp_4g >= -120],
        [1.6, 0.55, 0.3, 0.1], np.nan)


def generate_speed_tiles(villages: gpd.GeoDataFrame, rsrp_4g: np.ndarray,
                         rsrp_5g: np.ndarray, seed: int,
                         mountain: np.ndarray | None = None) -> pd.DataFrame:
    """Ookla-format mobile tiles (one row per zoom-16 tile with tests) over the villages.

    Parameters
    ----------
    villages : GeoDataFrame
        Village points (EPSG:4326) with ``population``.
    rsrp_4g, rsrp_5g : ndarray
        The modelled RSRP at each village (NaN outside the rasters).
    seed : int
        Everything is a function of the villages, the signal and the seed.
    mountain : ndarray of bool, optional
        Villages in mountain communes: fewer of them have tests.
    """
    rng = np.random.default_rng([seed, 36])  # its own stream: the other layers are unchanged
    n = len(villages)
    lon = shapely.get_x(villages.geometry.values)
    lat = shapely.get_y(villages.geometry.values)
    factor = signal_factor(np.nan_to_num(rsrp_4g, nan=-999), np.nan_to_num(rsrp_5g, nan=-999))
    hill = np.zeros(n, bool) if mountain is None else np.asarray(mountain, bool)
    tested = (rng.random(n) < np.where(hill, 0.45, 0.8)) & ~np.isnan(factor)
    pop = pd.to_numeric(villages[S.POPULATION], errors="coerce").fillna(0).to_numpy(float)
    tests = 1 + rng.poisson(np.maximum(pop, 0) / 60.0)
    down = NATIONAL_MEDIAN_MBPS * np.nan_to_num(factor) * np.exp(rng.normal(0, 0.45, n))
    up = down * np.exp(rng.normal(np.log(0.25), 0.3, n))
    lat_ms = 20 + 12 / np.sqrt(np.maximum(np.nan_to_num(factor), 0.1)) + rng.gamma(2, 3, n)
    devices = np.maximum(1, np.round(tests * rng.uniform(0.5, 0.9, n)))
    rows = pd.DataFrame({
        "quadkey": [quadkey_at(x, y) for x, y in zip(lon, lat)],
        "tests": tests, "devices": devices, "d": down * tests, "u": up * tests,
        "l": lat_ms * tests,
    })[tested]
    tiles = rows.groupby("quadkey", sort=True).sum()  # villages sharing a tile share it
    t = tiles["tests"].to_numpy(float)
    lat_mean = tiles["l"].to_numpy() / t
    return pd.DataFrame({
        "quadkey": tiles.index.astype(str),
        "tile": [shapely.to_wkt(shapely.box(*quadkey_bounds(q)), rounding_precision=-1)
                 for q in tiles.index],
        "avg_d_kbps": np.round(tiles["d"].to_numpy() / t * 1000).astype("int64"),
        "avg_u_kbps": np.round(tiles["u"].to_numpy() / t * 1000).astype("int64"),
        "avg_lat_ms": np.round(lat_mean).astype("int64"),
        "avg_lat_down_ms": np.round(lat_mean * 1.8).astype("int64"),
        "avg_lat_up_ms": np.round(lat_mean * 2.4).astype("int64"),
        "tests": tiles["tests"].to_numpy().astype("int64"),
        "devices": tiles["devices"].to_numpy().astype("int64"),
    })[OOKLA_COLUMNS]


def measure_speeds(tiles: pd.DataFrame) -> dict:
    """Figures of the generated tiles, for the sample's README."""
    d = tiles["avg_d_kbps"].to_numpy(float) / 1000
    tests = tiles["tests"].to_numpy()
    order = np.argsort(d)
    cum = np.cumsum(tests[order])
    median = float(d[order][np.searchsorted(cum, cum[-1] / 2)]) if len(d) else float("nan")
    return {"speed_tiles": int(len(tiles)), "speed_tests": int(tests.sum()),
            "speed_test_median_mbps": round(median, 1),
            "speed_tiles_under_10_tests": int((tests < 10).sum())}
