"""Several operators: what each operator's raster says of a village, and of any operator.

A village is covered by mobile broadband when **any** operator covers it (the official
indicator): known yes from one operator makes it yes, known no from every operator makes it
no, anything else is unknown. Per operator, the village and commune tables keep each one's
coverage, for competition and for infrastructure sharing: a village that exactly one operator
covers, the others known not to, is a sharing candidate (``single_operator_4g``).

Values arrive keyed by ``(technology, operator)`` — operator None for a raster that names
none — as 1-D arrays aligned with the villages (NaN: the raster says nothing).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geo_cds import schema as s

Key = tuple[str, str | None]


def covered_col(tech: str, op: str) -> str:
    return f"covered_{tech}_{op}"


def rsrp_col(tech: str, op: str) -> str:
    return f"rsrp_{tech}_dbm_{op}"


def share_col(tech: str, op: str) -> str:
    return f"share_villages_{tech}_{op}"


def single_col(tech: str) -> str:
    return f"single_operator_{tech}"


def n_single_col(tech: str) -> str:
    return f"n_villages_single_operator_{tech}"


def operators_of(keys, tech: str) -> list[str]:
    """The operators with a raster of ``tech``, in the order of :data:`schema.OPERATORS`."""
    named = {op for t, op in keys if t == tech and op is not None}
    return [op for op in s.OPERATORS if op in named]


def any_operator(rsrp: Mapping[Key, np.ndarray], covered: Mapping[Key, np.ndarray]
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per technology, over its operators: the best RSRP and the any-operator coverage (1/0,
    NaN where no operator says yes and at least one says nothing)."""
    best: dict[str, np.ndarray] = {}
    anyone: dict[str, np.ndarray] = {}
    for tech in {t for t, _ in covered}:
        flags = np.vstack([v for (t, _), v in covered.items() if t == tech]).astype(float)
        yes = (flags == 1).any(axis=0)
        all_no = (flags == 0).all(axis=0)
        anyone[tech] = np.where(yes, 1.0, np.where(all_no, 0.0, np.nan))
        values = [v for (t, _), v in rsrp.items() if t == tech]
        if values:
            stack = np.vstack(values).astype(float)
            known = ~np.isnan(stack).all(axis=0)
            best[tech] = np.full(stack.shape[1], np.nan)
            best[tech][known] = np.nanmax(stack[:, known], axis=0)
    return best, anyone


def village_operators(villages: pd.DataFrame, rsrp: Mapping[Key, np.ndarray],
                      covered: Mapping[Key, np.ndarray]) -> pd.DataFrame:
    """``villages`` with each operator's coverage (``covered_4g_viettel``, boolean, NA where
    unknown), RSRP (``rsrp_4g_dbm_viettel``) and, where a technology has two operators or
    more, ``single_operator_4g``: the name of the one operator covering the village when every
    other operator is known not to (else empty)."""
    out = villages.copy()
    for tech in sorted({t for t, _ in covered}):
        ops = operators_of(covered, tech)
        for op in ops:
            flags = pd.Series(covered[(tech, op)], index=out.index, dtype=float)
            out[covered_col(tech, op)] = flags.eq(1).astype("boolean").where(flags.notna())
            if (tech, op) in rsrp:
                out[rsrp_col(tech, op)] = np.asarray(rsrp[(tech, op)], dtype=float)
        if len(ops) > 1:
            flags = np.vstack([covered[(tech, op)] for op in ops]).astype(float)
            one = ((flags == 1).sum(axis=0) == 1) & ((flags == 0).sum(axis=0) == len(ops) - 1)
            who = np.array([s.OPERATORS[op] for op in ops], dtype=object)[flags.argmax(axis=0)]
            out[single_col(tech)] = pd.Series(np.where(one, who, None), index=out.index,
                                              dtype="string")
    return out


