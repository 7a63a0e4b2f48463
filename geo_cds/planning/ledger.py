"""The ledger: every intervention with its full cost, the villages and parks it serves and
whether the budget funds it. Every money, people and row figure of a plan is derived from it
— the priority list, the per-commune sheet, the parks sheet, the plan summary, the map
popups, ``geo-cds plan`` and ``geo-cds compare`` — and :func:`money_checks` proves they agree.

**How a row shows cost.** An intervention (a new site, a fibre route, a park's 5G plan) is
bought whole or not at all, so its cost is never split between rows. Its full cost sits on
exactly one row: the highest-ranked village (or park) that needs it. The other rows list it
in ``intervention_ids`` and add nothing to their ``cost_vnd``; ``cost_carried_ids`` names
what a row's ``cost_vnd`` pays for. Funded villages rank first and a funded intervention
always serves at least one funded village (nothing is bought idle), so a funded
intervention's cost always sits on a funded row. Hence, to the VND:

- Σ ``cost_vnd`` of the in-budget villages + Σ ``cost_vnd`` of the funded parks
  = the plan's in-budget spend = Σ ``cost_vnd`` of the funded interventions;
- Σ ``cost_vnd`` of every row = the cost of closing every costed gap.

People served count each person once: a village is served when every intervention it needs
is funded, and counts its population once however many interventions it needs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo_cds import schema as s
from geo_cds.checks import Check, at_most, equal
from geo_cds.planning import interventions as iv

INTERVENTION_IDS = "intervention_ids"
COST_CARRIED_IDS = "cost_carried_ids"
COST_MISSING = "villages_cost_missing"  # per commune: villages whose cost is unknown
VILLAGE_IDS = iv.VILLAGE_IDS
PARK_IDS = iv.PARK_IDS


def _arrow_strings(column: Sequence[str] | pd.Series) -> pa.Array:
    """The cells as an Arrow string array, null where a cell is not a string."""
    if isinstance(column, pd.Series) and isinstance(column.dtype, pd.StringDtype):
        arr = pa.array(column.array, from_pandas=True)
        return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    cells = np.asarray(column, dtype=object).ravel()
    text = np.fromiter((isinstance(x, str) for x in cells.tolist()), dtype=bool,
                       count=len(cells))
    return pa.array(np.where(text, cells, None), type=pa.large_string())


def split_ids(column: Sequence[str] | pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The ids of a ``;``-separated id column, one pair per id: (row position, id), rows in
    order and each row's ids in its order; a blank or missing cell has none."""
    lists = pc.split_pattern(_arrow_strings(column), ";")
    ids = pc.list_flatten(lists)
    row = pc.list_parent_indices(lists)
    keep = pc.not_equal(ids, "")
    ids = ids.filter(keep).to_numpy(zero_copy_only=False)
    row = row.filter(keep).to_numpy().astype(np.int64)
    return row, np.asarray(ids, dtype=object)


def _join_per_row(row: np.ndarray, ids: np.ndarray, n: int) -> np.ndarray:
    """``;``-join of ``ids`` per row (rows in order, ``row`` sorted); "" where none."""
    out = np.full(n, "", dtype=object)
    counts = np.bincount(row, minlength=n)
    one = counts[row] == 1
    out[row[one]] = ids[one]
    several = np.flatnonzero(counts > 1)
    if len(several):
        start = np.searchsorted(row, several)
        listed = ids.tolist()
        out[several] = [";".join(listed[a:a + k]) for a, k in zip(start, counts[several],
                                                                  strict=True)]
    return out


