"""Read and validate every input of a plan: the front of the pipeline.

:func:`load_inputs` reads each layer of a :class:`~geo_cds.plan.Plan` — GeoPackage, Shapefile,
GeoJSON, GeoParquet, or a CSV/Excel table of points — and returns canonical frames
(``geo_cds.schema`` columns, EPSG:4326, codes as strings with leading zeros, commune codes of
the 2025 vintage) together with every problem found. It never stops at the first problem and
never modifies an input:

* a row with an error is dropped from its frame and recorded (it goes to the rejects file);
* a repair (a lost leading zero restored, a legacy encoding decoded, a datum shift applied, an
  old code converted) is kept and recorded as a warning;
* a problem with a whole layer (file missing or unreadable, required column missing, no CRS, a
  vintage that cannot be converted) is recorded with ``row=None``: ``run`` refuses then.

Row numbers in problems are 1-based: the data row of a table (spreadsheet row − 1 for the
header) or the feature number in a vector file. Each frame keeps them in ``source_row``.
"""

from __future__ import annotations

import glob
import io
import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as S
from geo_cds.inputs import codes as admin
from geo_cds.inputs import crs as vncrs
from geo_cds.inputs import legacy, tables
from geo_cds.inputs.files import read_polygons, read_table, with_input_overrides  # noqa: F401 (re-exported)
from geo_cds.inputs.rasters import check_rasters
from geo_cds.plan import InputSpec, Plan, RasterSpec
from geo_cds.problems import ProblemLog

log = logging.getLogger(__name__)

SOURCE_ROW = "source_row"
SOURCE_FILE = "source_file"  # only when a layer combines several files
OLD_CODE = "commune_code_pre2025"  # the old code a converted row had
CODE_METHOD = "code_conversion"  # "full" | "location" (how an old code became a 2025 code)

VECTOR_SUFFIXES = {
    ".gpkg",
    ".shp",
    ".dbf",
    ".geojson",
    ".json",
    ".fgb",
    ".gml",
    ".kml",
    ".parquet",
    ".geoparquet",
    ".zip",
}
TABLE_SUFFIXES = {".csv", ".txt", ".xlsx", ".xlsm", ".xls"}
INPUT_LAYERS = ("communes", "villages", "parks", "streets", "sites", "fibre")

# Allowed geometry types per layer (shapely type names, Multi* included).
GEOM_TYPES = {
    "communes": {"Polygon", "MultiPolygon"},
    "villages": {"Point", "MultiPoint", "Polygon", "MultiPolygon"},
    "parks": {"Polygon", "MultiPolygon", "Point"},
    "streets": {"LineString", "MultiLineString", "Point", "MultiPoint"},
    "sites": {"Point", "MultiPoint"},
    "fibre": {"Point", "MultiPoint", "LineString", "MultiLineString"},
}
# Code widths.
CODE_WIDTH = {S.COMMUNE_CODE: 5, S.PROVINCE_CODE: 2}
# Names identify a row in messages when its id is empty.
NAME_COLUMN = {
    "communes": S.COMMUNE_NAME,
    "villages": S.VILLAGE_NAME,
    "parks": S.PARK_NAME,
    "streets": S.STREET_NAME,
    "sites": S.OPERATOR,
    "fibre": S.FIBRE_ID,
}
ID_COLUMN = {
    "communes": S.COMMUNE_CODE,
    "villages": S.VILLAGE_ID,
    "parks": S.PARK_ID,
    "streets": S.STREET_ID,
    "sites": S.SITE_ID,
    "fibre": S.FIBRE_ID,
}


@dataclass
class Inputs:
    """Every input of a run, loaded and validated.

    Attributes
    ----------
    communes : GeoDataFrame
        ``schema.COMMUNE_COLUMNS`` (+ ``source_row``), EPSG:4326, unique ``commune_code``,
        index 0..n-1. Empty (with the columns) when the layer could not be read.
    villages, parks, streets, sites, fibre : GeoDataFrame or None
        The schema columns of each layer (+ ``source_row``), EPSG:4326; None when the plan has
        no such input or it could not be read. Village commune codes are of the 2025 vintage
        (old codes converted; ``commune_code_pre2025`` and ``code_conversion`` say how). A
        village read from a table without coordinates has an empty (None) geometry.
    rasters : dict of str to RasterSpec
        Rasters that open, have (or were given) a CRS and overlap the communes.
    problems : ProblemLog
        Every problem found, errors and warnings.
    accounting : DataFrame
        One row per input: ``layer``, ``file``, ``rows_read``, ``used``, ``repaired``,
        ``rejected`` (used = rows_read − rejected; repaired ⊆ used).
    files : dict of str to Path
        Every input file read (for checksums in the run manifest).
    """

    communes: gpd.GeoDataFrame
    villages: gpd.GeoDataFrame | None = None
    parks: gpd.GeoDataFrame | None = None
    streets: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None
    fibre: gpd.GeoDataFrame | None = None
    rasters: dict[str, RasterSpec] = field(default_factory=dict)
    problems: ProblemLog = field(default_factory=ProblemLog)
    accounting: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: dict[str, Path] = field(default_factory=dict)
    vintage_evidence: dict[str, str] = field(default_factory=dict)  # layer -> explanation

    @property
    def ok(self) -> bool:
        """No layer-level errors (``run`` may start)."""
        return not self.problems.layer_errors()


