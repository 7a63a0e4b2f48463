"""A run checks itself: named checks with what was compared, recorded in ``run.json`` and
the summary. A failing check stops the run (:class:`geo_cds.errors.CheckFailed`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

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
