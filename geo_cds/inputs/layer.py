"""One layer being read: its plan entry, the problems found so far and the row accounting.

Every step of the reader (:mod:`~geo_cds.inputs.sources`, :mod:`~geo_cds.inputs.georef`,
:mod:`~geo_cds.inputs.coerce`, :mod:`~geo_cds.inputs.validate`,
:mod:`~geo_cds.inputs.validate_codes`) takes a :class:`Layer` and records what it finds through
it, so that a layer's problems are collected in one place and never stop the reading.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as S
from geo_cds.plan import InputSpec
from geo_cds.problems import ProblemLog

SOURCE_ROW = "source_row"
SOURCE_FILE = "source_file"  # only when a layer combines several files
OLD_CODE = "commune_code_pre2025"  # the old code a converted row had
CODE_METHOD = "code_conversion"  # "full" | "location" (how an old code became a 2025 code)

INPUT_LAYERS = ("communes", "villages", "parks", "streets", "sites", "fibre")

# Names identify a row in messages when its id is empty.
NAME_COLUMN = {
    "communes": S.COMMUNE_NAME,
    "villages": S.VILLAGE_NAME,
    "parks": S.PARK_NAME,
    "streets": S.STREET_NAME,
    "sites": S.OPERATOR,
    "fibre": S.FIBRE_ID,
    "stations": S.OPERATOR,
}
ID_COLUMN = {
    "communes": S.COMMUNE_CODE,
    "villages": S.VILLAGE_ID,
    "parks": S.PARK_ID,
    "streets": S.STREET_ID,
    "sites": S.SITE_ID,
    "fibre": S.FIBRE_ID,
    "stations": S.STATION_ID,
}


class Context:
    """What the layers read earlier tell the later ones (the 2025 communes)."""

    communes: gpd.GeoDataFrame | None = None

    def province_codes(self) -> list[str]:
        if self.communes is None or S.PROVINCE_CODE not in self.communes:
            return []
        return sorted(self.communes[S.PROVINCE_CODE].dropna().unique())

    def bounds(self):
        if self.communes is None or not len(self.communes):
            return None
        return tuple(self.communes.total_bounds)


def empty_frame(layer: str) -> gpd.GeoDataFrame:
    """The canonical frame of ``layer`` with no rows."""
    columns, _ = S.LAYERS[layer]
    frame = pd.DataFrame({c: pd.Series(dtype=_dtype(t)) for c, t in columns.items()})
    frame[SOURCE_ROW] = pd.Series(dtype="Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=S.WGS84), crs=S.WGS84)


def _dtype(t: str) -> str:
    return {"str": "string", "float": "float64"}.get(t, t)


def missing_values(kind: str, index) -> pd.Series:
    """An all-missing column of schema type ``kind`` (NaN for floats, NA otherwise)."""
    dtype = _dtype(kind)
    return pd.Series(np.nan if dtype == "float64" else pd.NA, index=index, dtype=dtype)


class Layer:
    """One layer being read: records its problems and which rows were rejected or repaired."""

    def __init__(self, spec: InputSpec, layer: str, problems: ProblemLog, context: Context):
        self.spec = spec
        self.name = layer
        self.problems = problems
        self.context = context
        self.columns, self.required = S.LAYERS[layer]
        self.files: dict[str, Path] = {}
        self.rows_read = 0
        self.rejected: set[tuple[str, int]] = set()
        self.repaired: set[tuple[str, int]] = set()
        self.evidence: str | None = None
        self.fatal = False
        self.no_xy_columns = False  # a villages table without coordinate columns
        self.commune_names: pd.Series | None = None  # a villages table's "Tên xã" column
        self.merger_lists: pd.Series | None = None  # the communes' before_merger texts
        self.source_columns: dict[str, str] = {}  # canonical column -> the file's column
        # yes/no column -> (the file's column, blank reading "no" | "unknown", blanks, how)
        self.yes_no: dict[str, tuple[str, str, int, str]] = {}
        self.display = str(spec.path)

    def layer_error(self, problem: str, fix: str, column: str | None = None, file=None) -> None:
        """The layer as a whole cannot be used."""
        self.fatal = True
        self._layer_problem(problem, fix, column, file, "error")

    def layer_warning(self, problem: str, fix: str, column: str | None = None, file=None) -> None:
        """Something about the whole layer was repaired or assumed; say so."""
        self._layer_problem(problem, fix, column, file, "warning")

    def _layer_problem(self, problem, fix, column, file, severity) -> None:
        self.problems.add(file=str(file or self.display), layer=self.name, row=None,
                          feature_id=None, column=column, problem=problem, fix=fix,
                          severity=severity)

    def row_problems(
        self,
        frame: pd.DataFrame,
        mask: pd.Series,
        column: str | None,
        problem,
        fix: str,
        severity: str = "error",
        kind: str | None = None,
        changed: bool = True,
    ) -> None:
        """One problem per row where ``mask``.

        ``problem`` may be a callable(row) -> str (the text then names the row's value);
        ``kind`` is the same problem without the value, under which the rows are grouped in
        messages (default: ``problem`` when it is a string). An error rejects the row; a
        warning counts the row as repaired only when the reader ``changed`` something in it
        (a note such as "no location" changes nothing).
        """
        if not mask.any():
            return
        sub = frame[mask.values] if len(mask) == len(frame) else frame.loc[mask[mask].index]
        ids = sub.get(ID_COLUMN[self.name])
        names = sub.get(NAME_COLUMN[self.name])
        if ids is not None and names is not None:
            ids = ids.astype("object").where(ids.notna(), names.astype("object"))
        elif ids is None:
            ids = names
        if kind is None and not callable(problem):
            kind = problem
        files = (
            sub[SOURCE_FILE].astype(str).tolist()
            if SOURCE_FILE in sub
            else [self.display] * len(sub)
        )
        rows = sub[SOURCE_ROW].astype(int).tolist()
        fids = [None if ids is None or pd.isna(v) else str(v)
                for v in (ids if ids is not None else [None] * len(sub))]
        texts = ([problem(row) for _, row in sub.iterrows()] if callable(problem)
                 else [problem] * len(sub))
        if severity == "error":
            target = self.rejected
        elif changed:
            target = self.repaired
        else:
            target = set()
        for f, r, fid, text in zip(files, rows, fids, texts):
            self.problems.add(file=f, layer=self.name, row=r, feature_id=fid, column=column,
                              problem=text, fix=fix, severity=severity, kind=kind)
            target.add((f, r))

    def already_rejected(self, out) -> pd.Series:
        """True for the rows of ``out`` an earlier step rejected."""
        if not self.rejected:
            return pd.Series(False, index=out.index)
        rows_of: dict[object, set[int]] = {}
        for file, row in self.rejected:
            rows_of.setdefault(file, set()).add(row)
        rows = out[SOURCE_ROW].astype(int)
        if SOURCE_FILE not in out:
            return rows.isin(rows_of.get(self.display, set()))
        files = out[SOURCE_FILE].astype(object)
        hit = pd.Series(False, index=out.index)
        for file, rejected in rows_of.items():
            hit |= files.eq(file) & rows.isin(rejected)
        return hit

    def accounting(self) -> dict:
        rejected = len(self.rejected)
        return {
            "layer": self.name,
            "file": self.display,
            "rows_read": self.rows_read,
            "used": self.rows_read - rejected if not self.fatal else 0,
            "repaired": len(self.repaired - self.rejected) if not self.fatal else 0,
            "rejected": rejected if not self.fatal else self.rows_read,
        }
