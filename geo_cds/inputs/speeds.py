"""Measured speeds: Ookla open-data tiles or a table of point tests, as one canonical frame.

Ookla's open data (github.com/teamookla/ookla-open-data) publish, each quarter and apart for
fixed and mobile, zoom-16 web-mercator tiles (about 610 m at the equator) with ``quadkey``,
``tile`` (the square as WKT in EPSG:4326, Parquet files), ``avg_d_kbps``, ``avg_u_kbps``,
``avg_lat_ms`` (newer files also ``avg_lat_down_ms``/``avg_lat_up_ms``), ``tests`` and
``devices``. A file with geometry (Shapefile, GeoPackage, GeoParquet, the ``tile`` WKT) keeps
its squares; a table with only the quadkey gets the square the quadkey names
(:func:`quadkey_bounds`). Point tests (``kind = "points"``, e.g. the national measurement
system's results) carry a download in Mb/s, one row per test unless a ``tests`` column says
how many tests a row averages.

The frame: ``download_mbps``, ``upload_mbps``, ``latency_ms``, ``tests``, ``devices``,
``source_row`` and a geometry in EPSG:4326. A row without a usable speed, test count or place
is rejected with its reason; nothing is filled in.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as S
from geo_cds.inputs.layer import SOURCE_ROW
from geo_cds.plan import SpeedSpec
from geo_cds.problems import ProblemLog

OOKLA_ZOOM = 16
# canonical column -> (the file's column, factor to Mb/s or ms)
_OOKLA = {S.SPEED_DOWNLOAD: ("avg_d_kbps", 1e-3), S.SPEED_UPLOAD: ("avg_u_kbps", 1e-3),
          S.SPEED_LATENCY: ("avg_lat_ms", 1.0), S.SPEED_TESTS: ("tests", 1.0),
          S.SPEED_DEVICES: ("devices", 1.0)}
_POINTS = {S.SPEED_DOWNLOAD: ("download_mbps", 1.0), S.SPEED_UPLOAD: ("upload_mbps", 1.0),
           S.SPEED_LATENCY: ("latency_ms", 1.0), S.SPEED_TESTS: ("tests", 1.0),
           S.SPEED_DEVICES: ("devices", 1.0)}
_XY = (("lon", "lat"), ("longitude", "latitude"), ("x", "y"), ("kinh_do", "vi_do"))


def quadkey_tile(quadkey: str) -> tuple[int, int, int]:
    """The ``(x, y, zoom)`` of a Bing-maps quadkey (one digit 0-3 per zoom level).

    Raises
    ------
    ValueError
        ``quadkey`` is empty or holds a character other than 0, 1, 2, 3.
    """
    if not quadkey or any(c not in "0123" for c in quadkey):
        raise ValueError(f"{quadkey!r} is not a quadkey (digits 0-3 only)")
    zoom = len(quadkey)
    x = y = 0
    for i, digit in enumerate(quadkey):
        mask = 1 << (zoom - i - 1)
        d = int(digit)
        if d & 1:
            x |= mask
        if d & 2:
            y |= mask
    return x, y, zoom


def quadkey_bounds(quadkey: str) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees of the web-mercator tile ``quadkey`` names."""
    x, y, zoom = quadkey_tile(quadkey)
    n = 2 ** zoom

    def lat(row: int) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def quadkey_at(lon: float, lat: float, zoom: int = OOKLA_ZOOM) -> str:
    """The quadkey of the tile holding ``(lon, lat)`` at ``zoom``."""
    n = 2 ** zoom
    x = min(n - 1, int((lon + 180) / 360 * n))
    r = math.radians(lat)
    y = min(n - 1, int((1 - math.log(math.tan(r) + 1 / math.cos(r)) / math.pi) / 2 * n))
    digits = []
    for level in range(zoom, 0, -1):
        mask = 1 << (level - 1)
        digits.append(str((1 if x & mask else 0) + (2 if y & mask else 0)))
    return "".join(digits)


def _read_file(path: Path, spec: SpeedSpec) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".geoparquet"):
        try:
            return gpd.read_parquet(path)
        except ValueError:  # plain Parquet (Ookla's: the tile as WKT text), no geo metadata
            return pd.read_parquet(path)
    if suffix == ".csv":
        return pd.read_csv(path, dtype={"quadkey": str}, encoding="utf-8-sig")
    if suffix in (".xlsx", ".xls"):
        return pd.read_excel(path, sheet_name=spec.layer or 0, dtype={"quadkey": str})
    return gpd.read_file(path, layer=spec.layer) if spec.layer else gpd.read_file(path)


