"""Write the whole generated sample (``layers/``) from the real seed boundaries."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely

from geo_cds import schema as S
from geo_cds.errors import LayerError, OutputExistsError
from geo_cds.outputs.write import replace_files
from geo_cds.plan import REPO_ROOT
from geo_cds.sample.context import (
    FIBRE_TARGETS,
    MOBILE_TARGETS,
    OLD_PROVINCE_NAMES,
    TEAM_TARGETS,
    load_seed_context,
)
from geo_cds.sample.places import generate_parks, generate_streets
from geo_cds.sample.radio import Grid, Mask, write_population_raster, write_rsrp_raster
from geo_cds.sample.readme import render_readme
from geo_cds.sample.sites import generate_sites
from geo_cds.sample.speeds import generate_speed_tiles, measure_speeds
from geo_cds.sample.stations import register_table
from geo_cds.sample.villages import attach_coverage, generate_villages

DEFAULT_SEED = 2025
DEFAULT_BOUNDARIES = REPO_ROOT / "boundaries" / "communes_2025_seed_provinces.gpkg"
DEFAULT_OUT = REPO_ROOT / "layers"
RESOLUTION_DEG = 0.001  # ≈ 100 m

NAME_STYLE = {"62": "highland", "51": "central_mountain", "45": "central_mountain",
              "44": "central_mountain", "24": "north_upland"}
WARD_PREFIX = {"27": "Khu phố"}  # old Bắc Ninh numbers its urban villages "khu phố"
SEED_VILLAGES = {"21433": "Thôn Văn Hà", "19603": "Thôn Lâm Lang"}

FILES = ("villages.gpkg", "sites.gpkg", "industrial_parks.geojson", "cashless_streets.geojson",
         "rsrp_4g.tif", "rsrp_5g.tif", "population.tif", "speeds_mobile.parquet", "stations.csv",
         "README.md")


def read_seed_communes(path: str | Path = DEFAULT_BOUNDARIES,
                       only: list[str] | None = None) -> gpd.GeoDataFrame:
    """The real seed boundaries with canonical columns and their old-province context.

    Parameters
    ----------
    path : path
        GeoPackage of 2025 communes with the reference-data columns (``gso_ward_code``,
        ``gso_full_name``, ``province_code``, ``province``, ``population``, ``area_km2``).
    only : list of str, optional
        Keep only these commune codes (quick subsets for tests).

    Returns
    -------
    GeoDataFrame
        Canonical commune columns + ``mountain`` and ``calibration_group`` (old province code).
    """
    try:
        g = gpd.read_file(path, layer="communes")
    except Exception as exc:  # pyogrio raises several types; the message says which
        raise LayerError(f"cannot read boundaries {path}: {exc}") from exc
    g = g.rename(columns={"gso_ward_code": S.COMMUNE_CODE, "gso_full_name": S.COMMUNE_NAME,
                          "province": S.PROVINCE_NAME})
    missing = [c for c in (S.COMMUNE_CODE, S.COMMUNE_NAME, S.PROVINCE_CODE, S.POPULATION,
                           S.AREA_KM2) if c not in g]
    if missing:
        raise LayerError(f"{path}: missing column(s) {missing}; expected the reference-data "
                         "columns gso_ward_code, gso_full_name, province_code, population, "
                         "area_km2")
    g = g[g[S.COMMUNE_CODE].notna()].copy()
    if only:
        g = g[g[S.COMMUNE_CODE].isin(only)].copy()
        unknown = sorted(set(only) - set(g[S.COMMUNE_CODE]))
        if unknown:
            raise LayerError(f"{path}: no commune with code(s) {unknown}")
    ctx = load_seed_context().set_index(S.COMMUNE_CODE)
    g["calibration_group"] = g[S.COMMUNE_CODE].map(ctx["old_province_code"])
    g["mountain"] = g[S.COMMUNE_CODE].map(ctx["mountain"])
    density = g[S.POPULATION] / g[S.AREA_KM2].clip(lower=0.01)
    unknown = g["calibration_group"].isna()
    g.loc[unknown, "mountain"] = density[unknown] < 100
    g.loc[unknown, "calibration_group"] = np.where(g.loc[unknown, "mountain"], "mountain",
                                                   "lowland")
    g["mountain"] = g["mountain"].astype(bool)
    g["calibration_group"] = g["calibration_group"].astype(str)
    g = g.sort_values(S.COMMUNE_CODE).reset_index(drop=True)
    cols = [S.COMMUNE_CODE, S.COMMUNE_NAME, S.PROVINCE_CODE, S.PROVINCE_NAME, S.POPULATION,
            S.AREA_KM2, "mountain", "calibration_group", "geometry"]
    return g[cols].to_crs(S.WGS84)


def sample_raster(path: str | Path, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Raster values at points (float; nodata → NaN)."""
    with rasterio.open(path) as src:
        vals = np.array([v[0] for v in src.sample(zip(lon, lat))], dtype=float)
        if src.nodata is not None:
            vals[vals == src.nodata] = np.nan
    return vals


