"""Validation of a layer's commune codes: their vintage, and conversion of old codes to 2025.

The communes layer must be of the 2025 vintage (its codes not in the official list are named).
Any other layer with commune codes has its vintage detected (or taken from the plan) with the
evidence; old codes are converted through the official old → new table
(:func:`geo_cds.inputs.vintage.convert_codes`), keeping the old code beside the new one.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs.codes import code_sets, name_key, units_2025, units_pre2025
from geo_cds.inputs.layer import CODE_METHOD, OLD_CODE, Layer
from geo_cds.inputs.merger_lists import BEFORE_MERGER, check_old_to_new
from geo_cds.inputs.vintage import convert_codes, detect_vintage


def check_communes_vintage(layer: Layer, frame: gpd.GeoDataFrame) -> None:
    """Refuse commune boundaries that are not of the 2025 vintage."""
    live = ~layer.already_rejected(frame)
    names = frame.loc[live, S.COMMUNE_NAME] if S.COMMUNE_NAME in frame else None
    ev = detect_vintage(frame.loc[live, S.COMMUNE_CODE], names)
    layer.evidence = ev.explain()
    given = layer.spec.vintage
    if given not in (None, "2025", "pre2025"):
        layer.layer_error(f"vintage {given!r} is not known", "use '2025' or 'pre2025'")
        return
    if given == "pre2025" or (given is None and ev.vintage == "pre2025"):
        layer.layer_error(
            "the commune boundaries are of the pre-2025 vintage (" + layer.evidence + "); "
            "geo-cds plans on the 2025 communes",
            "use the 2025 boundaries, or convert these with `geo-cds crosswalk polygons`",
        )
    elif given == "2025" and ev.vintage == "pre2025":
        layer.layer_error(
            "the plan says vintage 2025 but the codes are not: " + layer.evidence,
            "use the 2025 boundaries, or convert these with `geo-cds crosswalk polygons`",
        )
    else:
        _official_codes(layer, frame, live)
        _merger_lists(layer, frame, live)


# How sure a disagreement with the merger lists is: the list names the old commune elsewhere
# (a warning), or only leaves it out / names an unknown commune (a note: the source's lists
# are not always right for homonyms).
LIST_PROBLEMS = {
    "wrong_target": ("warning", "the old→new table sends an old commune to another 2025 "
                                "commune than the merger lists"),
    "whole_marked_split": ("warning", "the old→new table splits an old commune the merger "
                                      "lists name whole under one 2025 commune"),
    "not_listed": ("note", "the old→new table sends an old commune here; the merger lists "
                           "name it nowhere"),
    "unknown_name": ("note", "the merger list names a commune no old commune of the province "
                             "is called"),
}


def _merger_lists(layer: Layer, frame: gpd.GeoDataFrame, live: pd.Series) -> None:
    """Cross-check the shipped old→new table against the boundaries' before_merger lists."""
    if layer.merger_lists is None or S.PROVINCE_CODE not in frame:
        return
    units = pd.DataFrame({S.COMMUNE_CODE: frame[S.COMMUNE_CODE],
                          S.PROVINCE_CODE: frame[S.PROVINCE_CODE],
                          BEFORE_MERGER: layer.merger_lists.to_numpy()})[live.to_numpy()]
    found = check_old_to_new(units)
    for kind, (severity, summary) in LIST_PROBLEMS.items():
        part = found[found["problem"] == kind]
        if not len(part):
            continue
        detail = part.groupby("new_code")["detail"].agg("; ".join)
        mask = frame[S.COMMUNE_CODE].isin(set(detail.index)) & live
        layer.row_problems(
            frame, mask, S.COMMUNE_CODE,
            lambda r, d=detail: d[r[S.COMMUNE_CODE]],
            "check the entry against the province's resolution; report it so the shipped "
            "table (geo_cds/data/old_to_new_communes_2025.csv) can be corrected",
            severity=severity, kind=summary, changed=False)


def _official_codes(layer: Layer, frame: gpd.GeoDataFrame, live: pd.Series) -> None:
    """Warn about 2025 commune codes that are not in the official list (name them)."""
    units = units_2025()
    unknown = (
        live
        & frame[S.COMMUNE_CODE].notna()
        & ~frame[S.COMMUNE_CODE].isin(code_sets()[0])
    )
    if not unknown.any():
        return
    by_name = {
        (p, name_key(n)): c
        for p, n, c in zip(units["province_code"], units["commune_name"], units["commune_code"])
    }
    by_name_any: dict[str, list[str]] = {}
    for n, c in zip(units["commune_name"], units["commune_code"]):
        by_name_any.setdefault(name_key(n), []).append(c)

    def message(r):
        key = name_key(r[S.COMMUNE_NAME])
        official = by_name.get((r.get(S.PROVINCE_CODE), key))
        if official is None and len(by_name_any.get(key, [])) == 1:
            official = by_name_any[key][0]
        text = (
            f"commune code {r[S.COMMUNE_CODE]} is not in the 2025 code list shipped with "
            "geo-cds (geo_cds/data/units_2025.csv, also used by the old→new table)"
        )
        if official:
            text += (
                f"; that list codes {r[S.COMMUNE_NAME]} as {official}: rows keyed by "
                f"{official} will not join to this commune"
            )
        return text

    layer.row_problems(
        frame,
        unknown,
        S.COMMUNE_CODE,
        message,
        "check the code against Decision 19/2025/QĐ-TTg; correct the boundaries or "
        "the tables keyed to them so that both use the same code",
        severity="warning",
        kind="commune code not in the 2025 code list shipped with geo-cds",
        changed=False,
    )