def read_speeds(spec: SpeedSpec, problems: ProblemLog,
                files: dict[str, Path] | None = None) -> tuple[gpd.GeoDataFrame | None, dict]:
    """Read the measured speeds of ``spec`` into the canonical frame.

    Returns
    -------
    (GeoDataFrame or None, dict)
        The usable rows (None when the file as a whole cannot be used: a layer error is
        recorded) and the accounting row (``layer``, ``file``, ``rows_read``, ``used``,
        ``repaired``, ``rejected``).
    """
    path = Path(spec.path)
    account = {"layer": "speeds", "file": str(path), "rows_read": 0, "used": 0,
               "repaired": 0, "rejected": 0}

    def layer_error(problem: str, fix: str) -> tuple[None, dict]:
        problems.add(file=str(path), layer="speeds", row=None, feature_id=None, column=None,
                     problem=problem, fix=fix)
        return None, account

    if not path.exists():
        return layer_error("file not found", "check [inputs.speeds] path in the plan "
                           "(relative paths are relative to the plan file's folder)")
    if files is not None:
        files["speeds"] = path
    try:
        raw = _read_file(path, spec)
    except Exception as exc:  # any reader's failure: the file is named, not a traceback
        return layer_error(f"cannot be read ({exc})", "export it again as GeoParquet, "
                           "Shapefile, GeoPackage or CSV")
    account["rows_read"] = len(raw)
    names = {canon: (spec.columns.get(canon, col), factor) for canon, (col, factor) in
             (_POINTS if spec.kind == "points" else _OOKLA).items()}
    if spec.kind == "points" and S.SPEED_DOWNLOAD not in spec.columns \
            and "download_mbps" not in raw and "avg_d_kbps" in raw:
        names[S.SPEED_DOWNLOAD] = ("avg_d_kbps", 1e-3)  # Ookla-style columns on points
    need = [S.SPEED_DOWNLOAD] + ([] if spec.kind == "points" else [S.SPEED_TESTS])
    missing = [names[c][0] for c in need if names[c][0] not in raw]
    if missing:
        return layer_error(
            f"column(s) {missing} missing (columns: {', '.join(map(str, raw.columns))})",
            "Ookla tiles carry avg_d_kbps and tests; name other columns in "
            "[inputs.speeds.columns] (e.g. download_mbps = \"toc_do_tai\")")
    geometry = _geometry(raw, spec, path, problems)
    if geometry is None:
        return layer_error("the rows cannot be placed: no geometry, no 'tile' WKT, no "
                           "'quadkey' and no lon/lat columns",
                           "keep the quadkey (or the tile) column of Ookla's files, or add "
                           "lon/lat columns to a table of point tests")
    out = pd.DataFrame(index=raw.index)
    for canon, (col, factor) in names.items():
        values = pd.to_numeric(raw[col], errors="coerce") * factor if col in raw \
            else pd.Series(np.nan, index=raw.index)
        out[canon] = values.astype(float)
    if names[S.SPEED_TESTS][0] not in raw:  # a table of single tests
        out[S.SPEED_TESTS] = 1.0
    out[SOURCE_ROW] = np.arange(1, len(raw) + 1)
    bad = _reject_rows(out, geometry, path, problems, names)
    account["rejected"] = int(bad.sum())
    account["used"] = int((~bad).sum())
    keep = ~bad.to_numpy()
    frame = gpd.GeoDataFrame(out[keep].reset_index(drop=True),
                             geometry=np.asarray(geometry)[keep], crs=S.WGS84)
    frame[S.SPEED_TESTS] = frame[S.SPEED_TESTS].round().astype("int64")
    frame[S.SPEED_DEVICES] = frame[S.SPEED_DEVICES].round().astype("Int64")
    return frame, account


def _geometry(raw: pd.DataFrame, spec: SpeedSpec, path: Path, problems: ProblemLog):
    """The rows' shapes in EPSG:4326 (None per row that has none), or None when the file
    offers no way to place its rows."""
    if isinstance(raw, gpd.GeoDataFrame) and raw.geometry.name in raw:
        g = raw.geometry
        if spec.source_crs:
            g = g.set_crs(spec.source_crs, allow_override=True)
        if g.crs is None:
            g = g.set_crs(S.WGS84)  # Ookla's files are EPSG:4326
        return np.asarray(g.to_crs(S.WGS84).values, dtype=object)
    if "tile" in raw:
        return shapely.from_wkt(raw["tile"].astype("string").fillna("").to_numpy(str),
                                on_invalid="ignore")
    if "quadkey" in raw:
        def square(qk):
            try:
                return shapely.box(*quadkey_bounds(str(qk).strip()))
            except ValueError:
                return None
        return np.array([square(q) if not pd.isna(q) else None for q in raw["quadkey"]],
                        dtype=object)
    cols = {str(c).lower(): c for c in raw.columns}
    xy = [(spec.x, spec.y)] if spec.x and spec.y else \
        [(cols[x], cols[y]) for x, y in _XY if x in cols and y in cols]
    if xy and xy[0][0] in raw and xy[0][1] in raw:
        x = pd.to_numeric(raw[xy[0][0]], errors="coerce").to_numpy(float)
        y = pd.to_numeric(raw[xy[0][1]], errors="coerce").to_numpy(float)
        pts = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=spec.source_crs or S.WGS84)
        pts = np.asarray(pts.to_crs(S.WGS84).values, dtype=object)
        pts[np.isnan(x) | np.isnan(y)] = None
        return pts
    return None


def _reject_rows(out: pd.DataFrame, geometry, path: Path, problems: ProblemLog,
                 names: dict) -> pd.Series:
    """Flag (and record) each row without a usable place, download or test count."""
    geom = np.asarray(geometry, dtype=object)
    no_place = pd.Series(shapely.is_missing(geom) | shapely.is_empty(geom), index=out.index)
    download = out[S.SPEED_DOWNLOAD]
    tests = out[S.SPEED_TESTS]
    checks = [
        (no_place, None, "no place: the quadkey, tile or coordinates are missing or invalid",
         "give the Ookla quadkey (digits 0-3) or tile, or lon/lat of the test"),
        (download.isna() | (download < 0), names[S.SPEED_DOWNLOAD][0],
         "no usable download speed (missing, not a number or negative)",
         "give the average download (Ookla: avg_d_kbps in kbit/s)"),
        (tests.isna() | (tests < 1), names[S.SPEED_TESTS][0],
         "no usable test count (missing or below 1)",
         "give the number of tests the row averages (Ookla: tests)"),
    ]
    bad = pd.Series(False, index=out.index)
    for flagged, column, problem, fix in checks:
        for i in np.flatnonzero((flagged & ~bad).to_numpy()):
            problems.add(file=str(path), layer="speeds", row=int(out[SOURCE_ROW].iloc[i]),
                         feature_id=None, column=column, problem=problem, fix=fix,
                         kind=problem)
        bad |= flagged
    return bad
