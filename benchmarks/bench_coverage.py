"""National benchmark of the coverage engine against exactextract and rasterstats.

Generates (once, cached under ``benchmarks/cache/``) a national-size case on the real
boundaries: the 3,321 communes of 2025, ~10,600 *approximate* pre-2025 commune polygons (each
2025 commune split among the centroids of the old communes merged into it: Voronoi cells
clipped to the commune), *generated* 100 m rasters over mainland Vietnam in EPSG:4326 (two
smooth synthetic RSRP fields in dBm and a population raster; Float32, 512×512 tiles, DEFLATE,
nodata over the sea) and 64,000 generated village points. Then it runs every measured tool in a
fresh subprocess (clean peak memory: ``ru_maxrss`` of the child) and prints a table.

Contenders measured together run in turn, A B … A B …, ``--repeat`` times (5), each time in a
fresh process (no warm GDAL block cache carried over); each is reported as its median with the
min–max, and each ratio is taken pair by pair (the same round), so a change of the shared
machine's load hits both sides. Peak memory is the largest of the runs. geo-cds's call is timed
after its compiled kernels are loaded ("warm"), and also, beside it, in processes that find
numba's cache empty ("first call": compilation included). Zones come three ways: the
approximate pre-2025 communes (Voronoi cuts, median 35 vertices), the same densified to ≥ 330
vertices each (real boundaries have ~300), and the 3,321 communes of 2025. exactextract is
compared on the area share and on the population-weighted share (its ``weighted_mean`` of the
0/1 covered mask with the population raster as weights).

Usage::

    python benchmarks/bench_coverage.py            # the national case at 100 m (~30 min)
    python benchmarks/bench_coverage.py --quick    # 400 m cells, fewer rasterstats zones

The rasters cover lon 102.1–109.6, lat 8.3–23.5: the far-offshore special zones (Hoàng Sa,
Trường Sa) are (partly) off the raster and come out NaN, as they should.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DATA = Path(os.environ.get("GEO_CDS_SHARED", HERE.parent.parent / "shared")) / "data"
COMMUNES = DATA / "boundaries" / "communes_2025_national.gpkg"
UNITS_OLD = DATA / "admin_codes" / "units_pre2025.csv"
OLD_TO_NEW = DATA / "admin_codes" / "old_to_new_communes_2025.csv"
WEST, EAST, SOUTH, NORTH = 102.1, 109.6, 8.3, 23.5
THRESHOLD_4G = -105.0
THRESHOLD_5G = -110.0
SEED = 20250701


# --------------------------------------------------------------------------- generated inputs


def _paths(cache: Path, cell_m: int) -> dict[str, Path]:
    return {
        "communes": cache / "communes_2025.parquet",
        "old": cache / "communes_pre2025_approx.parquet",
        "dense": cache / "communes_pre2025_dense.parquet",
        "villages": cache / "villages.parquet",
        "rsrp_4g": cache / f"rsrp_4g_{cell_m}m.tif",
        "rsrp_5g": cache / f"rsrp_5g_{cell_m}m.tif",
        "mask_4g": cache / f"covered_4g_{cell_m}m.tif",
        "population": cache / f"population_{cell_m}m.tif",
    }


def make_zones(paths: dict[str, Path]) -> None:
    import geopandas as gpd
    import pandas as pd
    import shapely

    if not paths["communes"].exists():
        g = gpd.read_file(COMMUNES, layer="communes")
        g = g[["gso_ward_code", "ward_code", "name", "province_code", "geometry"]]
        g.to_parquet(paths["communes"])
    if paths["old"].exists():
        return
    communes = gpd.read_parquet(paths["communes"])
    # the mapping uses official codes; 114 units only carry the source's code (see data README)
    geom = dict(zip(communes["ward_code"], communes.geometry, strict=True))
    geom.update(
        zip(
            communes["gso_ward_code"].dropna(),
            communes.geometry[communes["gso_ward_code"].notna()],
            strict=True,
        )
    )
    new = gpd.GeoSeries(geom, crs=communes.crs)
    m = pd.read_csv(OLD_TO_NEW, dtype=str)
    u = pd.read_csv(UNITS_OLD, dtype=str).drop_duplicates("wardCode").set_index("wardCode")
    m = m[m["new_ward_code"].isin(new.index)].copy()
    m["lon"] = pd.to_numeric(m["old_ward_code"].map(u["wardLon"]), errors="coerce")
    m["lat"] = pd.to_numeric(m["old_ward_code"].map(u["wardLat"]), errors="coerce")
    rng = np.random.default_rng(SEED)
    rows = []
    for code, grp in m.groupby("new_ward_code", sort=False):
        poly = new[code]
        minx, miny, maxx, maxy = poly.bounds
        pts = grp[["lon", "lat"]].to_numpy()
        bad = ~np.isfinite(pts).all(axis=1)
        # a missing centroid: a random point of the commune's box (labelled approximate anyway)
        pts[bad] = np.c_[rng.uniform(minx, maxx, bad.sum()), rng.uniform(miny, maxy, bad.sum())]
        pts = pts + rng.normal(0, 1e-6, pts.shape)  # duplicate centroids would merge cells
        if len(pts) == 1:
            cells = [poly]
        else:
            env = shapely.box(minx - 1, miny - 1, maxx + 1, maxy + 1)
            vor = shapely.get_parts(
                shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env)
            )
            # Voronoi cells come unordered: give each its generating point
            tree = shapely.STRtree(vor)
            owner = tree.query(shapely.points(pts), predicate="intersects")
            cell_of = dict(zip(owner[0], owner[1], strict=False))
            cells = [shapely.intersection(vor[cell_of[i]], poly) for i in range(len(pts))]
        for (_, r), cell in zip(grp.iterrows(), cells, strict=True):
            rows.append((r["old_ward_code"], code, r["old_ward"], cell))
    old = gpd.GeoDataFrame(
        rows, columns=["old_ward_code", "new_ward_code", "old_ward", "geometry"], crs=new.crs
    )
    # a centroid geocoded far outside its new commune can leave an empty cell: exactextract
    # cannot read empty geometries, so the benchmark keeps the non-empty ones only
    old = old[~old.is_empty].reset_index(drop=True)
    old["approximate"] = True
    old.to_parquet(paths["old"])


def make_dense_zones(paths: dict[str, Path], vertices: int = 330) -> None:
    """The pre-2025 zones with every edge cut so that each zone has ≥ ``vertices`` vertices.

    Real commune boundaries have ~300 vertices (the 2025 ones a median of 117 after the
    source's simplification); the Voronoi cuts leave the pre-2025 zones a median of 35. The
    added vertices lie on the original edges, so every answer is unchanged and only the work
    per vertex grows.
    """
    import geopandas as gpd
    import shapely

    if paths["dense"].exists():
        return
    old = gpd.read_parquet(paths["old"])
    geoms = old.geometry.values
    old["geometry"] = shapely.segmentize(geoms, shapely.length(geoms) / vertices)
    old.to_parquet(paths["dense"])


def make_villages(paths: dict[str, Path], n: int = 64_000) -> None:
    import geopandas as gpd
    import shapely

    if paths["villages"].exists():
        return
    communes = gpd.read_parquet(paths["communes"])
    tree = shapely.STRtree(communes.geometry.values)
    rng = np.random.default_rng(SEED + 1)
    keep = []
    while sum(len(k) for k in keep) < n:
        p = shapely.points(rng.uniform(WEST, EAST, 4 * n), rng.uniform(SOUTH, NORTH, 4 * n))
        hit = np.unique(tree.query(p, predicate="within")[0])
        keep.append(p[hit])
    pts = np.concatenate(keep)[:n]
    gpd.GeoDataFrame(
        {"village_id": [f"V{i:06d}" for i in range(n)]}, geometry=pts, crs="EPSG:4326"
    ).to_parquet(paths["villages"])


def _smooth(shape, rng, sigma):
    from scipy.ndimage import gaussian_filter

    f = gaussian_filter(rng.normal(size=shape), sigma)
    return (f - f.mean()) / f.std()


def make_rasters(paths: dict[str, Path], cell_m: int) -> None:
    import geopandas as gpd
    import rasterio
    from rasterio.features import rasterize
    from rasterio.transform import from_origin
    from scipy.ndimage import map_coordinates

    if all(paths[k].exists() for k in ("rsrp_4g", "rsrp_5g", "mask_4g", "population")):
        return
    res = cell_m / 108_000.0  # 100 m = 1/1080 degree of latitude
    width = round((EAST - WEST) / res)
    height = round((NORTH - SOUTH) / res)
    transform = from_origin(WEST, NORTH, res, res)
    # the synthetic fields live on a ~1 km control grid and are interpolated to the cells
    cres = 1 / 108.0
    cw, ch = int((EAST - WEST) / cres) + 2, int((NORTH - SOUTH) / cres) + 2
    rng = np.random.default_rng(SEED + 2)
    f4 = -98.0 + 14.0 * _smooth((ch, cw), rng, 4)  # ~70 % of land at ≥ -105 dBm
    f5 = -112.0 + 14.0 * _smooth((ch, cw), rng, 3)
    fp = np.exp(1.2 * _smooth((ch, cw), rng, 6)) * (cell_m / 100.0) ** 2 * 3.0
    communes = gpd.read_parquet(paths["communes"])
    land = rasterize(
        ((g, 1) for g in communes.geometry.values),
        out_shape=(ch, cw),
        transform=from_origin(WEST, NORTH, cres, cres),
        all_touched=True,
        dtype="uint8",
    )
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 1,
        "dtype": "float32",
        "crs": "EPSG:4326",
        "transform": transform,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "nodata": -9999.0,
        "BIGTIFF": "IF_SAFER",
    }
    dsts = {k: rasterio.open(paths[k], "w", **profile) for k in ("rsrp_4g", "rsrp_5g", "mask_4g")}
    dsts["population"] = rasterio.open(paths["population"], "w", **{**profile, "nodata": None})
    try:
        step = 2048
        cols = (np.arange(width) + 0.5) * res / cres
        for r0 in range(0, height, step):
            r1 = min(height, r0 + step)
            rows = (np.arange(r0, r1) + 0.5) * res / cres
            rr, cc = np.meshgrid(rows, cols, indexing="ij")
            coords = np.array([rr.ravel(), cc.ravel()])
            sea = map_coordinates(land, coords, order=0).reshape(rr.shape) == 0
            win = rasterio.windows.Window(0, r0, width, r1 - r0)
            for key, field in (("rsrp_4g", f4), ("rsrp_5g", f5)):
                v = map_coordinates(field, coords, order=1).reshape(rr.shape).astype("float32")
                v[sea] = -9999.0
                dsts[key].write(v, 1, window=win)
                if key == "rsrp_4g":
                    mask = (v >= THRESHOLD_4G).astype("float32")
                    mask[sea] = -9999.0
                    dsts["mask_4g"].write(mask, 1, window=win)
            p = map_coordinates(fp, coords, order=1).reshape(rr.shape).astype("float32")
            p[sea] = 0.0
            dsts["population"].write(p, 1, window=win)
    finally:
        for d in dsts.values():
            d.close()


# --------------------------------------------------------------------------- measured tasks


def _zones(paths, which):
    import geopandas as gpd

    return gpd.read_parquet(paths["communes" if which == "new" else which])


def _warm_up() -> float:
    """Load (or, with an empty numba cache, compile) the kernels; returns seconds."""
    from geo_cds.analysis.coverage.prepare import prepare

    return prepare()


def _timed(call, out: dict):
    """Run ``call`` once, record its wall time in ``out["seconds"]``, return its result."""
    t0 = time.perf_counter()
    result = call()
    out["seconds"] = time.perf_counter() - t0
    return result


def run_task(task: str, paths: dict[str, Path], args) -> dict:
    """One measured task (runs in its own process)."""
    out: dict = {"task": task}
    if task == "read":
        import rasterio

        def read():
            with rasterio.Env(GDAL_NUM_THREADS="ALL_CPUS"), rasterio.open(paths["rsrp_4g"]) as src:
                return src.read(1)

        out["cells"] = int(_timed(read, out).size)
    elif task.startswith("ours"):
        from geo_cds.analysis.coverage import zonal_coverage

        _, mode, nr, which = task.split(":")  # ours:exact:1:old
        zones = _zones(paths, which)
        # --first: the call itself compiles the kernels (the parent emptied numba's cache)
        out["warm_up"] = 0.0 if args.first else _warm_up()
        rasters = {"4g": paths["rsrp_4g"]}
        if nr == "2":
            rasters["5g"] = paths["rsrp_5g"]
        thr = {"4g": THRESHOLD_4G, "5g": THRESHOLD_5G}
        thr = {k: v for k, v in thr.items() if k in rasters}
        pop = paths["population"] if args.with_pop else None
        cache = paths["communes"].parent / "weights" if args.cached else None
        timings: dict = {}

        def ours():
            timings.clear()
            return zonal_coverage(
                zones,
                rasters,
                thresholds=thr,
                population=pop,
                mode=mode,
                cache_dir=cache,
                timings=timings,
            )

        res = _timed(ours, out)
        out["timings"] = timings
        out["repaired"] = res.attrs.get("repaired_geometries")
        out["n_zones"] = len(res)
        import shapely

        out["median_vertices"] = float(np.median(shapely.get_num_coordinates(zones.geometry.values)))
        if args.save:
            res.to_parquet(args.save)
    elif task.startswith("exactextract"):
        from exactextract import exact_extract

        _, raster, which = task.split(":")  # exactextract:rsrp_4g:old
        zones = _zones(paths, which)
        if raster == "mask_4g":  # the covered share, by area and by population
            ops, kw = ["mean", "weighted_mean"], {"weights": str(paths["population"])}
        else:
            ops, kw = ["mean", "min", "max", "count"], {}
        res = _timed(
            lambda: exact_extract(str(paths[raster]), zones, ops, output="pandas", **kw), out
        )
        if args.save:
            res.to_parquet(args.save)
    elif task.startswith("rasterstats"):
        from rasterstats import zonal_stats

        _, which, n = task.split(":")
        zones = _zones(paths, which)
        sub = zones.sample(n=min(int(n), len(zones)), random_state=SEED)
        t0 = time.perf_counter()
        zonal_stats(sub, str(paths["rsrp_4g"]), stats=["mean", "min", "max", "count"])
        sec = time.perf_counter() - t0
        out["sampled"] = len(sub)
        out["seconds_sample"] = sec
        out["seconds"] = sec * len(zones) / len(sub)  # extrapolated to every zone
    elif task.startswith("points"):
        import geopandas as gpd

        from geo_cds.analysis.coverage import values_at_points

        radius = float(task.split(":")[1])
        out["warm_up"] = _warm_up()
        villages = gpd.read_parquet(paths["villages"])
        v = _timed(
            lambda: values_at_points(villages, paths["rsrp_4g"], radius_m=radius),
            out,
        )
        out["n_points"] = len(v)
        out["nan"] = int(np.isnan(v).sum())
    else:
        raise SystemExit(f"unknown task {task}")
    out["peak_mb"] = _peak_mb()
    return out


def _peak_mb() -> float:
    """Peak resident memory of this process. VmHWM, because on Linux ru_maxrss carries over
    the parent's peak through fork + exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spawn(task: str, args, *extra: str) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--task",
        task,
        "--cell-m",
        str(args.cell_m),
        "--cache",
        str(args.cache),
        *extra,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"task {task} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _compare(ours: Path, ee_rsrp: Path, ee_mask: Path, n_fast: Path | None = None) -> dict:
    import pandas as pd

    o = pd.read_parquet(ours)
    e = pd.read_parquet(ee_rsrp)
    m = pd.read_parquet(ee_mask)
    d = {}
    share_ee = m["mean"].to_numpy()
    share = o["4g_area_share"].to_numpy()
    d["nan_mismatch"] = int((np.isnan(share_ee) != np.isnan(share)).sum())
    d["area_share_max_abs_diff"] = float(np.nanmax(np.abs(share - share_ee)))
    pop, pop_ee = o["4g_pop_share"].to_numpy(), m["weighted_mean"].to_numpy()
    d["pop_nan_mismatch"] = int((np.isnan(pop) != np.isnan(pop_ee)).sum())
    d["pop_share_max_abs_diff"] = float(np.nanmax(np.abs(pop - pop_ee)))
    for stat in ("mean", "min", "max"):
        d[f"{stat}_max_abs_diff_dbm"] = float(
            np.nanmax(np.abs(o[f"4g_{stat}"].to_numpy() - e[stat].to_numpy()))
        )
    d["minmax_zones_differing"] = int(
        (
            (np.abs(o["4g_min"].to_numpy() - e["min"].to_numpy()) > 1e-6)
            | (np.abs(o["4g_max"].to_numpy() - e["max"].to_numpy()) > 1e-6)
        ).sum()
    )
    d["nan_zones"] = int(np.isnan(share).sum())
    if n_fast is not None:
        f = pd.read_parquet(n_fast)["4g_area_share"].to_numpy()
        diff = np.abs(f - share_ee)
        d["fast_area_share_max_abs_diff"] = float(np.nanmax(diff))
        d["fast_area_share_mean_abs_diff"] = float(np.nanmean(diff))
    return d


def clear_kernel_cache() -> None:
    """Empty numba's disk cache of the coverage kernels, so the next process compiles them."""
    from geo_cds.analysis.coverage import _kernels

    folder = Path(_kernels.accumulate._cache._cache_path)
    for f in [*folder.glob("_kernels.*.nbi"), *folder.glob("_kernels.*.nbc")]:
        f.unlink()


# What can be measured (``--only``): zones per zone set against exactextract, the first call,
# 1/2 rasters + population, cached weights, fast mode (+ rasterstats), values at points.
PARTS = ("old", "dense", "new", "first", "rasters", "cached", "fast", "points")


def _stats(values: list[float]) -> str:
    return f"{np.median(values):6.2f} ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="400 m cells, 200 rasterstats zones")
    ap.add_argument("--cell-m", type=int, default=None, help="cell size in metres (100)")
    ap.add_argument("--cache", type=Path, default=HERE / "cache")
    ap.add_argument(
        "--rasterstats-sample",
        type=int,
        default=None,
        help="zones given to rasterstats (time extrapolated to all; default 1000)",
    )
    ap.add_argument("--no-baselines", action="store_true", help="skip exactextract/rasterstats")
    ap.add_argument(
        "--repeat", type=int, default=5,
        help="fresh processes per contender, contenders interleaved; median (min–max) (5)",
    )
    ap.add_argument(
        "--only", default=",".join(PARTS),
        help=f"comma-separated parts to measure (default all: {','.join(PARTS)})",
    )
    ap.add_argument(
        "--mask-every-round", action="store_true",
        help="time exactextract's covered-share call every round (default: the first only; it "
        "is there for the agreement of the area and population shares)",
    )
    ap.add_argument("--task", help=argparse.SUPPRESS)
    ap.add_argument("--save", help=argparse.SUPPRESS)
    ap.add_argument("--with-pop", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--cached", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--first", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.cell_m is None:
        args.cell_m = 400 if args.quick else 100
    if args.rasterstats_sample is None:
        args.rasterstats_sample = 200 if args.quick else 1000
    args.cache.mkdir(parents=True, exist_ok=True)
    paths = _paths(args.cache, args.cell_m)
    if args.task:
        print(json.dumps(run_task(args.task, paths, args)))
        return

    t0 = time.perf_counter()
    make_zones(paths)
    make_dense_zones(paths)
    make_villages(paths)
    make_rasters(paths, args.cell_m)
    print(f"inputs ready in {time.perf_counter() - t0:.0f} s (cached in {args.cache})")
    results = args.cache / "results"
    results.mkdir(exist_ok=True)
    found: dict[str, list[dict]] = {}
    baselines = not args.no_baselines
    parts = set(args.only.split(","))
    if parts - set(PARTS):
        raise SystemExit(f"--only: unknown {sorted(parts - set(PARTS))}; parts are {PARTS}")

    def group(*contenders, ratios=(), once=()):
        """Run the contenders in turn (A B … A B …), each ``--repeat`` times in a fresh process
        (those in ``once``: in the first round only); print each one's median (min–max) and
        each ratio (label_a, label_b) pair by pair."""
        runs: dict[str, list[dict]] = {c[0]: [] for c in contenders}
        for i in range(max(args.repeat, 1)):
            for label, task, extra, *before in contenders:
                if i > 0 and label in once:
                    continue
                extra = list(extra)
                if i > 0 and "--save" in extra:  # keep the first run's table
                    k = extra.index("--save")
                    del extra[k : k + 2]
                if before:
                    before[0]()
                runs[label].append(spawn(task, args, *extra))
        for label, rs in runs.items():
            secs = [r["seconds"] for r in rs]
            peak = max(r["peak_mb"] for r in rs)
            print(f"  {label:<60} {_stats(secs)} s  n={len(secs)}  peak {peak:6.0f} MB",
                  flush=True)
        for a, b in ratios:
            pair = [x["seconds"] / y["seconds"] for x, y in zip(runs[a], runs[b], strict=False)]
            print(f"    {a} / {b}: {_stats(pair)}×  n={len(pair)}", flush=True)
        found.update(runs)
        return runs

    z = {"old": "pre-2025 zones", "dense": "pre-2025 zones densified", "new": "2025 communes"}
    print(f"measuring: each contender {args.repeat}× in fresh processes, interleaved; "
          "seconds of the call, median (min–max)")
    group(("read + decompress the 4G raster", "read", []))
    for which in [w for w in ("old", "dense", "new") if w in parts]:
        ours = (f"geo-cds exact, 1 raster, {z[which]}", f"ours:exact:1:{which}", [])
        ours_pop = (f"geo-cds exact, 1 raster + population, {z[which]}",
                    f"ours:exact:1:{which}",
                    ["--save", str(results / f"ours_exact_{which}.parquet"), "--with-pop"])
        ee = (f"exactextract, 1 raster, {z[which]}", f"exactextract:rsrp_4g:{which}",
              ["--save", str(results / f"ee_rsrp_{which}.parquet")])
        mask = (f"exactextract, covered share by area and population, {z[which]}",
                f"exactextract:mask_4g:{which}",
                ["--save", str(results / f"ee_mask_{which}.parquet")])
        if baselines:
            group(ours, ee, ours_pop, mask, ratios=[(ee[0], ours[0]), (mask[0], ours_pop[0])],
                  once=() if args.mask_every_round else (mask[0],))
        else:
            group(ours)
    if "first" in parts:
        first = ("geo-cds exact, 1 raster, pre-2025, first call (compiling the kernels)",
                 "ours:exact:1:old", ["--first"], clear_kernel_cache)
        warm = ("geo-cds exact, 1 raster, pre-2025, warm", "ours:exact:1:old", [])
        group(first, warm, ratios=[(first[0], warm[0])])
        print(f"    (warm processes load the compiled kernels before the clock: median "
              f"{np.median([r['warm_up'] for r in found[warm[0]]]):.2f} s)")
    if "rasters" in parts:
        one = ("geo-cds exact, 1 raster", "ours:exact:1:old", [])
        two = ("geo-cds exact, 2 rasters", "ours:exact:2:old", [])
        pop = ("geo-cds exact, 2 rasters + population", "ours:exact:2:old", ["--with-pop"])
        group(one, two, pop, ratios=[(two[0], one[0])])
    read = found["read + decompress the 4G raster"]
    if "cached" in parts:
        # the first run (a process of its own) fills the weight cache; the measured ones use it
        shutil.rmtree(args.cache / "weights", ignore_errors=True)
        spawn("ours:exact:1:old", args, "--cached")
        cached = group(("geo-cds exact, 1 raster, cached weights", "ours:exact:1:old",
                        ["--cached"]))
        pair = [c["seconds"] / r["seconds"] for c, r in zip(*cached.values(), read, strict=False)]
        print(f"    cached / raster read: {_stats(pair)}×")
    fast = ("geo-cds fast (cell centres), 1 raster", "ours:fast:1:old",
            ["--save", str(results / "ours_fast_old.parquet")])
    if "fast" not in parts:
        pass
    elif baselines:
        rs = (f"rasterstats, {args.rasterstats_sample} zones, extrapolated to all",
              f"rasterstats:old:{args.rasterstats_sample}", [])
        group(fast, rs, ratios=[(rs[0], fast[0])])
    else:
        group(fast)
    if "points" in parts:
        group(("geo-cds values_at_points, 64k villages", "points:0", []),
              ("geo-cds values_at_points, 64k villages, 1 km radius", "points:1000", []))

    print()
    print(f"raster {read[0]['cells']:,} cells at {args.cell_m} m")
    for which in [w for w in ("old", "dense", "new") if w in parts]:
        r = found[f"geo-cds exact, 1 raster, {z[which]}"][0]
        print(f"{z[which]}: {r['n_zones']} zones, median {r['median_vertices']:.0f} vertices, "
              f"{r['repaired']} geometries repaired")
    peak = max(r["peak_mb"] for label, rs in found.items() if label.startswith("geo-cds")
               for r in rs)
    print(f"peak memory of geo-cds runs: {peak:.0f} MB  (target < 4096)")
    if not baselines:
        return
    for which in [w for w in ("old", "dense", "new") if w in parts]:
        d = _compare(results / f"ours_exact_{which}.parquet",
                     results / f"ee_rsrp_{which}.parquet",
                     results / f"ee_mask_{which}.parquet",
                     results / "ours_fast_old.parquet" if which == "old" and "fast" in parts
                     else None)
        print(f"agreement with exactextract, {z[which]}:")
        print(f"  max |area share − exactextract|:       {d['area_share_max_abs_diff']:.2e} "
              f"(NaN in one only: {d['nan_mismatch']})  (target ≤ 1e-6)")
        print(f"  max |population share − exactextract|: {d['pop_share_max_abs_diff']:.2e} "
              f"(NaN in one only: {d['pop_nan_mismatch']})")
        print(f"  max |mean − exactextract|:             {d['mean_max_abs_diff_dbm']:.2e} dBm; "
              f"min {d['min_max_abs_diff_dbm']:.2e}; max {d['max_max_abs_diff_dbm']:.2e}; "
              f"zones whose min or max differ: {d['minmax_zones_differing']}; "
              f"NaN zones {d['nan_zones']}")
        if "fast_area_share_max_abs_diff" in d:
            print(f"  fast mode: max |area share − exact| {d['fast_area_share_max_abs_diff']:.3f},"
                  f" mean {d['fast_area_share_mean_abs_diff']:.4f}")


if __name__ == "__main__":
    main()
