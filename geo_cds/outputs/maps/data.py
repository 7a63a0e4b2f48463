"""Turn the pipeline's GeoDataFrames into the compact JSON the map's JavaScript reads.

Polygons are encoded as delta-encoded integer coordinates (degrees x 1e5, about 1 m): a
vertex costs ~7 characters instead of ~21 in GeoJSON, which is what keeps a national map
(3,321 communes, 452k vertices, ~64k villages) well under 25 MB. Villages travel as columns
(one per attribute), not one object per village, each compactly encoded (:mod:`.columns`).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.analysis.operators import share_col
from geo_cds.errors import LayerError
from geo_cds.outputs.maps import geocache
from geo_cds.outputs.maps.geometry import (
    commune_geometry,
    province_outlines,
    round_geoms,
)

# ---------------------------------------------------------------------------------------------
# Colour scales, shared by the layer styles and the legends.

SHARE_BREAKS = [0.5, 0.8, 0.95, 0.9999]
# Red (far from the target) to blue (target met): kept apart from the green/orange/red/purple
# of the village gap statuses drawn on top.
SHARE_COLOURS = ["#b2182b", "#ef8a62", "#fddbc7", "#92c5de", "#2166ac"]
GAP_BREAKS = [1, 3, 6, 11]
GAP_COLOURS = ["#2166ac", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"]
NODATA_COLOUR = "#bdbdbd"
# Parks and cashless streets get hues of their own (violet, teal), so a park or a street is never
# read as a commune of the red-to-blue choropleth or as a village of the gap statuses.
PARK_COLOURS = ["#efedf5", "#cbc9e2", "#9e9ac8", "#756bb1", "#54278f"]
STREET_COLOURS = ["#d8f3f1", "#99d8d3", "#4fb3ad", "#1f8a85", "#0b5350"]

GAP_STATUSES = ("ok", "fibre", "mobile", "mobile_fibre", "unknown")
GAP_STATUS_COLOURS = {
    "ok": "#1a9641",
    "fibre": "#f39c12",
    "mobile": "#d7191c",
    "mobile_fibre": "#6a1b9a",
    "unknown": "#8c8c8c",
}

INTERVENTION_STYLES = {
    "new_4g_site": {"colour": "#212121"},
    "5g_upgrade": {"colour": "#c51b7d"},
    "fibre_route": {"colour": "#ff7f00", "dash": "7 5"},
    "other": {"colour": "#555555"},
}

# Indicator switch of the commune choropleth: column -> colour scale and value kind.
INDICATORS = {
    s.SHARE_4G: ("share", "share"),
    # each source apart: the village list's (reported) and the rasters' (modelled) 4G
    "share_villages_4g_reported": ("share", "share"),
    "share_villages_4g_modelled": ("share", "share"),
    s.SHARE_5G: ("share", "share"),
    s.SHARE_FIBRE: ("share", "share"),
    s.SHARE_HH_FIBRE: ("share", "share"),
    s.pop_share("4g"): ("share", "share"),
    s.pop_share("5g"): ("share", "share"),
    s.N_VILLAGE_GAPS: ("gaps", "count"),
}



def operator_indicators(columns: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The per-operator village shares among ``columns``: column -> (technology, operator)."""
    return {share_col(t, op): (t, op) for t in ("4g", "5g") for op in s.OPERATORS
            if share_col(t, op) in columns}


def normalise_name(text: str) -> str:
    """Lower-case ``text`` without diacritics, for search ("Lân Phong" -> "lan phong").

    ``đ``/``Đ`` have no Unicode decomposition, so they are mapped to ``d`` explicitly. The
    map's JavaScript applies the same rule.
    """
    decomposed = unicodedata.normalize("NFD", str(text))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "d")
    return " ".join(stripped.lower().split())


def _fmt_pct(value: float, lang: str) -> str:
    text = f"{value * 100:g}%"
    return text.replace(".", ",") if lang == "vi" else text


