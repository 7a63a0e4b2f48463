"""Generated villages (thôn / tổ dân phố) on real commune polygons, vectorised end to end.

``generate_villages`` works on any table of 2025 communes (the 273 seed communes or all 3,321 of
the country) and returns the canonical village table of ``geo_cds.schema``. Coverage columns are
left unknown here; :func:`attach_coverage` fills them from RSRP values at the villages (sampled
from the rasters, so attributes and rasters agree).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as S
from geo_cds.sample.names import village_names

# 63,619 villages over 3,321 communes nationally (2025): the mean the generator aims at.
VILLAGES_PER_COMMUNE = 63_619 / 3_321
MAX_VILLAGES = 120
DBKK_DENSITY_MAX = 80.0  # people/km²: mountain communes below this are flagged ĐBKK
URBAN_DENSITY_MIN = 1500.0

# Defaults when the communes carry no calibration group (e.g. the national benchmark).
DEFAULT_FIBRE = {"lowland": 0.985, "mountain": 0.80}
DEFAULT_TEAM = {"lowland": 0.92, "mountain": 0.85}
POWER = {"urban": 1.0, "lowland": 0.998, "mountain": 0.975, "dbkk": 0.955}
# Mean share of households on fibre in villages the fibre reaches (national 85.1% overall).
HH_FIBRE_MEAN = {"urban": 0.92, "lowland": 0.875, "mountain": 0.66, "dbkk": 0.52}


def classify_communes(communes: pd.DataFrame) -> pd.DataFrame:
    """Area class of each commune, used for names, village sizes, coverage and fibre.

    Parameters
    ----------
    communes : DataFrame
        Canonical communes (``commune_code``, ``commune_name``, ``population``, ``area_km2``);
        optional ``mountain`` (bool), ``dbkk`` (bool) and ``calibration_group`` (str) override the
        defaults (mountain: a xã under 100 people/km²; ĐBKK: mountain under 80 people/km²;
        group: "mountain"/"lowland").

    Returns
    -------
    DataFrame
        One row per commune, same order: ``commune_code``, ``density``, ``ward``, ``urban``,
        ``mountain``, ``dbkk``, ``area_class`` (urban / lowland / mountain / dbkk) and
        ``calibration_group``.
    """
    pop = communes[S.POPULATION].astype(float).to_numpy()
    area = np.maximum(communes[S.AREA_KM2].astype(float).to_numpy(), 0.01)
    density = pop / area
    name = communes[S.COMMUNE_NAME].astype(str)
    ward = name.str.startswith("Phường").to_numpy()
    if "mountain" in communes:
        mountain = communes["mountain"].astype(bool).to_numpy()
    else:
        mountain = ~ward & (density < 100.0)
    urban = (density >= URBAN_DENSITY_MIN) | (ward & (density >= 500.0))
    mountain = mountain & ~urban
    if "dbkk" in communes:
        dbkk = communes["dbkk"].astype(bool).to_numpy()
    else:
        dbkk = mountain & ~ward & (density < DBKK_DENSITY_MAX)
    area_class = np.select([urban, dbkk, mountain], ["urban", "dbkk", "mountain"], "lowland")
    if "calibration_group" in communes:
        group = communes["calibration_group"].astype(str).to_numpy()
    else:
        group = np.where(mountain, "mountain", "lowland")
    return pd.DataFrame({
        S.COMMUNE_CODE: communes[S.COMMUNE_CODE].astype(str).to_numpy(),
        "density": density, "ward": ward, "urban": urban, "mountain": mountain, "dbkk": dbkk,
        "area_class": area_class, "calibration_group": group,
    })


def _largest_remainder(weights: np.ndarray, group: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Integers proportional to ``weights`` within each group that sum exactly to its total."""
    wsum = np.bincount(group, weights=weights, minlength=len(totals))
    raw = totals[group] * weights / np.where(wsum[group] > 0, wsum[group], 1.0)
    base = np.floor(raw).astype(np.int64)
    short = totals - np.bincount(group, weights=base, minlength=len(totals)).astype(np.int64)
    # Rank fractional parts within each group (largest first); the top `short` get +1.
    order = np.lexsort((-(raw - base), group))
    first = np.searchsorted(group[order], np.arange(len(totals)))
    rank_in_group = np.empty(len(group), np.int64)
    rank_in_group[order] = np.arange(len(group)) - first[group[order]]
    return base + (rank_in_group < short[group])