def check_vintage(layer: Layer, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Tell the vintage of the layer's commune codes; convert old ones to 2025."""
    codes = frame[S.COMMUNE_CODE]
    if codes.isna().all():
        return frame
    live = ~layer.already_rejected(frame)
    names = layer.commune_names[live.to_numpy()] if layer.commune_names is not None else None
    ev = detect_vintage(codes[live], names)
    layer.evidence = ev.explain()
    given = layer.spec.vintage
    if given not in (None, "2025", "pre2025"):
        layer.layer_error(f"vintage {given!r} is not known", "use '2025' or 'pre2025'")
        return frame
    if given == "2025" and ev.vintage == "pre2025":
        layer.layer_error(
            "the plan says vintage 2025, but the commune codes are of the pre-2025 vintage: "
            + layer.evidence
            + ". Joined to the 2025 boundaries as they are, most rows would "
            "land in the wrong commune (3,316 new codes reuse an old one)",
            f"set vintage = 'pre2025' for [inputs.{layer.name}] to convert the codes through "
            "the official old→new table",
        )
        return frame
    if given == "pre2025" and ev.vintage == "2025":
        layer.layer_warning(
            "the plan says vintage pre2025, but the codes look like 2025 "
            "codes: " + layer.evidence + "; converted as the plan says",
            f"check the vintage of [inputs.{layer.name}]",
        )
    vintage = given or ev.vintage
    if vintage is None:
        layer.layer_error(
            "cannot tell whether the commune codes are of the 2025 or the pre-2025 vintage: "
            + layer.evidence,
            f"set vintage = '2025' or 'pre2025' for [inputs.{layer.name}] in the plan",
        )
        return frame
    if given is None:
        layer.layer_warning(
            f"commune codes detected as vintage {vintage}: {layer.evidence}",
            f"set vintage = '{vintage}' in the plan to make it explicit",
        )
    if vintage == "2025":
        _unknown_2025_codes(layer, frame)
        return frame
    return _convert(layer, frame)


def _unknown_2025_codes(layer: Layer, frame: gpd.GeoDataFrame) -> None:
    codes = frame[S.COMMUNE_CODE]
    known = set(code_sets()[0])
    if layer.context.communes is not None:
        known |= set(layer.context.communes[S.COMMUNE_CODE].dropna())
    unknown = codes.notna() & ~codes.isin(known)
    has_geom = ~(frame.geometry.isna() | frame.geometry.is_empty)
    layer.row_problems(
        frame,
        unknown & has_geom,
        S.COMMUNE_CODE,
        lambda r: (
            f"commune code {r[S.COMMUNE_CODE]} is not in the official "
            "2025 list; the row is kept and located by its point"
        ),
        "correct the code",
        severity="warning",
        kind="commune code not in the official 2025 list; kept and located by its point",
        changed=False,
    )
    layer.row_problems(
        frame,
        unknown & ~has_geom,
        S.COMMUNE_CODE,
        lambda r: (
            f"commune code {r[S.COMMUNE_CODE]} is not in the official "
            "2025 list and the row has no coordinates"
        ),
        "correct the code or give the coordinates",
        kind="commune code not in the official 2025 list and no coordinates",
    )


def _convert(layer: Layer, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    conv = convert_codes(frame[S.COMMUNE_CODE], frame.geometry, layer.context.communes)
    names_old = (
        units_pre2025().drop_duplicates("commune_code").set_index("commune_code")["commune_name"]
    )
    names_new = units_2025().set_index("commune_code")["commune_name"]
    frame[OLD_CODE] = frame[S.COMMUNE_CODE]
    frame[CODE_METHOD] = conv.method
    unres = conv.method == "split_unresolved"
    cand = conv.candidates

    def split_msg(r):
        c = r[OLD_CODE]
        options = ", ".join(f"{n} {names_new.get(n, '?')}" for n in cand[r.name].split(";"))
        where = (
            "its point lies in none of them"
            if not (r.geometry is None or r.geometry.is_empty)
            else "the row has no coordinates"
        )
        return (
            f"old commune {c} ({names_old.get(c, '?')}) was split between {options}; "
            f"{where}, so its 2025 commune cannot be told"
        )

    layer.row_problems(
        frame,
        unres,
        S.COMMUNE_CODE,
        split_msg,
        "give the village's coordinates or its 2025 commune code",
        kind="old commune split between several 2025 communes; cannot tell which",
    )
    layer.row_problems(
        frame,
        conv.method == "unknown_code",
        S.COMMUNE_CODE,
        lambda r: f"old commune code {r[OLD_CODE]} is not in the official old→new table",
        "correct the code",
        kind="old commune code not in the official old→new table",
    )
    layer.row_problems(
        frame,
        conv.method == "location",
        S.COMMUNE_CODE,
        lambda r: (
            f"old commune {r[OLD_CODE]} ({names_old.get(r[OLD_CODE], '?')})"
            " was split; the village's point lies in "
            f"{conv.new_code[r.name]} "
            f"({names_new.get(conv.new_code[r.name], '?')})"
        ),
        "none needed",
        severity="warning",
        kind="old commune was split; 2025 commune told by the village's point",
    )
    n_full = int((conv.method == "full").sum())
    n_loc = int((conv.method == "location").sum())
    layer.layer_warning(
        f"pre-2025 commune codes converted to 2025 through the official old→new table: "
        f"{n_full} rows by full merge, {n_loc} split communes by location, "
        f"{int(unres.sum())} refused (split, no location)",
        "none needed; the old code is kept in column commune_code_pre2025",
    )
    frame[S.COMMUNE_CODE] = conv.new_code
    return frame
