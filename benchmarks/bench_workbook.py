"""The investment files alone (the priority workbook, or all of `write_investment_outputs`)
from a pickled analysed run, called a few times in one process; prints CPU and wall per call.

Needs benchmarks/cache/result_national.pkl (or result_national_1000000.pkl for ``--villages
1000000``), made by ``bench_pipeline.py --write-only``. Measure the tree on the path:

    PYTHONPATH=$PWD python benchmarks/bench_workbook.py --what xlsx --calls 3
    PYTHONPATH=/tmp/anchor python benchmarks/bench_workbook.py --villages 1000000 --what inv
"""

from __future__ import annotations

import argparse
import pickle
import resource
import tempfile
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / "cache"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=None)
    parser.add_argument("--what", choices=["xlsx", "inv"], default="xlsx")
    parser.add_argument("--calls", type=int, default=3)
    args = parser.parse_args()
    name = ("result_national.pkl" if args.villages is None
            else f"result_national_{args.villages}.pkl")
    with open(CACHE / name, "rb") as f:
        result = pickle.load(f)

    from geo_cds import schema as s
    from geo_cds.analysis.datacov import data_coverage
    from geo_cds.outputs.investment import write_investment_outputs
    from geo_cds.outputs.workbook import write_priority_xlsx
    from geo_cds.planning.priority import SCORE_COMPONENTS

    inv, lang = result.investment, result.plan.lang
    coverage = data_coverage(result.communes, result.villages,
                             result.plan.thresholds.min_known_share)
    scores = [s.SCORE, *SCORE_COMPONENTS.values()]
    priority = inv.priority.round({c: 4 for c in scores if c in inv.priority})
    calls = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.calls):
            out = Path(tmp) / str(i)
            out.mkdir()
            t0, c0 = time.perf_counter(), time.process_time()
            if args.what == "xlsx":
                write_priority_xlsx(out / "priority_villages.xlsx", priority, inv.summary,
                                    lang=lang, parks=inv.parks, data_coverage=coverage)
            else:
                write_investment_outputs(out, inv, lang=lang, data_coverage=coverage)
            calls.append((time.process_time() - c0, time.perf_counter() - t0))
            print(f"call {i + 1}: cpu {calls[-1][0]:.2f} s, wall {calls[-1][1]:.2f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.what} ({len(priority):,} priority rows): best cpu "
          f"{min(c for c, _ in calls):.2f} s, best wall {min(w for _, w in calls):.2f} s, "
          f"process peak {peak:,.0f} MB")


if __name__ == "__main__":
    main()