def _share_legend(lang: str, labels: Mapping[str, str],
                  colours: Sequence[str] = SHARE_COLOURS) -> list[dict[str, str]]:
    edges = [0.5, 0.8, 0.95]
    names = [
        f"< {_fmt_pct(edges[0], lang)}",
        f"{_fmt_pct(edges[0], lang)} – {_fmt_pct(edges[1], lang)}",
        f"{_fmt_pct(edges[1], lang)} – {_fmt_pct(edges[2], lang)}",
        f"≥ {_fmt_pct(edges[2], lang)} ({labels['below_100']})",
        "100%",
    ]
    rows = [{"colour": c, "label": n} for c, n in zip(colours, names)]
    rows.append({"colour": NODATA_COLOUR, "label": labels["no_data"]})
    return rows


def _gap_legend(labels: Mapping[str, str]) -> list[dict[str, str]]:
    names = ["0", "1–2", "3–5", "6–10", "> 10"]
    rows = [{"colour": c, "label": n} for c, n in zip(GAP_COLOURS, names)]
    rows.append({"colour": NODATA_COLOUR, "label": labels["no_data"]})
    return rows


def scales(lang: str, labels: Mapping[str, str]) -> dict[str, Any]:
    """Colour scales with their legend rows, as the JavaScript expects them."""
    return {
        "share": {"breaks": SHARE_BREAKS, "colours": SHARE_COLOURS, "nodata": NODATA_COLOUR,
                  "legend": _share_legend(lang, labels)},
        "gaps": {"breaks": GAP_BREAKS, "colours": GAP_COLOURS, "nodata": NODATA_COLOUR,
                 "legend": _gap_legend(labels)},
        "park": {"breaks": SHARE_BREAKS, "colours": PARK_COLOURS, "nodata": NODATA_COLOUR,
                 "legend": _share_legend(lang, labels, PARK_COLOURS)},
        "street": {"breaks": SHARE_BREAKS, "colours": STREET_COLOURS, "nodata": NODATA_COLOUR,
                   "legend": _share_legend(lang, labels, STREET_COLOURS)},
    }


# ---------------------------------------------------------------------------------------------
# Small conversions.


