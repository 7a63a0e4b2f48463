"""The analysis half of the pipeline (`geo_cds.pipeline.analyse`: load, join, coverage, gaps,
priority) in one process, stage by stage, wall and CPU, on the inputs of `bench_pipeline.py`.

The CPU time of each stage is taken from the start and end the pipeline reports
(``progress``), so it can be read on a shared machine where the wall is not; ``--warm`` first
runs the analysis once (zone weights cached, imports done) and measures the second call.

Usage::

    python benchmarks/bench_analyse.py --villages 1000000      # a million villages, first call
    python benchmarks/bench_analyse.py --warm                   # national, warm call
    python benchmarks/bench_analyse.py --villages 1000000 --profile a.prof   # + cProfile (CPU)
    python benchmarks/bench_analyse.py --save r.pkl             # the RunResult, to compare

Build the inputs once with ``bench_pipeline.py`` (the same cache, benchmarks/cache/).
"""

from __future__ import annotations

import argparse
import pickle
import resource
import shutil
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_pipeline as bp  # noqa: E402  (the national plan and inputs are made there)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--villages", type=int, help="about this many villages (default: national)")
    ap.add_argument("--cell", type=int, default=100, help="raster cell size in metres")
    ap.add_argument("--warm", action="store_true", help="measure a second call")
    ap.add_argument("--profile", type=Path, help="save a cProfile (CPU time) of the call")
    ap.add_argument("--save", type=Path, help="pickle the analysed RunResult here")
    args = ap.parse_args()

    from geo_cds.pipeline import analyse

    out = bp.CACHE / "runs" / "analyse"
    plan = bp.national_plan(args.cell, bp.villages_path(args.villages), out)
    shutil.rmtree(out / ".cache", ignore_errors=True)
    if args.warm:
        analyse(plan, cache_dir=out / ".cache")
    cpu: dict[str, float] = {}
    started: dict[str, float] = {}

    def progress(stage: str, seconds: float | None) -> None:
        if seconds is None:
            started[stage] = _cpu()
        elif stage in started:
            cpu[stage] = _cpu() - started.pop(stage)

    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile(time.process_time)
        prof.enable()
    t0, c0 = time.perf_counter(), _cpu()
    result = analyse(plan, cache_dir=out / ".cache", progress=progress)
    wall, total = time.perf_counter() - t0, _cpu() - c0
    if prof is not None:
        prof.disable()
        prof.dump_stats(args.profile)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"analyse: wall {wall:.2f} s, CPU {total:.2f} s, peak {peak:,.0f} MB; "
          f"{len(result.villages):,} villages, {len(result.investment.priority):,} on the list")
    for stage, seconds in result.timings.items():
        print(f"  {stage:<10} wall {seconds:6.2f} s   CPU {cpu.get(stage, float('nan')):6.2f} s")
    if args.save:
        with open(args.save, "wb") as f:
            pickle.dump(result, f)


if __name__ == "__main__":
    main()
