"""Column mapping and coercion: a file's columns become the schema's, with schema types.

Columns are matched through the plan's mapping and the built-in aliases
(:mod:`geo_cds.inputs.columns`); each cell is read with the parsers of
:mod:`geo_cds.inputs.tables`. A cell that cannot be read is a row problem: an error (row
rejected) in a required column or a commune code, a warning (value left empty) otherwise.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs.checks import implausible
from geo_cds.inputs.columns import match_columns, normalise_header
from geo_cds.inputs.layer import SOURCE_FILE, SOURCE_ROW, Layer, missing_values
from geo_cds.inputs.merger_lists import BEFORE_MERGER
from geo_cds.inputs.tables import (
    blank_reading,
    clean_text,
    is_typed,
    parse_bool,
    parse_code,
    parse_number,
)

# Code widths.
CODE_WIDTH = {S.COMMUNE_CODE: 5, S.PROVINCE_CODE: 2}
# Counts and measures that cannot be negative.
NON_NEGATIVE = (
    S.POPULATION,
    S.HOUSEHOLDS,
    S.MERCHANTS,
    S.MERCHANTS_QR,
    S.AREA_KM2,
    S.AREA_HA,
    S.HEIGHT_M,
    S.DOWNLOAD_MBPS,
)


def map_columns(layer: Layer, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The layer's schema columns read from ``frame``; None when a required column is missing."""
    spec = layer.spec
    cols = [c for c in frame.columns if c not in ("geometry", SOURCE_ROW, SOURCE_FILE)]
    _one_role_per_column(layer)
    rename, missing = match_columns(cols, layer.columns, dict(spec.columns))
    for canon, source in missing.items():
        layer.layer_error(
            f"column {source!r} named for {canon!r} in the plan is not in the "
            f"file (columns: {', '.join(map(str, cols))})",
            f"fix [inputs.{layer.name}.columns] {canon} = '<column>'",
            column=source,
        )
    unknown = set(spec.columns) - set(layer.columns)
    for canon in sorted(unknown):
        layer.layer_error(
            f"the plan maps {canon!r}, which is not a column geo-cds knows for {layer.name}",
            f"use one of: {', '.join(layer.columns)}",
        )
    for canon, value in spec.blank_means.items():
        if layer.columns.get(canon) != "boolean" or value not in READINGS:
            layer.layer_error(
                f"blank_means {canon} = {value!r}: blank_means takes a yes/no column of "
                f"{layer.name} and 'no' or 'unknown'",
                "yes/no columns: " + ", ".join(c for c, k in layer.columns.items()
                                               if k == "boolean"),
            )
    found = set(rename.values())
    for canon in layer.required:
        if canon not in found and canon not in missing:
            layer.layer_error(
                f"required column {canon!r} not found (columns: {', '.join(map(str, cols))})",
                f"map it in the plan: [inputs.{layer.name}.columns] {canon} = '<column>'",
                column=canon,
            )
    if layer.fatal:
        return None
    out = gpd.GeoDataFrame(
        {SOURCE_ROW: frame[SOURCE_ROW].astype("Int64")},
        geometry=frame.geometry.values,
        crs=frame.crs,
    )
    if SOURCE_FILE in frame:
        out[SOURCE_FILE] = frame[SOURCE_FILE].values
    inverse = {v: k for k, v in rename.items()}
    layer.source_columns = dict(inverse)
    for canon, kind in layer.columns.items():
        if canon not in found:
            out[canon] = missing_values(kind, out.index)
            continue
        out[canon] = _coerce(layer, frame[inverse[canon]].reset_index(drop=True), canon, kind, out)
    out = out[
        [*layer.columns, SOURCE_ROW, *([SOURCE_FILE] if SOURCE_FILE in out else []), "geometry"]
    ]
    if layer.name == "communes":
        # The old communes merged into each unit (the reference boundaries' before_merger):
        # evidence to cross-check the old→new table with (validate_codes), not kept.
        lists, _ = match_columns(cols, {BEFORE_MERGER: "str"}, {})
        if lists:
            layer.merger_lists = clean_text(frame[next(iter(lists))].reset_index(drop=True))
    if S.COMMUNE_CODE in layer.columns and S.COMMUNE_NAME not in layer.columns:
        # The commune's name next to its code is evidence of the codes' vintage (used by
        # validate_codes, not kept: the communes layer is the reference for names).
        aux, _ = match_columns(
            [c for c in cols if c not in inverse.values()], {S.COMMUNE_NAME: "str"}, {}
        )
        if aux:
            layer.commune_names = clean_text(frame[next(iter(aux))].reset_index(drop=True))
    return out


def _one_role_per_column(layer: Layer) -> None:
    """Refuse a plan mapping one column to two roles (it would silently fill only one)."""
    roles: dict[str, list[str]] = {}
    for canon, source in layer.spec.columns.items():
        roles.setdefault(normalise_header(source), []).append(canon)
    for canons in roles.values():
        if len(canons) > 1:
            source = layer.spec.columns[canons[0]]
            hint = (f"; leave {S.VILLAGE_ID} unmapped and geo-cds derives ids from the commune "
                    "code and the village name" if S.VILLAGE_ID in canons else "")
            layer.layer_error(
                f"column {source!r} is mapped to {len(canons)} roles "
                f"({', '.join(canons)}): a column fills one role",
                f"map each role to its own column in [inputs.{layer.name}.columns]{hint}",
                column=source,
            )