def carry_costs(ids_per_row: Sequence[str], cost_of: Mapping[str, int]
                ) -> tuple[np.ndarray, list[str]]:
    """The cost each row carries, rows in rank order: an intervention's full cost on the first
    row that needs it, nothing on the others.

    Parameters
    ----------
    ids_per_row : sequence of str
        Per row, the ``;``-separated ids of the interventions it needs.
    cost_of : mapping
        Intervention id → whole VND.

    Returns
    -------
    (cost_vnd, carried_ids)
        int64 per row, and per row the ``;``-separated ids whose cost it carries.
    """
    n = len(ids_per_row)
    row, ids = split_ids(ids_per_row)
    first = ~pd.Series(ids).duplicated(keep="first").to_numpy()
    row, ids = row[first], ids[first]
    keys = pd.Index(list(cost_of))
    at = keys.get_indexer(ids)
    if (at < 0).any():
        raise KeyError(ids[at < 0][0])
    prices = np.fromiter((int(c) for c in cost_of.values()), dtype=np.int64, count=len(keys))
    cost = np.zeros(n, dtype=np.int64)
    np.add.at(cost, row, prices[at])
    return cost, _join_per_row(row, ids, n).tolist()


def interventions_layer(new_sites: gpd.GeoDataFrame, routes: gpd.GeoDataFrame,
                        upgrades: gpd.GeoDataFrame, village_chosen: np.ndarray,
                        park_funded: np.ndarray, crs) -> gpd.GeoDataFrame:
    """The ledger's interventions, EPSG:4326: new sites, fibre routes (in the order of the
    village selection problem, whose ``chosen`` says which are funded) and the parks' 5G."""
    parts = []
    if len(new_sites):
        parts.append(new_sites.assign(**{s.IN_BUDGET: village_chosen[:len(new_sites)]}))
    if len(routes):
        parts.append(routes.assign(**{s.IN_BUDGET: village_chosen[len(new_sites):]}))
    if len(upgrades):
        parts.append(upgrades.assign(**{s.IN_BUDGET: park_funded}))
    if parts:
        inter = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry", crs=crs)
    else:
        inter = gpd.GeoDataFrame({iv.INTERVENTION_ID: pd.Series([], dtype=str)},
                                 geometry=gpd.GeoSeries([], crs=crs), crs=crs)
    cols = [iv.INTERVENTION_ID, iv.KIND, s.COST_VND, iv.N_SERVED, iv.POP_SERVED, iv.VILLAGE_IDS,
            iv.PARK_IDS, iv.LENGTH_KM, iv.NEW_SITE, iv.SITE_ID_USED, iv.SITES_UPGRADED,
            iv.NEW_SITES_5G, iv.OFF_GRID, s.IN_BUDGET]
    for col in cols:
        if col not in inter:
            inter[col] = pd.NA
    inter[iv.VILLAGE_IDS] = inter[iv.VILLAGE_IDS].fillna("")
    inter[iv.PARK_IDS] = inter[iv.PARK_IDS].fillna("")
    for col in (iv.N_SERVED, iv.POP_SERVED, s.COST_VND, iv.SITES_UPGRADED, iv.NEW_SITES_5G):
        inter[col] = pd.to_numeric(inter[col]).fillna(0).astype(np.int64)
    for col in (iv.NEW_SITE, iv.OFF_GRID, s.IN_BUDGET):
        inter[col] = inter[col].astype("boolean").fillna(False).astype(bool)
    return inter[cols + ["geometry"]].to_crs(s.WGS84)


def _flag(col: pd.Series) -> pd.Series:
    if col.dtype == bool:
        return col
    return col.astype("boolean").fillna(False).astype(bool)


def commune_subtotals(priority: pd.DataFrame) -> pd.DataFrame:
    """Villages with gaps, cost, and what the budget funds, per commune (the workbook's
    per-commune sheet). Costs are the rows' carried costs, so the in-budget column sums to
    the villages' share of the plan's spend."""
    keys = [c for c in (s.PROVINCE_CODE, s.PROVINCE_NAME, s.COMMUNE_CODE, s.COMMUNE_NAME)
            if c in priority]
    p = priority.copy()
    p["_in"] = _flag(p[s.IN_BUDGET]) if s.IN_BUDGET in p else False
    p["_pop"] = pd.to_numeric(p[s.POPULATION], errors="coerce").fillna(0)
    p["_cost"] = pd.to_numeric(p[s.COST_VND], errors="coerce")
    p["_missing"] = p["_cost"].isna().astype(int)  # counted, not summed as 0
    p["_cost"] = p["_cost"].fillna(0)
    g = p.assign(_pop_in=p["_pop"] * p["_in"], _cost_in=p["_cost"] * p["_in"]) \
        .groupby(keys, dropna=False, sort=True)
    out = pd.DataFrame({
        "villages": g.size(),
        s.POPULATION: g["_pop"].sum(),
        s.COST_VND: g["_cost"].sum(),
        "villages_in_budget": g["_in"].sum(),
        "population_in_budget": g["_pop_in"].sum(),
        "cost_in_budget_vnd": g["_cost_in"].sum(),
        COST_MISSING: g["_missing"].sum(),
    }).reset_index()
    for col in ("villages", s.POPULATION, s.COST_VND, "villages_in_budget",
                "population_in_budget", "cost_in_budget_vnd", COST_MISSING):
        out[col] = out[col].astype(np.int64)
    return out


