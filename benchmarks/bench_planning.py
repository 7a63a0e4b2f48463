"""Planning time on a national-size village set (~64,000 villages over the 3,321 communes).

Villages come from ``geo_cds.sample.generate_villages`` on the real 2025 national communes
(random points inside each commune when the generator is not available); 4G gaps are drawn
at random (a few percent, more in ĐBKK communes), fibre and power from the generator. The
benchmark prints figures; it asserts nothing about time.

    python benchmarks/bench_planning.py
    python benchmarks/bench_planning.py --mobile-gap 0.05 --budgets 50e9,200e9,1000e9
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.plan import Budget, Plan

NATIONAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "boundaries" / \
    "communes_2025_national.gpkg"


def national_communes(path: Path) -> gpd.GeoDataFrame:
    raw = gpd.read_file(path, layer="communes")
    c = raw.rename(columns={"gso_ward_code": s.COMMUNE_CODE, "gso_full_name": s.COMMUNE_NAME,
                            "province": s.PROVINCE_NAME})
    c[s.COMMUNE_CODE] = c[s.COMMUNE_CODE].fillna(raw["ward_code"]).astype(str).str.zfill(5)
    c[s.PROVINCE_CODE] = c[s.PROVINCE_CODE].astype(str).str.zfill(2)
    c[s.POPULATION] = pd.to_numeric(c[s.POPULATION], errors="coerce").fillna(0).astype("int64")
    c = c.drop_duplicates(s.COMMUNE_CODE)
    return c[[s.COMMUNE_CODE, s.COMMUNE_NAME, s.PROVINCE_CODE, s.PROVINCE_NAME, s.POPULATION,
              s.AREA_KM2, "geometry"]]


def random_villages(communes: gpd.GeoDataFrame, seed: int, per_commune: float = 19.2
                    ) -> gpd.GeoDataFrame:
    """Fallback: uniform random points inside each commune, population shared out."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(per_commune, len(communes)).clip(1)
    geoms = np.asarray(communes.geometry.values, dtype=object)
    pts = [shapely.points(np.column_stack(
        [rng.uniform(g.bounds[0], g.bounds[2], 4 * k), rng.uniform(g.bounds[1], g.bounds[3], 4 * k)]))
        for g, k in zip(geoms, n, strict=True)]
    rows = []
    for g, k, p, code, pop in zip(geoms, n, pts, communes[s.COMMUNE_CODE],
                                  communes[s.POPULATION], strict=True):
        inside = p[shapely.contains(g, p)][:k]
        if len(inside) == 0:
            inside = np.array([shapely.point_on_surface(g)])
        share = rng.dirichlet(np.ones(len(inside))) * max(pop, 100)
        for j, (pt, people) in enumerate(zip(inside, share, strict=True)):
            rows.append({s.VILLAGE_ID: f"{code}-{j:03d}", s.VILLAGE_NAME: f"Thôn {j + 1}",
                         s.COMMUNE_CODE: code, s.POPULATION: int(people),
                         s.HOUSEHOLDS: int(people / 4), s.HAS_POWER: rng.random() > 0.01,
                         s.DBKK: rng.random() < 0.1, s.HAS_FIBRE: rng.random() > 0.03,
                         s.FIBRE_HH_SHARE: rng.uniform(0.5, 1.0), s.HAS_DIGITAL_TEAM: True,
                         "geometry": pt})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def build(seed: int, mobile_gap: float, communes_path: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from geo_cds.analysis import gaps

    communes = national_communes(communes_path)
    t0 = time.perf_counter()
    try:
        from geo_cds.sample.villages import generate_villages

        villages = generate_villages(communes, seed=seed)
        how = "geo_cds.sample.generate_villages"
    except ImportError as exc:  # the sample generator is not there: random points
        print(f"generate_villages unavailable ({type(exc).__name__}: {exc}); random points")
        villages = random_villages(communes, seed)
        how = "random points"
    rng = np.random.default_rng(seed)
    dbkk = villages[s.DBKK].astype("boolean").fillna(False).to_numpy(bool)
    p = np.where(dbkk, 4 * mobile_gap, mobile_gap)
    villages[s.COVERED_4G] = pd.array(rng.random(len(villages)) >= p, dtype="boolean")
    villages[s.COVERED_5G] = pd.array(rng.random(len(villages)) < 0.3, dtype="boolean")
    for col, default in ((s.HAS_DIGITAL_TEAM, True), (s.FIBRE_HH_SHARE, 0.9)):
        if col not in villages:
            villages[col] = default
    villages = gaps.village_gaps(villages, Plan())
    print(f"villages: {len(villages):,} in {len(communes):,} communes ({how}, "
          f"{time.perf_counter() - t0:.1f} s)")
    return villages, communes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--mobile-gap", type=float, default=0.02,
                    help="share of villages without 4G outside ĐBKK communes (×4 inside)")
    ap.add_argument("--budget", type=float, default=500e9)
    ap.add_argument("--budgets", default="50e9,200e9,500e9,1000e9",
                    help="budget sweep (VND), comma-separated; '' to skip")
    ap.add_argument("--communes", type=Path, default=NATIONAL)
    args = ap.parse_args()

    from geo_cds.planning.priority import plan_investments

    villages, communes = build(args.seed, args.mobile_gap, args.communes)
    print(f"gaps: {int(villages[s.GAP_MOBILE].fillna(False).sum()):,} without 4G, "
          f"{int(villages[s.GAP_FIBRE].fillna(False).sum()):,} without fibre, "
          f"{int((villages[s.N_GAPS] > 0).sum()):,} with any gap")
    for method in ("exact", "greedy"):
        plan = dataclasses.replace(Plan(), budget=Budget(vnd=args.budget, method=method))
        t0 = time.perf_counter()
        inv = plan_investments(villages, communes, None, None, None, plan)
        dt = time.perf_counter() - t0
        sm = inv.summary
        print(f"\nplan_investments, method={method}: {dt:.2f} s")
        print(f"  priority rows {len(inv.priority):,}; interventions "
              + ", ".join(f"{k} {v:,}" for k, v in sm["count_by_kind"].items()))
        print(f"  total cost {sm['total_cost_vnd']:,} VND; budget {args.budget:,.0f}: "
              f"{sm['in_budget']['people_served']:,} people in "
              f"{sm['in_budget']['villages_served']:,} villages, {sm['in_budget']['cost_vnd']:,} VND")
        g = sm["exact_vs_greedy"]
        print(f"  exact {g['people_exact']:,} vs greedy {g['people_greedy']:,} "
              f"(gap {g['gap_people']:,}, {100 * g['gap_share']:.3f}%), status {g['exact_status']}")
    with tempfile.TemporaryDirectory() as tmp:
        from geo_cds.outputs.investment import write_investment_outputs

        t0 = time.perf_counter()
        write_investment_outputs(Path(tmp), inv)
        print(f"\nwrite_investment_outputs (CSV, XLSX, GPKG, JSON; {len(inv.priority):,} rows): "
              f"{time.perf_counter() - t0:.2f} s")
    budgets = [float(b) for b in args.budgets.split(",") if b.strip()]
    if budgets:
        t0 = time.perf_counter()
        sweep = inv.sweep(budgets)
        print(f"\nbudget sweep ({len(budgets)} budgets, exact + greedy each): "
              f"{time.perf_counter() - t0:.2f} s")
        print(sweep[["budget_vnd", "people_exact", "people_greedy", "gap_people",
                     "exact_status"]].to_string(index=False))
        assert (sweep["people_exact"].diff().dropna() >= 0).all(), "sweep not monotone"


if __name__ == "__main__":
    main()
