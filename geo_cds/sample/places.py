"""Industrial parks and cashless streets/markets of the sample: real names in their real communes.

Names, kinds and the 2025 commune of each place are real (the commune found through the official
old→new table: e.g. KCN Quang Châu lay in phường Quang Châu, Việt Yên, now phường Nếnh 07795).
Areas are rounded public figures; shapes are GENERATED ellipses of that area placed inside the
commune (clipped to it; economic zones are clipped to the province land instead, so their drawn
area can be smaller than the declared one). Merchant counts and dates are generated.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import affinity

from geo_cds import schema as S

# (park_name, kind, 2025 commune code, area_ha, 5G on air in the sample)
# 5G False marks the parks the sample leaves as 5G gaps (as in the reports: zones and newer parks
# still waiting for 5G in 2025).
PARKS: tuple[tuple[str, str, str, float, bool], ...] = (
    ("Khu kinh tế Dung Quất", "KKT", "21061", 45_332.0, False),
    ("KCN phía Đông Dung Quất", "KCN", "21061", 1_300.0, True),
    ("KCN phía Tây Dung Quất", "KCN", "21061", 1_000.0, True),
    ("KCN VSIP Quảng Ngãi", "KCN", "21181", 600.0, True),
    ("KCN Tịnh Phong", "KCN", "21181", 141.7, True),
    ("KCN Quảng Phú", "KCN", "21028", 118.0, True),
    ("KCN Phổ Phong", "KCN", "21457", 150.0, False),
    ("CCN Tịnh Ấn Tây", "CCN", "21172", 34.0, False),
    ("KCN Hòa Bình", "KCN", "23332", 130.0, True),
    ("Khu kinh tế cửa khẩu quốc tế Bờ Y", "KKT", "23377", 70_438.0, False),
    ("KCN Nam Đông Hà", "KCN", "19351", 99.0, True),
    ("KCN Quán Ngang", "KCN", "19495", 200.0, False),
    ("Khu kinh tế Hòn La", "KKT", "19021", 10_000.0, False),
    ("CCN Cam Hiếu", "CCN", "19603", 40.0, False),
    ("KCN Quang Châu", "KCN", "07795", 426.0, True),
    ("KCN Vân Trung", "KCN", "07795", 350.0, True),
    ("KCN Song Khê – Nội Hoàng", "KCN", "07696", 158.0, True),
    ("KCN Đình Trám", "KCN", "07777", 127.0, True),
    ("KCN Việt Hàn", "KCN", "07774", 143.0, True),
    ("KCN Hòa Phú", "KCN", "07870", 208.0, True),
    ("KCN VSIP Bắc Ninh", "KCN", "09367", 700.0, True),
    ("KCN Quế Võ", "KCN", "09265", 611.0, True),
    ("KCN Yên Phong", "KCN", "09193", 658.0, True),
)

# Cashless-payment places: (name, kind, commune code, merchants, merchants with QR, launch date,
# status). Thôn Văn Hà (Lân Phong) and the Trans-Asia road in Lâm Lang (Hiếu Giang) are drawn as
# lines through those villages by :func:`generate_streets`; markets are points.
STREETS: tuple[tuple[str, str, str, int, int, str, str], ...] = (
    ("Tuyến phố không dùng tiền mặt thôn Văn Hà", "street", "21433", 62, 55, "2023-03-26",
     "active"),
    ("Tuyến đường Xuyên Á (QL9) qua thôn Lâm Lang", "street", "19603", 48, 41, "2024-03-15",
     "active"),
    ("Chợ Thương", "market", "07210", 560, 430, "2023-09-01", "active"),
    ("Chợ Kép", "market", "07399", 310, 205, "2024-04-20", "active"),
    ("Chợ Chũ", "market", "07525", 420, 260, "2024-06-10", "active"),
    ("Chợ Nếnh", "market", "07795", 240, 170, "2024-08-15", "active"),
    ("Chợ Lim", "market", "09319", 180, 95, "2025-03-01", "pilot"),
    ("Chợ Giầu", "market", "09367", 350, 290, "2024-10-01", "active"),
    ("Chợ Hồ", "market", "09400", 260, 150, "2025-05-15", "pilot"),
    ("Chợ Đông Hà", "market", "19333", 900, 610, "2024-05-01", "active"),
    ("Chợ Đồng Hới", "market", "18880", 700, 380, "2025-06-01", "pilot"),
    ("Chợ Quảng Ngãi", "market", "21025", 1_100, 720, "2024-09-01", "active"),
    ("Chợ Kon Tum", "market", "23293", 650, 0, "2025-12-01", "planned"),
)


def _local_ellipse(cx: float, cy: float, area_km2: float, aspect: float, angle: float):
    """An ellipse of ``area_km2`` around (lon, lat), built in km then scaled to degrees."""
    a = math.sqrt(area_km2 * aspect / math.pi)
    e = affinity.scale(shapely.Point(0, 0).buffer(1.0, quad_segs=16), a, a / aspect)
    e = affinity.rotate(e, angle, origin=(0, 0))
    return affinity.affine_transform(
        e, [1 / (111.32 * math.cos(math.radians(cy))), 0, 0, 1 / 110.57, cx, cy])


def generate_parks(communes: gpd.GeoDataFrame, seed: int = 2025) -> gpd.GeoDataFrame:
    """Industrial parks, clusters and economic zones of :data:`PARKS` present in ``communes``.

    Parameters
    ----------
    communes : GeoDataFrame
        Canonical communes (``commune_code``, ``province_code``, geometry in EPSG:4326).
    seed : int

    Returns
    -------
    GeoDataFrame
        ``park_id``, ``park_name``, ``kind``, ``province_code``, ``commune_code``, ``area_ha``
        (declared), ``target_5g_year`` (2025), ``has_5g_site`` (the sample put 5G sites in it),
        ``generated`` (True: shape generated), polygons in EPSG:4326.
    """
    rng = np.random.default_rng([seed, 11])
    by_code = communes.set_index(S.COMMUNE_CODE)
    land = {p: shapely.union_all(g.geometry.values) for p, g in communes.groupby(S.PROVINCE_CODE)}
    taken: dict[str, object] = {}
    rows = []
    for i, (name, kind, code, area_ha, has5g) in enumerate(PARKS):
        if code not in by_code.index:
            continue
        commune = by_code.loc[code]
        poly = commune.geometry
        free = poly.difference(taken[code]) if code in taken else poly
        # The biggest free spot of the commune: parks of one ward do not pile up on each other.
        circle = shapely.maximum_inscribed_circle(free if not free.is_empty else poly)
        cx, cy = shapely.get_coordinates(circle)[0]
        shape = _local_ellipse(cx, cy, area_ha / 100.0, rng.uniform(1.2, 2.0), rng.uniform(0, 180))
        if kind == "KKT":
            shape = shape.intersection(land[commune[S.PROVINCE_CODE]])
        else:
            shape = shape.intersection(free if not free.is_empty else poly)
            pad = shape.buffer(0.002)
            taken[code] = pad if code not in taken else taken[code].union(pad)
        rows.append({
            S.PARK_ID: f"P{i + 1:03d}", S.PARK_NAME: name, S.PARK_KIND: kind,
            S.PROVINCE_CODE: str(commune[S.PROVINCE_CODE]), S.COMMUNE_CODE: code,
            S.AREA_HA: area_ha, S.TARGET_5G_YEAR: 2025, "has_5g_site": has5g,
            S.GENERATED: True, "geometry": shapely.make_valid(shape),
        })
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=S.WGS84)
    if len(out):
        out[S.TARGET_5G_YEAR] = out[S.TARGET_5G_YEAR].astype("Int64")
    return out


def generate_streets(communes: gpd.GeoDataFrame, villages: gpd.GeoDataFrame,
                     seed: int = 2025, anchors: dict[str, str] | None = None) -> gpd.GeoDataFrame:
    """Cashless streets (lines) and markets (points) of :data:`STREETS` present in ``communes``.

    Parameters
    ----------
    communes : GeoDataFrame
        Canonical communes.
    villages : GeoDataFrame
        Generated villages; a street listed in ``anchors`` runs through that village's point.
    seed : int
    anchors : dict, optional
        Commune code → village name a street runs through (default: Văn Hà in 21433, Lâm Lang
        in 19603).

    Returns
    -------
    GeoDataFrame
        Columns of ``geo_cds.schema.STREET_COLUMNS`` + ``generated``; lines and points in
        EPSG:4326, each inside its commune.
    """
    rng = np.random.default_rng([seed, 12])
    anchors = anchors or {"21433": "Thôn Văn Hà", "19603": "Thôn Lâm Lang"}
    by_code = communes.set_index(S.COMMUNE_CODE)
    rows = []
    for i, (name, kind, code, merchants, qr, launch, status) in enumerate(STREETS):
        if code not in by_code.index:
            continue
        poly = by_code.loc[code].geometry
        hit = villages[(villages[S.COMMUNE_CODE] == code)
                       & (villages[S.VILLAGE_NAME] == anchors.get(code, ""))]
        if len(hit):
            cx, cy = hit.geometry.iloc[0].x, hit.geometry.iloc[0].y
        else:
            cx, cy = shapely.get_coordinates(shapely.maximum_inscribed_circle(poly))[0]
        if kind == "street":
            # The village street is about 0.8 km; the QL9 section crosses the commune (≈ 6 km,
            # WSW-ENE like the road west of Đông Hà).
            half_km, angle = (0.4, rng.uniform(0, 180)) if code != "19603" else (3.0, 15.0)
            dx = half_km * math.cos(math.radians(angle)) / (111.32 * math.cos(math.radians(cy)))
            dy = half_km * math.sin(math.radians(angle)) / 110.57
            line = shapely.LineString([(cx - dx, cy - dy), (cx, cy), (cx + dx, cy + dy)])
            geom = line.intersection(poly)
            if geom.geom_type == "MultiLineString":  # keep the piece through the village
                geom = min(geom.geoms, key=lambda g: g.distance(shapely.Point(cx, cy)))
        else:
            geom = shapely.Point(cx, cy)
        rows.append({
            S.STREET_ID: f"CL{i + 1:03d}", S.STREET_NAME: name, S.STREET_KIND: kind,
            S.COMMUNE_CODE: code, S.MERCHANTS: merchants, S.MERCHANTS_QR: qr,
            S.LAUNCH_DATE: launch, S.STATUS: status, S.GENERATED: True, "geometry": geom,
        })
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=S.WGS84)
    if len(out):
        for col in (S.MERCHANTS, S.MERCHANTS_QR):
            out[col] = out[col].astype("Int64")
    return out


def park_5g_points(parks: gpd.GeoDataFrame, spacing_km: float = 0.7) -> pd.DataFrame:
    """Points on a ``spacing_km`` grid inside each park marked ``has_5g_site`` (5G site spots).

    Returns
    -------
    DataFrame
        ``park_id``, ``lon``, ``lat`` (at least the representative point of each park).
    """
    out = []
    for pid, geom in zip(parks.loc[parks["has_5g_site"], S.PARK_ID],
                         parks.loc[parks["has_5g_site"]].geometry):
        minx, miny, maxx, maxy = geom.bounds
        lat = (miny + maxy) / 2
        sx = spacing_km / (111.32 * math.cos(math.radians(lat)))
        sy = spacing_km / 110.57
        xs, ys = np.meshgrid(np.arange(minx + sx / 2, maxx, sx), np.arange(miny + sy / 2, maxy, sy))
        xs, ys = xs.ravel(), ys.ravel()
        keep = shapely.contains_xy(geom, xs, ys)
        rp = geom.representative_point()
        out.append(pd.DataFrame({S.PARK_ID: pid, "lon": np.append(xs[keep], rp.x),
                                 "lat": np.append(ys[keep], rp.y)}))
    if not out:
        return pd.DataFrame({S.PARK_ID: [], "lon": [], "lat": []})
    return pd.concat(out, ignore_index=True)