def _ids(text) -> list[str]:
    return [i for i in str(text if isinstance(text, str) else "").split(";") if i]


def money_checks(priority: pd.DataFrame, interventions: pd.DataFrame, parks: pd.DataFrame,
                 summary: Mapping) -> list[Check]:
    """Every view of a plan against the ledger, to the VND and to the person.

    Parameters
    ----------
    priority, interventions, parks : DataFrame
        The plan's priority list, interventions layer and parks table.
    summary : mapping
        The plan summary (``plan_summary.json``).
    """
    cost = pd.to_numeric(priority[s.COST_VND], errors="coerce").fillna(0)
    inb = _flag(priority[s.IN_BUDGET])
    pop = pd.to_numeric(priority[s.POPULATION], errors="coerce").fillna(0)
    icost = pd.to_numeric(interventions[s.COST_VND], errors="coerce").fillna(0)
    iin = _flag(interventions[s.IN_BUDGET])
    pcost = pd.to_numeric(parks[s.COST_VND], errors="coerce").fillna(0) if len(parks) \
        else pd.Series(dtype=float)
    pin = _flag(parks[s.IN_BUDGET]) if len(parks) else pd.Series(dtype=bool)
    within = summary.get("in_budget") or {}
    park_sum = summary.get("parks_5g") or {}
    communes = commune_subtotals(priority) if len(priority) else None
    out = [
        equal("money_in_budget", {
            "village_list_parks": float(cost[inb].sum() + pcost[pin].sum()),
            "interventions": float(icost[iin].sum()),
            "plan_summary": float(within.get("cost_vnd", 0)),
            "commune_sheet_parks": float(
                (communes["cost_in_budget_vnd"].sum() if communes is not None else 0)
                + pcost[pin].sum()),
        }),
        equal("money_total", {
            "village_list_parks": float(cost.sum() + pcost.sum()),
            "interventions": float(icost.sum()),
            "plan_summary": float(summary.get("total_cost_vnd", 0)),
        }),
        equal("money_parks", {
            "parks_sheet": float(pcost[pin].sum()),
            "interventions": float(icost[iin & interventions[PARK_IDS].fillna("").astype(str)
                                        .ne("").to_numpy()].sum()),
            "plan_summary": float(park_sum.get("funded_cost_vnd", 0)),
        }),
        equal("people_served", {
            "village_list": float(pop[inb].sum()),
            "plan_summary": float(within.get("people_served", 0)),
        }),
        at_most("people_population", ("served", float(pop[inb].sum())),
                ("population", float(pop.sum()))),
    ]
    out.append(equal("cost_missing", {  # villages whose cost is unknown, in every view
        "village_list": float(pd.to_numeric(priority[s.COST_VND], errors="coerce").isna().sum()),
        "commune_sheet": float(communes[COST_MISSING].sum() if communes is not None else 0),
        "plan_summary": float(summary.get("villages_cost_missing", 0)),
    }))
    out.append(_whole_interventions(priority, interventions))
    return out


def _unique(x: np.ndarray) -> np.ndarray:
    """``np.unique`` of integers by sorting (numpy's hash table is slower on these)."""
    x = np.sort(x)
    return x[np.r_[True, x[1:] != x[:-1]]] if len(x) else x


