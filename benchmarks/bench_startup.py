"""What a user waits for before any work: start-up, and the first run after install.

Every figure is a whole fresh process timed from outside (wall clock around
``subprocess.run``; CPU = the child's user + system time), repeated ``--runs`` times with the
contenders interleaved (A B A B …) so that a change in the machine's load hits both; each
figure is printed as median (min–max), each ratio is taken pair by pair.

* ``import geo_cds`` and ``geo-cds --help``;
* the first ``geo-cds run`` after install vs the next (warm) one: each round deletes numba's
  cached kernels, runs the install step (``python -m geo_cds.analysis.coverage.prepare`` and
  ``python -m geo_cds.planning.prepare``, what ``make install`` runs; timed on its own), then
  ``geo-cds -q run`` twice;
* the same without the install step (a bare ``pip install``; the first ``--cold-runs`` rounds):
  the first run compiles the kernels itself, announced, and is compared with the warm run
  after it.

The runs use the embedded sample (``geo-cds run``) unless ``--plan`` names a plan file; outputs
go to a temporary folder. The numba cache is left prepared at the end.

Usage::

    python benchmarks/bench_startup.py            # 5 rounds (~5 min on 2 busy cores)
    python benchmarks/bench_startup.py --runs 3 --plan my_plan.toml
    git worktree add /tmp/prev HEAD~1      # an anchor: import and --help of the commit before
    python benchmarks/bench_startup.py --startup-only --runs 10 --anchor /tmp/prev
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _geo_cds() -> list[str]:
    script = Path(sys.executable).parent / "geo-cds"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from geo_cds.cli.main import cli; cli()"]


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: the child's user + system) of one fresh process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    err = proc.stderr.read()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        sys.stderr.write(err.decode(errors="replace"))
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    return wall, ru.ru_utime + ru.ru_stime


def clear_kernel_cache() -> int:
    """Delete numba's cached machine code of the kernels the install step compiles (coverage
    engine, planner); returns the files removed."""
    probe = ("from geo_cds.analysis.coverage import _kernels as k; "
             "from geo_cds.planning import _greedy as g; "
             "print(k.accumulate._cache._cache_path); print(g.greedy_loop._cache._cache_path)")
    folders = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                             check=True).stdout.split()
    files = [f for folder in folders for module in ("_kernels", "_greedy", "_cover_kernel")
             for f in Path(folder).glob(f"{module}.*.nb[ic]")]
    for f in files:
        f.unlink(missing_ok=True)
    return len(files)


def summary(values: list[float]) -> str:
    return (f"{statistics.median(values):7.2f} s ({min(values):.2f}–{max(values):.2f})")


def ratio(values: list[float]) -> str:
    return f"{statistics.median(values):5.2f}× ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=5, help="rounds (fresh processes each; 5)")
    ap.add_argument("--cold-runs", type=int, default=3,
                    help="rounds that also time a first run without the install step (3)")
    ap.add_argument("--anchor", type=Path,
                    help="a checkout of an earlier commit: its import and --help are timed too, "
                         "interleaved, with the ratio")
    ap.add_argument("--startup-only", action="store_true", help="only import and --help")
    ap.add_argument("--plan", type=Path, help="plan file (default: the embedded sample)")
    args = ap.parse_args()
    cli = _geo_cds()
    plan = [str(args.plan)] if args.plan else []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as out:
        run = [*cli, "-q", "run", *plan, "--output-dir", out, "--name", "b", "--overwrite"]
        prepare = [[sys.executable, "-m", f"geo_cds.{m}.prepare"]
                   for m in ("analysis.coverage", "planning")]
        fig: dict[str, list[float]] = {}

        def add(key, value):
            fig.setdefault(key, []).append(value)

        print(f"{args.runs} rounds, each command a fresh process, interleaved", flush=True)
        for i in range(args.runs):
            for key, cmd in (("import", [sys.executable, "-c", "import geo_cds"]),
                             ("help", [*cli, "--help"])):
                wall, cpu = timed(cmd)
                add(f"{key} wall", wall)
                add(f"{key} cpu", cpu)
                if args.anchor:
                    env = {**os.environ, "PYTHONPATH": str(args.anchor)}
                    a_wall, a_cpu = timed(cmd, env)
                    add(f"{key} anchor wall", a_wall)
                    add(f"{key} anchor cpu", a_cpu)
                    add(f"{key} ratio wall", wall / a_wall)
                    add(f"{key} ratio cpu", cpu / a_cpu)
            if args.startup_only:
                continue
            # after the install step
            clear_kernel_cache()
            add("install step", sum(timed(cmd)[0] for cmd in prepare))
            first, first_cpu = timed(run)
            warm, warm_cpu = timed(run)
            add("first after install", first)
            add("warm", warm)
            add("first/warm", first / warm)
            add("first/warm cpu", first_cpu / warm_cpu)
            msg = f"first after install {first:.2f} s, warm {warm:.2f} s"
            if i < args.cold_runs:  # without it: the first run compiles (announced)
                clear_kernel_cache()
                cold, cold_cpu = timed(run)
                warm2, warm2_cpu = timed(run)
                add("first without install step", cold)
                add("warm (2)", warm2)
                add("cold/warm", cold / warm2)
                add("cold/warm cpu", cold_cpu / warm2_cpu)
                msg += f"; without the install step {cold:.2f} s, warm {warm2:.2f} s"
            print(f"  round {i + 1}: {msg}", flush=True)
    print()
    print(f"import geo_cds                        {summary(fig['import wall'])}  "
          f"cpu {summary(fig['import cpu'])}")
    print(f"geo-cds --help                        {summary(fig['help wall'])}  "
          f"cpu {summary(fig['help cpu'])}")
    if args.anchor:
        for key, what in (("import", "import geo_cds"), ("help", "geo-cds --help")):
            print(f"{what:<22} anchor         {summary(fig[f'{key} anchor wall'])}  "
                  f"cpu {summary(fig[f'{key} anchor cpu'])}")
            print(f"{what:<22} / anchor       {ratio(fig[f'{key} ratio wall'])}  "
                  f"cpu {ratio(fig[f'{key} ratio cpu'])}")
    if args.startup_only:
        return
    print(f"install step (compile the kernels)    {summary(fig['install step'])}")
    print(f"first run after install               {summary(fig['first after install'])}")
    print(f"warm run                              {summary(fig['warm'])}")
    print(f"first after install / warm            {ratio(fig['first/warm'])}  "
          f"cpu {ratio(fig['first/warm cpu'])}  (target ≤ 1.3)")
    if not args.cold_runs:
        return
    print(f"first run without the install step    {summary(fig['first without install step'])}")
    print(f"warm run after it                     {summary(fig['warm (2)'])}")
    print(f"first without install step / warm     {ratio(fig['cold/warm'])}  "
          f"cpu {ratio(fig['cold/warm cpu'])}  (announced)")


if __name__ == "__main__":
    main()