def write_sample(out: str | Path = DEFAULT_OUT, boundaries: str | Path = DEFAULT_BOUNDARIES,
                 seed: int = DEFAULT_SEED, overwrite: bool = False,
                 only: list[str] | None = None) -> dict:
    """Generate every sample layer and write it to ``out``.

    Parameters
    ----------
    out : path
        Folder to write (created if needed). Other files in it (e.g. ``sample_plan.toml``) are
        left alone.
    boundaries : path
        The real 2025 communes (see :func:`read_seed_communes`).
    seed : int
        Everything is a function of the boundaries and the seed.
    overwrite : bool
        Replace existing sample files; without it, any existing one is a refusal.
    only : list of str, optional
        Restrict to these commune codes.

    Returns
    -------
    dict
        The measured figures (also written into ``out/README.md``).

    Raises
    ------
    OutputExistsError
        A sample file exists in ``out`` and ``overwrite`` is false.
    """
    out = Path(out)
    existing = [f for f in FILES if (out / f).exists()]
    if existing and not overwrite:
        raise OutputExistsError(
            f"{out} already holds {', '.join(existing)}; pass --overwrite to regenerate them")
    communes = read_seed_communes(boundaries, only)
    with replace_files(out) as tmp:  # every file is complete before any replaces its old one
        figures = _generate(communes, tmp, seed, boundaries)
    return figures


def _generate(communes: gpd.GeoDataFrame, tmp: Path, seed: int, boundaries) -> dict:
    villages = generate_villages(communes, seed, fibre_targets=FIBRE_TARGETS,
                                 team_targets=TEAM_TARGETS, ward_prefix=WARD_PREFIX,
                                 name_style=NAME_STYLE)
    for code, name in SEED_VILLAGES.items():
        first = villages.index[villages[S.COMMUNE_CODE] == code]
        if len(first):
            # The reports' flagship villages: connected, with a digital team.
            villages.loc[first[0], [S.VILLAGE_NAME]] = name
            villages.loc[first[0], [S.HAS_FIBRE, S.HAS_DIGITAL_TEAM]] = True
            villages.loc[first[0], S.FIBRE_HH_SHARE] = max(
                0.9, float(villages.loc[first[0], S.FIBRE_HH_SHARE]))
    parks = generate_parks(communes, seed)
    sites = generate_sites(communes, villages, seed, mobile_targets=MOBILE_TARGETS, parks=parks)

    grid = Grid.covering(communes.total_bounds, RESOLUTION_DEG)
    mask = Mask(grid, communes.geometry.to_numpy())
    r4 = write_rsrp_raster(sites, "4g", tmp / "rsrp_4g.tif", grid, mask, seed=seed)
    r5 = write_rsrp_raster(sites, "5g", tmp / "rsrp_5g.tif", grid, mask, seed=seed)
    lon = shapely.get_x(villages.geometry.values)
    lat = shapely.get_y(villages.geometry.values)
    pop = write_population_raster(lon, lat, villages[S.POPULATION].to_numpy(dtype=float),
                                  tmp / "population.tif", grid, mask)
    at4 = sample_raster(tmp / "rsrp_4g.tif", lon, lat)
    at5 = sample_raster(tmp / "rsrp_5g.tif", lon, lat)
    villages = attach_coverage(villages, at4, at5, seed)
    streets = generate_streets(communes, villages, seed)

    villages.to_file(tmp / "villages.gpkg", layer="villages", driver="GPKG")
    sites.to_file(tmp / "sites.gpkg", layer="sites", driver="GPKG")
    # the sites as a station register, for the coverage model (sample_plan_stations.toml)
    register_table(sites).to_csv(tmp / "stations.csv", index=False, encoding="utf-8")
    parks.to_file(tmp / "industrial_parks.geojson", driver="GeoJSON")
    streets.to_file(tmp / "cashless_streets.geojson", driver="GeoJSON")
    mountain = villages[S.COMMUNE_CODE].map(communes.set_index(S.COMMUNE_CODE)["mountain"])
    tiles = generate_speed_tiles(villages, at4, at5, seed, mountain=mountain.to_numpy(bool))
    tiles.to_parquet(tmp / "speeds_mobile.parquet", index=False)

    figures = measure(communes, villages, sites, parks, streets, at4, at5, r4, r5, pop, seed)
    figures.update(measure_speeds(tiles))
    figures["sizes_bytes"] = {f: (tmp / f).stat().st_size for f in FILES if f != "README.md"}

    (tmp / "README.md").write_text(render_readme(figures, boundaries), encoding="utf-8")
    return figures


