"""Convert commune-keyed tables of the pre-2025 vintage to the 2025 communes.

Counts are summed (an old commune split between new ones by its area share), shares are
recomputed from the converted counts, and each row says which method it used.
"""

from __future__ import annotations

import pandas as pd

from geo_cds.inputs.codes import old_to_new, units_2025


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