def _coerce(layer: Layer, values: pd.Series, canon: str, kind: str, out) -> pd.Series:
    required = canon in layer.required
    severity = "error" if required else "warning"
    fix_opt = "" if required else " (the value was left empty)"
    if canon in CODE_WIDTH:
        width = CODE_WIDTH[canon]
        codes, repaired, bad = parse_code(values, width)
        layer.row_problems(
            out,
            repaired,
            canon,
            lambda r, v=values: (
                f"code {_shown(v, r)} lost its leading zeros: read as a {width}-digit code"
            ),
            f"store codes as text with {width} digits in the file",
            severity="warning",
            kind=f"{canon.replace('_', ' ')} lost its leading zeros",
        )
        layer.row_problems(
            out,
            bad,
            canon,
            lambda r, v=values: f"{_shown(v, r)} is not a {width}-digit code",
            f"give the official {width}-digit code{fix_opt}",
            severity="error" if canon == S.COMMUNE_CODE else severity,
            kind=f"not a {width}-digit code",
        )
        return codes
    if kind == "str":
        return clean_text(values)
    if kind == "boolean":
        parsed, bad = parse_bool(values)
        parsed = _read_blanks(layer, values, parsed, bad, canon)
        layer.row_problems(
            out,
            bad,
            canon,
            lambda r, v=values: f"{_shown(v, r)} is not a yes/no value",
            "write Có/Không, x or empty, 1/0, TRUE/FALSE or yes/no" + fix_opt,
            severity=severity,
            kind="not a yes/no value",
        )
        return parsed
    integer = kind == "Int64"
    nums, bad = parse_number(values, integer=integer)
    layer.row_problems(
        out,
        bad,
        canon,
        lambda r, v=values: _not_a_number(_shown(v, r), integer),
        "give a number" + fix_opt,
        severity=severity,
        kind=f"not a {'whole ' if integer else ''}number",
    )
    odd, allowed = implausible(nums, canon)
    layer.row_problems(
        out,
        odd,
        canon,
        lambda r, v=values: f"{_shown(v, r)} is beyond any real {canon} ({allowed})",
        "check the value (a unit, decimal-separator or typing error?)" + fix_opt,
        severity=severity,
        kind=f"beyond any real {canon}",
    )
    nums = nums.mask(odd)
    if canon == S.FIBRE_HH_SHARE:
        nums = _share(layer, nums, out, canon)
    if canon in NON_NEGATIVE:
        neg = nums < 0
        layer.row_problems(
            out,
            neg,
            canon,
            lambda r, v=values: f"negative value {_shown(v, r)}",
            "give a value ≥ 0" + fix_opt,
            severity=severity,
            kind="negative value",
        )
        nums = nums.mask(neg)
    if integer:
        return nums.round().astype("Int64")
    return nums.astype("float64")


READINGS = {"no": "NO", "unknown": "UNKNOWN"}


def _read_blanks(layer: Layer, values: pd.Series, parsed: pd.Series, bad: pd.Series,
                 canon: str) -> pd.Series:
    """Blanks of a yes/no column: no in a column of marks, unknown otherwise (or as the plan
    says); the reading is recorded on the layer and said in a note."""
    given = layer.spec.blank_means.get(canon)
    reading = given or blank_reading(values)
    blanks = parsed.isna() & ~bad
    if reading == "no":
        parsed = parsed.copy()
        parsed[blanks] = False
    source = layer.source_columns.get(canon, canon)
    layer.yes_no[canon] = (source, reading, int(blanks.sum()), "plan" if given else "detected")
    why = (f"the plan says blank_means.{canon} = {given!r}" if given else
           "it holds only marks (x, ✓, 1) and blanks" if reading == "no" else
           "it is a typed field of the layer" if is_typed(values) else
           "it holds explicit yes and no values")
    layer.problems.add(
        file=layer.display, layer=layer.name, row=None, feature_id=None, column=canon,
        problem=f"yes/no column {source!r} ({canon}): {why}, so its {int(blanks.sum())} "
                f"blank(s) read as {READINGS[reading]}",
        fix=f"set [inputs.{layer.name}.blank_means] {canon} = 'no' or 'unknown' to read "
            "blanks otherwise",
        severity="note",
    )
    return parsed


def _share(layer: Layer, nums: pd.Series, out, canon: str) -> pd.Series:
    valid = nums.dropna()
    if len(valid) and valid.max() > 1 and valid.max() <= 100 and valid.min() >= 0:
        layer.layer_warning(
            f"{canon} has values up to {valid.max():g}: read as percentages and divided by 100",
            "give shares between 0 and 1",
            column=canon,
        )
        nums = nums / 100.0
    outside = (nums < 0) | (nums > 1)
    layer.row_problems(
        out,
        outside,
        canon,
        "share outside 0..1",
        "give a share between 0 and 1 (the value was left empty)",
        severity="warning",
    )
    return nums.mask(outside)


def _shown(values: pd.Series, row) -> str:
    """The cell as the file holds it: text quoted, numbers as written (inf, 1e+20, 12.5)."""
    v = values.iloc[row.name] if row.name < len(values) else None
    if isinstance(v, (float, np.floating)):
        return str(float(v))
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return str(int(v))
    return repr(v.strip() if isinstance(v, str) else v)


def _not_a_number(shown: str, integer: bool) -> str:
    try:
        finite = np.isfinite(float(shown.strip("'\"")))
    except ValueError:
        finite = True  # not a number at all
    if not finite:  # inf, 1e309, a written-out nan
        return f"{shown} is not a finite number"
    return f"{shown} is not a {'whole ' if integer else ''}number"
