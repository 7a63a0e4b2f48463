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

The steps, one module each: :mod:`~geo_cds.inputs.sources` (files and formats, header rows,
decoding through :mod:`~geo_cds.inputs.decode`), :mod:`~geo_cds.inputs.georef` (points from
tables, CRS, VN-2000), :mod:`~geo_cds.inputs.coerce` (column mapping and types),
:mod:`~geo_cds.inputs.validate` (required values, geometries, duplicates) and
:mod:`~geo_cds.inputs.validate_codes` (commune-code vintages and conversion); each records its
problems on a :class:`~geo_cds.inputs.layer.Layer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs.coerce import map_columns
from geo_cds.inputs.georef import georeference
from geo_cds.inputs.layer import INPUT_LAYERS, SOURCE_FILE, Context, Layer, empty_frame
from geo_cds.inputs.minimal import derive_village_ids, estimate_population
from geo_cds.inputs.rasters import check_rasters
from geo_cds.inputs.sources import read_source, source_paths
from geo_cds.inputs.speeds import read_speeds
from geo_cds.inputs.stations import normalise_stations
from geo_cds.inputs.validate import check_duplicates, check_geometry, check_required_values
from geo_cds.inputs.validate_codes import check_communes_vintage, check_vintage
from geo_cds.plan import InputSpec, Plan, RasterSpec, stations_input
from geo_cds.problems import ProblemLog

YES_NO_COLUMNS = ["layer", "column", "file_column", "blank_reads", "blanks", "decided_by"]


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
    stations: gpd.GeoDataFrame | None = None  # [coverage_model] stations, one row per technology
    rasters: dict[str, RasterSpec] = field(default_factory=dict)
    # measured speeds (inputs/speeds.py): Ookla tiles or point tests; None without them
    speeds: gpd.GeoDataFrame | None = None
    problems: ProblemLog = field(default_factory=ProblemLog)
    accounting: pd.DataFrame = field(default_factory=pd.DataFrame)
    files: dict[str, Path] = field(default_factory=dict)
    vintage_evidence: dict[str, str] = field(default_factory=dict)  # layer -> explanation
    # How each yes/no column read its blanks: layer, column, file_column, blank_reads
    # ("no" | "unknown"), blanks, decided_by ("detected" | "plan").
    yes_no: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=YES_NO_COLUMNS))
    # The rows each layer's reader changed, as (file, source_row): the join adds its own.
    repaired_rows: dict[str, set[tuple[str, int]]] = field(default_factory=dict)

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
    yes_no: list[tuple] = []
    repaired_rows: dict[str, set[tuple[str, int]]] = {}
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
    context = Context()
    for name in INPUT_LAYERS:
        spec = getattr(plan, name)
        if spec is None:
            frames[name] = None
            continue
        layer = Layer(spec, name, problems, context)
        frame = _read(layer)
        frames[name] = frame
        files.update(layer.files)
        accounting.append(layer.accounting())
        if layer.evidence:
            evidence[name] = layer.evidence
        yes_no += [(name, canon, *how) for canon, how in layer.yes_no.items()]
        repaired_rows[name] = layer.repaired - layer.rejected
        if name == "communes" and frame is not None and len(frame):
            context.communes = frame
    if plan.coverage_model is not None:
        layer = Layer(stations_input(plan.coverage_model), "stations", problems, context)
        frames["stations"] = _read(layer)
        files.update(layer.files)
        accounting.append(layer.accounting())
        repaired_rows["stations"] = layer.repaired - layer.rejected
    communes = frames["communes"]
    if communes is None:
        communes = empty_frame("communes")
    rasters = check_rasters(plan.rasters, communes, problems, files)
    speeds = None
    if plan.speeds is not None:
        speeds, speed_rows = read_speeds(plan.speeds, problems, files)
        accounting.append(speed_rows)
    return Inputs(
        communes=communes,
        villages=frames["villages"],
        parks=frames["parks"],
        streets=frames["streets"],
        sites=frames["sites"],
        fibre=frames["fibre"],
        stations=frames.get("stations"),
        rasters=rasters,
        speeds=speeds,
        problems=problems,
        accounting=pd.DataFrame(
            accounting, columns=["layer", "file", "rows_read", "used", "repaired", "rejected"]
        ),
        files=files,
        vintage_evidence=evidence,
        yes_no=pd.DataFrame(yes_no, columns=YES_NO_COLUMNS),
        repaired_rows=repaired_rows,
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
        ``"fibre"``, ``"stations"`` (a base-station list for the coverage model).
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
    context = Context()
    context.communes = communes
    return _read(Layer(spec, layer, problems if problems is not None else ProblemLog(), context))


def _read(layer: Layer) -> gpd.GeoDataFrame | None:
    """Read one layer step by step; None as soon as the layer as a whole is unusable."""
    paths = source_paths(layer)
    if not paths:
        return None
    parts = []
    for path in paths:
        raw = read_source(layer, path)
        part = georeference(layer, raw, path) if raw is not None else None
        if part is not None:
            if len(paths) > 1:
                part[SOURCE_FILE] = str(path)
            parts.append(part)
    if not parts or layer.fatal:
        return None
    frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    if not len(frame):  # before the columns: an empty GeoJSON has none to map
        return _nothing_usable(layer)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=S.WGS84)
    frame = map_columns(layer, frame)
    if frame is None or layer.fatal:
        return None
    check_required_values(layer, frame)
    if layer.name == "stations":
        frame = normalise_stations(layer, frame)
    if layer.name == "villages":
        derive_village_ids(layer, frame)
        estimate_population(layer, frame)
    frame = check_geometry(layer, frame)
    if layer.name != "stations":  # a station may have a row per cell or technology
        check_duplicates(layer, frame)
    if S.COMMUNE_CODE in frame and layer.name != "communes":
        frame = check_vintage(layer, frame)
    elif layer.name == "communes":
        check_communes_vintage(layer, frame)
    if layer.fatal:
        return None
    frame = frame[~layer.already_rejected(frame).values].reset_index(drop=True)
    if not len(frame):
        return _nothing_usable(layer)
    return frame


# Layers a run cannot do without: with no usable row in them there is nothing to plan.
ESSENTIAL = ("communes", "villages", "stations")  # stations: only read for [coverage_model]


def _nothing_usable(layer: Layer) -> None:
    """A layer left with no row: an error for communes and villages, else left out (warning)."""
    if layer.rows_read == 0:
        problem = "the layer has no features (no data rows)"
    else:
        problem = (f"none of its {layer.rows_read} rows can be used (each has an error, "
                   "listed with its row)")
    fix = "check that this is the right file (and layer or sheet), exported completely"
    if layer.name in ESSENTIAL:
        layer.layer_error(problem, fix)
    else:
        layer.layer_warning(problem + f"; the run goes on without {layer.name}", fix)
    return None
