"""Planning time at national size and beyond, each figure from fresh processes.

Villages come from ``geo_cds.sample.generate_villages`` on the real 2025 national communes
(``--villages``: 63,619 by default, the national count; 1,000,000 for the scale test, where
the generator's cap of villages per commune is lifted), with 4G gaps drawn at random (a few
percent, more in ĐBKK communes) and fibre and power from the generator; they are built once
and cached under ``benchmarks/cache/``. Each measurement runs in a fresh process: the
``plan_investments`` call (exact selection at 500 bn VND) the first time and again (warm), and
the map's budget sweep (``InvestmentPlan.sweep`` at the chart's budgets). With ``--anchor`` the
same measurements run from another checkout (``git worktree add /tmp/anchor-plan <sha>``), the
two interleaved round by round; the figures are medians (min–max) over the rounds and the
ratio is taken pair by pair within a round. The benchmark prints figures; it asserts nothing.

    python benchmarks/bench_planning.py --rounds 5 --anchor /tmp/anchor-plan
    python benchmarks/bench_planning.py --villages 1000000 --rounds 5 --no-warm --no-sweep \
        --anchor /tmp/anchor-plan
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / "cache"
NATIONAL = Path(os.environ.get("GEO_CDS_SHARED", REPO.parent / "shared")) / "data" / \
    "boundaries" / "communes_2025_national.gpkg"
NATIONAL_VILLAGES = 63_619


def national_communes(path: Path):
    import geopandas as gpd
    import pandas as pd

    from geo_cds import schema as s

    raw = gpd.read_file(path, layer="communes")
    c = raw.rename(columns={"gso_ward_code": s.COMMUNE_CODE, "gso_full_name": s.COMMUNE_NAME,
                            "province": s.PROVINCE_NAME})
    c[s.COMMUNE_CODE] = c[s.COMMUNE_CODE].fillna(raw["ward_code"]).astype(str).str.zfill(5)
    c[s.PROVINCE_CODE] = c[s.PROVINCE_CODE].astype(str).str.zfill(2)
    c[s.POPULATION] = pd.to_numeric(c[s.POPULATION], errors="coerce").fillna(0).astype("int64")
    c = c.drop_duplicates(s.COMMUNE_CODE)
    return c[[s.COMMUNE_CODE, s.COMMUNE_NAME, s.PROVINCE_CODE, s.PROVINCE_NAME, s.POPULATION,
              s.AREA_KM2, "geometry"]]


def build(n_villages: int, seed: int, mobile_gap: float, communes_path: Path) -> Path:
    """The villages after the gap stage, cached as GeoParquet (with the communes)."""
    out = CACHE / f"planning_{n_villages}_{seed}_{mobile_gap:g}.parquet"
    if out.exists():
        return out
    import numpy as np
    import pandas as pd

    import geo_cds.sample.villages as sv
    from geo_cds import schema as s
    from geo_cds.analysis import gaps
    from geo_cds.plan import Plan

    communes = national_communes(communes_path)
    per_commune = n_villages / len(communes)
    t0 = time.perf_counter()
    villages = sv.generate_villages(communes, seed=seed, villages_per_commune=per_commune,
                                    max_villages=max(sv.MAX_VILLAGES, int(20 * per_commune)))
    rng = np.random.default_rng(seed)
    dbkk = villages[s.DBKK].astype("boolean").fillna(False).to_numpy(bool)
    p = np.where(dbkk, 4 * mobile_gap, mobile_gap)
    villages[s.COVERED_4G] = pd.array(rng.random(len(villages)) >= p, dtype="boolean")
    villages[s.COVERED_5G] = pd.array(rng.random(len(villages)) < 0.3, dtype="boolean")
    for col, default in ((s.HAS_DIGITAL_TEAM, True), (s.FIBRE_HH_SHARE, 0.9)):
        if col not in villages:
            villages[col] = default
    villages = gaps.village_gaps(villages, Plan())
    CACHE.mkdir(exist_ok=True)
    villages.to_parquet(out)
    communes.to_parquet(out.with_suffix(".communes.parquet"))
    print(f"built {len(villages):,} villages in {len(communes):,} communes "
          f"({time.perf_counter() - t0:.1f} s; cached in {out.name})", flush=True)
    return out


def child(args) -> None:
    """One fresh process: load, plan (first call, then warm), sweep; print one JSON line."""
    import dataclasses
    import resource

    import geopandas as gpd

    from geo_cds.plan import Budget, Plan

    villages = gpd.read_parquet(args.data)
    communes = gpd.read_parquet(Path(args.data).with_suffix(".communes.parquet"))
    from geo_cds.planning.priority import plan_investments

    plan = dataclasses.replace(Plan(), budget=Budget(vnd=args.budget, method="exact"))
    out = {"villages": len(villages)}
    for call in ("first", "warm") if args.warm else ("first",):
        t0, c0 = time.perf_counter(), time.process_time()
        inv = plan_investments(villages, communes, None, None, None, plan)
        out[f"plan_{call}_s"] = time.perf_counter() - t0
        out[f"plan_{call}_cpu_s"] = time.process_time() - c0  # what a busy machine distorts less
    sm = inv.summary
    out.update(people=sm["in_budget"]["people_served"], cost=sm["in_budget"]["cost_vnd"],
               status=sm["exact_vs_greedy"]["exact_status"],
               greedy=sm["exact_vs_greedy"]["people_greedy"], rows=len(inv.priority),
               interventions=len(inv.interventions))
    if args.sweep:
        from geo_cds.outputs.maps.charts import SWEEP_TIME_LIMIT_S, sweep_budgets

        budgets = sweep_budgets(float(inv.interventions["cost_vnd"].sum()), args.budget)
        t0 = time.perf_counter()
        table = inv.sweep(budgets, time_limit_s=SWEEP_TIME_LIMIT_S)
        out["sweep_s"] = time.perf_counter() - t0
        out["sweep_budgets"] = len(budgets)
        out["sweep_exact"] = [float(x) for x in table["people_exact"]]
        out["sweep_greedy"] = [float(x) for x in table["people_greedy"]]
        out["sweep_status"] = sorted(set(table["exact_status"]))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(out), flush=True)


def run_child(tree: Path, data: Path, args) -> dict:
    cmd = [sys.executable, "-W", "ignore", str(Path(__file__).resolve()), "--child",
           "--data", str(data), "--budget", str(args.budget)]
    cmd += [] if args.warm else ["--no-warm"]
    cmd += [] if args.sweep else ["--no-sweep"]
    env = dict(os.environ, PYTHONPATH=str(tree))
    t0 = time.perf_counter()
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    line = next((x for x in res.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"{tree}: the measuring process failed\n{res.stderr[-3000:]}")
    out = json.loads(line[7:])
    out["process_s"] = time.perf_counter() - t0
    return out


def _fmt(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--villages", type=int, default=NATIONAL_VILLAGES)
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--mobile-gap", type=float, default=0.02,
                    help="share of villages without 4G outside ĐBKK communes (×4 inside)")
    ap.add_argument("--budget", type=float, default=500e9)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--anchor", type=Path, help="another checkout to measure in turn")
    ap.add_argument("--no-warm", dest="warm", action="store_false",
                    help="one plan_investments call per process (the first)")
    ap.add_argument("--no-sweep", dest="sweep", action="store_false")
    ap.add_argument("--communes", type=Path, default=NATIONAL)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    data = build(args.villages, args.seed, args.mobile_gap, args.communes)
    contenders = {"this tree": REPO}
    if args.anchor:
        contenders["anchor"] = args.anchor.resolve()
    rows: dict[str, list[dict]] = {k: [] for k in contenders}
    for r in range(args.rounds):
        order = list(contenders) if r % 2 == 0 else list(contenders)[::-1]
        for name in order:
            res = run_child(contenders[name], data, args)
            rows[name].append(res)
            print(f"round {r + 1} {name:<9} plan {res['plan_first_s']:.2f} s "
                  f"({res['plan_first_cpu_s']:.2f} s CPU)"
                  + (f", warm {res['plan_warm_s']:.2f} s" if "plan_warm_s" in res else "")
                  + (f", sweep {res['sweep_s']:.2f} s" if "sweep_s" in res else "")
                  + f", peak {res['peak_mb']:,.0f} MB; {res['people']:,} people, "
                    f"{res['status']}", flush=True)
    first = rows["this tree"][0]
    print(f"\n{first['villages']:,} villages, {first['rows']:,} on the priority list, "
          f"{first['interventions']:,} interventions; {args.rounds} rounds")
    keys = [k for k in ("plan_first_s", "plan_first_cpu_s", "plan_warm_s", "plan_warm_cpu_s",
                        "sweep_s", "process_s") if k in first]
    for name, res in rows.items():
        print(f"{name}:")
        for k in keys:
            print(f"  {k:<16} {_fmt([x[k] for x in res])}")
        print(f"  peak memory   {statistics.median([x['peak_mb'] for x in res]):,.0f} MB; "
              f"{res[0]['people']:,} people served ({res[0]['status']}), greedy "
              f"{res[0]['greedy']:,}")
        if "sweep_exact" in res[0]:
            print(f"  sweep ({res[0]['sweep_budgets']} budgets): exact {res[0]['sweep_exact']}")
            print(f"                greedy {res[0]['sweep_greedy']} {res[0]['sweep_status']}")
    if "anchor" in rows:
        print("ratio this tree / anchor, pair by pair: median (min–max)")
        for k in keys:
            ratios = [a[k] / b[k] for a, b in zip(rows["this tree"], rows["anchor"], strict=True)]
            print(f"  {k:<16} {statistics.median(ratios):.3f}× ({min(ratios):.3f}–"
                  f"{max(ratios):.3f})")


if __name__ == "__main__":
    main()
