"""The whole pipeline (`geo_cds.pipeline.run`) at national scale, stage by stage.

Inputs: the 3,321 real 2025 communes (shared/data/boundaries/communes_2025_national.gpkg),
~64,000 *generated* villages with every attribute (`geo_cds.sample.generate_villages`, 4G/5G
status left to the rasters; ``--villages N`` generates about N on the same communes instead,
cached as benchmarks/cache/villages_national_N.parquet), and the *generated* national 100 m
RSRP and population rasters of `bench_coverage.py` (built once and cached under
benchmarks/cache/). The run writes every
output (tables, workbook, map) into benchmarks/cache/runs/.

Each measured process is fresh: it deletes its cache (zone weights, the map's geometry), runs
the pipeline once (the *first* call: imports, zone weights and map geometry computed) and again
(the *warm* call: both read from the cache), and
reports the wall and CPU time of each call, every stage and every part of the writing, and
its peak memory (VmHWM); ``--no-warm`` stops after the first call (the scale test),
``--profile FILE`` saves a cProfile of the measured calls (the figures then include the
profiler's overhead). With ``--anchor`` the same measurement runs on another tree of
geo-cds (the commit before: ``git worktree add /tmp/anchor <sha>``) in the same invocation,
the two interleaved A B A B…; ratios are taken pair by pair.

Usage::

    python benchmarks/bench_pipeline.py                    # one process, this tree
    python benchmarks/bench_pipeline.py --rounds 5 --anchor /tmp/anchor
    python benchmarks/bench_pipeline.py --cell 400         # 400 m rasters (quick)
    python benchmarks/bench_pipeline.py --villages 1000000 --no-warm   # the scale test
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_coverage as bc  # noqa: E402  (the national rasters are built there)

CACHE = HERE / "cache"


def villages_path(n: int | None) -> Path:
    """Where the villages are cached: the national ~64,000 (GeoPackage) or ``n`` (GeoParquet)."""
    return CACHE / ("villages_national.gpkg" if n is None else f"villages_national_{n}.parquet")


def national_villages(path: Path, n: int | None = None) -> None:
    """Generated villages on the real national communes (cached): ~64,000 by default, else
    about ``n`` (the generator's cap per commune lifted to 20 × the mean)."""
    import geopandas as gpd

    from geo_cds.sample import generate_villages
    from geo_cds.sample.villages import MAX_VILLAGES

    if path.exists():
        return
    g = gpd.read_file(bc.COMMUNES, layer="communes")
    g = g[g["gso_ward_code"].notna()]  # 21 units have no resolved official code
    communes = gpd.GeoDataFrame({
        "commune_code": g["gso_ward_code"], "commune_name": g["gso_full_name"],
        "province_code": g["province_code"], "population": g["population"],
        "area_km2": g["area_km2"]}, geometry=g.geometry.values, crs=g.crs)
    if n is None:
        generate_villages(communes, seed=2025).to_file(path, layer="villages", driver="GPKG")
        return
    per = n / len(communes)
    v = generate_villages(communes, seed=2025, villages_per_commune=per,
                          max_villages=max(MAX_VILLAGES, int(20 * per)))
    v.to_parquet(path)


def national_plan(cell_m: int, villages: Path, out: Path):
    from geo_cds.plan import Budget, InputSpec, Plan, RasterSpec

    paths = bc._paths(CACHE, cell_m)
    return Plan(
        name=f"national-{cell_m}m", output_dir=out,
        communes=InputSpec(path=bc.COMMUNES, layer="communes", vintage="2025", columns={
            "commune_code": "gso_ward_code", "commune_name": "gso_full_name",
            "province_code": "province_code", "province_name": "province",
            "population": "population", "area_km2": "area_km2"}),
        villages=InputSpec(path=villages, layer="villages" if villages.suffix == ".gpkg" else None,
                           vintage="2025", generated=True),
        rasters={
            "rsrp_4g": RasterSpec(path=paths["rsrp_4g"], technology="4g", generated=True),
            "rsrp_5g": RasterSpec(path=paths["rsrp_5g"], technology="5g", generated=True),
            "population": RasterSpec(path=paths["population"], kind="population", generated=True),
        },
        budget=Budget(vnd=500e9),
    )


def _cpu() -> float:
    """CPU time of this process and of its children that ended (the writer's GeoPackage one)."""
    return sum(r.ru_utime + r.ru_stime for r in (resource.getrusage(resource.RUSAGE_SELF),
                                                 resource.getrusage(resource.RUSAGE_CHILDREN)))


def child(cell: int, label: str, n: int | None, warm: bool, profile: Path | None) -> dict:
    """One fresh process: the first call and the warm call of ``run`` (see the docstring)."""
    import geo_cds
    from geo_cds.pipeline import run

    out = CACHE / "runs" / label
    shutil.rmtree(out / ".cache", ignore_errors=True)  # the first call computes the weights
    plan = national_plan(cell, villages_path(n), out)
    calls = {}
    prof = None
    if profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    for call in ("first", "warm") if warm else ("first",):
        steps: dict[str, float] = {}

        def progress(stage: str, seconds: float | None) -> None:
            if seconds is not None:
                steps[stage] = steps.get(stage, 0.0) + seconds

        t0, c0 = time.perf_counter(), _cpu()
        result = run(plan, overwrite=True, progress=progress)
        calls[call] = {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0,
                       "stages": dict(result.timings),
                       "write_parts": {k: v for k, v in steps.items() if k.startswith("write")},
                       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    if prof is not None:
        prof.disable()
        prof.dump_stats(profile)
    calls["code"] = str(Path(geo_cds.__file__).parent.parent)
    calls["outputs_mb"] = {f.name: round(f.stat().st_size / 1e6, 2)
                           for f in sorted(result.folder.iterdir()) if f.is_file()}
    calls["rows"] = {"communes": len(result.communes), "villages": len(result.villages),
                     "priority": len(result.investment.priority)}
    return calls


def write_child(label: str, sweep: bool, n: int | None, warm: bool = True) -> dict:
    """One fresh process: the analysed national run (pickled) written twice, first and warm.

    Without ``sweep`` the map's budget curve is left out (the same on both sides): its exact
    solves belong to planning and are measured there (``bench_planning.py``).
    """
    import pickle

    import geo_cds
    from geo_cds.outputs.maps import charts
    from geo_cds.pipeline import write_outputs

    if not sweep:
        charts.budget_chart = lambda *args, **kwargs: None
    with open(result_path(n), "rb") as f:
        result = pickle.load(f)
    cache_dir = CACHE / "runs" / f".cache-write-{label}"  # as `run` passes <output_dir>/.cache
    shutil.rmtree(cache_dir, ignore_errors=True)  # the first call computes the map's geometry
    # an anchor tree older than the map's geometry cache has no such parameter
    cached = ({"cache_dir": cache_dir}
              if "cache_dir" in inspect.signature(write_outputs).parameters else {})
    calls = {}
    for call in ("first", "warm") if warm else ("first",):
        steps: dict[str, float] = {}

        def progress(stage: str, seconds: float | None) -> None:
            if seconds is not None:
                steps[stage] = steps.get(stage, 0.0) + seconds

        t0, c0 = time.perf_counter(), _cpu()
        write_outputs(result, CACHE / "runs" / f"write-{label}", overwrite=True,
                      progress=progress, **cached)
        calls[call] = {"wall": time.perf_counter() - t0, "cpu": _cpu() - c0,
                       "stages": {"write": result.timings["write"]}, "write_parts": steps,
                       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
    calls["code"] = str(Path(geo_cds.__file__).parent.parent)
    calls["outputs_mb"] = {f.name: round(f.stat().st_size / 1e6, 2)
                           for f in sorted(result.folder.iterdir()) if f.is_file()}
    calls["rows"] = {"priority": len(result.investment.priority)}
    return calls


def result_path(n: int | None) -> Path:
    return CACHE / ("result_national.pkl" if n is None else f"result_national_{n}.pkl")


def _analysed(cell: int, n: int | None) -> None:
    """The national run analysed once (by this tree) and pickled for ``--write-only``."""
    import pickle

    from geo_cds.pipeline import analyse

    path = result_path(n)
    if path.exists():
        return
    out = CACHE / "runs" / "analysed"
    plan = national_plan(cell, villages_path(n), out)
    result = analyse(plan, cache_dir=out / ".cache")
    with open(path, "wb") as f:
        pickle.dump(result, f)


def _spawn(tree: Path, cell: int, label: str, mode: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    proc = subprocess.run([sys.executable, __file__, "--cell", str(cell), "--child", label,
                           *mode], env=env, capture_output=True, text=True, cwd=tree)
    if proc.returncode:
        raise SystemExit(f"{label} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _prepare(tree: Path) -> None:
    """The install step: compile the coverage kernels once (not part of any timed call)."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-m", "geo_cds.analysis.coverage.prepare"], env=env,
                   cwd=tree, check=False, capture_output=True)


def _fmt(values: list[float], unit: str = "s") -> str:
    if not values:
        return "–"
    if unit == "MB":
        return f"{statistics.median(values):,.0f} MB ({min(values):,.0f}–{max(values):,.0f})"
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def _ratio(pairs: list[tuple[float, float]]) -> str:
    r = [b / a for a, b in pairs if a]
    return f"{statistics.median(r):.2f}× ({min(r):.2f}–{max(r):.2f})" if r else "–"


def report(results: dict[str, list[dict]], anchor: str | None) -> None:
    """Median (min–max) per contender, per call, per stage; ratios to the anchor by round."""
    names = list(results)
    print(f"\n{len(results[names[-1]])} rounds; median (min–max)")
    for call in [c for c in ("first", "warm") if c in results[names[-1]][-1]]:
        print(f"\n== {call} call ==")
        for name in names:
            runs = results[name]
            print(f"  {name:<8} wall {_fmt([r[call]['wall'] for r in runs])}   "
                  f"cpu {_fmt([r[call]['cpu'] for r in runs])}   "
                  f"peak {_fmt([r[call]['peak_mb'] for r in runs], 'MB')}")
            stages = dict.fromkeys(k for r in runs for k in r[call]["stages"])
            for st in stages:
                print(f"    {st:<18} {_fmt([r[call]['stages'].get(st, 0.0) for r in runs])}")
            parts = dict.fromkeys(k for r in runs for k in r[call]["write_parts"])
            for st in parts:
                print(f"      {st:<16} {_fmt([r[call]['write_parts'][st] for r in runs])}")
        if anchor:
            a, b = results["anchor"], results["current"]
            for k in ("wall", "cpu"):
                print(f"  ratio current/anchor {k}: "
                      f"{_ratio([(x[call][k], y[call][k]) for x, y in zip(a, b)])}")
            write = [(x[call]["stages"]["write"], y[call]["stages"]["write"]) for x, y in zip(a, b)]
            print(f"  ratio current/anchor write: {_ratio(write)}")
    last = results[names[-1]][-1]
    print(f"\n{last['rows']}; outputs (MB): {last['outputs_mb']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cell", type=int, default=100, help="raster cell size in metres (100 or 400)")
    ap.add_argument("--rounds", type=int, default=1, help="fresh processes per contender")
    ap.add_argument("--anchor", type=Path, help="another geo-cds tree to measure in turn")
    ap.add_argument("--json", type=Path, help="also write every figure to this file")
    ap.add_argument("--write-only", action="store_true",
                    help="time only the writing of the analysed run (pickled once)")
    ap.add_argument("--no-sweep", action="store_true",
                    help="with --write-only: leave the map's budget curve out, on both sides")
    ap.add_argument("--villages", type=int,
                    help="generate about this many villages on the national communes "
                         "(default: the ~64,000 national ones)")
    ap.add_argument("--no-warm", dest="warm", action="store_false",
                    help="one call per process (the first): for --villages 1000000")
    ap.add_argument("--profile", type=Path,
                    help="save a cProfile of the measured calls here (one round only)")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        out = (write_child(args.child, not args.no_sweep, args.villages, args.warm) if args.write_only
               else child(args.cell, args.child, args.villages, args.warm, args.profile))
        print(json.dumps(out))
        return
    CACHE.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    paths = bc._paths(CACHE, args.cell)
    bc.make_zones(paths)
    bc.make_rasters(paths, args.cell)
    national_villages(villages_path(args.villages), args.villages)
    mode = [] if args.warm else ["--no-warm"]
    if args.villages:
        mode += ["--villages", str(args.villages)]
    if args.profile:
        mode += ["--profile", str(args.profile.resolve())]
    if args.write_only:
        _analysed(args.cell, args.villages)
        mode += ["--write-only"] + (["--no-sweep"] if args.no_sweep else [])
    print(f"inputs ready in {time.perf_counter() - t0:.1f} s (cached after the first run)")
    trees = {"current": HERE.parent}
    if args.anchor:
        trees = {"anchor": args.anchor.resolve(), **trees}
    for tree in trees.values():
        _prepare(tree)
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for i in range(args.rounds):
        for name, tree in trees.items():
            r = _spawn(tree, args.cell, name, mode)
            results[name].append(r)
            last = r.get("warm", r["first"])
            print(f"round {i + 1} {name:<8} first {r['first']['wall']:6.1f} s, "
                  + (f"warm {r['warm']['wall']:6.1f} s " if "warm" in r else "")
                  + f"(write {last['stages']['write']:.1f} s), "
                  f"peak {last['peak_mb']:,.0f} MB  [{r['code']}]", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    report(results, "anchor" if args.anchor else None)


if __name__ == "__main__":
    main()
