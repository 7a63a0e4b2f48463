"""Georeferencing: place a layer's features in EPSG:4326.

Points are built from a table's coordinate columns; the CRS comes from the plan
(``source_crs``), the file, or — for longitude/latitude in Vietnam only — is assumed. VN-2000
CRSs get the official datum shift (:func:`geo_cds.inputs.crs.resolve_crs`). A layer in metres
without a CRS is refused with the likely VN-2000 zones named: geo-cds does not guess.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs import crs as vncrs
from geo_cds.inputs.codes import units_2025, units_pre2025
from geo_cds.inputs.columns import ALIASES, X_ALIASES, Y_ALIASES, find_column
from geo_cds.inputs.layer import SOURCE_FILE, SOURCE_ROW, Layer
from geo_cds.inputs.tables import parse_code, parse_number


def georeference(layer: Layer, raw: pd.DataFrame, path: Path) -> gpd.GeoDataFrame | None:
    """``raw`` (one file of the layer) in EPSG:4326; None when it cannot be placed."""
    if "geometry" not in raw or not isinstance(raw, gpd.GeoDataFrame):
        return _points_from_table(layer, raw, path)
    return _to_wgs84(layer, raw, path)


def _points_from_table(layer: Layer, raw: pd.DataFrame, path: Path) -> pd.DataFrame | None:
    spec = layer.spec
    cols = [str(c) for c in raw.columns]
    xcol = spec.x or find_column(cols, X_ALIASES)
    ycol = spec.y or find_column(cols, Y_ALIASES)
    for given, col in ((spec.x, xcol), (spec.y, ycol)):
        if given and given not in cols:
            layer.layer_error(
                f"coordinate column {given!r} named in the plan is not in the "
                f"file (columns: {', '.join(cols)})",
                "fix x / y for this input in the plan",
                file=path,
            )
            return None
    if xcol is None or ycol is None:
        if layer.name == "villages":
            layer.no_xy_columns = True
            layer.layer_warning(
                "the table has no coordinate columns: villages are located "
                "by their commune code only",
                "add lon/lat (or x/y) columns to place villages on the map "
                "and check them against their commune",
                file=path,
            )
            return gpd.GeoDataFrame(raw, geometry=gpd.GeoSeries([None] * len(raw)), crs=S.WGS84)
        layer.layer_error(
            "a table without coordinate columns cannot be placed",
            "add lon/lat (or x/y) columns, or name them with x = / y = for this "
            "input in the plan",
            file=path,
        )
        return None
    xs, badx = parse_number(raw[xcol])
    ys, bady = parse_number(raw[ycol])
    missing = xs.isna() & ys.isna() & ~badx & ~bady
    partial = (xs.isna() ^ ys.isna()) | badx | bady
    raw = raw.drop(columns=[xcol, ycol])
    layer.row_problems(
        raw,
        partial,
        f"{xcol}/{ycol}",
        lambda r: "coordinates unreadable or only one of the two given",
        "give both coordinates as numbers (or leave both empty)",
        kind="coordinates unreadable or only one of the two given",
    )
    if layer.name != "villages":
        layer.row_problems(
            raw, missing, f"{xcol}/{ycol}", "no coordinates", "give the feature's coordinates"
        )
    pts = gpd.points_from_xy(
        xs.where(~partial & ~missing, np.nan), ys.where(~partial & ~missing, np.nan)
    )
    geom = gpd.GeoSeries(pts).where(~(partial | missing), None)
    frame = gpd.GeoDataFrame(raw, geometry=geom.values)
    ok = ~(geom.isna() | geom.is_empty)
    bounds = tuple(gpd.GeoSeries(geom[ok]).total_bounds) if ok.any() else None
    if spec.source_crs:
        frame = frame.set_crs(spec.source_crs, allow_override=True)
    elif bounds is None or _kind(frame.geometry[ok.values]) == "degrees":
        frame = frame.set_crs(S.WGS84)
    else:
        frame = frame.set_crs(None, allow_override=True)
        return _no_crs(layer, frame, path, bounds)
    return _to_wgs84(layer, frame, path)


def _no_crs(layer: Layer, frame, path, bounds) -> None:
    if _kind(frame.geometry) == "metres":
        provinces, vintage = layer.context.province_codes(), "2025"
        if not provinces:
            provinces, vintage = _provinces_in(frame), "any"
        zones = vncrs.likely_zones(
            bounds, provinces, vintage=vintage, target_bounds=layer.context.bounds()
        )
        layer.layer_error(
            "no coordinate reference system (no .prj / CRS) and the coordinates look like "
            f"VN-2000 metres (x {bounds[0]:.0f}–{bounds[2]:.0f}, y {bounds[1]:.0f}–"
            f"{bounds[3]:.0f}); likely zones: {'; '.join(zones)}",
            "set source_crs = 'EPSG:…' for this input in the plan (the zone the data was "
            "surveyed in), or add the .prj; geo-cds does not guess",
            file=path,
        )
    else:
        layer.layer_error(
            "no coordinate reference system and the coordinates "
            f"({bounds[0]:.4g}, {bounds[1]:.4g}) – ({bounds[2]:.4g}, {bounds[3]:.4g}) are "
            "neither longitude/latitude in Vietnam nor VN-2000 metres",
            "set source_crs = 'EPSG:…' for this input in the plan",
            file=path,
        )


def _to_wgs84(layer: Layer, frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame | None:
    spec = layer.spec
    geoms = frame.geometry
    ok = ~(geoms.isna() | geoms.is_empty)
    bounds = tuple(geoms[ok].total_bounds) if ok.any() else None
    if spec.source_crs:
        if frame.crs is not None and not frame.crs.equals(spec.source_crs):
            layer.layer_warning(
                f"the file's CRS ({frame.crs.name}) is overridden by "
                f"source_crs = {spec.source_crs!r} from the plan",
                "none needed if the plan is right",
                file=path,
            )
        frame = frame.set_crs(spec.source_crs, allow_override=True)
    elif frame.crs is None:
        if bounds is None:
            frame = frame.set_crs(S.WGS84)
        elif _kind(geoms[ok]) == "degrees":
            frame = frame.set_crs(S.WGS84)
            if path.suffix.lower() not in (".geojson", ".json", ".csv", ".xlsx", ".txt"):
                layer.layer_warning(
                    "no CRS in the file; the coordinates are longitude/"
                    "latitude in Vietnam, read as EPSG:4326 (WGS 84)",
                    "add a .prj or set source_crs for this input",
                    file=path,
                )
        else:
            return _no_crs(layer, frame, path, bounds)
    resolved = vncrs.resolve_crs(frame.crs)
    if resolved.note:
        layer.layer_warning(
            resolved.note,
            "none needed if the CRS is right; otherwise set source_crs for this input",
            file=path,
        )
    frame = frame.set_crs(resolved.crs, allow_override=True)
    if not frame.crs.equals(S.WGS84):
        frame = frame.to_crs(S.WGS84)
    if ok.any():
        b = tuple(frame.geometry[ok.values].total_bounds)
        if _kind(frame.geometry[ok.values]) != "degrees":
            # Most features outside Vietnam: the CRS is wrong (a few strays are rejected
            # one by one in the geometry checks).
            layer.layer_error(
                f"after reprojection from {resolved.crs.name} the features lie at "
                f"({b[0]:.3f}, {b[1]:.3f}) – ({b[2]:.3f}, {b[3]:.3f}), outside Vietnam: the "
                "CRS is wrong (or x and y are swapped)",
                "set source_crs for this input to the CRS the coordinates really are in",
                file=path,
            )
            return None
    return frame


def _provinces_in(raw: pd.DataFrame) -> list[str]:
    """Province codes a raw layer names: its province-code column, or its commune codes."""
    cols = [c for c in raw.columns if c not in ("geometry", SOURCE_ROW, SOURCE_FILE)]
    col = find_column(cols, (S.PROVINCE_CODE, *ALIASES[S.PROVINCE_CODE]))
    if col is not None:
        codes, _, _ = parse_code(raw[col], 2)
        return sorted(codes.dropna().unique())
    col = find_column(cols, (S.COMMUNE_CODE, *ALIASES[S.COMMUNE_CODE]))
    if col is None:
        return []
    codes, _, _ = parse_code(raw[col], 5)
    found = set(codes.dropna())
    out = set(units_2025().loc[lambda u: u["commune_code"].isin(found), "province_code"])
    out |= set(units_pre2025().loc[lambda u: u["commune_code"].isin(found), "province_code"])
    return sorted(out)


def _kind(geoms: gpd.GeoSeries) -> str | None:
    """ "degrees" / "metres" / None for geometries without a CRS (see classify_coordinates)."""
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms):
        return None
    b = geoms.bounds
    return vncrs.classify_coordinates((b["minx"] + b["maxx"]) / 2, (b["miny"] + b["maxy"]) / 2)
