"""Collect every input problem at once; turn the unusable rows into a rejects table.

A reader never stops at the first bad row: it records a :class:`Problem` for each one in a
:class:`ProblemLog` and goes on. Errors on a row reject that row (it goes to the rejects file
with the reason); errors on a whole layer (``row is None``) make the run refuse to start;
warnings are repairs that were made (a lost leading zero restored, …) and are reported.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd


@dataclass(frozen=True)
class Problem:
    file: str  # the input file as the user named it
    layer: str  # "villages", "communes", …
    row: int | None  # 1-based data row (spreadsheet row − 1 for the header) or feature index; None = whole layer
    feature_id: str | None  # the row's id when it has one (village_id, …)
    column: str | None
    problem: str  # what is wrong, in plain words, with the offending value
    fix: str  # how to fix it
    severity: str = "error"  # "error" (row rejected / layer unusable) | "warning" (repaired, kept)
    kind: str | None = None  # the problem without its row's value: rows of one kind are grouped

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.feature_id:
            where += f" ({self.feature_id})"
        if self.column:
            where += f", column {self.column!r}"
        return f"{self.severity.upper()} {where}: {self.problem} — fix: {self.fix}"


@dataclass
class ProblemLog:
    problems: list[Problem] = field(default_factory=list)

    def add(self, **kw) -> None:
        self.problems.append(Problem(**kw))

    def extend(self, other: "ProblemLog | list[Problem]") -> None:
        self.problems.extend(other.problems if isinstance(other, ProblemLog) else other)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def layer_errors(self) -> list[Problem]:
        """Errors that make a whole layer unusable (not tied to one row)."""
        return [p for p in self.errors if p.row is None]

    def rejected_rows(self, layer: str) -> set[int]:
        return {p.row for p in self.errors if p.layer == layer and p.row is not None}

    def to_frame(self) -> pd.DataFrame:
        """Every problem, one row each (the rejects file); ``row`` is a whole number or empty."""
        cols = [c for c in Problem.__dataclass_fields__ if c != "kind"]
        frame = pd.DataFrame([asdict(p) for p in self.problems], columns=[*cols, "kind"])
        frame["row"] = frame["row"].astype("Int64")
        return frame[cols]

    def grouped(self, first: int = 5) -> list[str]:
        """The problems as lines a person reads: rows with the same problem share one line.

        A problem repeated on many rows (same file, column, severity and kind) becomes
        ``"WARNING file, column 'c': 1,102 rows: <kind> (rows 3, 7, 12, … — all in rejects.csv)
        — fix: …"``; a problem of one row or of a whole layer is printed as it is.

        Parameters
        ----------
        first : int
            How many row numbers a grouped line names.
        """
        groups: dict[tuple, list[Problem]] = {}
        for p in self.problems:
            key = (p.severity, p.file, p.layer, p.column, p.kind or p.problem, p.fix)
            if p.row is None:
                key = (*key, id(p))  # a layer problem is never grouped
            groups.setdefault(key, []).append(p)
        lines = []
        for (severity, file, _, column, kind, fix, *_), items in groups.items():
            if len(items) == 1:
                lines.append(str(items[0]))
                continue
            rows = [p.row for p in items]
            shown = ", ".join(str(r) for r in rows[:first])
            more = ", … — all in rejects.csv" if len(rows) > first else ""
            where = file + (f", column {column!r}" if column else "")
            lines.append(f"{severity.upper()} {where}: {len(items):,} rows: {kind} "
                         f"(rows {shown}{more}) — fix: {fix}")
        return lines

    def __len__(self) -> int:
        return len(self.problems)
