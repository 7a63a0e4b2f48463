"""The villages' layer of the map: compact columns (:mod:`.columns`) decoded by the page's
script, with the priority list's columns aligned on the villages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.analysis.operators import covered_col
from geo_cds.outputs.maps.columns import delta_column, encode_column, joint_column
from geo_cds.outputs.maps.data import (
    GAP_STATUSES,
    _bool_array,
    _to_wgs84,
    clean_values,
    column_array,
)
from geo_cds.outputs.maps.geometry import SCALE

# Village columns of few values, joined into one (columns.joint_column) when present.
JOINT = ("in_budget", "intervention", "cov_src")

# Village booleans shown in popups, in this bit order in the packed ``flags`` column.
VILLAGE_FLAGS = (s.COVERED_4G, s.COVERED_5G, s.HAS_FIBRE, s.NEEDS_POWER, s.DBKK,
                 s.HAS_DIGITAL_TEAM)



def villages_payload(villages: gpd.GeoDataFrame, commune_codes: Sequence[str],
                     priority: pd.DataFrame | None = None,
                     more: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Villages as compact columns (:mod:`.columns`, decoded by the page's script);
    points of polygon villages are their representative points.

    ``priority`` (the priority list: ``village_id``, ``rank``, ``intervention``,
    ``cost_vnd``, ``in_budget``) adds those columns, None for villages not on the list;
    ``more``: further columns (arrays over the located villages), e.g. the coverage source.
    """
    villages = _to_wgs84(villages, "villages")
    villages = villages[~(villages.geometry.isna() | villages.geometry.is_empty)]
    n = len(villages)
    geom = villages.geometry
    if not (geom.geom_type == "Point").all():
        geom = geom.where(geom.geom_type == "Point", geom.representative_point())
    xy = np.round(shapely.get_coordinates(geom.values) * SCALE).astype(np.int64)
    if s.COMMUNE_CODE in villages.columns:
        commune = _positions(commune_codes, villages[s.COMMUNE_CODE].astype("string"))
    else:
        commune = np.full(n, -1, dtype=np.int64)
    unknown = len(GAP_STATUSES) - 1
    if s.GAP_STATUS in villages.columns:
        found = pd.Index(GAP_STATUSES).get_indexer(villages[s.GAP_STATUS].astype("string"))
        status = np.where(found < 0, unknown, found)
    else:
        status = np.full(n, unknown, dtype=np.int64)
    flags = np.zeros(n, dtype=np.int64)
    known = 0
    for bit, col in enumerate(VILLAGE_FLAGS):
        arr = _bool_array(villages, col)
        if arr is not None:
            known |= 1 << bit
            flags |= arr.astype(np.int64) << bit
    ids = column_array(villages, s.VILLAGE_ID)
    names = column_array(villages, s.VILLAGE_NAME)
    nothing = np.full(n, None, dtype=object)
    extra: dict[str, Any] = {}
    if priority is not None and ids is not None and s.VILLAGE_ID in priority.columns:
        extra = _priority_columns(priority, ids)
    extra |= dict(more or {})
    # the columns of few values travel together: one code per village instead of one each
    few = {"status": status, "flags": flags,
           **{k: extra.pop(k) for k in JOINT if k in extra}}
    hh_fibre = column_array(villages, s.FIBRE_HH_SHARE, digits=3)
    pop = column_array(villages, s.POPULATION, integer=True)
    hh = column_array(villages, s.HOUSEHOLDS, integer=True)
    return {
        **{k: encode_column(v) for k, v in extra.items()},
        "joint": joint_column(few),
        "n": n,
        "hh_fibre": None if hh_fibre is None else encode_column(hh_fibre),
        "lon": delta_column(xy[:, 0]),
        "lat": delta_column(xy[:, 1]),
        "id": encode_column(ids if ids is not None else nothing),
        "name": encode_column(names if names is not None else nothing),
        "commune": delta_column(commune),
        "pop": None if pop is None else encode_column(pop),
        "hh": None if hh is None else encode_column(hh),
        "known": known,
        "operators": [{"tech": t, "operator": s.OPERATORS[op],
                       "values": encode_column(clean_values(villages[covered_col(t, op)]))}
                      for t in ("4g", "5g") for op in s.OPERATORS
                      if covered_col(t, op) in villages.columns],
    }


def _priority_columns(priority: pd.DataFrame, ids: np.ndarray) -> dict[str, Any]:
    """The priority list's columns for each village (by id; missing where not on it)."""
    wanted = [c for c in (s.RANK, s.INTERVENTION, "intervention_ids", s.COST_VND,
                          s.IN_BUDGET) if c in priority.columns]
    prio = priority[[s.VILLAGE_ID, *wanted]].drop_duplicates(s.VILLAGE_ID)
    # each village's row on the list (-1: not on it), matched by one factorisation of both
    # id columns (as text) instead of a hash index of a million Python strings
    keys = prio[s.VILLAGE_ID].astype("string")
    both = pd.concat([keys, pd.Series(ids, dtype="string")], ignore_index=True)
    codes = both.factorize()[0]
    row_of = np.full(codes.max(initial=-1) + 2, -1, dtype=np.int64)
    row_of[codes[:len(keys)]] = np.arange(len(keys))
    row_of[-1] = -1  # code -1: a missing id is on no row
    rows = row_of[codes[len(keys):]]
    aligned = pd.DataFrame({c: pd.api.extensions.take(prio[c].array, rows, allow_fill=True)
                            for c in wanted})
    rank = column_array(aligned, s.RANK, integer=True)
    if rank is None:
        return {}
    nothing = np.full(len(ids), None, dtype=object)
    cols = {
        "rank": rank,
        "intervention": column_array(aligned, s.INTERVENTION),
        "interventions": column_array(aligned, "intervention_ids"),
        "cost": column_array(aligned, s.COST_VND, integer=True),
        "in_budget": (_nullable_bools(aligned[s.IN_BUDGET])
                      if s.IN_BUDGET in aligned.columns else None),
    }
    return {k: v if v is not None else nothing for k, v in cols.items()}


def _nullable_bools(ser: pd.Series) -> Any:
    """Yes/no/missing (what :func:`clean_values` gives of a boolean column), as an array."""
    try:
        return ser.astype("boolean").array
    except (TypeError, ValueError):
        return clean_values(ser)


def _positions(codes: Sequence[str | None], wanted: pd.Series) -> np.ndarray:
    """The position in ``codes`` of each value of ``wanted`` (the last one when a code is
    repeated), -1 where it is missing or not there."""
    index = pd.Index(codes, dtype="string")
    keep = ~(index.duplicated(keep="last") | index.isna())
    found = index[keep].get_indexer(wanted)
    ok = (found >= 0) & ~wanted.isna().to_numpy()
    out = np.full(len(wanted), -1, dtype=np.int64)
    out[ok] = np.flatnonzero(keep)[found[ok]]
    return out
