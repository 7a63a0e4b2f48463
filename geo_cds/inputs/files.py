"""Plain readers for commune data of any vintage (the crosswalk command), and plan overrides."""

from __future__ import annotations

import functools
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as S
from geo_cds.errors import CrsError, LayerError
from geo_cds.inputs import crs as vncrs
from geo_cds.inputs import legacy
from geo_cds.inputs.columns import ALIASES, find_column
from geo_cds.inputs.layer import INPUT_LAYERS
from geo_cds.inputs.tables import parse_code
from geo_cds.inputs.vector import read_vector
from geo_cds.plan import InputSpec, Plan
from geo_cds.problems import ProblemLog


def read_polygons(
    path,
    code: str | None = None,
    layer: str | None = None,
    source_crs: str | None = None,
    encoding: str | None = None,
) -> tuple[gpd.GeoDataFrame, str, list[str]]:
    """Read a commune polygon layer of any vintage: codes as 5-digit strings, CRS resolved.

    Parameters
    ----------
    path : path-like
        Any vector format GDAL reads.
    code : str, optional
        The code column; found through the built-in aliases ("Mã xã", "ward_code"…) when not
        given.
    layer, source_crs, encoding
        As in :class:`~geo_cds.plan.InputSpec`.

    Returns
    -------
    frame : GeoDataFrame
        The file's columns, with ``code`` zero-padded, in its resolved CRS (VN-2000 datum shift
        bound when missing).
    code : str
        The code column used.
    notes : list of str
        Repairs and assumptions to report (leading zeros restored, datum shift applied…).

    Raises
    ------
    LayerError, CrsError
        The file cannot be read, has no code column, or has no CRS (every problem named).
    """
    problems = ProblemLog()
    frame, code = load_polygons(path, problems, code, layer, source_crs, encoding)
    _raise_errors(problems, path)
    return frame, code, [f"{Path(p.file).name}: {p.problem}" for p in problems.warnings]


def load_polygons(
    path,
    problems: ProblemLog,
    code: str | None = None,
    layer: str | None = None,
    source_crs: str | None = None,
    encoding: str | None = None,
    role: str = "communes",
) -> tuple[gpd.GeoDataFrame | None, str | None]:
    """:func:`read_polygons` recording every problem in ``problems`` instead of raising.

    ``role`` names the layer in the problems (``"old communes"``…). Returns ``(None, code)``
    when the layer has errors.
    """
    path = Path(path)
    say = functools.partial(_problem, problems, path, role)
    if not path.exists():
        say("file not found", "check the path")
        return None, code
    kwargs = {"layer": layer} if layer else {}
    enc = legacy.normalise_encoding_name(encoding)
    if enc and enc not in legacy.LEGACY_ENCODINGS:
        kwargs["encoding"] = enc
    elif enc:
        kwargs["encoding"] = "latin1"
    try:
        frame = read_vector(path, **kwargs)
        if not isinstance(frame, gpd.GeoDataFrame):
            raise LayerError("the file has no geometry column")
    except Exception as exc:  # noqa: BLE001 - any reader failure is a problem of the layer
        say(f"cannot read the file: {exc}", "check that it opens in QGIS")
        return None, code
    if enc in legacy.LEGACY_ENCODINGS:
        for c in frame.columns:
            if c != "geometry" and frame[c].dtype == object:
                frame[c] = frame[c].map(
                    lambda v: legacy.decode_legacy(v, enc) if isinstance(v, str) else v
                )
    cols = [c for c in frame.columns if c != frame.geometry.name]
    ok = True
    if code is None:
        code = find_column(cols, (S.COMMUNE_CODE, *ALIASES[S.COMMUNE_CODE]))
        if code is None:
            ok = say(
                f"no commune code column found (columns: {', '.join(cols)})",
                "name it with --old-code / --new-code",
            )
    elif code not in frame.columns:
        ok = say(f"no column {code!r} (columns: {', '.join(cols)})", "name an existing column",
                 column=code)
        code = None
    if code is not None:
        codes, repaired, bad = parse_code(frame[code], 5)
        if bad.any():
            rows = ", ".join(str(i + 1) for i in np.flatnonzero(bad.to_numpy())[:10])
            ok = say(f"values that are not 5-digit codes (features {rows})",
                     "give the official 5-digit codes", column=code)
        if repaired.any():
            say(f"{int(repaired.sum())} codes lost their leading zeros and were padded to 5 "
                "digits", "store codes as text with 5 digits", column=code, severity="warning")
        frame[code] = codes
    if source_crs:
        frame = frame.set_crs(source_crs, allow_override=True)
    if frame.crs is None:
        bounds = tuple(frame.total_bounds)
        if vncrs.looks_like_degrees(bounds):
            frame = frame.set_crs(S.WGS84)
            say("no CRS; coordinates are longitude/latitude, read as EPSG:4326",
                "add a .prj or give --source-crs", severity="warning")
        else:
            hint = ""
            if vncrs.looks_like_vn2000_metres(bounds):
                hint = (
                    " The coordinates look like VN-2000 metres: give the TM-3 zone of the "
                    "province (see geo_cds/data/vn2000_province_meridians.csv)."
                )
            ok = say(f"no CRS.{hint}", "set it with --source-crs EPSG:…", column="geometry")
    if not ok:
        return None, code
    resolved = vncrs.resolve_crs(frame.crs)
    if resolved.note:
        say(resolved.note, "none needed if the CRS is right", severity="warning")
    frame = frame.set_crs(resolved.crs, allow_override=True)
    return frame, code


