"""How much data each share figure rests on, per commune and per province.

A commune's or a province's share of villages with 4G (5G, fibre, …) is computed over the
villages whose value is known. This module says how many villages and how many people that
is, against all the villages and people of the commune or province, and marks a figure as
resting on **little data** ("thin") when the villages with a known value are fewer than
``min_share`` of the villages, or hold less than ``min_share`` of their population
(:attr:`geo_cds.plan.Thresholds.min_known_share`, default 0.5). A figure that is not there at
all (no village known) is "no data", not thin: ``thin`` is then missing.

Population is the villages' population; villages whose population is unknown count among the
villages but add no people to either side of the population share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo_cds import schema as s

# figure key -> the commune share column whose data coverage it describes
FIGURES = {
    "4g": s.SHARE_4G,
    "5g": s.SHARE_5G,
    "fibre": s.SHARE_FIBRE,
    "hh_fibre": s.SHARE_HH_FIBRE,
    "digital_team": s.SHARE_DIGITAL_TEAM,
}
# the targets measured over the villages, by the figure they rest on
TARGET_FIGURES = {"village_mobile_broadband": "4g", "village_fibre": "fibre",
                  "household_fibre": "hh_fibre", "population_5g": "5g"}
COLUMNS = ("n_villages", "villages_known", "villages_known_share", "village_population",
           "population_known", "population_known_share", "thin")


def n_known(key: str) -> str:
    """Commune column: villages whose value behind figure ``key`` is known."""
    return f"n_known_{key}"


def pop_known_share(key: str) -> str:
    """Commune column: the share of the villages' population living in those villages."""
    return f"pop_known_{key}_share"


def thin(key: str) -> str:
    """Commune column: the figure rests on little data (True), enough (False), or is absent."""
    return f"thin_{key}"


def known_masks(villages: pd.DataFrame) -> dict[str, pd.Series]:
    """Per figure, True for the villages that count in it (their value is known).

    The household-fibre share is weighted by households, so a village counts in it when both
    its share of households on fibre and its households are known.
    """
    def known(col):
        return villages[col].notna() if col in villages \
            else pd.Series(False, index=villages.index)

    hh = pd.to_numeric(villages[s.HOUSEHOLDS], errors="coerce") if s.HOUSEHOLDS in villages \
        else pd.Series(np.nan, index=villages.index)
    share = pd.to_numeric(villages[s.FIBRE_HH_SHARE], errors="coerce") \
        if s.FIBRE_HH_SHARE in villages else pd.Series(np.nan, index=villages.index)
    return {
        "4g": known(s.COVERED_4G),
        "5g": known(s.COVERED_5G),
        "fibre": known(s.HAS_FIBRE),
        "hh_fibre": hh.notna() & share.notna(),
        "digital_team": known(s.HAS_DIGITAL_TEAM),
    }


def is_thin(villages_share: pd.Series, population_share: pd.Series, figure_present: pd.Series,
            min_share: float) -> pd.Series:
    """The rule: too few villages known, or too few people behind them; NA without a figure.

    An unknown population share (no village population known) is judged on villages alone.
    """
    few = (villages_share < min_share) | population_share.lt(min_share)
    out = pd.Series(few.to_numpy(bool), index=villages_share.index, dtype="boolean")
    out[~figure_present.to_numpy(bool)] = pd.NA
    return out


def by_group(villages: pd.DataFrame, by: pd.Series,
             min_share: float) -> dict[str, pd.DataFrame]:
    """Per figure (a key of :data:`FIGURES`), the :data:`COLUMNS` per group of ``by``.

    Every count and sum comes from one grouping of ``by`` (factorised once, whatever the
    number of figures): the villages, their people, and per figure the villages and people
    known.
    """
    pop = pd.to_numeric(villages[s.POPULATION], errors="coerce").astype(float)
    masks = known_masks(villages)
    parts = {"pop": pop, "pop_known": pop.notna().astype("int64")}
    for key, known in masks.items():
        k = known.to_numpy(bool)
        parts[f"n_{key}"] = k.astype("int64")
        parts[f"people_{key}"] = pop.where(k)
    grouped = pd.DataFrame(parts, index=villages.index).groupby(by)
    sums = grouped.sum()
    total_villages = grouped.size().astype("int64")
    # sum(min_count=1): no village population known is an unknown total, not 0 people
    total_pop = sums["pop"].where(sums["pop_known"] > 0)
    out = {}
    for key in masks:
        n = sums[f"n_{key}"]
        people = sums[f"people_{key}"]
        v_share = n / total_villages
        p_share = (people / total_pop.replace(0, np.nan)).astype(float)
        out[key] = pd.DataFrame({
            "n_villages": total_villages, "villages_known": n.astype("int64"),
            "villages_known_share": v_share.astype(float),
            "village_population": total_pop.fillna(0).round().astype("int64"),
            "population_known": people.round().astype("int64"),
            "population_known_share": p_share,
            "thin": is_thin(v_share, p_share, n > 0, min_share),
        })
    return out