def _points_inside(geoms: np.ndarray, cx: np.ndarray, cy: np.ndarray, sx: np.ndarray,
                   sy: np.ndarray, rng: np.random.Generator, rounds: int = 12,
                   uniform_rounds: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """One point per row, normal around (cx, cy) with spreads (sx, sy), inside ``geoms[row]``.

    Rejection in a few vectorised rounds; rows still missing after them fall back to uniform
    draws in the bounding box, then to the polygon's representative point.
    """
    n = len(geoms)
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    todo = np.arange(n)
    for _ in range(rounds):
        if todo.size == 0:
            break
        px = cx[todo] + rng.normal(size=todo.size) * sx[todo]
        py = cy[todo] + rng.normal(size=todo.size) * sy[todo]
        ok = shapely.contains_xy(geoms[todo], px, py)
        x[todo[ok]], y[todo[ok]] = px[ok], py[ok]
        todo = todo[~ok]
    if todo.size:
        for _ in range(uniform_rounds):
            if todo.size == 0:
                break
            b = shapely.bounds(geoms[todo])
            px = rng.uniform(b[:, 0], b[:, 2])
            py = rng.uniform(b[:, 1], b[:, 3])
            ok = shapely.contains_xy(geoms[todo], px, py)
            x[todo[ok]], y[todo[ok]] = px[ok], py[ok]
            todo = todo[~ok]
    if todo.size:
        rp = shapely.point_on_surface(geoms[todo])
        x[todo], y[todo] = shapely.get_x(rp), shapely.get_y(rp)
    return x, y


def generate_villages(communes: gpd.GeoDataFrame, seed: int = 2025, *,
                      fibre_targets: Mapping[str, float] | None = None,
                      team_targets: Mapping[str, float] | None = None,
                      ward_prefix: Mapping[str, str] | None = None,
                      name_style: Mapping[str, str] | None = None,
                      villages_per_commune: float = VILLAGES_PER_COMMUNE,
                      max_villages: int = MAX_VILLAGES) -> gpd.GeoDataFrame:
    """Generate villages as points inside the given communes.

    Deterministic for a given ``seed`` and input table. Vectorised: about 64,000 villages over
    the 3,321 national communes take a few seconds.

    Parameters
    ----------
    communes : GeoDataFrame
        Canonical communes in EPSG:4326: ``commune_code``, ``commune_name``, ``province_code``,
        ``population``, ``area_km2``, polygon geometry; optional ``mountain``, ``dbkk``,
        ``calibration_group`` (see :func:`classify_communes`).
    seed : int
    fibre_targets : mapping, optional
        Share of villages with fibre per calibration group (default: lowland 98.5%, mountain
        80%). Within a group, mountain and ĐBKK villages are the ones left without.
    team_targets : mapping, optional
        Share of villages with a community digital team per calibration group (default 92% /
        85%).
    ward_prefix : mapping, optional
        Prefix of urban villages per calibration group or province code (default "Tổ dân phố").
    name_style : mapping, optional
        Name style of mountain villages per calibration group (keys of
        ``geo_cds.sample.names.POOLS``); default by latitude (north of 19.5°N: Tày/Nùng style,
        south of 15.8°N and west of 108.35°E: Central Highlands, else central mountains).
    villages_per_commune : float
        Mean number of villages per commune (national 2025: 63,619 / 3,321 ≈ 19.2).
    max_villages : int
        Most villages in one commune (at least 3); raise it with ``villages_per_commune`` for
        scale tests (a million villages need about 20 × the mean).

    Returns
    -------
    GeoDataFrame
        Columns of ``geo_cds.schema.VILLAGE_COLUMNS`` + ``generated`` (True), points in
        EPSG:4326; population sums exactly to each commune's population; ``has_4g``,
        ``has_5g``, ``rsrp_*`` and ``download_mbps`` are unknown (see :func:`attach_coverage`).
    """
    rng = np.random.default_rng(seed)
    if communes.crs is not None and not communes.crs.equals(S.WGS84):
        communes = communes.to_crs(S.WGS84)
    cls = classify_communes(communes)
    n_c = len(communes)
    pop_c = communes[S.POPULATION].fillna(0).astype(np.int64).to_numpy()
    area_c = np.maximum(communes[S.AREA_KM2].astype(float).to_numpy(), 0.01)
    mountain_c = cls["mountain"].to_numpy()
    urban_c = cls["urban"].to_numpy()

    # Villages per commune: grows with population (sub-linearly: big lowland villages), mountain
    # villages are small hamlets, so a mountain commune has more per head.
    raw = np.power(np.maximum(pop_c, 1), 0.6) * np.where(mountain_c, 1.5, 1.0) \
        * np.power(area_c, 0.05) * rng.lognormal(0.0, 0.15, n_c)
    scale = villages_per_commune * n_c / raw.sum()
    for _ in range(3):  # re-aim after clipping, so the mean stays on target
        n_v = np.clip(np.round(raw * scale), 3, max_villages)
        scale *= villages_per_commune * n_c / n_v.sum()
    n_v = np.clip(np.round(raw * scale), 3, max_villages).astype(np.int64)
    n_v[pop_c == 0] = 1
    cidx = np.repeat(np.arange(n_c), n_v)
    rank = np.arange(len(cidx)) - np.repeat(np.cumsum(n_v) - n_v, n_v)
    n = len(cidx)

    # Population: gamma weights (more even in town wards), rounded so each commune sums exactly.
    shape = np.where(urban_c[cidx], 6.0, 2.5)
    pop_v = _largest_remainder(rng.gamma(shape), cidx, pop_c)
    households = np.where(pop_v > 0, np.maximum(1, np.round(pop_v / rng.uniform(3.5, 4.2, n))), 0)

    # Points: villages cluster around a few settlement cores per commune (valleys, crossroads).
    geoms = communes.geometry.to_numpy()
    shapely.prepare(geoms)
    n_cores = np.clip(1 + n_v // np.where(mountain_c, 4, 8), 1, 12)
    core_c = np.repeat(np.arange(n_c), n_cores)
    b = shapely.bounds(geoms)
    big = np.full(len(core_c), 1e9)
    core_x, core_y = _points_inside(geoms[core_c], (b[core_c, 0] + b[core_c, 2]) / 2,
                                    (b[core_c, 1] + b[core_c, 3]) / 2, big, big, rng, rounds=0)

    first_core = np.cumsum(n_cores) - n_cores
    which = first_core[cidx] + rng.integers(0, n_cores[cidx])
    lat0 = np.radians((b[:, 1] + b[:, 3]) / 2)
    # Spread of a core ≈ a fifth of the commune's size (tighter in mountain valleys).
    spread_km = np.sqrt(area_c) * np.where(mountain_c, 0.12, 0.22)
    sy = spread_km[cidx] / 110.57
    sx = spread_km[cidx] / (111.32 * np.cos(lat0[cidx]))
    x, y = _points_inside(geoms[cidx], core_x[which], core_y[which], sx, sy, rng)

    # Names.
    lon_c = (b[:, 0] + b[:, 2]) / 2
    lat_c = (b[:, 1] + b[:, 3]) / 2
    default_style = np.select(
        [lat_c > 19.5, (lat_c < 15.8) & (lon_c < 108.35)],
        ["north_upland", "highland"], "central_mountain")
    group_c = cls["calibration_group"].to_numpy()
    if name_style:
        default_style = np.array([name_style.get(g, s) for g, s in zip(group_c, default_style)],
                                 dtype=object)
    style_c = np.where(cls["ward"].to_numpy() & ~mountain_c, "ward",
                       np.where(mountain_c, default_style, "lowland")).astype(object)
    prov_c = communes[S.PROVINCE_CODE].astype(str).to_numpy()
    wp = dict(ward_prefix or {})
    prefix_c = np.array([wp.get(g, wp.get(p, "Tổ dân phố")) for g, p in zip(group_c, prov_c)],
                        dtype=object)
    names = village_names(style_c[cidx], prefix_c[cidx], cidx, rank, rng)

    # Attributes.
    area_class = cls["area_class"].to_numpy()[cidx]
    power_p = pd.Series(area_class).map(POWER).to_numpy(dtype=float)
    has_power = rng.random(n) < power_p
    group_v = group_c[cidx]
    fibre_t = dict(fibre_targets or DEFAULT_FIBRE)
    team_t = dict(team_targets or DEFAULT_TEAM)
    mountain_v = mountain_c[cidx]
    dbkk_v = cls["dbkk"].to_numpy()[cidx]
    # Fibre goes first to lowland and powered villages: the villages left without are mostly
    # mountain, ĐBKK and off-grid ones, as in the provincial reports.
    hardness = rng.random(n) + 0.5 * mountain_v + 0.5 * dbkk_v + 1.0 * ~has_power
    has_fibre = _top_share(hardness, group_v, fibre_t, default=0.95)
    team_hard = rng.random(n) + 0.15 * mountain_v
    has_team = _top_share(team_hard, group_v, team_t, default=0.9)
    mean = pd.Series(area_class).map(HH_FIBRE_MEAN).to_numpy(dtype=float)
    conc = 18.0
    hh_share = np.where(has_fibre, rng.beta(mean * conc, (1 - mean) * conc), 0.0).round(3)

    code_c = cls[S.COMMUNE_CODE].to_numpy().astype(str)
    codes = code_c[cidx]
    ids = np.char.add(np.char.add(codes.astype(str), "-"), np.char.zfill((rank + 1).astype(str), 3))
    na_bool = pd.array([pd.NA] * n, dtype="boolean")
    out = gpd.GeoDataFrame({
        S.VILLAGE_ID: pd.array(ids, dtype="str"),
        S.VILLAGE_NAME: pd.array(names, dtype="str"),
        S.COMMUNE_CODE: pd.array(codes, dtype="str"),
        S.POPULATION: pd.array(pop_v, dtype="Int64"),
        S.HOUSEHOLDS: pd.array(households.astype(np.int64), dtype="Int64"),
        S.HAS_POWER: pd.array(has_power, dtype="boolean"),
        S.DBKK: pd.array(dbkk_v, dtype="boolean"),
        S.HAS_4G: na_bool.copy(),
        S.HAS_5G: na_bool.copy(),
        S.RSRP_4G: np.full(n, np.nan),
        S.RSRP_5G: np.full(n, np.nan),
        S.HAS_FIBRE: pd.array(has_fibre, dtype="boolean"),
        S.FIBRE_HH_SHARE: hh_share,
        S.HAS_DIGITAL_TEAM: pd.array(has_team, dtype="boolean"),
        S.DOWNLOAD_MBPS: np.full(n, np.nan),
        S.GENERATED: pd.array(np.ones(n, bool), dtype="boolean"),
    }, geometry=gpd.points_from_xy(x, y), crs=S.WGS84)
    return out


def _top_share(hardness: np.ndarray, group: np.ndarray, targets: Mapping[str, float],
               default: float) -> np.ndarray:
    """True for the easiest ``round(target × n)`` rows of each group (exact shares per group)."""
    ug, gi = np.unique(group, return_inverse=True)
    share = np.array([targets.get(g, default) for g in ug])
    counts = np.bincount(gi)
    quota = np.round(share * counts).astype(np.int64)
    order = np.lexsort((hardness, gi))
    first = np.searchsorted(gi[order], np.arange(len(ug)))
    rank = np.empty(len(gi), np.int64)
    rank[order] = np.arange(len(gi)) - first[gi[order]]
    return rank < quota[gi]


def attach_coverage(villages: gpd.GeoDataFrame, rsrp_4g: np.ndarray, rsrp_5g: np.ndarray,
                    seed: int = 2025, *, threshold_4g: float = -105.0,
                    threshold_5g: float = -110.0, unknown_share: float = 0.10,
                    measured_share: float = 0.35, speed_share: float = 0.4) -> gpd.GeoDataFrame:
    """Fill the 4G/5G columns from RSRP values at the villages (a copy is returned).

    Parameters
    ----------
    villages : GeoDataFrame
        From :func:`generate_villages`.
    rsrp_4g, rsrp_5g : array of float
        RSRP in dBm at each village, e.g. sampled from the rasters (nodata as NaN).
    seed : int
    threshold_4g, threshold_5g : float
        Planning thresholds (DESIGN.md): covered at RSRP ≥ threshold.
    unknown_share : float
        Share of villages whose status is left unknown (NA, no RSRP): the pipeline must take
        them from the rasters.
    measured_share : float
        Share of the known villages that also carry the RSRP value (drive-test style); it is the
        raster value itself, so attribute and raster never disagree.
    speed_share : float
        Share of covered villages with a measured download speed.
    """
    rng = np.random.default_rng([seed, 4])
    v = villages.copy()
    n = len(v)
    r4, r5 = np.asarray(rsrp_4g, float), np.asarray(rsrp_5g, float)
    known = (rng.random(n) >= unknown_share) & np.isfinite(r4) & np.isfinite(r5)
    measured = known & (rng.random(n) < measured_share)
    has4 = r4 >= threshold_4g
    has5 = r5 >= threshold_5g
    v[S.HAS_4G] = pd.array(np.where(known, has4, False), dtype="boolean")
    v.loc[~known, S.HAS_4G] = pd.NA
    v[S.HAS_5G] = pd.array(np.where(known, has5, False), dtype="boolean")
    v.loc[~known, S.HAS_5G] = pd.NA
    v[S.RSRP_4G] = np.where(measured, r4, np.nan)
    v[S.RSRP_5G] = np.where(measured, r5, np.nan)
    # Download speed grows with signal: ~25-60 Mb/s on 4G (some below the 40 Mb/s target at the
    # cell edge), 120-400 Mb/s on 5G.
    speed4 = np.clip(20 + 1.1 * (r4 + 105) + rng.normal(0, 8, n), 3, 120)
    speed5 = np.clip(120 + 6 * (r5 + 110) + rng.normal(0, 40, n), 40, 900)
    speed = np.where(has5, speed5, np.where(has4, speed4, np.nan))
    v[S.DOWNLOAD_MBPS] = np.where(known & (rng.random(n) < speed_share), speed.round(1), np.nan)
    return v
