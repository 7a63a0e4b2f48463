"""Synthetic map layers on real commune polygons, for map tests and the national benchmark.

Not the sample generator (``geo_cds.sample`` builds the calibrated sample layers): these are
quick, seeded stand-ins with every column the map reads, so the map can be built and tested
without running the pipeline.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.transform import from_origin

from geo_cds import schema as s
from geo_cds.plan import RasterSpec

BOUNDARY_COLUMNS = {"gso_ward_code": s.COMMUNE_CODE, "gso_full_name": s.COMMUNE_NAME,
                    "province": s.PROVINCE_NAME}

_NAMES = ["Văn Hà", "Lâm Lang", "Đồng Tâm", "Phú Lộc", "An Hòa", "Tân Lập", "Thượng Đức",
          "Hòa Bình", "Quyết Tiến", "Đông Sơn", "Trung Thành", "Bến Đình", "Nà Mè", "Làng Rẽ"]


def read_communes(path: str | Path, layer: str = "communes") -> gpd.GeoDataFrame:
    """Read a ``shared/data/boundaries`` file with the canonical column names."""
    gdf = gpd.read_file(path, layer=layer).rename(columns=BOUNDARY_COLUMNS)
    gdf[s.COMMUNE_CODE] = gdf[s.COMMUNE_CODE].astype("string").fillna(gdf["ward_code"].astype(str))
    return gdf


def random_points_in(geoms: np.ndarray, counts: np.ndarray, rng: np.random.Generator):
    """``counts[i]`` uniform random points inside ``geoms[i]``; returns (x, y, owner index)."""
    xs, ys, owner = [], [], []
    for i, (geom, n) in enumerate(zip(geoms, counts)):
        if n <= 0 or geom is None or geom.is_empty:
            continue
        minx, miny, maxx, maxy = geom.bounds
        shapely.prepare(geom)
        got_x, got_y = np.empty(0), np.empty(0)
        for _ in range(20):
            px = rng.uniform(minx, maxx, 4 * n + 8)
            py = rng.uniform(miny, maxy, 4 * n + 8)
            inside = shapely.contains_xy(geom, px, py)
            got_x = np.concatenate([got_x, px[inside]])
            got_y = np.concatenate([got_y, py[inside]])
            if len(got_x) >= n:
                break
        if len(got_x) < n:  # very thin polygon: fall back to its representative point
            rp = geom.representative_point()
            got_x = np.concatenate([got_x, np.full(n, rp.x)])
            got_y = np.concatenate([got_y, np.full(n, rp.y)])
        xs.append(got_x[:n])
        ys.append(got_y[:n])
        owner.append(np.full(n, i))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(owner)


def synthetic_villages(communes: gpd.GeoDataFrame, mean_per_commune: float = 19.0,
                       seed: int = 0) -> gpd.GeoDataFrame:
    """Village points with every column the map reads (coverage and gaps drawn at random)."""
    rng = np.random.default_rng(seed)
    counts = np.maximum(1, rng.poisson(mean_per_commune, len(communes)))
    x, y, owner = random_points_in(communes.geometry.values, counts, rng)
    n = len(x)
    mountain = rng.random(len(communes)) < 0.25
    m = mountain[owner]
    covered_4g = rng.random(n) < np.where(m, 0.85, 0.995)
    has_fibre = rng.random(n) < np.where(m, 0.8, 0.98)
    covered_5g = covered_4g & (rng.random(n) < np.where(m, 0.05, 0.45))
    status = np.where(covered_4g, np.where(has_fibre, "ok", "fibre"),
                      np.where(has_fibre, "mobile", "mobile_fibre"))
    pop = rng.integers(150, 2500, n)
    codes = communes[s.COMMUNE_CODE].to_numpy()[owner]
    idx = pd.Series(range(n)).groupby(owner).cumcount().to_numpy() + 1
    names = [f"Thôn {_NAMES[k % len(_NAMES)]}" if k % 3 else f"Thôn {j}"
             for k, j in zip(rng.integers(0, 10_000, n), idx)]
    return gpd.GeoDataFrame({
        s.VILLAGE_ID: [f"{c}-{j:03d}" for c, j in zip(codes, idx)],
        s.VILLAGE_NAME: names,
        s.COMMUNE_CODE: codes,
        s.POPULATION: pop,
        s.HOUSEHOLDS: pop // 4,
        s.COVERED_4G: covered_4g,
        s.COVERED_5G: covered_5g,
        s.HAS_FIBRE: has_fibre,
        s.GAP_STATUS: status,
        s.NEEDS_POWER: m & (rng.random(n) < 0.1),
        s.DBKK: m,
    }, geometry=gpd.points_from_xy(x, y), crs=s.WGS84)


def aggregate(communes: gpd.GeoDataFrame, villages: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Commune indicators from the villages, as the pipeline's gaps stage names them."""
    v = pd.DataFrame(villages.drop(columns="geometry"))
    v["gap"] = v[s.GAP_STATUS] != "ok"
    agg = v.groupby(s.COMMUNE_CODE).agg(
        **{s.N_VILLAGES: (s.VILLAGE_ID, "size"),
           s.SHARE_4G: (s.COVERED_4G, "mean"),
           s.SHARE_5G: (s.COVERED_5G, "mean"),
           s.SHARE_FIBRE: (s.HAS_FIBRE, "mean"),
           s.N_VILLAGE_GAPS: ("gap", "sum")})
    v["pop4"] = v[s.POPULATION] * v[s.COVERED_4G]
    v["pop5"] = v[s.POPULATION] * v[s.COVERED_5G]
    sums = v.groupby(s.COMMUNE_CODE)[[s.POPULATION, "pop4", "pop5"]].sum()
    agg[s.pop_share("4g")] = sums["pop4"] / sums[s.POPULATION]
    agg[s.pop_share("5g")] = sums["pop5"] / sums[s.POPULATION]
    out = communes.drop(columns=[c for c in agg.columns if c in communes.columns])
    return out.merge(agg, left_on=s.COMMUNE_CODE, right_index=True, how="left")


