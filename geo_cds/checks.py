"""A run checks itself: named checks with what was compared, recorded in ``run.json`` and
the summary. A failing check stops the run (:class:`geo_cds.errors.CheckFailed`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

import pandas as pd

from geo_cds import schema as s
from geo_cds.errors import CheckFailed

TOLERANCE_VND = 0  # money reconciles to the VND


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict:
        return asdict(self)


def equal(name: str, figures: dict[str, float], tolerance: float = 0) -> Check:
    """All ``figures`` (label → value) agree within ``tolerance``."""
    values = list(figures.values())
    ok = max(values) - min(values) <= tolerance if values else True
    text = " = ".join(f"{k} {v:,.0f}" for k, v in figures.items()) if ok else \
        "; ".join(f"{k} {v:,.0f}" for k, v in figures.items()) + " (should be equal)"
    return Check(name, bool(ok), text)


def at_most(name: str, part: tuple[str, float], whole: tuple[str, float]) -> Check:
    ok = part[1] <= whole[1]
    sign = "≤" if ok else ">"
    return Check(name, bool(ok), f"{part[0]} {part[1]:,.0f} {sign} {whole[0]} {whole[1]:,.0f}")


def enforce(checks: Iterable[Check]) -> list[Check]:
    """Return the checks, or raise :class:`CheckFailed` naming every failing one."""
    checks = list(checks)
    failed = [c for c in checks if not c.ok]
    if failed:
        raise CheckFailed(failed)
    return checks


def accounting_checks(accounting: pd.DataFrame) -> list[Check]:
    """Every input row is used or rejected, per layer (repaired rows are among the used)."""
    out = []
    for row in accounting.itertuples(index=False):
        read, used, rejected = int(row.rows_read), int(row.used), int(row.rejected)
        out.append(Check(f"rows: {row.layer} read = used + rejected", read == used + rejected,
                         f"{read:,} read, {used:,} used, {rejected:,} rejected"))
    return out


def village_placement(rows_read: int, villages: pd.DataFrame, communes: pd.DataFrame,
                      rejected_rows: set[int]) -> Check:
    """Every input village is in exactly one commune of the table, or in the rejects."""
    codes = set(communes[s.COMMUNE_CODE].astype(str))
    placed = villages[s.COMMUNE_CODE].astype(str).isin(codes)
    counted = int(pd.to_numeric(communes[s.N_VILLAGES], errors="coerce").fillna(0).sum())
    rows = set(villages["source_row"].dropna().astype(int)) if "source_row" in villages \
        else set()
    both = rows & rejected_rows
    ok = (bool(placed.all()) and counted == len(villages)
          and len(villages) + len(rejected_rows) == rows_read and not both)
    return Check("villages: each in exactly one commune or in the rejects", ok,
                 f"{rows_read:,} read = {len(villages):,} in communes "
                 f"({int((~placed).sum())} with an unknown commune, {counted:,} counted in the "
                 f"commune table) + {len(rejected_rows):,} rejected"
                 + (f"; {len(both)} both placed and rejected" if both else ""))


def shares_in_unit_interval(frames: dict[str, pd.DataFrame]) -> list[Check]:
    """Every share column (``*share*``; targets: the ``value`` of share targets) in [0, 1]."""
    out = []
    for name, frame in frames.items():
        if frame is None or not len(frame):
            continue
        if name == "targets":
            cols = {"value": pd.to_numeric(frame["value"], errors="coerce")
                    .where(frame["unit"].ne("Mb/s"))}
        else:
            cols = {c: pd.to_numeric(frame[c], errors="coerce") for c in frame.columns
                    if "share" in c and pd.api.types.is_numeric_dtype(frame[c])}
        bad = {c: int(((v < 0) | (v > 1)).sum()) for c, v in cols.items()}
        bad = {c: n for c, n in bad.items() if n}
        out.append(Check(f"shares: {name} in [0, 1]", not bad,
                         f"{len(cols)} share column(s)" if not bad else
                         "; ".join(f"{c}: {n} value(s) outside [0, 1]" for c, n in bad.items())))
    return out
