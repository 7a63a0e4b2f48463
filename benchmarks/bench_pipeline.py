"""The whole pipeline (`geo_cds.pipeline.run`) at national scale, stage by stage.

Inputs: the 3,321 real 2025 communes (shared/data/boundaries/communes_2025_national.gpkg),
~64,000 *generated* villages with every attribute (`geo_cds.sample.generate_villages`, 4G/5G
status left to the rasters), and the *generated* national 100 m RSRP and population rasters
of `bench_coverage.py` (built once and cached under benchmarks/cache/). The run writes every
output (tables, workbook, map) into benchmarks/cache/runs/ and this script prints the time of
each stage, the peak memory and the size of each output.

Usage::

    python benchmarks/bench_pipeline.py            # 100 m rasters (first time: ~5 min to build them)
    python benchmarks/bench_pipeline.py --cell 400 # 400 m rasters (quick)
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_coverage as bc  # noqa: E402  (the national rasters are built there)

CACHE = HERE / "cache"


def national_villages(path: Path) -> None:
    """~64,000 generated villages on the real national communes (cached)."""
    import geopandas as gpd

    from geo_cds.sample import generate_villages

    if path.exists():
        return
    g = gpd.read_file(bc.COMMUNES, layer="communes")
    g = g[g["gso_ward_code"].notna()]  # 21 units have no resolved official code
    communes = gpd.GeoDataFrame({
        "commune_code": g["gso_ward_code"], "commune_name": g["gso_full_name"],
        "province_code": g["province_code"], "population": g["population"],
        "area_km2": g["area_km2"]}, geometry=g.geometry.values, crs=g.crs)
    generate_villages(communes, seed=2025).to_file(path, layer="villages", driver="GPKG")


def national_plan(cell_m: int, villages: Path, out: Path):
    from geo_cds.plan import Budget, InputSpec, Plan, RasterSpec

    paths = bc._paths(CACHE, cell_m)
    return Plan(
        name=f"national-{cell_m}m", output_dir=out,
        communes=InputSpec(path=bc.COMMUNES, layer="communes", vintage="2025", columns={
            "commune_code": "gso_ward_code", "commune_name": "gso_full_name",
            "province_code": "province_code", "province_name": "province",
            "population": "population", "area_km2": "area_km2"}),
        villages=InputSpec(path=villages, layer="villages", vintage="2025", generated=True),
        rasters={
            "rsrp_4g": RasterSpec(path=paths["rsrp_4g"], technology="4g", generated=True),
            "rsrp_5g": RasterSpec(path=paths["rsrp_5g"], technology="5g", generated=True),
            "population": RasterSpec(path=paths["population"], kind="population", generated=True),
        },
        budget=Budget(vnd=500e9),
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cell", type=int, default=100, help="raster cell size in metres (100 or 400)")
    args = ap.parse_args()
    CACHE.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    paths = bc._paths(CACHE, args.cell)
    bc.make_zones(paths)
    bc.make_rasters(paths, args.cell)
    villages = CACHE / "villages_national.gpkg"
    national_villages(villages)
    print(f"inputs ready in {time.perf_counter() - t0:.1f} s (cached after the first run)")

    from geo_cds.pipeline import run

    plan = national_plan(args.cell, villages, CACHE / "runs")
    for attempt in ("first run (zone weights computed)", "second run (zone weights cached)"):
        t0 = time.perf_counter()
        result = run(plan, overwrite=True)
        wall = time.perf_counter() - t0
        print(f"\n{attempt}: {wall:.1f} s wall")
        for stage, secs in result.timings.items():
            print(f"  {stage:<9} {secs:7.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak memory (whole process): {peak:,.0f} MB")
    print(f"{len(result.communes):,} communes, {len(result.villages):,} villages, "
          f"{len(result.investment.priority):,} on the priority list; "
          f"{len(result.problems.errors)} input errors, {len(result.problems.warnings)} warnings")
    print("outputs:")
    for f in sorted(result.folder.iterdir()):
        print(f"  {f.name:<26} {f.stat().st_size / 1e6:8.2f} MB")


if __name__ == "__main__":
    main()
