"""Compare two run folders: people served, coverage shares per commune, cost, rank changes.

Reads only what every run writes: ``communes.csv``, ``priority_villages.csv`` and, when
present, ``summary.json`` (or ``plan_summary.json`` of a re-planned folder). Totals are
recomputed from the priority lists, so two folders compare even when one summary is missing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.errors import LayerError

SHARES = (s.SHARE_4G, s.SHARE_5G, s.SHARE_FIBRE, s.SHARE_HH_FIBRE)
_CODES = {s.PROVINCE_CODE: "string", s.COMMUNE_CODE: "string", s.VILLAGE_ID: "string"}


@dataclass
class RunComparison:
    """What :func:`compare_runs` returns (``a`` is the earlier or reference run).

    Attributes
    ----------
    totals : DataFrame
        ``metric``, ``run_a``, ``run_b``, ``change``.
    communes : DataFrame
        Per commune: each coverage share in A and B and its change (``*_a``, ``*_b``,
        ``*_change``), sorted by the largest change.
    villages : DataFrame
        Villages on either priority list: rank, cost and in-budget in A and B, ``rank_change``
        (positive = moved up) and ``status``: "dropped_out" (in A's budget, not in B's),
        "entered" (the reverse), "moved" (rank only), "same", "only_a", "only_b".
    """

    totals: pd.DataFrame
    communes: pd.DataFrame
    villages: pd.DataFrame

    @property
    def changed(self) -> pd.DataFrame:
        """Villages whose rank or in-budget status changed, or that appear in one run only."""
        v = self.villages
        return v[v["status"] != "same"]


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise LayerError(f"{path}: not found; compare needs two run folders written by "
                         "`geo-cds run` (or `geo-cds plan`)")
    frame = pd.read_csv(path, encoding="utf-8-sig", dtype={k: str for k in _CODES})
    return frame.astype({k: v for k, v in _CODES.items() if k in frame})


def _bool(col: pd.Series) -> pd.Series:
    if col.dtype == bool:
        return col
    return col.astype(str).str.strip().str.lower().isin(("true", "1", "yes", "có"))


def _summary(folder: Path) -> dict:
    for name in ("plan_summary.json", "summary.json"):
        p = folder / name
        if p.exists():
            data = json.loads(p.read_text(encoding="utf-8"))
            if name == "summary.json":  # a run's summary holds the plan under "investment"
                return data.get("investment") or {}
            return data
    return {}


def _priority_totals(p: pd.DataFrame) -> dict:
    pop = pd.to_numeric(p.get(s.POPULATION), errors="coerce").fillna(0)
    cost = pd.to_numeric(p.get(s.COST_VND), errors="coerce").fillna(0)
    inb = _bool(p[s.IN_BUDGET]) if s.IN_BUDGET in p else pd.Series(False, index=p.index)
    return {
        "villages_with_gaps": float(len(p)),
        "population_in_gap_villages": float(pop.sum()),
        "total_cost_vnd": float(cost.sum()),
        "villages_in_budget": float(inb.sum()),
        "people_served_in_budget": float(pop[inb].sum()),
        "cost_in_budget_vnd": float(cost[inb].sum()),
    }


def _park_totals(folder: Path) -> dict:
    """The parks' funded 5G: with the villages' in-budget cost, the plan's in-budget spend."""
    path = folder / "parks_5g_plan.csv"
    if not path.exists():
        return {}
    p = pd.read_csv(path, encoding="utf-8-sig")
    if not len(p) or s.COST_VND not in p:
        return {"parks_cost_in_budget_vnd": 0.0, "parks_cost_vnd": 0.0}
    cost = pd.to_numeric(p[s.COST_VND], errors="coerce").fillna(0)
    return {"parks_cost_in_budget_vnd": float(cost[_bool(p[s.IN_BUDGET])].sum()),
            "parks_cost_vnd": float(cost.sum())}


def _commune_totals(c: pd.DataFrame) -> dict:
    """Counts, and each share over the communes that measured it, weighted by what it is a
    share of: villages, or households for the household-fibre share."""
    out = {"communes": float(len(c))}
    if s.N_VILLAGES in c:
        n = pd.to_numeric(c[s.N_VILLAGES], errors="coerce").fillna(0)
        out["villages"] = float(n.sum())
        for share in SHARES:
            if share in c:
                w = n
                if share == s.SHARE_HH_FIBRE:
                    w = pd.to_numeric(c.get(s.VILLAGE_HOUSEHOLDS), errors="coerce").fillna(0) \
                        if s.VILLAGE_HOUSEHOLDS in c else pd.Series(np.nan, index=c.index)
                v = pd.to_numeric(c[share], errors="coerce")
                known = v.notna() & w.notna()
                out[share] = float((v[known] * w[known]).sum() / w[known].sum()) \
                    if w[known].sum() else np.nan
    return out