def synthetic_parks(communes: gpd.GeoDataFrame, n: int = 6, seed: int = 1) -> gpd.GeoDataFrame:
    """Square parks (~1.5-3 km) at commune centres, with a 5G area share."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(communes), size=min(n, len(communes)), replace=False)
    centres = shapely.point_on_surface(np.asarray(communes.geometry.values[pick], dtype=object))
    half = rng.uniform(0.007, 0.014, len(pick))
    share = np.round(rng.uniform(0.3, 1.0, len(pick)), 3)
    share[0] = 1.0
    kinds = np.array(["KCN", "CCN", "KKT", "KCN", "CCN", "KCNC"])[np.arange(len(pick)) % 6]
    geoms = shapely.box(shapely.get_x(centres) - half, shapely.get_y(centres) - half,
                        shapely.get_x(centres) + half, shapely.get_y(centres) + half)
    return gpd.GeoDataFrame({
        s.PARK_NAME: [f"KCN Thử nghiệm {i + 1}" for i in range(len(pick))],
        s.PARK_KIND: kinds, s.AREA_HA: np.round((2 * half * 108) ** 2 * 100, 1),
        s.area_share("5g"): share, s.PARK_COVERED_5G: share >= 0.95,
    }, geometry=geoms, crs=s.WGS84)


def synthetic_streets(communes: gpd.GeoDataFrame, seed: int = 2) -> gpd.GeoDataFrame:
    """Two streets (lines) and a market (point) with merchants and QR merchants."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(communes), size=3, replace=False)
    pts = shapely.point_on_surface(np.asarray(communes.geometry.values[pick], dtype=object))
    x, y = shapely.get_x(pts), shapely.get_y(pts)
    geoms = [shapely.LineString([(x[0] - 0.01, y[0]), (x[0], y[0] + 0.004), (x[0] + 0.01, y[0])]),
             shapely.LineString([(x[1] - 0.012, y[1] - 0.006), (x[1] + 0.012, y[1] + 0.006)]),
             shapely.Point(x[2], y[2])]
    return gpd.GeoDataFrame({
        s.STREET_NAME: ["Tuyến phố Văn Hà", "Đường Xuyên Á", "Chợ Đình Trám"],
        s.STREET_KIND: ["street", "street", "market"],
        s.MERCHANTS: [40, 25, 120], s.MERCHANTS_QR: [38, 12, 70],
    }, geometry=geoms, crs=s.WGS84)