def measure(communes, villages, sites, parks, streets, at4, at5, r4, r5, pop, seed) -> dict:
    """Figures of the generated data, by new province and by old-province area."""
    v = pd.DataFrame(villages.drop(columns="geometry"))
    meta = communes.set_index(S.COMMUNE_CODE)
    v["province"] = v[S.COMMUNE_CODE].map(meta[S.PROVINCE_NAME])
    v["group"] = v[S.COMMUNE_CODE].map(meta["calibration_group"])
    v["mountain"] = v[S.COMMUNE_CODE].map(meta["mountain"])
    v["cov4"] = at4 >= -105
    v["cov5"] = at5 >= -110
    v["hh_fibre"] = v[S.FIBRE_HH_SHARE] * v[S.HOUSEHOLDS].astype(float)

    def table(by):
        g = v.groupby(by, sort=True)
        t = pd.DataFrame({
            "communes": g[S.COMMUNE_CODE].nunique(), "villages": g.size(),
            "population": g[S.POPULATION].sum().astype(int),
            "villages_4g": g["cov4"].mean().round(4), "villages_5g": g["cov5"].mean().round(4),
            "villages_fibre": g[S.HAS_FIBRE].mean().astype(float).round(4),
            "households_fibre": (g["hh_fibre"].sum()
                                 / g[S.HOUSEHOLDS].sum().astype(float)).round(4),
            "digital_team": g[S.HAS_DIGITAL_TEAM].mean().astype(float).round(4),
            "power": g[S.HAS_POWER].mean().astype(float).round(4),
            "dbkk": g[S.DBKK].mean().astype(float).round(4),
        })
        return t

    by_old = table(["group", "mountain"]).reset_index()
    by_old["group"] = by_old["group"].map(lambda c: OLD_PROVINCE_NAMES.get(c, c))
    by_old_total = table("group").reset_index()
    by_old_total["group"] = by_old_total["group"].map(lambda c: OLD_PROVINCE_NAMES.get(c, c))
    return {
        "seed": seed,
        "villages": len(v), "communes": int(v[S.COMMUNE_CODE].nunique()),
        "villages_per_commune": round(len(v) / max(1, len(communes)), 2),
        "overall": table(lambda _: "all").reset_index(drop=True).to_dict("records")[0],
        "by_province": table("province").reset_index().to_dict("records"),
        "by_old_province": by_old_total.to_dict("records"),
        "by_old_province_terrain": by_old.to_dict("records"),
        "unknown_4g": int(v[S.HAS_4G].isna().sum()),
        "with_rsrp": int(v[S.RSRP_4G].notna().sum()),
        "with_download": int(v[S.DOWNLOAD_MBPS].notna().sum()),
        "sites": len(sites),
        "sites_by_operator": sites[S.OPERATOR].value_counts().sort_index().to_dict(),
        "sites_5g": int((sites[S.TECHNOLOGIES] == "4G,5G").sum()),
        "raster_cells": r4["cells"],
        "area_share_4g": round(r4["covered"] / max(1, r4["cells"]), 4),
        "area_share_5g": round(r5["covered"] / max(1, r5["cells"]), 4),
        "population_raster_total": round(pop["total"], 1),
        "village_population_total": int(v[S.POPULATION].sum()),
        "parks": len(parks),
        "parks_with_5g_sites": int(parks["has_5g_site"].sum()) if len(parks) else 0,
        "streets": int((streets[S.STREET_KIND] == "street").sum()) if len(streets) else 0,
        "markets": int((streets[S.STREET_KIND] == "market").sum()) if len(streets) else 0,
    }