def _unique_first(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_index=True)`` of integers by a stable sort: the distinct values
    and where each first occurs."""
    order = np.argsort(x, kind="stable")
    s = x[order]
    new = np.r_[True, s[1:] != s[:-1]] if len(s) else np.zeros(0, dtype=bool)
    return s[new], order[new]


def _whole_interventions(priority: pd.DataFrame, interventions: pd.DataFrame) -> Check:
    """Each village intervention lists exactly the villages that need it, is costed on exactly
    one row, and — when funded — on a funded row; a funded village's needs are all funded."""
    problems = []
    vid = priority[s.VILLAGE_ID].astype(str).to_numpy(object)
    funded = _flag(priority[s.IN_BUDGET]).to_numpy(bool)
    n_row, n_id = split_ids(priority[INTERVENTION_IDS])
    c_row, c_id = split_ids(priority[COST_CARRIED_IDS])
    iids = interventions["intervention_id"].astype(str).to_numpy(object)
    bought = _flag(interventions[s.IN_BUDGET]).to_numpy(bool)
    l_row, l_vid = split_ids(interventions[VILLAGE_IDS].fillna(""))
    village_ones = np.zeros(len(iids), dtype=bool)
    village_ones[l_row] = True  # a park's 5G lists no village
    # every id as an integer code: intervention ids, then village ids
    code, _ = pd.factorize(np.concatenate([iids, n_id, c_id]))
    k_code, n_code, c_code = np.split(code, [len(iids), len(iids) + len(n_id)])
    n_codes = int(code.max(initial=-1)) + 1
    vcode, vuniq = pd.factorize(np.concatenate([l_vid, vid[n_row]]))
    l_v, n_v = vcode[:len(l_vid)], vcode[len(l_vid):]
    nv = max(len(vuniq), 1)
    listed = _unique(k_code[l_row] * nv + l_v)  # (intervention, village) pairs
    needers = _unique(n_code * nv + n_v)
    odd = np.zeros(n_codes, dtype=bool)
    odd[np.setxor1d(listed, needers, assume_unique=True) // nv] = True
    checked = np.zeros(n_codes, dtype=bool)
    checked[k_code[village_ones]] = True
    odd_rows = np.flatnonzero((odd & checked)[k_code])
    if len(odd_rows):
        listed_by = pd.DataFrame({"iid": iids[l_row], "vid": l_vid}).drop_duplicates() \
            .groupby("iid")["vid"].agg(lambda v: sorted(v))
        needed_by = pd.DataFrame({"iid": n_id, "vid": vid[n_row]}).drop_duplicates() \
            .groupby("iid")["vid"].agg(lambda v: sorted(v))
        for iid in iids[odd_rows]:
            problems.append(f"{iid} serves {listed_by.get(iid, [])} but the list has "
                            f"{needed_by.get(iid, [])}")
    n_rows = np.bincount(c_code, minlength=n_codes)[k_code]
    carrier_funded = np.zeros(n_codes, dtype=bool)
    seen, first = _unique_first(c_code)
    carrier_funded[seen] = funded[c_row[first]]  # the first row carrying each cost
    row_funded = carrier_funded[k_code]
    for k in np.flatnonzero(village_ones & ((n_rows != 1)
                                            | (n_rows == 1) & (row_funded != bought))):
        if n_rows[k] != 1:
            problems.append(f"{iids[k]} costed on {n_rows[k]} rows")
        else:
            problems.append(f"{iids[k]} {'funded' if bought[k] else 'not funded'} but costed "
                            f"on a {'funded' if row_funded[k] else 'not funded'} row")
    is_bought = np.zeros(n_codes, dtype=bool)
    is_bought[k_code[bought]] = True
    unfunded_need = funded[n_row] & ~is_bought[n_code]
    need_text = priority[INTERVENTION_IDS].to_numpy(object)
    for r in np.unique(n_row[unfunded_need]):
        problems.append(f"village {vid[r]} in budget but not all of {need_text[r]} funded")
    return Check("money_whole", not problems,
                 (("interventions", len(interventions)), ("problems", len(problems))),
                 note="; ".join(problems[:5]))