def _clean(value: Any) -> Any:
    """A JSON-safe Python scalar: NaN/NA -> None, numpy scalars -> Python."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return value


def _with_none(values: list, missing: np.ndarray) -> list:
    for i in np.flatnonzero(missing).tolist():
        values[i] = None
    return values


def clean_values(ser: pd.Series) -> list:
    """:func:`_clean` of every value of ``ser``, vectorised for boolean and numeric columns."""
    dtype = ser.dtype
    if pd.api.types.is_bool_dtype(dtype):
        values = ser.to_numpy(dtype=bool, na_value=False).tolist()
    elif pd.api.types.is_integer_dtype(dtype):
        values = ser.to_numpy(dtype=np.int64, na_value=0).tolist()
    elif pd.api.types.is_float_dtype(dtype):
        values = ser.to_numpy(dtype=np.float64, na_value=np.nan).tolist()
        return _with_none(values, np.isnan(np.asarray(values, dtype=np.float64)))
    else:
        return [_clean(v) for v in ser]
    return _with_none(values, ser.isna().to_numpy())


def column_array(df: pd.DataFrame, column: str, *, digits: int | None = None,
                 integer: bool = False) -> np.ndarray | pd.api.extensions.ExtensionArray | None:
    """A column as an array (None when the column is absent): as :func:`column_values`,
    whole numbers as a nullable ``Int64`` array, decimals as floats (NaN where missing),
    text as a pandas string array or an object array (NA or None where missing)."""
    if column not in df.columns:
        return None
    ser = df[column]
    if integer or digits is not None:
        num = pd.to_numeric(ser, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        if integer:
            missing = ~(np.abs(num) < 2.0**63)  # NaN and inf too
            whole = np.round(np.where(missing, 0.0, num)).astype(np.int64)
            return pd.arrays.IntegerArray(whole, missing)
        return np.round(num, digits)
    if isinstance(ser.dtype, pd.StringDtype):  # text already (missing: NA)
        return ser.array
    values = ser.to_numpy(dtype=object, na_value=None)
    out = np.empty(len(values), dtype=object)
    out[:] = [v if v is None or type(v) is str else str(v) for v in values]
    return out


def column_values(df: pd.DataFrame, column: str, *, digits: int | None = None,
                  integer: bool = False) -> list | None:
    """A column as a JSON-safe list (None when the column is absent).

    ``integer``: whole numbers (None where not a finite number or beyond 64-bit integers);
    ``digits``: floats rounded to that many decimals (None where NaN); otherwise text (None
    where missing).
    """
    arr = column_array(df, column, digits=digits, integer=integer)
    if arr is None:
        return None
    if integer:
        return _with_none(arr.to_numpy(dtype=np.int64, na_value=0).tolist(), arr.isna())
    if digits is not None:
        return _with_none(arr.tolist(), np.isnan(arr))
    return arr.tolist() if isinstance(arr, np.ndarray) else \
        arr.to_numpy(dtype=object, na_value=None).tolist()


def _bool_array(df: pd.DataFrame, column: str) -> np.ndarray | None:
    if column not in df.columns:
        return None
    ser = df[column]
    if ser.dtype == object or str(ser.dtype) == "str" or str(ser.dtype).startswith("string"):
        text = ser.astype("string").str.strip().str.lower()
        return text.isin(["true", "1", "yes", "có", "x"]).to_numpy(dtype=bool, na_value=False)
    return ser.astype("boolean").fillna(False).to_numpy(dtype=bool)


# ---------------------------------------------------------------------------------------------
# Layers.


def _to_wgs84(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise LayerError(f"{name}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise LayerError(f"{name}: the layer has no CRS; set it (EPSG:4326 after loading)")
    if not gdf.crs.equals(s.WGS84):
        gdf = gdf.to_crs(s.WGS84)
    return gdf


def _require(gdf: pd.DataFrame, columns: Iterable[str], name: str) -> None:
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise LayerError(
            f"{name}: missing column(s) {missing}; the map reads the canonical names of "
            f"geo_cds.schema (has: {list(gdf.columns)})"
        )


def communes_payload(communes: gpd.GeoDataFrame, tolerance: float,
                     coarse_tolerance: float | None = None, cache_dir: Path | None = None):
    """Columns, indicators and encoded polygons of the communes.

    With ``coarse_tolerance`` a second, coarser geometry (``geom_coarse``) is added for the
    low zoom levels of a large map. With ``cache_dir`` the geometry products (encoded rings,
    labels, simplified geometry) are read from there when an earlier call made them from the
    same geometry and tolerances, else computed and stored there (:mod:`.geocache`). Returns
    the payload and the communes with the simplified geometry.
    """
    communes = _to_wgs84(communes, "communes")
    _require(communes, s.COMMUNE_REQUIRED, "communes")
    communes = communes[~(communes.geometry.isna() | communes.geometry.is_empty)]
    source = np.asarray(communes.geometry.values, dtype=object)
    parts, geoms = geocache.cached(
        cache_dir, "communes",
        key=lambda: geocache.digest("communes", source, [float(tolerance), coarse_tolerance]),
        compute=lambda: commune_geometry(source, tolerance, coarse_tolerance),
        check=lambda p, g: (g is not None and len(g) == len(source)
                            and all(len(p[k] or source) == len(source)
                                    for k in ("geom", "geom_coarse", "label"))))
    indicators = {}
    for col in [*INDICATORS, *operator_indicators(communes.columns)]:
        if col in communes.columns:
            integer = INDICATORS.get(col, ("", ""))[1] == "count"
            indicators[col] = column_values(communes, col, digits=None if integer else 4,
                                            integer=integer)
    return {
        "code": column_values(communes, s.COMMUNE_CODE),
        "name": column_values(communes, s.COMMUNE_NAME),
        "prov": column_values(communes, s.PROVINCE_NAME),
        "population": column_values(communes, s.POPULATION, integer=True),
        "n_villages": column_values(communes, s.N_VILLAGES, integer=True),
        "speed": column_values(communes, s.DOWNLOAD_MEASURED, digits=1),
        "speed_tests": column_values(communes, s.SPEED_TESTS_N, integer=True),
        "indicators": indicators,
        **parts,
    }, communes.assign(geometry=geoms)


def provinces_payload(communes: gpd.GeoDataFrame, tolerance: float,
                      coarse_tolerance: float | None = None,
                      cache_dir: Path | None = None) -> dict[str, Any] | None:
    """Province outlines: the union of each province's communes, small holes removed.

    The source boundaries have slivers between neighbours; a union keeps them as tiny holes,
    which would draw as stray lines, so holes under ~1 km² are dropped. With ``cache_dir``
    the outlines are cached as the communes' geometry is (keyed also by each commune's
    province).
    """
    key = next((c for c in (s.PROVINCE_NAME, s.PROVINCE_CODE) if c in communes.columns), None)
    if key is None:
        return None
    geoms = np.asarray(communes.geometry.values, dtype=object)
    groups = communes.groupby(key, sort=True).indices

    def digest() -> str:
        grouping = [None if pd.isna(v) else f"{type(v).__name__}:{v}" for v in communes[key]]
        return geocache.digest("provinces", geoms,
                               [float(tolerance), coarse_tolerance, key, grouping])

    payload, _ = geocache.cached(
        cache_dir, "provinces", key=digest,
        compute=lambda: (province_outlines(geoms, groups, tolerance, coarse_tolerance), None),
        check=lambda p, g: isinstance(p, dict) and len(
            {len(p[k] or p["name"]) for k in ("name", "geom", "geom_coarse", "label")}) == 1)
    return payload


def features_payload(gdf: gpd.GeoDataFrame | None, name: str, columns: Sequence[str],
                     derived: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
    """A small layer (parks, streets, interventions) as a GeoJSON FeatureCollection.

    Only ``columns`` that exist are kept; ``derived`` adds computed columns (Series). The
    geometries are their GeoJSON text (:class:`.geocache.RawJSON`), as they go into the page.
    """
    if gdf is None or len(gdf) == 0:
        return None
    gdf = _to_wgs84(gdf, name)
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    props = {col: clean_values(gdf[col]) for col in columns if col in gdf.columns}
    for col, values in (derived or {}).items():
        props[col] = clean_values(pd.Series(values).reindex(gdf.index))
    geoms = round_geoms(np.asarray(gdf.geometry.values, dtype=object))
    # GEOS writes the GeoJSON geometries (shortest round-trip numbers, as json does)
    texts = shapely.to_geojson(geoms).tolist()
    keys = list(props)
    rows = zip(*props.values()) if keys else ([] for _ in geoms)
    features = [{"type": "Feature", "geometry": geocache.RawJSON(text),
                 "properties": dict(zip(keys, row))} for text, row in zip(texts, rows)]
    return {"type": "FeatureCollection", "features": features}


def qr_share(streets: gpd.GeoDataFrame) -> pd.Series | None:
    """``qr_share`` as given, else merchants_qr / merchants (NaN when there are no merchants)."""
    if s.QR_SHARE in streets.columns:
        return pd.to_numeric(streets[s.QR_SHARE], errors="coerce").astype("float64")
    if s.MERCHANTS in streets.columns and s.MERCHANTS_QR in streets.columns:
        merchants = pd.to_numeric(streets[s.MERCHANTS], errors="coerce").astype("float64")
        qr = pd.to_numeric(streets[s.MERCHANTS_QR], errors="coerce").astype("float64")
        return (qr / merchants.where(merchants > 0)).astype("float64")
    return None


def bounds_of(*frames: gpd.GeoDataFrame | None) -> list[list[float]]:
    """``[[south, west], [north, east]]`` over the frames (Leaflet's order)."""
    boxes = [f.total_bounds for f in frames if f is not None and len(f)]
    arr = np.array(boxes)
    minx, miny = np.nanmin(arr[:, 0]), np.nanmin(arr[:, 1])
    maxx, maxy = np.nanmax(arr[:, 2]), np.nanmax(arr[:, 3])
    return [[round(float(miny), 5), round(float(minx), 5)],
            [round(float(maxy), 5), round(float(maxx), 5)]]
