"""Convert commune-keyed tables of the pre-2025 vintage to the 2025 communes.

Counts are summed (an old commune split between new ones by its area share), shares are
recomputed from the converted counts, and each row says which method it used.
:func:`convert_table_file` does it from files, collecting every problem
(``geo-cds crosswalk table``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs.codes import old_to_new, units_2025
from geo_cds.inputs.columns import ALIASES, find_column
from geo_cds.inputs.crosswalk import crosswalk_polygons
from geo_cds.inputs.files import load_polygons, load_table
from geo_cds.inputs.tables import parse_code, parse_number
from geo_cds.inputs.vintage import detect_vintage
from geo_cds.problems import ProblemLog


def convert_table(
    table: pd.DataFrame,
    code: str = "commune_code",
    counts=(),
    shares=None,
    weights: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Convert a commune-keyed table of the pre-2025 vintage to 2025 communes.

    Parameters
    ----------
    table : DataFrame
        One row per old commune; ``code`` holds the old 5-digit code.
    counts : sequence of str
        Count columns (population, households, villages…): summed into the new communes. An
        old commune split between new ones contributes ``count × share_of_old`` to each.
    shares : dict, optional
        ``{share column: (numerator count, denominator count)}``: shares are recomputed from
        the converted counts, never averaged.
    weights : DataFrame, optional
        Area crosswalk from :func:`crosswalk_polygons` (old boundaries given): used to split the
        old communes divided between several new ones. Without it such rows are refused.

    Returns
    -------
    converted : DataFrame
        One row per new commune: ``commune_code``, the counts, the shares, ``n_old`` (old
        communes contributing), ``old_codes`` and ``method`` (``"full"`` when every
        contribution was a full merge, ``"area_share"`` when some was split by area).
    refused : DataFrame
        Old rows that could not be converted: ``old_code``, ``reason``, ``candidates``.
    """
    counts = list(counts)
    shares = dict(shares or {})
    t = table.copy()
    t["_old"] = t[code].astype("string")
    mapping = old_to_new()[["old_code", "new_code", "n_new"]]
    m = t.merge(mapping, left_on="_old", right_on="old_code", how="left")
    refused = []
    unknown = m["new_code"].isna()
    for c in m.loc[unknown, "_old"].unique():
        refused.append((c, "not an old commune code in the official table", ""))
    m = m[~unknown].copy()
    m["factor"] = 1.0
    m["method"] = "full"
    split = m["n_new"] > 1
    if split.any():
        if weights is not None:
            w = weights[["old_code", "new_code", "share_of_old"]]
            m = m.merge(w, on=["old_code", "new_code"], how="left")
            split = m["n_new"] > 1
            # An official target the overlay does not reach gets nothing; an old commune with
            # no overlay at all is refused.
            covered = m[split].groupby("old_code")["share_of_old"].transform("count")
            bad_old = set(m.loc[split][covered == 0]["old_code"])
            m.loc[split, "factor"] = m.loc[split, "share_of_old"].fillna(0.0)
            total = m[split].groupby("old_code")["factor"].transform("sum")
            m.loc[split, "factor"] = m.loc[split, "factor"] / total.where(total > 0, 1.0)
            m.loc[split, "method"] = "area_share"
            for c in sorted(bad_old):
                cands = ";".join(sorted(mapping[mapping["old_code"] == c]["new_code"]))
                refused.append(
                    (
                        c,
                        ("split between new communes and the old boundaries do not cover it"),
                        cands,
                    )
                )
            m = m[~m["old_code"].isin(bad_old)]
        else:
            for c in sorted(m.loc[split, "old_code"].unique()):
                cands = ";".join(sorted(mapping[mapping["old_code"] == c]["new_code"]))
                refused.append(
                    (
                        c,
                        (
                            "split between several new communes: give the old "
                            "boundaries (--old-boundaries) to allocate by area share"
                        ),
                        cands,
                    )
                )
            m = m[~split]
    for col in counts:
        m[col] = pd.to_numeric(m[col], errors="coerce") * m["factor"]
    grouped = m.groupby("new_code")
    out = grouped[counts].sum(min_count=1) if counts else pd.DataFrame(index=grouped.size().index)
    out["n_old"] = grouped["old_code"].nunique()
    out["old_codes"] = grouped["old_code"].agg(lambda s: ";".join(sorted(set(s))))
    out["method"] = grouped["method"].agg(
        lambda s: "area_share" if (s == "area_share").any() else "full"
    )
    for name, (num, den) in shares.items():
        out[name] = out[num] / out[den].where(out[den] > 0)
    out = out.reset_index().rename(columns={"new_code": "commune_code"})
    names = units_2025().set_index("commune_code")["commune_name"]
    out.insert(1, "commune_name", out["commune_code"].map(names))
    refused_df = pd.DataFrame(refused, columns=["old_code", "reason", "candidates"])
    return out, refused_df


@dataclass
class TableConversion:
    """Result of :func:`convert_table_file`; the tables are None when ``problems`` has errors."""

    converted: pd.DataFrame | None = None  # see convert_table
    refused: pd.DataFrame | None = None
    problems: ProblemLog = field(default_factory=ProblemLog)
    rows_read: int = 0


