"""Generated mobile sites, placed so the village coverage comes out at the calibration targets.

Operators put towers where people live: each operator lays a grid over the villages (cells of
about 1 km in town, 2-3.5 km in the lowlands, 5-6 km in the mountains), one site per occupied cell
at its most populous village (moved 50-250 m). Some mountain cells get no site, leaving real
gaps. Then a calibration pass adds sites at uncovered villages until each calibration group
reaches its target share of covered villages (100% in the lowlands). 5G: Viettel sites in urban
wards, VNPT in the densest ones, and a 0.7 km grid inside the industrial parks that have 5G.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as S
from geo_cds.sample.radio import RadioModel
from geo_cds.sample.villages import classify_communes

DEFAULT_MOBILE = {"lowland": 1.0, "mountain": 0.95}
# Operator grids: (operator, spacing factor, grid offset, drop probability in mountain cells,
# also in the mountains?)
OPERATORS = (
    ("Viettel", 1.0, 0.0, 0.45, True),
    ("VNPT", 1.3, 0.37, 0.7, True),
    ("MobiFone", 1.6, 0.61, 1.0, False),
)
SPACING_KM = {"urban": 1.0, "lowland": 2.6, "mountain": 5.0, "dbkk": 6.0}
HEIGHT_M = {"urban": (20.0, 35.0), "lowland": (30.0, 45.0), "mountain": (35.0, 50.0),
            "dbkk": (35.0, 50.0)}


def _clutter(area_class: np.ndarray, density: np.ndarray) -> np.ndarray:
    return np.select([area_class == "urban", (area_class == "lowland") & (density >= 600)],
                     ["urban", "suburban"], "rural").astype(object)


def generate_sites(communes: gpd.GeoDataFrame, villages: gpd.GeoDataFrame, seed: int = 2025, *,
                   mobile_targets: Mapping[str, float] | None = None,
                   parks: gpd.GeoDataFrame | None = None, threshold_4g: float = -105.0,
                   calibration_rounds: int = 3) -> gpd.GeoDataFrame:
    """Generate mobile sites over the villages.

    Parameters
    ----------
    communes : GeoDataFrame
        Canonical communes (as given to ``generate_villages``; the same optional ``mountain``,
        ``dbkk``, ``calibration_group`` columns).
    villages : GeoDataFrame
        From ``generate_villages``.
    seed : int
    mobile_targets : mapping, optional
        Share of villages with 4G per calibration group (default: lowland 100%, mountain 95%).
        Lowland villages are always covered; the shortfall falls on mountain villages.
    parks : GeoDataFrame, optional
        From ``generate_parks``; parks with ``has_5g_site`` get a grid of 5G sites.
    threshold_4g : float
        4G coverage threshold (dBm) the calibration aims at (+1 dB margin).
    calibration_rounds : int

    Returns
    -------
    GeoDataFrame
        ``site_id``, ``operator``, ``technologies`` ("4G" or "4G,5G"), ``height_m``,
        ``clutter`` (urban / suburban / rural: the path-loss environment), ``commune_code``,
        ``generated`` (True); points in EPSG:4326.
    """
    rng = np.random.default_rng([seed, 3])
    targets = dict(mobile_targets or DEFAULT_MOBILE)
    cls = classify_communes(communes).set_index(S.COMMUNE_CODE)
    code = villages[S.COMMUNE_CODE].astype(str).to_numpy()
    area_class = cls["area_class"].reindex(code).to_numpy().astype(str)
    density = cls["density"].reindex(code).to_numpy()
    mountain = cls["mountain"].reindex(code).to_numpy().astype(bool)
    group = cls["calibration_group"].reindex(code).to_numpy().astype(str)
    lon = shapely.get_x(villages.geometry.values)
    lat = shapely.get_y(villages.geometry.values)
    pop = villages[S.POPULATION].fillna(0).to_numpy(dtype=float)
    xkm = lon * 111.32 * np.cos(np.radians(lat))
    ykm = lat * 110.57
    spacing = pd.Series(area_class).map(SPACING_KM).to_numpy(dtype=float)
    spacing = np.where((area_class == "lowland") & (density >= 800), 2.0, spacing)

    parts = []
    for op, factor, offset, drop, in_mountain in OPERATORS:
        s = spacing * factor
        key = pd.DataFrame({
            "cls": area_class, "s": s,
            "i": np.floor(xkm / s + offset).astype(np.int64),
            "j": np.floor(ykm / s + offset).astype(np.int64),
            "pop": pop, "v": np.arange(len(pop)),
        })
        best = key.sort_values(["pop", "v"], ascending=[False, True]).drop_duplicates(
            ["cls", "s", "i", "j"])["v"].to_numpy()
        best = np.sort(best)
        keep = ~mountain[best] | (in_mountain & (rng.random(len(best)) >= drop))
        parts.append(pd.DataFrame({"v": best[keep], "operator": op}))
    sites = pd.concat(parts, ignore_index=True)
    sites = _place(sites, lon, lat, area_class, density, code, rng)

    # Calibration: add Viettel sites at uncovered villages until each group meets its target.
    for _ in range(calibration_rounds):
        model = RadioModel.from_sites(_to_gdf(sites), "4g", seed=seed)
        covered = model.rsrp(lon, lat) >= threshold_4g + 1.0
        add = []
        for g in np.unique(group):
            in_g = group == g
            target = targets.get(g, DEFAULT_MOBILE["mountain" if mountain[in_g].mean() > 0.5
                                                   else "lowland"])
            need = int(np.ceil(target * in_g.sum())) - int(covered[in_g].sum())
            lowland_gap = np.flatnonzero(in_g & ~covered & ~mountain)
            add.append(lowland_gap)
            need -= len(lowland_gap)
            if need > 0:
                cand = np.flatnonzero(in_g & ~covered & mountain)
                # A new tower covers ~2-3 neighbours too: add them in halves, re-measure.
                take = max(1, need // 2) if need > 3 else need
                add.append(rng.permutation(cand)[:take])
        add = np.unique(np.concatenate(add)) if add else np.zeros(0, np.int64)
        if add.size == 0:
            break
        extra = _place(pd.DataFrame({"v": add, "operator": "Viettel"}), lon, lat, area_class,
                       density, code, rng, max_offset_m=80.0)
        sites = pd.concat([sites, extra], ignore_index=True)

    # 5G: urban Viettel sites, VNPT in dense cores, and the parks with 5G.
    urban = sites["clutter"].to_numpy() == "urban"
    dense = sites["_density"].to_numpy() >= 3000
    five = (urban & (sites["operator"].to_numpy() == "Viettel")) | \
        (dense & (sites["operator"].to_numpy() == "VNPT"))
    sites["technologies"] = np.where(five, "4G,5G", "4G")
    if parks is not None and len(parks):
        from geo_cds.sample.places import park_5g_points

        pts = park_5g_points(parks)
        park_code = parks.set_index(S.PARK_ID)[S.COMMUNE_CODE].reindex(pts[S.PARK_ID]).to_numpy()
        ops = np.where(np.arange(len(pts)) % 3 == 2, "VNPT", "Viettel")
        sites = pd.concat([sites, pd.DataFrame({
            "lon": pts["lon"].to_numpy(), "lat": pts["lat"].to_numpy(), "operator": ops,
            "technologies": "4G,5G", "height_m": rng.uniform(25, 35, len(pts)).round(1),
            "clutter": "suburban", S.COMMUNE_CODE: park_code, "_density": np.nan,
        })], ignore_index=True)

    order = {"Viettel": "VTL", "VNPT": "VNP", "MobiFone": "MBF"}
    prefix = sites["operator"].map(order).to_numpy().astype(str)
    num = np.char.zfill((np.arange(len(sites)) + 1).astype(str), 5)
    sites[S.SITE_ID] = np.char.add(np.char.add(prefix, "-"), num)
    sites[S.GENERATED] = True
    out = _to_gdf(sites)
    return out[[S.SITE_ID, S.OPERATOR, S.TECHNOLOGIES, S.HEIGHT_M, "clutter", S.COMMUNE_CODE,
                S.GENERATED, "geometry"]]


def _place(sel: pd.DataFrame, lon, lat, area_class, density, code, rng,
           max_offset_m: float = 250.0) -> pd.DataFrame:
    """Sites at the selected villages, moved a little (a tower stands beside the houses)."""
    v = sel["v"].to_numpy()
    n = len(v)
    r = rng.uniform(50.0, max_offset_m, n) / 1000.0
    t = rng.uniform(0, 2 * np.pi, n)
    slat = lat[v] + r * np.sin(t) / 110.57
    slon = lon[v] + r * np.cos(t) / (111.32 * np.cos(np.radians(lat[v])))
    lo_hi = np.array([HEIGHT_M[c] for c in area_class[v]]).reshape(n, 2)
    return pd.DataFrame({
        "lon": slon, "lat": slat, "operator": sel["operator"].to_numpy(),
        "technologies": "4G", "height_m": rng.uniform(lo_hi[:, 0], lo_hi[:, 1]).round(1),
        "clutter": _clutter(area_class[v], density[v]), S.COMMUNE_CODE: code[v],
        "_density": density[v],
    })


def _to_gdf(sites: pd.DataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(sites.drop(columns=["lon", "lat"]),
                            geometry=gpd.points_from_xy(sites["lon"], sites["lat"]), crs=S.WGS84)