def synthetic_interventions(villages: gpd.GeoDataFrame, seed: int = 3) -> gpd.GeoDataFrame:
    """New sites at villages without 4G, fibre routes to villages without fibre."""
    rng = np.random.default_rng(seed)
    gaps = villages[villages[s.GAP_STATUS] != "ok"]
    mobile = gaps[gaps[s.GAP_STATUS].isin(["mobile", "mobile_fibre"])].head(40)
    fibre = gaps[gaps[s.GAP_STATUS].isin(["fibre", "mobile_fibre"])].head(40)
    upgrade = villages[villages[s.GAP_STATUS] == "ok"].head(10)
    rows, geoms = [], []
    for _, v in mobile.iterrows():
        rows.append(("new_4g_site", 1_300_000_000, 1, int(v[s.POPULATION])))
        geoms.append(v.geometry)
    for _, v in upgrade.iterrows():
        rows.append(("5g_upgrade", 910_000_000, 1, int(v[s.POPULATION])))
        geoms.append(v.geometry)
    for _, v in fibre.iterrows():
        dx, dy = rng.uniform(-0.03, 0.03, 2)
        geoms.append(shapely.LineString([(v.geometry.x + dx, v.geometry.y + dy),
                                         (v.geometry.x, v.geometry.y)]))
        rows.append(("fibre_route", int(rng.integers(50, 600)) * 1_000_000, 1,
                     int(v[s.POPULATION])))
    df = pd.DataFrame(rows, columns=["kind", s.COST_VND, s.N_VILLAGES, "population_served"])
    return gpd.GeoDataFrame(df, geometry=geoms, crs=s.WGS84)


def synthetic_rsrp(path: Path, communes: gpd.GeoDataFrame, technology: str, *, n_sites: int = 40,
                   cell_m: float = 500.0, crs: str = "EPSG:32648", seed: int = 4) -> RasterSpec:
    """An RSRP GeoTIFF (dBm, ``crs``, nodata -9999) from random sites with a log-distance
    path loss, covering the communes' extent."""
    rng = np.random.default_rng(seed + (1 if technology == "5g" else 0))
    proj = communes.to_crs(crs)
    minx, miny, maxx, maxy = proj.total_bounds
    w = int((maxx - minx) // cell_m) + 1
    h = int((maxy - miny) // cell_m) + 1
    sx = rng.uniform(minx, maxx, n_sites)
    sy = rng.uniform(miny, maxy, n_sites)
    cx = minx + (np.arange(w) + 0.5) * cell_m
    cy = maxy - (np.arange(h) + 0.5) * cell_m
    gx, gy = np.meshgrid(cx, cy)
    best = np.full((h, w), -200.0, dtype="float32")
    p0, exponent = (-40.0, 3.3) if technology == "4g" else (-45.0, 3.8)
    for x, y in zip(sx, sy):
        d = np.maximum(np.hypot(gx - x, gy - y), 50.0) / 1000.0
        best = np.maximum(best, p0 - 10 * exponent * np.log10(d) - 30)
    best[: h // 10, : w // 10] = -9999  # a nodata corner
    profile = {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": "float32",
               "crs": crs, "transform": from_origin(minx, maxy, cell_m, cell_m), "nodata": -9999}
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(best.astype("float32"), 1)
    return RasterSpec(path=Path(path), kind="rsrp", technology=technology, generated=True)