def convert_table_file(
    table_file: str | Path,
    *,
    code: str | None = None,
    counts=(),
    shares: dict[str, tuple[str, str]] | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    old_boundaries: str | Path | None = None,
    old_boundaries_code: str | None = None,
    new_boundaries: str | Path | None = None,
    new_boundaries_code: str | None = None,
    source_crs: str | None = None,
) -> TableConversion:
    """Convert the commune-keyed table ``table_file`` (pre-2025 codes) to the 2025 communes.

    Every problem is collected before anything is converted: the table's columns (every
    missing column, every column with unreadable values), the vintage of its codes, and the
    boundary files when given.

    Parameters
    ----------
    table_file : path-like
        CSV or Excel table, one row per old commune.
    code : str, optional
        Column with the old commune code (found by name, e.g. "Mã xã", when not given).
    counts, shares
        As in :func:`convert_table` (column names of ``table_file``).
    sheet, encoding : str, optional
        Excel sheet (default: the first); text encoding of a CSV (default: detected).
    old_boundaries, new_boundaries : path-like, optional
        Old and 2025 commune polygons: split communes are then allocated by area share.
    old_boundaries_code, new_boundaries_code, source_crs : str, optional
        Their code columns, and the CRS of ``old_boundaries`` when its .prj is missing.

    Returns
    -------
    TableConversion
        The converted and refused rows (see :func:`convert_table`) and every problem.

    Examples
    --------
    >>> r = convert_table_file("dan_so_xa_2024.xlsx", counts=["Dân số"])  # doctest: +SKIP
    >>> r.problems.errors or r.converted                                 # doctest: +SKIP
    """
    problems = ProblemLog()
    shares = dict(shares or {})
    frame = load_table(table_file, problems, sheet, encoding)
    if frame is not None:
        code = _check_table(frame, Path(table_file), code, counts, shares, problems)
    weights_from = None
    if old_boundaries is not None and new_boundaries is None:
        problems.add(file=str(old_boundaries), layer="old boundaries", row=None,
                     feature_id=None, column=None,
                     problem="old boundaries given without the 2025 boundaries",
                     fix="give the 2025 commune polygons too (--new-boundaries)")
    elif old_boundaries is not None:
        old, oc = load_polygons(old_boundaries, problems, old_boundaries_code,
                                source_crs=source_crs, role="old boundaries")
        new, nc = load_polygons(new_boundaries, problems, new_boundaries_code,
                                role="new boundaries")
        weights_from = (old, oc, new, nc)
    if frame is None or problems.errors:
        return TableConversion(problems=problems, rows_read=0 if frame is None else len(frame))
    weights = None
    if weights_from is not None:
        old, oc, new, nc = weights_from
        weights = crosswalk_polygons(old, new, old_code=oc, new_code=nc)
    out, refused = convert_table(frame, code=code, counts=counts, shares=shares, weights=weights)
    return TableConversion(out, refused, problems, len(frame))


def _check_table(frame, path: Path, code, counts, shares, problems: ProblemLog) -> str | None:
    """Check and parse the table's columns in place; every problem recorded. The code column."""

    def say(problem, fix, column=None, severity="error"):
        problems.add(file=str(path), layer="table", row=None, feature_id=None, column=column,
                     problem=problem, fix=fix, severity=severity)

    cols = list(frame.columns)
    if code is None:
        code = find_column(cols, (S.COMMUNE_CODE, *ALIASES[S.COMMUNE_CODE]))
        if code is None:
            say(f"no commune code column found (columns: {', '.join(cols)})",
                "name it with --code")
    named = [code, *counts, *(c for pair in shares.values() for c in pair)]
    for col in dict.fromkeys(c for c in named if c is not None):
        if col not in cols:
            say(f"column {col!r} is not in the table (columns: {', '.join(cols)})",
                "name an existing column", column=col)
    if code in cols:
        codes, repaired, bad = parse_code(frame[code], 5)
        if bad.any():
            say(f"values that are not 5-digit codes (rows {_rows(bad)})",
                "give the official 5-digit commune codes", column=code)
        if repaired.any():
            say(f"{int(repaired.sum())} codes lost their leading zeros and were padded to 5 "
                "digits", "store codes as text with 5 digits", column=code, severity="warning")
        frame[code] = codes
        if not bad.any():
            ev = detect_vintage(frame[code])
            if ev.vintage == "2025":
                say(f"the codes look like 2025 codes already ({ev.explain()}); nothing to "
                    "convert", "use the table as it is", column=code)
    for col in dict.fromkeys(counts):
        if col in cols:
            nums, bad = parse_number(frame[col])
            if bad.any():
                say(f"values that are not numbers (rows {_rows(bad)})", "give numbers",
                    column=col)
            frame[col] = nums
    return code


def _rows(mask: pd.Series) -> str:
    """The first ten 1-based data rows where ``mask``."""
    return ", ".join(str(i + 1) for i in np.flatnonzero(mask.to_numpy())[:10])
