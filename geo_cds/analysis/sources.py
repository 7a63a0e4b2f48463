"""Where the sources disagree: reported against modelled coverage, measured against reported
speed, each measured speed against its target.

Reported, modelled and measured evidence stay in their own village columns
(:func:`geo_cds.analysis.gaps.village_coverage`, :mod:`geo_cds.analysis.speeds`); this module
only counts, per technology, the villages where two of them say different things. A village
one source says nothing of is counted apart, never as a disagreement.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.analysis.gaps import TECHS, village_speed
from geo_cds.plan import Plan


def _flag(villages: pd.DataFrame, column: str) -> pd.Series:
    if column not in villages:
        return pd.Series(pd.NA, index=villages.index, dtype="boolean")
    return villages[column].astype("boolean")


def coverage_disagreement(villages: pd.DataFrame) -> list[dict]:
    """Per technology: villages known to both sources, to one only, and where reported and
    modelled coverage differ (each way)."""
    rows = []
    for tech in TECHS:
        rep = _flag(villages, s.covered_reported(tech))
        mod = _flag(villages, s.covered_modelled(tech))
        both = (rep.notna() & mod.notna()).to_numpy(bool)
        r = rep.fillna(False).to_numpy(bool)
        m = mod.fillna(False).to_numpy(bool)
        rows.append({
            "technology": tech,
            "both_known": int(both.sum()),
            "reported_only": int((rep.notna() & mod.isna()).sum()),
            "modelled_only": int((rep.isna() & mod.notna()).sum()),
            "reported_yes_modelled_no": int((both & r & ~m).sum()),
            "reported_no_modelled_yes": int((both & ~r & m).sum()),
        })
    return rows


def speed_disagreement(villages: pd.DataFrame, plan: Plan) -> list[dict]:
    """Per download target: the villages it applies to (5G-covered for 5G, 4G only for 4G),
    those with a measured speed, those measured below the target, and — where the village
    list also reports a speed — those the two sources judge differently against it."""
    limits = {t.id: t.threshold for t in plan.targets}
    measured = village_speed(villages, "measured")
    reported = village_speed(villages, "reported")
    on_5g = _flag(villages, s.COVERED_5G).fillna(False).to_numpy(bool)
    on_4g = _flag(villages, s.COVERED_4G).fillna(False).to_numpy(bool) & ~on_5g
    rows = []
    for target_id, on in (("download_4g", on_4g), ("download_5g", on_5g)):
        if target_id not in limits:
            continue
        limit = limits[target_id]
        m, r = measured[on], reported[on]
        both = m.notna() & r.notna()
        rows.append({
            "target_id": target_id, "threshold": limit, "villages": int(on.sum()),
            "measured": int(m.notna().sum()),
            "measured_below": int((m < limit).sum()),
            "both_measured_and_reported": int(both.sum()),
            "judged_differently": int((both & ((m < limit) != (r < limit))).sum()),
        })
    return rows


def speed_totals(speeds: pd.DataFrame | None, zone: np.ndarray | None) -> dict:
    """Every test read, and those counted in no commune (the tile's centre is outside them)."""
    if speeds is None or not len(speeds):
        return {"rows": 0, "tests": 0, "tests_outside_communes": 0}
    tests = speeds[s.SPEED_TESTS].to_numpy(np.int64)
    return {"rows": int(len(speeds)), "tests": int(tests.sum()),
            "tests_outside_communes": int(tests[zone < 0].sum())}
