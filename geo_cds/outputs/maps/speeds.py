"""The measured-speed layer of the map: Ookla tiles (or test points) as compact columns.

Tiles travel as their bounds (west, south, east, north in degrees × 1e5); test points as
lon/lat. Each carries its average download, upload, latency, tests and devices; the legend
classes start at the download targets (4G and 5G), and a tile with fewer tests than the run's
minimum is drawn as "not measurable".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.outputs.maps.data import NODATA_COLOUR, column_array, column_values
from geo_cds.outputs.maps.geometry import SCALE

# Yellow to dark green: apart from the red-to-blue communes and the village gap colours.
SPEED_COLOURS = ["#ffffcc", "#c2e699", "#78c679", "#31a354", "#006837"]


def _fmt(x: float, lang: str) -> str:
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "vi" else text


def speed_scale(target_4g: float, target_5g: float, lang: str,
                T: Mapping[str, str]) -> dict[str, Any]:
    """Classes of download speed: below 10, below the 4G target, below the 5G target, below
    twice it, above; then "not measurable" (too few tests)."""
    breaks = [10.0, float(target_4g), float(target_5g), 2.0 * float(target_5g)]
    edges = [_fmt(b, lang) for b in breaks]
    names = [f"< {edges[0]} Mb/s", f"{edges[0]} – {edges[1]} Mb/s",
             f"{edges[1]} – {edges[2]} Mb/s ({T['speed_meets_4g']})",
             f"{edges[2]} – {edges[3]} Mb/s ({T['speed_meets_5g']})", f"≥ {edges[3]} Mb/s"]
    legend = [{"colour": c, "label": n} for c, n in zip(SPEED_COLOURS, names)]
    legend.append({"colour": NODATA_COLOUR, "label": T["speed_too_few"]})
    return {"breaks": breaks, "colours": SPEED_COLOURS, "nodata": NODATA_COLOUR,
            "legend": legend}


def village_source_columns(villages: gpd.GeoDataFrame) -> dict[str, Any]:
    """The villages' coverage source (0 none, 1 reported, 2 modelled) and measured and
    reported speeds, for their popups — over the located villages, as the village payload
    (arrays, as :func:`.data.column_array`; the village payload encodes them)."""
    villages = villages[~(villages.geometry.isna() | villages.geometry.is_empty)]
    out: dict[str, list] = {}
    sources = ("none", "reported", "modelled")
    if s.COVERAGE_SOURCE in villages.columns:
        found = pd.Index(sources).get_indexer(villages[s.COVERAGE_SOURCE].astype("string"))
        out["cov_src"] = np.where(found < 0, 0, found)
    for key, column, integer in (("speed", s.DOWNLOAD_MEASURED, False),
                                 ("speed_tests", s.SPEED_TESTS_N, True),
                                 ("speed_reported", s.DOWNLOAD_MBPS, False)):
        values = column_array(villages, column, digits=None if integer else 1,
                              integer=integer)
        if values is not None:
            out[key] = values
    return out


def speeds_payload(speeds: gpd.GeoDataFrame | None, info: Mapping[str, Any] | None,
                   targets: Mapping[str, float], lang: str,
                   T: Mapping[str, str]) -> dict[str, Any] | None:
    """The speed layer's columns, scale and source (None without speed tests)."""
    if speeds is None or not len(speeds):
        return None
    geoms = np.asarray(speeds.to_crs(s.WGS84).geometry.values, dtype=object)
    points = bool((shapely.get_type_id(geoms) == 0).all())
    out: dict[str, Any] = {"kind": "points" if points else "tiles"}
    if points:
        xy = np.round(shapely.get_coordinates(geoms) * SCALE).astype(np.int64)
        out |= {"lon": xy[:, 0].tolist(), "lat": xy[:, 1].tolist()}
    else:
        b = np.round(shapely.bounds(geoms) * SCALE).astype(np.int64)
        out |= {"w": b[:, 0].tolist(), "s": b[:, 1].tolist(), "e": b[:, 2].tolist(),
                "n": b[:, 3].tolist()}
    info = dict(info or {})
    out |= {
        "down": column_values(speeds, s.SPEED_DOWNLOAD, digits=1),
        "up": column_values(speeds, s.SPEED_UPLOAD, digits=1),
        "latency": column_values(speeds, s.SPEED_LATENCY, integer=True),
        "tests": column_values(speeds, s.SPEED_TESTS, integer=True),
        "devices": column_values(speeds, s.SPEED_DEVICES, integer=True),
        "name": str(info.get("name") or ""),
        "mobile": bool(info.get("mobile", True)),
        "min_tests": int(info.get("min_tests", 1)),
        "scale": speed_scale(targets.get("download_4g", 40.0),
                             targets.get("download_5g", 100.0), lang, T),
    }
    return out