def commune_columns(villages: pd.DataFrame, min_share: float) -> pd.DataFrame:
    """The communes table's data-coverage columns, indexed by commune code: per figure,
    :func:`n_known`, :func:`pop_known_share` and :func:`thin`."""
    parts = by_group(villages, villages[s.COMMUNE_CODE], min_share)
    cols = {}
    for key, t in parts.items():
        cols[n_known(key)] = t["villages_known"]
        cols[pop_known_share(key)] = t["population_known_share"]
        cols[thin(key)] = t["thin"]
    return pd.DataFrame(cols)


def fill_communes_without_villages(communes: pd.DataFrame) -> pd.DataFrame:
    """A commune without village rows: 0 villages known, population share and thin missing."""
    out = communes.copy()
    for key in FIGURES:
        if n_known(key) in out:
            out[n_known(key)] = out[n_known(key)].fillna(0).astype("int64")
            out[thin(key)] = out[thin(key)].astype("boolean")
    return out


def data_coverage(communes: pd.DataFrame, villages: pd.DataFrame,
                  min_share: float) -> pd.DataFrame:
    """How much data each figure rests on, for every province, for all of them, and for every
    commune — one row per unit and figure.

    Parameters
    ----------
    communes : DataFrame
        The communes (``commune_code``, ``commune_name``, ``province_code``,
        ``province_name``); communes without village rows get rows with 0 villages.
    villages : DataFrame
        The villages after the gaps stage (their coverage and fibre values).
    min_share : float
        The thin-data threshold (:attr:`geo_cds.plan.Thresholds.min_known_share`).

    Returns
    -------
    DataFrame
        ``scope`` ("province", "all", "commune"), ``province_code``, ``province_name``,
        ``commune_code``, ``commune_name``, ``figure`` (a key of :data:`FIGURES`) and
        :data:`COLUMNS`. ``thin`` is True when the figure rests on fewer than ``min_share``
        of the villages or of their population, missing when there is no figure.
    """
    info = communes.drop_duplicates(s.COMMUNE_CODE).set_index(s.COMMUNE_CODE)
    prov = villages[s.COMMUNE_CODE].map(info[s.PROVINCE_CODE])
    names = info.groupby(s.PROVINCE_CODE)[s.PROVINCE_NAME].first()
    rows = []
    scopes = (("province", prov), ("all", pd.Series("all", index=villages.index)),
              ("commune", villages[s.COMMUNE_CODE]))
    for scope, by in scopes:
        units = {"province": names.index, "all": pd.Index(["all"]),
                 "commune": info.index}[scope]
        for key, t in by_group(villages, by.astype("string"), min_share).items():
            t = t.reindex(units.astype("string"))
            for col in ("n_villages", "villages_known", "village_population",
                        "population_known"):
                t[col] = t[col].fillna(0).astype("int64")
            t["thin"] = t["thin"].astype("boolean")
            t.insert(0, "figure", key)
            code = t.index.to_series()
            if scope == "commune":
                t.insert(0, "commune_name", code.map(info[s.COMMUNE_NAME]))
                t.insert(0, "commune_code", code)
                pcode = code.map(info[s.PROVINCE_CODE])
            else:
                t.insert(0, "commune_name", pd.NA)
                t.insert(0, "commune_code", pd.NA)
                pcode = code
            t.insert(0, "province_name", pcode.map(names) if scope != "all" else "Tổng")
            t.insert(0, "province_code", pcode)
            t.insert(0, "scope", scope)
            rows.append(t.reset_index(drop=True))
    out = pd.concat(rows, ignore_index=True)
    order = {"scope": {"province": 0, "all": 1, "commune": 2},
             "figure": {key: k for k, key in enumerate(FIGURES)}}
    return out.sort_values(["scope", "province_code", "commune_code", "figure"],
                           key=lambda c: c.map(order[c.name]) if c.name in order else c,
                           kind="stable").reset_index(drop=True)