def load_inputs(plan: Plan) -> Inputs:
    """Read and validate every input of ``plan``.

    Parameters
    ----------
    plan : Plan
        The run's plan; ``plan.communes`` is required.

    Returns
    -------
    Inputs
        The canonical frames, the checked rasters, every problem and the row accounting.

    Examples
    --------
    >>> from geo_cds.plan import default_plan
    >>> inputs = load_inputs(default_plan())            # doctest: +SKIP
    >>> inputs.problems.layer_errors()                  # doctest: +SKIP
    []
    """
    problems = ProblemLog()
    files: dict[str, Path] = {}
    accounting: list[dict] = []
    evidence: dict[str, str] = {}
    frames: dict[str, gpd.GeoDataFrame | None] = {}

    if plan.communes is None:
        problems.add(
            file="(plan)",
            layer="communes",
            row=None,
            feature_id=None,
            column=None,
            problem="the plan has no [inputs.communes]",
            fix="add [inputs.communes] with the path of the 2025 commune boundaries",
        )
    context = _Context()
    for name in INPUT_LAYERS:
        spec = getattr(plan, name)
        if spec is None:
            frames[name] = None
            continue
        reader = _LayerReader(spec, name, problems, context)
        frame = reader.read()
        frames[name] = frame
        files.update(reader.files)
        accounting.append(reader.accounting())
        if reader.evidence:
            evidence[name] = reader.evidence
        if name == "communes" and frame is not None and len(frame):
            context.communes = frame
    communes = frames["communes"]
    if communes is None:
        communes = _empty("communes")
    rasters = check_rasters(plan.rasters, communes, problems, files)
    return Inputs(
        communes=communes,
        villages=frames["villages"],
        parks=frames["parks"],
        streets=frames["streets"],
        sites=frames["sites"],
        fibre=frames["fibre"],
        rasters=rasters,
        problems=problems,
        accounting=pd.DataFrame(
            accounting, columns=["layer", "file", "rows_read", "used", "repaired", "rejected"]
        ),
        files=files,
        vintage_evidence=evidence,
    )


def read_layer(
    spec: InputSpec,
    layer: str,
    problems: ProblemLog | None = None,
    communes: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame | None:
    """Read one input layer into its canonical frame (see :func:`load_inputs`).

    Parameters
    ----------
    spec : InputSpec
        The input as the plan describes it.
    layer : str
        One of ``"communes"``, ``"villages"``, ``"parks"``, ``"streets"``, ``"sites"``,
        ``"fibre"``.
    problems : ProblemLog, optional
        Receives every problem (a new one is made when not given).
    communes : GeoDataFrame, optional
        The loaded 2025 communes: used to convert old codes of split communes by location and
        to name the likely VN-2000 zones of a layer without CRS.

    Returns
    -------
    GeoDataFrame or None
        None when the layer is unusable as a whole (see ``problems.layer_errors()``).
    """
    context = _Context()
    context.communes = communes
    return _LayerReader(
        spec, layer, problems if problems is not None else ProblemLog(), context
    ).read()


# --------------------------------------------------------------------------------------------


class _Context:
    communes: gpd.GeoDataFrame | None = None

    def province_codes(self) -> list[str]:
        if self.communes is None or S.PROVINCE_CODE not in self.communes:
            return []
        return sorted(self.communes[S.PROVINCE_CODE].dropna().unique())

    def bounds(self):
        if self.communes is None or not len(self.communes):
            return None
        return tuple(self.communes.total_bounds)


def _empty(layer: str) -> gpd.GeoDataFrame:
    columns, _ = S.LAYERS[layer]
    frame = pd.DataFrame({c: pd.Series(dtype=_dtype(t)) for c, t in columns.items()})
    frame[SOURCE_ROW] = pd.Series(dtype="Int64")
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=S.WGS84), crs=S.WGS84)


def _dtype(t: str) -> str:
    return {"str": "string", "float": "float64"}.get(t, t)


def _missing(n: int, kind: str, index) -> pd.Series:
    dtype = _dtype(kind)
    return pd.Series(np.nan if dtype == "float64" else pd.NA, index=index, dtype=dtype)


def _has_glob(path: Path) -> bool:
    return any(ch in str(path) for ch in "*?[")


