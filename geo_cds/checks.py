"""A run checks itself: named checks with what was compared, recorded in ``run.json`` and
the summary. A failing check stops the run (:class:`geo_cds.errors.CheckFailed`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from geo_cds import schema as s
from geo_cds.errors import CheckFailed
from geo_cds.labels import label, number


@dataclass(frozen=True)
class Check:
    """One self-check: what it is (``key`` of the ``check`` label section, with ``params``),
    whether it passed, and the figures compared (``figure`` label keys → values)."""

    key: str
    ok: bool
    figures: tuple[tuple[str, float], ...] = ()
    joiner: str = ", "  # how the figures read together: " = ", " ≤ ", ", "
    params: tuple[tuple[str, str], ...] = ()
    note: str = ""  # what exactly disagrees (ids, columns), when it fails

    def name(self, lang: str = "en") -> str:
        names = {k: label("layer", v, lang) for k, v in self.params}  # layers and tables
        return label("check", self.key, lang, **names)

    def detail(self, lang: str = "en") -> str:
        text = self.joiner.join(f"{label('check_figure', k, lang)} {number(v, lang)}"
                                for k, v in self.figures)
        return "; ".join(t for t in (text, self.note) if t)

    def to_dict(self) -> dict:
        """JSON-ready (``run.json``, ``summary.json``): the English name and detail, and what
        :meth:`from_dict` needs to show it in another language."""
        return {"name": self.name(), "ok": self.ok, "detail": self.detail(), "key": self.key,
                "figures": dict(self.figures), "joiner": self.joiner,
                "params": dict(self.params), "note": self.note}

    @classmethod
    def from_dict(cls, data: dict) -> Check:
        return cls(data["key"], data["ok"], tuple(data["figures"].items()), data["joiner"],
                   tuple(data["params"].items()), data["note"])


def equal(key: str, figures: dict[str, float], tolerance: float = 0) -> Check:
    """All ``figures`` (figure key → value) agree within ``tolerance``."""
    values = list(figures.values())
    ok = max(values) - min(values) <= tolerance if values else True
    return Check(key, bool(ok), tuple(figures.items()), " = " if ok else " ≠ ")


def at_most(key: str, part: tuple[str, float], whole: tuple[str, float]) -> Check:
    ok = part[1] <= whole[1]
    return Check(key, bool(ok), (part, whole), " ≤ " if ok else " > ")


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
        out.append(Check("rows", read == used + rejected,
                         (("read", read), ("used", used), ("rejected", rejected)),
                         params=(("layer", str(row.layer)),)))
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
    return Check("villages", ok, (
        ("read", rows_read), ("in_communes", len(villages)), ("rejected", len(rejected_rows)),
        ("counted_in_communes", counted), ("unknown_commune", int((~placed).sum())),
        ("placed_and_rejected", len(both))))


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
        out.append(Check("shares", not bad, (("share_columns", len(cols)),
                                             ("outside_unit", sum(bad.values()))),
                         params=(("table", name),), note=", ".join(bad)))
    return out