def compare_runs(run_a: str | Path, run_b: str | Path) -> RunComparison:
    """Compare two run folders.

    Raises
    ------
    LayerError
        A folder lacks ``communes.csv`` or ``priority_villages.csv``.
    """
    a, b = Path(run_a), Path(run_b)
    ca, cb = _read_csv(a / "communes.csv"), _read_csv(b / "communes.csv")
    pa, pb = _read_csv(a / "priority_villages.csv"), _read_csv(b / "priority_villages.csv")

    ta = {**_commune_totals(ca), **_priority_totals(pa), **_park_totals(a)}
    tb = {**_commune_totals(cb), **_priority_totals(pb), **_park_totals(b)}
    for t in (ta, tb):  # closing every gap: the villages' interventions and the parks' 5G
        t["total_cost_vnd"] += t.pop("parks_cost_vnd", 0.0)
    sa, sb = _summary(a), _summary(b)
    for key in ("budget_vnd", "in_budget_cost_vnd", "in_budget_people_served"):
        if key in sa or key in sb:
            ta[f"summary:{key}"] = sa.get(key)
            tb[f"summary:{key}"] = sb.get(key)
    keys = list(dict.fromkeys([*ta, *tb]))
    totals = pd.DataFrame({"metric": keys,
                           "run_a": [ta.get(k) for k in keys], "run_b": [tb.get(k) for k in keys]})
    totals["run_a"] = pd.to_numeric(totals["run_a"], errors="coerce")
    totals["run_b"] = pd.to_numeric(totals["run_b"], errors="coerce")
    totals["change"] = totals["run_b"] - totals["run_a"]

    name_cols = [c for c in (s.PROVINCE_CODE, s.PROVINCE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME)
                 if c in cb or c in ca]
    shares = [c for c in SHARES if c in ca or c in cb]
    left = ca[[c for c in name_cols + shares if c in ca]]
    right = cb[[c for c in dict.fromkeys([s.COMMUNE_CODE, *name_cols, *shares]) if c in cb]]
    com = left.merge(right, on=s.COMMUNE_CODE, how="outer", suffixes=("_a", "_b"))
    for c in name_cols:
        if c != s.COMMUNE_CODE and f"{c}_b" in com:
            com[c] = com[f"{c}_b"].fillna(com.get(f"{c}_a"))
    for share in shares:
        sa_, sb_ = com.get(f"{share}_a"), com.get(f"{share}_b")
        if sa_ is not None and sb_ is not None:
            com[f"{share}_change"] = pd.to_numeric(sb_, errors="coerce") - \
                pd.to_numeric(sa_, errors="coerce")
    change_cols = [f"{x}_change" for x in shares if f"{x}_change" in com]
    keep = [c for c in name_cols if c in com] + [
        c for x in shares for c in (f"{x}_a", f"{x}_b", f"{x}_change") if c in com]
    com = com[keep]
    if change_cols:
        com = com.assign(_max=com[change_cols].abs().max(axis=1)).sort_values(
            ["_max", s.COMMUNE_CODE], ascending=[False, True], na_position="last"
        ).drop(columns="_max")
    com = com.reset_index(drop=True)

    vcols = [s.VILLAGE_ID, s.VILLAGE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME]
    val = [s.RANK, s.COST_VND, s.IN_BUDGET, s.SCORE]
    va = pa[[c for c in vcols + val if c in pa]]
    vb = pb[[c for c in vcols + val if c in pb]]
    vil = va.merge(vb, on=s.VILLAGE_ID, how="outer", suffixes=("_a", "_b"), indicator=True)
    for c in vcols[1:]:
        if f"{c}_b" in vil:
            vil[c] = vil[f"{c}_b"].fillna(vil.get(f"{c}_a"))
    for side in ("a", "b"):
        col = f"{s.IN_BUDGET}_{side}"
        if col in vil:
            present = vil[f"{s.RANK}_{side}"].notna()
            vil[col] = _bool(vil[col].fillna(False)) & present
    vil["rank_change"] = pd.to_numeric(vil.get(f"{s.RANK}_a"), errors="coerce") - \
        pd.to_numeric(vil.get(f"{s.RANK}_b"), errors="coerce")
    moved = (vil["rank_change"].fillna(0) != 0)
    dropped = entered = pd.Series(False, index=vil.index)
    if f"{s.IN_BUDGET}_a" in vil and f"{s.IN_BUDGET}_b" in vil:
        dropped = vil[f"{s.IN_BUDGET}_a"] & ~vil[f"{s.IN_BUDGET}_b"]
        entered = ~vil[f"{s.IN_BUDGET}_a"] & vil[f"{s.IN_BUDGET}_b"]
    vil["status"] = np.select(
        [vil["_merge"] == "left_only", vil["_merge"] == "right_only", dropped, entered, moved],
        ["only_a", "only_b", "dropped_out", "entered", "moved"], "same")
    order = [c for c in vcols if c in vil] + [
        c for x in val for c in (f"{x}_a", f"{x}_b") if c in vil] + ["rank_change", "status"]
    vil = vil[order].assign(_abs=vil["rank_change"].abs()).sort_values(
        ["status", "_abs", s.VILLAGE_ID], ascending=[True, False, True], na_position="last"
    ).drop(columns="_abs").reset_index(drop=True)
    return RunComparison(totals=totals, communes=com, villages=vil)