class _LayerReader:
    """Reads one layer, collecting problems; ``read()`` returns the canonical frame."""

    def __init__(self, spec: InputSpec, layer: str, problems: ProblemLog, context: _Context):
        self.spec = spec
        self.layer = layer
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
        self.display = str(spec.path)

    # -- problem helpers ----------------------------------------------------------------------

    def layer_error(self, problem: str, fix: str, column: str | None = None, file=None) -> None:
        """The layer as a whole cannot be used."""
        self.fatal = True
        self._layer_problem(problem, fix, column, file, "error")

    def layer_warning(self, problem: str, fix: str, column: str | None = None, file=None) -> None:
        """Something about the whole layer was repaired or assumed; say so."""
        self._layer_problem(problem, fix, column, file, "warning")

    def _layer_problem(self, problem, fix, column, file, severity) -> None:
        self.problems.add(file=str(file or self.display), layer=self.layer, row=None,
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
    ) -> None:
        """One problem per row where ``mask``; ``problem`` may be a callable(row) -> str."""
        if not mask.any():
            return
        sub = frame[mask.values] if len(mask) == len(frame) else frame.loc[mask[mask].index]
        ids = sub.get(ID_COLUMN[self.layer])
        names = sub.get(NAME_COLUMN[self.layer])
        if ids is not None and names is not None:
            ids = ids.astype("object").where(ids.notna(), names.astype("object"))
        elif ids is None:
            ids = names
        if not callable(problem):
            files = (
                sub[SOURCE_FILE].astype(str)
                if SOURCE_FILE in sub
                else pd.Series(self.display, index=sub.index)
            )
            rows = sub[SOURCE_ROW].astype(int).tolist()
            fids = [
                None if ids is None or pd.isna(v) else str(v)
                for v in (ids if ids is not None else [None] * len(sub))
            ]
            target = self.rejected if severity == "error" else self.repaired
            for f, r, fid in zip(files, rows, fids):
                self.problems.add(
                    file=f,
                    layer=self.layer,
                    row=r,
                    feature_id=fid,
                    column=column,
                    problem=problem,
                    fix=fix,
                    severity=severity,
                )
                target.add((f, r))
            return
        for i, (idx, row) in enumerate(sub.iterrows()):
            text = problem(row) if callable(problem) else problem
            fid = None
            if ids is not None:
                v = ids.iloc[i]
                fid = None if pd.isna(v) else str(v)
            f = row.get(SOURCE_FILE, self.display)
            key = (f, int(row[SOURCE_ROW]))
            self.problems.add(
                file=str(f),
                layer=self.layer,
                row=int(row[SOURCE_ROW]),
                feature_id=fid,
                column=column,
                problem=text,
                fix=fix,
                severity=severity,
            )
            (self.rejected if severity == "error" else self.repaired).add(key)

    def accounting(self) -> dict:
        rejected = len(self.rejected)
        return {
            "layer": self.layer,
            "file": self.display,
            "rows_read": self.rows_read,
            "used": self.rows_read - rejected if not self.fatal else 0,
            "repaired": len(self.repaired - self.rejected) if not self.fatal else 0,
            "rejected": rejected if not self.fatal else self.rows_read,
        }

    # -- the steps ----------------------------------------------------------------------------

    def read(self) -> gpd.GeoDataFrame | None:
        paths = self._paths()
        if not paths:
            return None
        parts = []
        for path in paths:
            part = self._read_file(path)
            if part is not None:
                if len(paths) > 1:
                    part[SOURCE_FILE] = str(path)
                parts.append(part)
        if not parts or self.fatal:
            return None
        frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=S.WGS84)
        frame = self._attributes(frame)
        if frame is None or self.fatal:
            return None
        frame = self._geometry_checks(frame)
        frame = self._duplicates(frame)
        if S.COMMUNE_CODE in frame and self.layer != "communes":
            frame = self._vintage(frame)
        elif self.layer == "communes":
            self._communes_vintage(frame)
        if self.fatal:
            return None
        frame = frame[~self._already_rejected(frame).values].reset_index(drop=True)
        return frame

    def _paths(self) -> list[Path]:
        path = Path(self.spec.path)
        if _has_glob(path):
            found = sorted(Path(p) for p in glob.glob(str(path)))
            if not found:
                self.layer_error(
                    "no file matches this pattern",
                    "check the path in the plan (relative paths are relative to the plan file)",
                )
            return found
        if not path.exists():
            self.layer_error(
                "file not found",
                "check the path in the plan (relative paths are relative to the "
                "plan file's folder)",
            )
            return []
        return [path]

    def _read_file(self, path: Path) -> pd.DataFrame | None:
        suffix = path.suffix.lower()
        key = self.layer if not _has_glob(Path(self.spec.path)) else f"{self.layer}:{path.name}"
        self.files[key] = path
        if suffix == ".shp":
            # The sidecars carry the attributes, the CRS and the code page: checksum them too.
            for ext in (".dbf", ".shx", ".prj", ".cpg"):
                for side in (path.with_suffix(ext), path.with_suffix(ext.upper())):
                    if side.exists():
                        self.files[f"{key}{ext}"] = side
                        break
        try:
            if suffix in TABLE_SUFFIXES:
                raw = self._read_table(path)
            else:
                raw = self._read_vector(path)
        except Exception as exc:  # noqa: BLE001 - any reader failure is a layer problem
            self.layer_error(
                f"cannot read the file: {exc}",
                "open it in QGIS or a spreadsheet to check it is not damaged, and "
                "that the format matches its extension",
                file=path,
            )
            return None
        if raw is None:
            return None
        raw = raw.reset_index(drop=True)
        raw[SOURCE_ROW] = np.arange(1, len(raw) + 1)
        if suffix in TABLE_SUFFIXES:
            # Blank spreadsheet rows are layout, not data.
            cells = raw.drop(columns=[SOURCE_ROW]).astype("object")
            blank = (cells.isna() | cells.map(lambda v: isinstance(v, str) and not v.strip())).all(
                axis=1
            )
            raw = raw[~blank.to_numpy()].reset_index(drop=True)
        self.rows_read += len(raw)
        raw = self._decode_text(raw, path)
        if "geometry" not in raw or not isinstance(raw, gpd.GeoDataFrame):
            return self._points_from_table(raw, path)
        return self._to_wgs84(raw, path)

    def _read_vector(self, path: Path) -> gpd.GeoDataFrame | pd.DataFrame:
        import pyogrio

        if path.suffix.lower() in (".parquet", ".geoparquet"):
            try:
                return gpd.read_parquet(path)
            except ValueError:
                return pd.read_parquet(path)
        enc = legacy.normalise_encoding_name(self.spec.encoding)
        kwargs = {"layer": self.spec.layer} if self.spec.layer else {}
        if path.suffix.lower() == ".gpkg" and not self.spec.layer:
            layers = pyogrio.list_layers(path)
            if len(layers) > 1:
                self.layer_warning(
                    f"the GeoPackage has {len(layers)} layers "
                    f"({', '.join(layers[:, 0])}); read the first",
                    "set layer = '<name>' for this input in the plan",
                    file=path,
                )
        if enc in legacy.LEGACY_ENCODINGS:
            kwargs["encoding"] = "latin1"
        elif enc:
            kwargs["encoding"] = enc
        frame = pyogrio.read_dataframe(path, **kwargs)
        if enc is None and path.suffix.lower() in (".shp", ".dbf") and _latin1_only(frame):
            # GDAL hands legacy bytes over as Latin-1 when the .dbf has no code page; re-read
            # explicitly as Latin-1 so the bytes are intact for decoding.
            frame = pyogrio.read_dataframe(path, encoding="latin1", **kwargs)
        if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name is None:
            return pd.DataFrame(frame)
        if frame.geometry.name != "geometry":
            frame = frame.rename_geometry("geometry")
        return frame

    def _read_table(self, path: Path) -> pd.DataFrame:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm", ".xls"):
            sheet = self.spec.layer if self.spec.layer else 0
            raw = pd.read_excel(path, sheet_name=sheet, dtype=object, header=None)
            enc = legacy.normalise_encoding_name(self.spec.encoding)
            if enc not in legacy.LEGACY_ENCODINGS:
                enc = legacy.detect_legacy(
                    [v for v in raw.head(500).to_numpy().ravel() if isinstance(v, str)]
                )
                if enc:
                    self.layer_warning(
                        f"text looks like {enc.upper()} (legacy Vietnamese encoding) and was "
                        "decoded as such",
                        f"check the names; set encoding = '{enc}' in the plan to make it "
                        "explicit, or save the file with a Unicode font",
                        file=path,
                    )
            if enc:
                raw = raw.map(lambda v: legacy.decode_legacy(v, enc) if isinstance(v, str) else v)
            return self._with_header(raw, path, "sheet row")
        text, how, enc = legacy.decode_text(path.read_bytes(), self.spec.encoding)
        if how == "given" and enc in legacy.LEGACY_ENCODINGS:
            self.layer_warning(
                f"text decoded from {enc.upper()} (legacy Vietnamese encoding) as the plan says",
                "none needed",
                file=path,
            )
        elif how == "detected":
            self.layer_warning(
                f"the file is not UTF-8; its text looks like {enc.upper()} (legacy "
                "Vietnamese encoding) and was decoded as such",
                f"check the names; set encoding = '{enc}' in the plan to make it "
                "explicit, or save the file as UTF-8",
                file=path,
            )
        elif how == "fallback":
            self.layer_warning(
                "the file is not UTF-8; decoded as Windows-1258",
                "set encoding = '<encoding>' for this input, or save the file as UTF-8",
                file=path,
            )
        first = text.split("\n", 1)[0]
        sep = ";" if first.count(";") > first.count(",") else ","
        if "\t" in first and first.count("\t") > first.count(sep):
            sep = "\t"
        raw = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            sep=sep,
            header=None,
            skip_blank_lines=False,
            on_bad_lines="error",
            engine="python",
        )
        return self._with_header(raw, path, "line")

    def _with_header(self, raw: pd.DataFrame, path: Path, unit: str) -> pd.DataFrame:
        """Use the row that looks like the header (title rows above it are common)."""
        row = _find_header_row(raw, self.columns)
        if row > 0:
            self.layer_warning(
                f"the header is on {unit} {row + 1} (rows above it are titles); row numbers "
                f"in messages count the data rows below it (row 1 = {unit} {row + 2})",
                "none needed",
                file=path,
            )
        names = []
        for j, v in enumerate(raw.iloc[row] if len(raw) else []):
            name = "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip()
            name = unicodedata.normalize("NFC", name) or f"column_{j + 1}"
            while name in names:
                name += "_"
            names.append(name)
        frame = raw.iloc[row + 1 :].reset_index(drop=True)
        frame.columns = names
        return frame

    def _decode_text(self, frame: pd.DataFrame, path: Path) -> pd.DataFrame:
        """Decode legacy-encoded headers and text cells (TCVN3 / VNI) to Unicode NFC."""
        enc = legacy.normalise_encoding_name(self.spec.encoding)
        text_cols = [
            c
            for c in frame.columns
            if c != "geometry"
            and (frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c]))
        ]
        if path.suffix.lower() in (".csv", ".txt"):
            return frame  # decoded as a whole file already
        if enc not in legacy.LEGACY_ENCODINGS:
            sample = [str(c) for c in frame.columns]
            for c in text_cols:
                sample.extend(str(v) for v in frame[c].dropna().head(500) if isinstance(v, str))
            enc = legacy.detect_legacy(sample)
            if enc is None:
                return frame
            self.layer_warning(
                f"text looks like {enc.upper()} (legacy Vietnamese encoding) and was decoded "
                "as such",
                f"check the names; set encoding = '{enc}' in the plan to make it "
                "explicit, or save the file as UTF-8",
                file=path,
            )
        frame = frame.rename(
            columns={
                c: legacy.decode_legacy(c, enc)
                for c in frame.columns
                if c != "geometry" and isinstance(c, str)
            }
        )
        for c in text_cols:
            c2 = legacy.decode_legacy(c, enc) if isinstance(c, str) else c
            frame[c2] = frame[c2].map(
                lambda v: legacy.decode_legacy(v, enc) if isinstance(v, str) else v
            )
        return frame

    # -- geometry and CRS -----------------------------------------------------------------------

    def _points_from_table(self, raw: pd.DataFrame, path: Path) -> pd.DataFrame | None:
        cols = [str(c) for c in raw.columns]
        xcol = self.spec.x or tables.find_column(cols, tables.X_ALIASES)
        ycol = self.spec.y or tables.find_column(cols, tables.Y_ALIASES)
        for given, col in ((self.spec.x, xcol), (self.spec.y, ycol)):
            if given and given not in cols:
                self.layer_error(
                    f"coordinate column {given!r} named in the plan is not in the "
                    f"file (columns: {', '.join(cols)})",
                    "fix x / y for this input in the plan",
                    file=path,
                )
                return None
        if xcol is None or ycol is None:
            if self.layer == "villages":
                self.no_xy_columns = True
                self.layer_warning(
                    "the table has no coordinate columns: villages are located "
                    "by their commune code only",
                    "add lon/lat (or x/y) columns to place villages on the map "
                    "and check them against their commune",
                    file=path,
                )
                return gpd.GeoDataFrame(raw, geometry=gpd.GeoSeries([None] * len(raw)), crs=S.WGS84)
            self.layer_error(
                "a table without coordinate columns cannot be placed",
                "add lon/lat (or x/y) columns, or name them with x = / y = for this "
                "input in the plan",
                file=path,
            )
            return None
        xs, badx = tables.parse_number(raw[xcol])
        ys, bady = tables.parse_number(raw[ycol])
        missing = xs.isna() & ys.isna() & ~badx & ~bady
        partial = (xs.isna() ^ ys.isna()) | badx | bady
        raw = raw.drop(columns=[xcol, ycol])
        self.row_problems(
            raw,
            partial,
            f"{xcol}/{ycol}",
            lambda r: "coordinates unreadable or only one of the two given",
            "give both coordinates as numbers (or leave both empty)",
        )
        if self.layer != "villages":
            self.row_problems(
                raw, missing, f"{xcol}/{ycol}", "no coordinates", "give the feature's coordinates"
            )
        pts = gpd.points_from_xy(
            xs.where(~partial & ~missing, np.nan), ys.where(~partial & ~missing, np.nan)
        )
        geom = gpd.GeoSeries(pts).where(~(partial | missing), None)
        frame = gpd.GeoDataFrame(raw, geometry=geom.values)
        ok = ~(geom.isna() | geom.is_empty)
        bounds = tuple(gpd.GeoSeries(geom[ok]).total_bounds) if ok.any() else None
        if self.spec.source_crs:
            frame = frame.set_crs(self.spec.source_crs, allow_override=True)
        elif bounds is None or _kind(frame.geometry[ok.values]) == "degrees":
            frame = frame.set_crs(S.WGS84)
        else:
            frame = frame.set_crs(None, allow_override=True)
            return self._no_crs(frame, path, bounds)
        return self._to_wgs84(frame, path)

    def _no_crs(self, frame, path, bounds):
        if _kind(frame.geometry) == "metres":
            provinces, vintage = self.context.province_codes(), "2025"
            if not provinces:
                provinces, vintage = _provinces_in(frame), "any"
            zones = vncrs.likely_zones(
                bounds, provinces, vintage=vintage, target_bounds=self.context.bounds()
            )
            self.layer_error(
                "no coordinate reference system (no .prj / CRS) and the coordinates look like "
                f"VN-2000 metres (x {bounds[0]:.0f}–{bounds[2]:.0f}, y {bounds[1]:.0f}–"
                f"{bounds[3]:.0f}); likely zones: {'; '.join(zones)}",
                "set source_crs = 'EPSG:…' for this input in the plan (the zone the data was "
                "surveyed in), or add the .prj; geo-cds does not guess",
                file=path,
            )
        else:
            self.layer_error(
                "no coordinate reference system and the coordinates "
                f"({bounds[0]:.4g}, {bounds[1]:.4g}) – ({bounds[2]:.4g}, {bounds[3]:.4g}) are "
                "neither longitude/latitude in Vietnam nor VN-2000 metres",
                "set source_crs = 'EPSG:…' for this input in the plan",
                file=path,
            )

    def _to_wgs84(self, frame: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame | None:
        geoms = frame.geometry
        ok = ~(geoms.isna() | geoms.is_empty)
        bounds = tuple(geoms[ok].total_bounds) if ok.any() else None
        if self.spec.source_crs:
            if frame.crs is not None and not frame.crs.equals(self.spec.source_crs):
                self.layer_warning(
                    f"the file's CRS ({frame.crs.name}) is overridden by "
                    f"source_crs = {self.spec.source_crs!r} from the plan",
                    "none needed if the plan is right",
                    file=path,
                )
            frame = frame.set_crs(self.spec.source_crs, allow_override=True)
        elif frame.crs is None:
            if bounds is None:
                frame = frame.set_crs(S.WGS84)
            elif _kind(geoms[ok]) == "degrees":
                frame = frame.set_crs(S.WGS84)
                if path.suffix.lower() not in (".geojson", ".json", ".csv", ".xlsx", ".txt"):
                    self.layer_warning(
                        "no CRS in the file; the coordinates are longitude/"
                        "latitude in Vietnam, read as EPSG:4326 (WGS 84)",
                        "add a .prj or set source_crs for this input",
                        file=path,
                    )
            else:
                return self._no_crs(frame, path, bounds)
        resolved = vncrs.resolve_crs(frame.crs)
        if resolved.note:
            self.layer_warning(
                resolved.note,
                "none needed if the CRS is right; otherwise set source_crs for this input",
                file=path,
            )
        frame = frame.set_crs(resolved.crs, allow_override=True)
        if not frame.crs.equals(S.WGS84):
            frame = frame.to_crs(S.WGS84)
        if ok.any():
            b = tuple(frame.geometry[ok.values].total_bounds)
            if _kind(frame.geometry[ok.values]) != "degrees":
                # Most features outside Vietnam: the CRS is wrong (a few strays are rejected
                # one by one in the geometry checks).
                self.layer_error(
                    f"after reprojection from {resolved.crs.name} the features lie at "
                    f"({b[0]:.3f}, {b[1]:.3f}) – ({b[2]:.3f}, {b[3]:.3f}), outside Vietnam: the "
                    "CRS is wrong (or x and y are swapped)",
                    "set source_crs for this input to the CRS the coordinates really are in",
                    file=path,
                )
                return None
        return frame

    # -- attributes -----------------------------------------------------------------------------

    def _attributes(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
        cols = [c for c in frame.columns if c not in ("geometry", SOURCE_ROW, SOURCE_FILE)]
        rename, missing = tables.match_columns(cols, self.columns, dict(self.spec.columns))
        for canon, source in missing.items():
            self.layer_error(
                f"column {source!r} named for {canon!r} in the plan is not in the "
                f"file (columns: {', '.join(map(str, cols))})",
                f"fix [inputs.{self.layer}.columns] {canon} = '<column>'",
                column=source,
            )
        unknown = set(self.spec.columns) - set(self.columns)
        for canon in sorted(unknown):
            self.layer_error(
                f"the plan maps {canon!r}, which is not a column geo-cds knows for {self.layer}",
                f"use one of: {', '.join(self.columns)}",
            )
        found = set(rename.values())
        for canon in self.required:
            if canon not in found and canon not in missing:
                self.layer_error(
                    f"required column {canon!r} not found (columns: {', '.join(map(str, cols))})",
                    f"map it in the plan: [inputs.{self.layer}.columns] {canon} = '<column>'",
                    column=canon,
                )
        if self.fatal:
            return None
        out = gpd.GeoDataFrame(
            {SOURCE_ROW: frame[SOURCE_ROW].astype("Int64")},
            geometry=frame.geometry.values,
            crs=frame.crs,
        )
        if SOURCE_FILE in frame:
            out[SOURCE_FILE] = frame[SOURCE_FILE].values
        inverse = {v: k for k, v in rename.items()}
        for canon, kind in self.columns.items():
            if canon not in found:
                out[canon] = _missing(len(out), kind, out.index)
                continue
            out[canon] = self._coerce(
                frame[inverse[canon]].reset_index(drop=True), canon, kind, out
            )
        out = out[
            [*self.columns, SOURCE_ROW, *([SOURCE_FILE] if SOURCE_FILE in out else []), "geometry"]
        ]
        if S.COMMUNE_CODE in self.columns and S.COMMUNE_NAME not in self.columns:
            # The commune's name next to its code is evidence of the codes' vintage (used by
            # _vintage, not kept: the communes layer is the reference for names).
            aux, _ = tables.match_columns(
                [c for c in cols if c not in inverse.values()], {S.COMMUNE_NAME: "str"}, {}
            )
            if aux:
                self.commune_names = tables.clean_text(
                    frame[next(iter(aux))].reset_index(drop=True)
                )
        self._required_values(out)
        return out

    def _coerce(self, values: pd.Series, canon: str, kind: str, out) -> pd.Series:
        required = canon in self.required
        severity = "error" if required else "warning"
        fix_opt = "" if required else " (the value was left empty)"
        if canon in CODE_WIDTH:
            width = CODE_WIDTH[canon]
            codes, repaired, bad = tables.parse_code(values, width)
            self.row_problems(
                out,
                repaired,
                canon,
                lambda r, v=values: (
                    f"code {_shown(v, r)} lost its leading zeros: read as a {width}-digit code"
                ),
                f"store codes as text with {width} digits in the file",
                severity="warning",
            )
            self.row_problems(
                out,
                bad,
                canon,
                lambda r, v=values: f"{_shown(v, r)} is not a {width}-digit code",
                f"give the official {width}-digit code{fix_opt}",
                severity="error" if canon == S.COMMUNE_CODE else severity,
            )
            return codes
        if kind == "str":
            return tables.clean_text(values)
        if kind == "boolean":
            parsed, bad = tables.parse_bool(values)
            self.row_problems(
                out,
                bad,
                canon,
                lambda r, v=values: f"{_shown(v, r)} is not a yes/no value",
                "write Có/Không, x or empty, 1/0, TRUE/FALSE or yes/no" + fix_opt,
                severity=severity,
            )
            return parsed
        integer = kind == "Int64"
        nums, bad = tables.parse_number(values, integer=integer)
        self.row_problems(
            out,
            bad,
            canon,
            lambda r, v=values: f"{_shown(v, r)} is not a {'whole ' if integer else ''}number",
            "give a number" + fix_opt,
            severity=severity,
        )
        if canon == S.FIBRE_HH_SHARE:
            nums = self._share(nums, out, canon)
        if canon in (
            S.POPULATION,
            S.HOUSEHOLDS,
            S.MERCHANTS,
            S.MERCHANTS_QR,
            S.AREA_KM2,
            S.AREA_HA,
            S.HEIGHT_M,
            S.DOWNLOAD_MBPS,
        ):
            neg = nums < 0
            self.row_problems(
                out,
                neg,
                canon,
                lambda r, v=values: f"negative value {_shown(v, r)}",
                "give a value ≥ 0" + fix_opt,
                severity=severity,
            )
            nums = nums.mask(neg)
        if integer:
            return nums.round().astype("Int64")
        return nums.astype("float64")

    def _share(self, nums: pd.Series, out, canon: str) -> pd.Series:
        valid = nums.dropna()
        if len(valid) and valid.max() > 1 and valid.max() <= 100 and valid.min() >= 0:
            self.layer_warning(
                f"{canon} has values up to {valid.max():g}: read as percentages and divided by 100",
                "give shares between 0 and 1",
                column=canon,
            )
            nums = nums / 100.0
        outside = (nums < 0) | (nums > 1)
        self.row_problems(
            out,
            outside,
            canon,
            lambda r: "share outside 0..1",
            "give a share between 0 and 1 (the value was left empty)",
            severity="warning",
        )
        return nums.mask(outside)

    def _required_values(self, out: gpd.GeoDataFrame) -> None:
        for canon in self.required:
            empty = out[canon].isna()
            self.row_problems(
                out,
                empty & ~self._already_rejected(out),
                canon,
                f"required value {canon!r} is empty (or was unreadable)",
                f"fill in {canon!r} or remove the row",
            )

    def _already_rejected(self, out) -> pd.Series:
        if not self.rejected:
            return pd.Series(False, index=out.index)
        files = out[SOURCE_FILE] if SOURCE_FILE in out else pd.Series(self.display, index=out.index)
        keys = list(zip(files, out[SOURCE_ROW].astype(int)))
        return pd.Series([k in self.rejected for k in keys], index=out.index)

    # -- geometry checks ------------------------------------------------------------------------

    def _geometry_checks(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        geoms = frame.geometry
        missing = geoms.isna() | geoms.is_empty
        live = ~self._already_rejected(frame)
        if self.layer != "villages":
            self.row_problems(
                frame,
                missing & live,
                "geometry",
                "empty geometry",
                "draw the feature or remove the row",
            )
        elif not self.no_xy_columns:
            # Villages may be located by their commune code only; say so row by row when the
            # file could have placed them.
            self.row_problems(
                frame,
                missing & live,
                "geometry",
                "no location: the village is placed by its commune code only",
                "give its coordinates to check it against its commune",
                severity="warning",
            )
        present = ~missing
        types = geoms.geom_type
        wrong = present & ~types.isin(GEOM_TYPES[self.layer])
        self.row_problems(
            frame,
            wrong,
            "geometry",
            lambda r: (
                f"geometry type {r.geometry.geom_type} is not allowed for "
                f"{self.layer} ({', '.join(sorted(GEOM_TYPES[self.layer]))})"
            ),
            "fix the geometry type or check that this is the right file",
        )
        invalid = present & ~wrong & ~geoms.is_valid
        if invalid.any():
            reasons = shapely.is_valid_reason(geoms[invalid].values)
            repaired = geoms.copy()
            fixed = shapely.make_valid(geoms[invalid].values)
            # A repaired polygon stays a polygon (make_valid may add stray lines or points).
            was_polygon = types[invalid].isin(["Polygon", "MultiPolygon"]).to_numpy()
            fixed = np.array(
                [_polygonal(g) if p else g for g, p in zip(fixed, was_polygon)], dtype=object
            )
            ok_fix = ~(shapely.is_empty(fixed) | pd.isna(fixed))
            repaired[invalid[invalid].index[ok_fix]] = fixed[ok_fix]
            frame = frame.set_geometry(repaired)
            rmap = dict(zip(invalid[invalid].index, reasons))
            fix_mask = invalid.copy()
            fix_mask[invalid[invalid].index[~ok_fix]] = False
            self.row_problems(
                frame,
                fix_mask,
                "geometry",
                lambda r: f"invalid geometry ({rmap[r.name]}) repaired with make_valid",
                "fix the geometry in a GIS",
                severity="warning",
            )
            bad = invalid & ~fix_mask
            self.row_problems(
                frame,
                bad,
                "geometry",
                lambda r: f"invalid geometry ({rmap[r.name]}) that cannot be repaired",
                "fix the geometry in a GIS",
            )
        if present.any():
            b = geoms.bounds
            outside = present & (
                (b["minx"] < vncrs.VN_LON[0])
                | (b["maxx"] > vncrs.VN_LON[1])
                | (b["miny"] < vncrs.VN_LAT[0])
                | (b["maxy"] > vncrs.VN_LAT[1])
            )
            self.row_problems(
                frame,
                outside & ~wrong,
                "geometry",
                lambda r: (
                    "the feature lies outside Vietnam "
                    f"({r.geometry.centroid.x:.4f}, "
                    f"{r.geometry.centroid.y:.4f})"
                ),
                "check its coordinates (swapped x/y? wrong CRS?)",
            )
        return frame

    def _duplicates(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        id_col = ID_COLUMN[self.layer]
        if id_col not in frame or frame[id_col].isna().all():
            return frame
        ids = frame[id_col]
        dup = ids.notna() & ids.duplicated(keep=False)
        if not dup.any():
            return frame
        sub = frame[dup]
        key = sub[list(self.columns)].astype("string").fillna("<NA>").agg("|".join, axis=1)
        key = key + "|" + sub.geometry.to_wkb().map(lambda b: b.hex() if b else "")
        first_row = sub.groupby(id_col)[SOURCE_ROW].transform("min")
        identical = pd.Series(False, index=frame.index)
        identical[sub.index] = key.duplicated(keep="first").to_numpy()
        same_group = frame[dup].groupby(id_col)[id_col].transform("size")
        # Exact copies of an earlier row are dropped (one copy kept); ids shared by different
        # rows reject every row with that id — which of them is right cannot be told.
        distinct = frame[dup & ~identical].groupby(id_col)[id_col].transform("size")
        conflict = pd.Series(False, index=frame.index)
        conflict[distinct.index] = distinct > 1
        self.row_problems(
            frame,
            identical,
            id_col,
            lambda r: (
                f"duplicate of row {first_row[r.name]} (same {id_col} "
                f"{r[id_col]!r} and the same values): dropped"
            ),
            "remove the duplicate row",
        )
        self.row_problems(
            frame,
            conflict,
            id_col,
            lambda r: (
                f"{id_col} {r[id_col]!r} is used by {same_group[r.name]} "
                "rows with different values: every one is rejected"
            ),
            f"give each row its own {id_col}",
        )
        return frame

    # -- vintage ----------------------------------------------------------------------------

    def _communes_vintage(self, frame: gpd.GeoDataFrame) -> None:
        live = ~self._already_rejected(frame)
        names = frame.loc[live, S.COMMUNE_NAME] if S.COMMUNE_NAME in frame else None
        ev = admin.detect_vintage(frame.loc[live, S.COMMUNE_CODE], names)
        self.evidence = ev.explain()
        given = self.spec.vintage
        if given not in (None, "2025", "pre2025"):
            self.layer_error(f"vintage {given!r} is not known", "use '2025' or 'pre2025'")
            return
        if given == "pre2025" or (given is None and ev.vintage == "pre2025"):
            self.layer_error(
                "the commune boundaries are of the pre-2025 vintage (" + self.evidence + "); "
                "geo-cds plans on the 2025 communes",
                "use the 2025 boundaries, or convert these with `geo-cds crosswalk polygons`",
            )
        elif given == "2025" and ev.vintage == "pre2025":
            self.layer_error(
                "the plan says vintage 2025 but the codes are not: " + self.evidence,
                "use the 2025 boundaries, or convert these with `geo-cds crosswalk polygons`",
            )
        else:
            self._official_codes(frame, live)

    def _official_codes(self, frame: gpd.GeoDataFrame, live: pd.Series) -> None:
        """Warn about 2025 commune codes that are not in the official list (name them)."""
        units = admin.units_2025()
        unknown = (
            live
            & frame[S.COMMUNE_CODE].notna()
            & ~frame[S.COMMUNE_CODE].isin(set(units["commune_code"]))
        )
        if not unknown.any():
            return
        by_name = {
            (p, admin.name_key(n)): c
            for p, n, c in zip(units["province_code"], units["commune_name"], units["commune_code"])
        }
        by_name_any: dict[str, list[str]] = {}
        for n, c in zip(units["commune_name"], units["commune_code"]):
            by_name_any.setdefault(admin.name_key(n), []).append(c)

        def message(r):
            key = admin.name_key(r[S.COMMUNE_NAME])
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

        self.row_problems(
            frame,
            unknown,
            S.COMMUNE_CODE,
            message,
            "check the code against Decision 19/2025/QĐ-TTg; correct the boundaries or "
            "the tables keyed to them so that both use the same code",
            severity="warning",
        )

    def _vintage(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        codes = frame[S.COMMUNE_CODE]
        if codes.isna().all():
            return frame
        live = ~self._already_rejected(frame)
        names = self.commune_names[live.to_numpy()] if self.commune_names is not None else None
        ev = admin.detect_vintage(codes[live], names)
        self.evidence = ev.explain()
        given = self.spec.vintage
        if given not in (None, "2025", "pre2025"):
            self.layer_error(f"vintage {given!r} is not known", "use '2025' or 'pre2025'")
            return frame
        if given == "2025" and ev.vintage == "pre2025":
            self.layer_error(
                "the plan says vintage 2025, but the commune codes are of the pre-2025 vintage: "
                + self.evidence
                + ". Joined to the 2025 boundaries as they are, most rows would "
                "land in the wrong commune (3,316 new codes reuse an old one)",
                f"set vintage = 'pre2025' for [inputs.{self.layer}] to convert the codes through "
                "the official old→new table",
            )
            return frame
        if given == "pre2025" and ev.vintage == "2025":
            self.layer_warning(
                "the plan says vintage pre2025, but the codes look like 2025 "
                "codes: " + self.evidence + "; converted as the plan says",
                f"check the vintage of [inputs.{self.layer}]",
            )
        vintage = given or ev.vintage
        if vintage is None:
            self.layer_error(
                "cannot tell whether the commune codes are of the 2025 or the pre-2025 vintage: "
                + self.evidence,
                f"set vintage = '2025' or 'pre2025' for [inputs.{self.layer}] in the plan",
            )
            return frame
        if given is None:
            self.layer_warning(
                f"commune codes detected as vintage {vintage}: {self.evidence}",
                f"set vintage = '{vintage}' in the plan to make it explicit",
            )
        if vintage == "2025":
            known = set(admin.units_2025()["commune_code"])
            if self.context.communes is not None:
                known |= set(self.context.communes[S.COMMUNE_CODE].dropna())
            unknown = codes.notna() & ~codes.isin(known)
            has_geom = ~(frame.geometry.isna() | frame.geometry.is_empty)
            self.row_problems(
                frame,
                unknown & has_geom,
                S.COMMUNE_CODE,
                lambda r: (
                    f"commune code {r[S.COMMUNE_CODE]} is not in the official "
                    "2025 list; the row is kept and located by its point"
                ),
                "correct the code",
                severity="warning",
            )
            self.row_problems(
                frame,
                unknown & ~has_geom,
                S.COMMUNE_CODE,
                lambda r: (
                    f"commune code {r[S.COMMUNE_CODE]} is not in the official "
                    "2025 list and the row has no coordinates"
                ),
                "correct the code or give the coordinates",
            )
            return frame
        return self._convert(frame)

    def _convert(self, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        communes = self.context.communes
        conv = admin.convert_codes(frame[S.COMMUNE_CODE], frame.geometry, communes)
        names_old = (
            admin.units_pre2025()
            .drop_duplicates("commune_code")
            .set_index("commune_code")["commune_name"]
        )
        names_new = admin.units_2025().set_index("commune_code")["commune_name"]
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

        self.row_problems(
            frame,
            unres,
            S.COMMUNE_CODE,
            split_msg,
            "give the village's coordinates or its 2025 commune code",
        )
        self.row_problems(
            frame,
            conv.method == "unknown_code",
            S.COMMUNE_CODE,
            lambda r: f"old commune code {r[OLD_CODE]} is not in the official old→new table",
            "correct the code",
        )
        self.row_problems(
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
        )
        n_full = int((conv.method == "full").sum())
        n_loc = int((conv.method == "location").sum())
        self.layer_warning(
            f"pre-2025 commune codes converted to 2025 through the official old→new table: "
            f"{n_full} rows by full merge, {n_loc} split communes by location, "
            f"{int(unres.sum())} refused (split, no location)",
            "none needed; the old code is kept in column commune_code_pre2025",
        )
        frame[S.COMMUNE_CODE] = conv.new_code
        return frame


def _polygonal(geom):
    """Keep the polygonal part of a make_valid result."""
    if geom is None:
        return geom
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


def _shown(values: pd.Series, row) -> str:
    v = values.iloc[row.name] if row.name < len(values) else None
    return repr(v.strip() if isinstance(v, str) else v)


def _latin1_only(frame: pd.DataFrame) -> bool:
    """True when the text has characters in U+0080–U+00FF and none beyond (legacy suspect)."""
    high = False
    for c in frame.columns:
        if (
            c == "geometry"
            or frame[c].dtype != object
            and not pd.api.types.is_string_dtype(frame[c])
        ):
            continue
        for v in frame[c].dropna().head(500):
            if isinstance(v, str):
                for ch in v:
                    o = ord(ch)
                    if o > 0xFF:
                        return False
                    if o > 127:
                        high = True
    return high


def _provinces_in(raw: pd.DataFrame) -> list[str]:
    """Province codes a raw layer names: its province-code column, or its commune codes."""
    cols = [c for c in raw.columns if c not in ("geometry", SOURCE_ROW, SOURCE_FILE)]
    col = tables.find_column(cols, (S.PROVINCE_CODE, *tables.ALIASES[S.PROVINCE_CODE]))
    if col is not None:
        codes, _, _ = tables.parse_code(raw[col], 2)
        return sorted(codes.dropna().unique())
    col = tables.find_column(cols, (S.COMMUNE_CODE, *tables.ALIASES[S.COMMUNE_CODE]))
    if col is None:
        return []
    codes, _, _ = tables.parse_code(raw[col], 5)
    found = set(codes.dropna())
    out = set(admin.units_2025().loc[lambda u: u["commune_code"].isin(found), "province_code"])
    out |= set(admin.units_pre2025().loc[lambda u: u["commune_code"].isin(found), "province_code"])
    return sorted(out)


def _find_header_row(raw: pd.DataFrame, columns: dict, max_rows: int = 15) -> int:
    """Index of the row (among the first ``max_rows``) naming most known columns; 0 if none."""
    keys = set()
    for canon in columns:
        keys.add(tables.normalise_header(canon))
        keys.update(tables.normalise_header(a) for a in tables.ALIASES.get(canon, ()))
    keys.update(tables.normalise_header(a) for a in tables.X_ALIASES + tables.Y_ALIASES)
    best, best_n = 0, 0
    for i in range(min(max_rows, len(raw))):
        n = sum(1 for v in raw.iloc[i] if isinstance(v, str) and tables.normalise_header(v) in keys)
        if n > best_n:
            best, best_n = i, n
    return best


def _kind(geoms: gpd.GeoSeries) -> str | None:
    """ "degrees" / "metres" / None for geometries without a CRS (see classify_coordinates)."""
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms):
        return None
    b = geoms.bounds
    return vncrs.classify_coordinates((b["minx"] + b["maxx"]) / 2, (b["miny"] + b["maxy"]) / 2)
