"""Validation of a layer's rows: required values, geometry types and validity, duplicates.

Each check records one problem per offending row on the :class:`~geo_cds.inputs.layer.Layer`
(rejected rows are dropped by the reader at the end); a repair (an invalid polygon made valid)
is a warning and the row is kept.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds.inputs import crs as vncrs
from geo_cds.inputs.layer import ID_COLUMN, SOURCE_ROW, Layer

# Allowed geometry types per layer (shapely type names, Multi* included).
GEOM_TYPES = {
    "communes": {"Polygon", "MultiPolygon"},
    "villages": {"Point", "MultiPoint", "Polygon", "MultiPolygon"},
    "parks": {"Polygon", "MultiPolygon"},  # 5G coverage is measured over the park's area
    "streets": {"LineString", "MultiLineString", "Point", "MultiPoint"},
    "sites": {"Point", "MultiPoint"},
    "stations": {"Point"},
    "fibre": {"Point", "MultiPoint", "LineString", "MultiLineString"},
}


def check_required_values(layer: Layer, out: gpd.GeoDataFrame) -> None:
    """Reject rows whose required values are empty (or were unreadable)."""
    for canon in layer.required:
        empty = out[canon].isna()
        layer.row_problems(
            out,
            empty & ~layer.already_rejected(out),
            canon,
            f"required value {canon!r} is empty (or was unreadable)",
            f"fill in {canon!r} or remove the row",
        )


def check_geometry(layer: Layer, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Empty, wrongly typed, invalid and out-of-Vietnam geometries; invalid ones repaired."""
    name = layer.name
    geoms = frame.geometry
    missing = geoms.isna() | geoms.is_empty
    live = ~layer.already_rejected(frame)
    if name != "villages":
        layer.row_problems(
            frame,
            missing & live,
            "geometry",
            "empty geometry",
            "draw the feature or remove the row",
        )
    elif not layer.no_xy_columns:
        # Villages may be located by their commune code only; say so row by row when the
        # file could have placed them.
        layer.row_problems(
            frame,
            missing & live,
            "geometry",
            "no location: the village is placed by its commune code only",
            "give its coordinates to check it against its commune",
            severity="warning",
            changed=False,
        )
    present = ~missing
    types = geoms.geom_type
    wrong = present & ~types.isin(GEOM_TYPES[name])
    layer.row_problems(
        frame,
        wrong,
        "geometry",
        lambda r: (
            f"geometry type {r.geometry.geom_type} is not allowed for "
            f"{name} ({', '.join(sorted(GEOM_TYPES[name]))})"
        ),
        "fix the geometry type or check that this is the right file",
        kind="geometry type not allowed",
    )
    invalid = present & ~wrong & ~geoms.is_valid
    if invalid.any():
        reasons = shapely.is_valid_reason(geoms[invalid].values)
        repaired = geoms.copy()
        fixed = shapely.make_valid(geoms[invalid].values)
        # A repaired polygon stays a polygon (make_valid may add stray lines or points).
        was_polygon = types[invalid].isin(["Polygon", "MultiPolygon"]).to_numpy()
        fixed = np.array(
            [_polygonal(g) if p else g for g, p in zip(fixed, was_polygon)], dtype=object
        )
        ok_fix = ~(shapely.is_empty(fixed) | pd.isna(fixed))
        repaired[invalid[invalid].index[ok_fix]] = fixed[ok_fix]
        frame = frame.set_geometry(repaired)
        rmap = dict(zip(invalid[invalid].index, reasons))
        fix_mask = invalid.copy()
        fix_mask[invalid[invalid].index[~ok_fix]] = False
        layer.row_problems(
            frame,
            fix_mask,
            "geometry",
            lambda r: f"invalid geometry ({rmap[r.name]}) repaired with make_valid",
            "fix the geometry in a GIS",
            severity="warning",
            kind="invalid geometry repaired with make_valid",
        )
        bad = invalid & ~fix_mask
        layer.row_problems(
            frame,
            bad,
            "geometry",
            lambda r: f"invalid geometry ({rmap[r.name]}) that cannot be repaired",
            "fix the geometry in a GIS",
            kind="invalid geometry that cannot be repaired",
        )
    if present.any():
        b = geoms.bounds
        outside = present & (
            (b["minx"] < vncrs.VN_LON[0])
            | (b["maxx"] > vncrs.VN_LON[1])
            | (b["miny"] < vncrs.VN_LAT[0])
            | (b["maxy"] > vncrs.VN_LAT[1])
        )
        layer.row_problems(
            frame,
            outside & ~wrong,
            "geometry",
            lambda r: (
                "the feature lies outside Vietnam "
                f"({r.geometry.centroid.x:.4f}, "
                f"{r.geometry.centroid.y:.4f})"
            ),
            "check its coordinates (swapped x/y? wrong CRS?)",
            kind="the feature lies outside Vietnam",
        )
    return frame


def check_duplicates(layer: Layer, frame: gpd.GeoDataFrame) -> None:
    """Exact copies of a row are dropped; an id shared by different rows rejects them all."""
    id_col = ID_COLUMN[layer.name]
    if id_col not in frame or frame[id_col].isna().all():
        return
    ids = frame[id_col]
    dup = ids.notna() & ids.duplicated(keep=False)
    if not dup.any():
        return
    sub = frame[dup]
    key = sub[list(layer.columns)].astype("string").fillna("<NA>").agg("|".join, axis=1)
    key = key + "|" + sub.geometry.to_wkb().map(lambda b: b.hex() if b else "")
    first_row = sub.groupby(id_col)[SOURCE_ROW].transform("min")
    identical = pd.Series(False, index=frame.index)
    identical[sub.index] = key.duplicated(keep="first").to_numpy()
    same_group = frame[dup].groupby(id_col)[id_col].transform("size")
    # Exact copies of an earlier row are dropped (one copy kept); ids shared by different
    # rows reject every row with that id — which of them is right cannot be told.
    distinct = frame[dup & ~identical].groupby(id_col)[id_col].transform("size")
    conflict = pd.Series(False, index=frame.index)
    conflict[distinct.index] = distinct > 1
    layer.row_problems(
        frame,
        identical,
        id_col,
        lambda r: (
            f"duplicate of row {first_row[r.name]} (same {id_col} "
            f"{r[id_col]!r} and the same values): dropped"
        ),
        "remove the duplicate row",
        kind="exact duplicate of an earlier row: dropped",
    )
    layer.row_problems(
        frame,
        conflict,
        id_col,
        lambda r: (
            f"{id_col} {r[id_col]!r} is used by {same_group[r.name]} "
            "rows with different values: every one is rejected"
        ),
        f"give each row its own {id_col}",
        kind=f"{id_col} used by several rows with different values: every one is rejected",
    )


def _polygonal(geom):
    """Keep the polygonal part of a make_valid result."""
    if geom is None:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)