def read_table(path, sheet: str | None = None, encoding: str | None = None) -> pd.DataFrame:
    """Read a CSV or Excel table with every cell as text/object (codes keep their zeros)."""
    problems = ProblemLog()
    frame = load_table(path, problems, sheet, encoding)
    _raise_errors(problems, path)
    return frame


def load_table(
    path,
    problems: ProblemLog,
    sheet: str | None = None,
    encoding: str | None = None,
    role: str = "table",
) -> pd.DataFrame | None:
    """:func:`read_table` recording its problem in ``problems``; None when unreadable."""
    path = Path(path)
    if not path.exists():
        _problem(problems, path, role, "file not found", "check the path")
        return None
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            frame = pd.read_excel(path, sheet_name=sheet or 0, dtype=object)
            frame.columns = [str(c) for c in frame.columns]
            return frame
        text, _, _ = legacy.decode_text(path.read_bytes(), encoding)
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    except Exception as exc:  # noqa: BLE001 - any reader failure is a problem of the table
        _problem(problems, path, role, f"cannot read the file: {exc}",
                 "check that it opens in a spreadsheet and that --sheet names a sheet")
        return None


def _problem(problems: ProblemLog, path: Path, role: str, problem: str, fix: str,
             column: str | None = None, severity: str = "error") -> bool:
    """Record a problem of the whole file; False (for ``ok = ...``) when it is an error."""
    problems.add(file=str(path), layer=role, row=None, feature_id=None, column=column,
                 problem=problem, fix=fix, severity=severity)
    return severity != "error"


def _raise_errors(problems: ProblemLog, path) -> None:
    errors = problems.errors
    if errors:
        kind = CrsError if any(p.column == "geometry" for p in errors) else LayerError
        raise kind(f"{path}: " + "; ".join(p.problem for p in errors))


def with_input_overrides(plan: Plan, **overrides) -> Plan:
    """A copy of ``plan`` with per-input fields overridden from ``LAYER=VALUE`` strings.

    For CLI options such as ``--source-crs villages=EPSG:9216`` or ``--encoding villages=tcvn3``
    or ``--vintage villages=pre2025``.

    Parameters
    ----------
    plan : Plan
    **overrides : iterable of str
        Field name of :class:`~geo_cds.plan.InputSpec` (``source_crs``, ``encoding``,
        ``vintage``, ``layer``…) → ``"layer=value"`` strings.

    Raises
    ------
    PlanError
        A string is not ``layer=value``, names an unknown input, or an input the plan lacks.

    Examples
    --------
    >>> from geo_cds.plan import InputSpec, Plan
from geo_cds.problems import ProblemLog
    >>> p = Plan(villages=InputSpec(path="thon.shp"))
    >>> with_input_overrides(p, source_crs=["villages=EPSG:9216"]).villages.source_crs
    'EPSG:9216'
    """
    import dataclasses

    from geo_cds.errors import PlanError

    fields = {f.name for f in dataclasses.fields(InputSpec)}
    for name, values in overrides.items():
        if name not in fields:
            raise PlanError(f"{name!r} is not an input setting; known: {sorted(fields)}")
        for item in values or ():
            layer, sep, value = item.partition("=")
            layer = layer.strip()
            if not sep or not value.strip():
                raise PlanError(
                    f"--{name.replace('_', '-')} {item!r}: write LAYER=VALUE, e.g. "
                    f"villages={'EPSG:9216' if name == 'source_crs' else '…'}"
                )
            if layer not in INPUT_LAYERS:
                raise PlanError(
                    f"--{name.replace('_', '-')} {item!r}: unknown input {layer!r}; "
                    f"known: {', '.join(INPUT_LAYERS)}"
                )
            spec = getattr(plan, layer)
            if spec is None:
                raise PlanError(
                    f"--{name.replace('_', '-')} {item!r}: the plan has no [inputs.{layer}]"
                )
            plan = dataclasses.replace(
                plan, **{layer: dataclasses.replace(spec, **{name: value.strip()})}
            )
    return plan