def commune_operators(communes: pd.DataFrame, villages: pd.DataFrame) -> pd.DataFrame:
    """``communes`` with each operator's share of villages covered (among the villages whose
    coverage by that operator is known; NaN when none is) and the count of sharing candidates
    (``n_villages_single_operator_4g``)."""
    out = communes.copy()
    code = villages[s.COMMUNE_CODE]
    for tech in ("4g", "5g"):
        for op in s.OPERATORS:
            col = covered_col(tech, op)
            if col in villages:
                flags = villages[col].astype("boolean")
                num = flags.fillna(False).astype(float).groupby(code).sum()
                den = flags.notna().astype(float).groupby(code).sum()
                out[share_col(tech, op)] = out[s.COMMUNE_CODE].map(num / den.replace(0, np.nan))
        if single_col(tech) in villages:
            n = villages[single_col(tech)].notna().astype(int).groupby(code).sum()
            out[n_single_col(tech)] = out[s.COMMUNE_CODE].map(n).fillna(0).astype("int64")
    return out


def best_operator(zonal: pd.DataFrame | None) -> pd.DataFrame | None:
    """Zonal figures of a park: where a technology has only per-operator columns
    (``area_share_5g_viettel``…), ``area_share_5g``/``pop_share_5g`` are the best operator's — a
    park counts as covered when one network covers it, not when several cover parts of it."""
    if zonal is None:
        return None
    out = zonal.copy()
    for stat in ("area_share", "pop_share"):
        for tech in ("4g", "5g"):
            cols = [f"{stat}_{tech}_{op}" for op in s.OPERATORS if f"{stat}_{tech}_{op}" in out]
            if cols and f"{stat}_{tech}" not in out:
                out[f"{stat}_{tech}"] = out[cols].max(axis=1, skipna=True)
    return out


def sharing_candidates(villages: pd.DataFrame, communes: pd.DataFrame) -> pd.DataFrame | None:
    """One row per village and technology covered by a single operator (None: no technology
    has two operators or more)."""
    techs = [t for t in ("4g", "5g") if single_col(t) in villages]
    if not techs:
        return None
    names = communes.set_index(s.COMMUNE_CODE)[s.COMMUNE_NAME]
    rows = []
    for tech in techs:
        v = villages[villages[single_col(tech)].notna()]
        rows.append(pd.DataFrame({
            s.COMMUNE_CODE: v[s.COMMUNE_CODE], s.COMMUNE_NAME: v[s.COMMUNE_CODE].map(names),
            s.VILLAGE_ID: v[s.VILLAGE_ID], s.VILLAGE_NAME: v[s.VILLAGE_NAME],
            s.POPULATION: v[s.POPULATION], "technology": tech.upper(),
            "only_operator": v[single_col(tech)],
        }))
    return pd.concat(rows, ignore_index=True).sort_values(
        [s.COMMUNE_CODE, s.VILLAGE_ID, "technology"], kind="stable", ignore_index=True)


def operator_figures(villages: pd.DataFrame, sites: pd.DataFrame | None = None) -> dict | None:
    """Province-wide figures per operator, for the summary: per technology, each operator's
    share of villages covered (over the villages known for it), the any-operator share
    (``covered_4g``: over the villages known), the sharing candidates; and the existing sites
    per operator. None when no raster names an operator and there are no sites."""
    techs = {}
    for tech in ("4g", "5g"):
        ops = [op for op in s.OPERATORS if covered_col(tech, op) in villages]
        if not ops:
            continue
        per = {}
        for op in ops:
            flags = villages[covered_col(tech, op)].astype("boolean")
            known = int(flags.notna().sum())
            per[s.OPERATORS[op]] = {"share": float(flags.fillna(False).sum()) / known
                                    if known else None, "villages_known": known}
        anyone = villages[f"covered_{tech}"].astype("boolean")
        known = int(anyone.notna().sum())
        techs[tech] = {
            "operators": per,
            "any_operator": {"share": float(anyone.fillna(False).sum()) / known if known
                             else None, "villages_known": known},
            "single_operator_villages": int(villages[single_col(tech)].notna().sum())
            if single_col(tech) in villages else None,
        }
    site_counts = None
    if sites is not None and len(sites) and s.OPERATOR in sites:
        names = sites[s.OPERATOR].map(
            lambda x: None if pd.isna(x) else s.OPERATORS.get(s.operator_key(x), str(x)))
        site_counts = {str(k): int(v) for k, v in names.value_counts().sort_index().items()}
        if names.isna().any():
            site_counts[""] = int(names.isna().sum())  # no operator given
    if not techs and not site_counts:
        return None
    return {"coverage": techs, "sites": site_counts}
