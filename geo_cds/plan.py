"""The plan: one typed description of a run, read from a TOML file, with every default here.

``load_plan(path)`` reads a plan file; ``default_plan()`` is the embedded sample; CLI flags
override single fields with ``dataclasses.replace``. ``plan.to_dict()`` is what the run
manifest records, so a run can be repeated exactly.

Relative paths in a plan file are relative to the plan file's folder.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geo_cds.errors import PlanError
from geo_cds.labels import label
from geo_cds.plan_model import CoverageModel, coverage_model_from
from geo_cds.schema import OPERATORS, operator_key

REPO_ROOT = Path(__file__).resolve().parent.parent
# People per household in Vietnam: 2019 Population and Housing Census (GSO, completed
# results), 96,208,984 people in 26,870,079 households = 3.58, rounded to 3.6.
PEOPLE_PER_HOUSEHOLD = 3.6
SAMPLE_PLAN = REPO_ROOT / "layers" / "sample_plan.toml"


@dataclass(frozen=True)
class InputSpec:
    """One vector or table input."""

    path: Path
    layer: str | None = None  # layer name inside a GeoPackage / sheet name inside an Excel file
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> the file's column
    vintage: str | None = None  # "2025" | "pre2025" | None (detect)
    source_crs: str | None = None  # override the file's CRS (e.g. "EPSG:9216")
    encoding: str | None = None  # .dbf / CSV encoding override ("cp1258", "tcvn3", "vni", …)
    x: str | None = None  # longitude / easting column of a CSV/Excel table of points
    y: str | None = None
    generated: bool = False  # the layer is generated sample data (labelled so wherever shown)
    # Villages without a population: population = households × this (marked estimated). The
    # default is the 2019 census average, 96,208,984 people in 26,870,079 households = 3.58.
    people_per_household: float = PEOPLE_PER_HOUSEHOLD
    # How a blank reads in a yes/no column, per canonical column ("no" | "unknown"); by
    # default a column of marks (x, ✓, 1) and blanks reads a blank as no, any other unknown.
    blank_means: dict[str, str] = field(default_factory=dict)


def stations_input(model: CoverageModel) -> InputSpec:
    """``[coverage_model]``'s station list as an ordinary input."""
    return InputSpec(path=model.stations, layer=model.layer, columns=dict(model.columns),
                     source_crs=model.source_crs, encoding=model.encoding, x=model.x, y=model.y,
                     generated=model.generated)


@dataclass(frozen=True)
class RasterSpec:
    """One raster input: RSRP in dBm (``kind='rsrp'``), a 0/1 mask, or people per cell."""

    path: Path
    kind: str = "rsrp"  # "rsrp" | "mask" | "population"
    technology: str | None = None  # "4g" | "5g" for rsrp/mask rasters
    source_crs: str | None = None
    generated: bool = False
    # The operator whose coverage the raster shows (any common spelling; kept as its key of
    # schema.OPERATORS). None: one raster for the technology, whoever operates it.
    operator: str | None = None

    def __post_init__(self) -> None:
        if self.operator is not None:
            key = operator_key(self.operator)
            if key is None:
                raise PlanError(f"operator {self.operator!r} is not known; use one of "
                                f"{', '.join(OPERATORS.values())} (any case or spelling)")
            object.__setattr__(self, "operator", key)


SPEED_KINDS = ("ookla_mobile", "ookla_fixed", "points")


@dataclass(frozen=True)
class SpeedSpec:
    """Measured speeds: Ookla open-data tiles (``ookla_mobile``/``ookla_fixed``) or point
    tests (``points``; see :mod:`geo_cds.inputs.speeds`). Only mobile ones judge the download
    targets."""

    path: Path
    kind: str = "ookla_mobile"  # one of SPEED_KINDS
    layer: str | None = None  # layer name inside a GeoPackage
    columns: dict[str, str] = field(default_factory=dict)  # canonical -> the file's column
    x: str | None = None  # longitude column of a CSV/Excel table of points
    y: str | None = None
    source_crs: str | None = None
    name: str = ""  # what the source is called in tables and legends (e.g. "Ookla 2025 Q2")
    network: str = "mobile"  # points only: "mobile" | "fixed" (Ookla's kind says it)
    generated: bool = False

    @property
    def mobile(self) -> bool:
        """Mobile measurements: the only ones the mobile download targets are judged on."""
        return self.kind == "ookla_mobile" or (self.kind == "points" and self.network == "mobile")


@dataclass(frozen=True)
class Thresholds:
    rsrp_4g_dbm: float = -105.0  # outdoor 4G coverage (common planning practice)
    rsrp_5g_dbm: float = -110.0  # outdoor 5G SS-RSRP
    village_covered_share: float = 0.5  # polygon village: covered when ≥ this share is covered
    point_search_radius_m: float = 0.0  # >0: a point village takes the best value within it
    park_covered_share: float = 0.95  # a park counts as 5G-covered at ≥ this area share
    join_tolerance_m: float = 1000.0  # a village may lie this far outside its coded commune
    # Measured speed: a village takes the speed tests within this distance of its point
    # (tiles that touch the disc; a polygon village: tiles or points inside it); a place with
    # fewer tests than min_speed_tests is "not measurable" (its tests are still counted).
    speed_radius_m: float = 500.0
    min_speed_tests: int = 10
    # A commune or province figure rests on "little data" when the villages whose value is
    # known are fewer than this share of its villages or hold less than this share of their
    # population (geo_cds.analysis.datacov).
    min_known_share: float = 0.5

    def __post_init__(self) -> None:
        if not 0 <= self.min_known_share <= 1:
            raise PlanError(f"[thresholds] min_known_share must be between 0 and 1, got "
                            f"{self.min_known_share!r}")


@dataclass(frozen=True)
class Target:
    id: str
    indicator: str  # Vietnamese label (defaults: geo_cds.labels section "target")
    indicator_en: str
    threshold: float  # a share 0..1, or Mb/s when unit is "Mb/s"
    year: int
    instrument: str
    unit: str = "share"  # "share" | "Mb/s"


def _target(target_id: str, threshold: float, year: int, instrument: str,
            unit: str = "share") -> Target:
    """A default target, named from the label catalogue (section ``target``)."""
    return Target(target_id, label("target", target_id, "vi"), label("target", target_id, "en"),
                  threshold, year, instrument, unit)


DEFAULT_TARGETS: tuple[Target, ...] = (
    _target("village_mobile_broadband", 1.0, 2025, "QĐ 36/QĐ-TTg (2024); QĐ 2269/QĐ-TTg"),
    _target("village_fibre", 1.0, 2025, "QĐ 36/QĐ-TTg (2024)"),
    _target("household_fibre", 0.8, 2025, "QĐ 411/QĐ-TTg (2022); QĐ 749/QĐ-TTg"),
    _target("commune_fibre", 1.0, 2025, "QĐ 749/QĐ-TTg"),
    _target("park_5g", 1.0, 2025, "QĐ 1132/QĐ-TTg (9/10/2024); Quảng Ngãi KH 252"),
    _target("population_5g", 0.99, 2030, "QĐ 1132/QĐ-TTg; QĐ 36/QĐ-TTg"),
    _target("smart_village", 1.0, 2025, "QĐ 924/QĐ-TTg"),
    _target("download_4g", 40.0, 2025, "QĐ 36/QĐ-TTg (2024)", unit="Mb/s"),
    _target("download_5g", 100.0, 2025, "QĐ 36/QĐ-TTg (2024)", unit="Mb/s"),
)


@dataclass(frozen=True)
class Costs:
    usd_to_vnd: float = 26_000.0  # configurable exchange rate
    fibre_usd_per_km: float = 8_000.0  # ITU connectivity planning; Giga cost model
    fibre_route_factor: float = 1.1
    fibre_connection_usd: float = 500.0
    fibre_max_segment_km: float = 20.0
    new_4g_site_usd: float = 50_000.0  # pytal (Oughton) rural macro site, no microwave backhaul
    upgrade_5g_usd: float = 35_000.0  # radio upgrade (assumed 25,000) + power upgrade 10,000 (pytal)
    power_upgrade_4g_usd: float = 5_000.0  # pytal
    off_grid_power_usd: float = 5_000.0  # power for a new site at a village off the grid
    site_radius_km: float = 8.0  # ITU rural planning radius of a site
    site_radius_5g_km: float = 2.0  # reach of a 5G upgrade around an existing site


@dataclass(frozen=True)
class Weights:
    people_per_vnd: float = 0.4
    dbkk: float = 0.2
    deadline: float = 0.2
    severity: float = 0.2


@dataclass(frozen=True)
class Budget:
    vnd: float | None = None  # None: rank everything, no cut-off
    preset: str = "coverage-first"
    method: str = "exact"  # "exact" (integer programme) | "greedy"
    # None: the preset's. "people" served | "score" (people × score) | "people_min_cost"
    # (the most people, then the least spend)
    objective: str | None = None
    parks_first: bool = True  # parks in the budget: due ones off the top, later ones after villages
    time_limit_s: float = 60.0  # time limit of the integer programme


def check_run_name(name) -> None:
    """A run name is one folder name inside the output folder, nothing more.

    Raises
    ------
    PlanError
        ``name`` is empty, starts with ``.`` (``.``, ``..`` and hidden names, which the writer
        keeps for its own staging folders), holds a path separator (so also an absolute path)
        or a control character.
    """
    why = None
    if not isinstance(name, str):
        why = "it is not text"
    elif not name.strip():
        why = "it is empty"
    elif name.startswith("."):
        why = "it starts with '.'"
    elif "/" in name or "\\" in name:
        why = "it holds a path separator ('/' or '\\')"
    elif any(ord(c) < 32 or ord(c) == 127 for c in name):
        why = "it holds a control character"
    if why:
        raise PlanError(f"run name {name!r} cannot be used ({why}): a run name is one folder "
                        "name inside the output folder; choose a plain name such as "
                        "'ninh-2026' ([run] name in the plan, or --name)")


def check_operators(rasters: dict[str, RasterSpec]) -> None:
    """Several coverage rasters of one technology must each name a different operator.

    Raises
    ------
    PlanError
        Two rasters of one technology without an operator each, or naming the same one.
    """
    by_tech: dict[str, list[str]] = {}
    for name, spec in rasters.items():
        if spec.kind in ("rsrp", "mask") and spec.technology:
            by_tech.setdefault(spec.technology, []).append(name)
    for tech, names in by_tech.items():
        ops = [rasters[n].operator for n in names]
        if len(names) > 1 and (None in ops or len(set(ops)) < len(ops)):
            listed = ", ".join(f"[rasters.{n}] operator = {rasters[n].operator!r}" for n in names)
            raise PlanError(f"several {tech.upper()} rasters ({listed}): each raster of one "
                            "technology must name its own operator; set operator = 'viettel', "
                            "'vnpt', 'mobifone', … under each, or keep one raster")


@dataclass(frozen=True)
class Plan:
    name: str = "sample"
    # A plan file's run folders go beside it (see plan_from_dict); a plan built in code
    # writes under the current folder — never into the installed package.
    output_dir: Path = field(default_factory=lambda: Path.cwd() / "outputs")
    lang: str = "vi"
    reference_year: int = 2025
    map_assets: str = "inline"  # "inline" (one self-contained HTML) | "folder" (map_assets/ beside it)
    communes: InputSpec | None = None
    villages: InputSpec | None = None
    parks: InputSpec | None = None
    streets: InputSpec | None = None
    sites: InputSpec | None = None
    fibre: InputSpec | None = None
    speeds: SpeedSpec | None = None  # measured speeds (Ookla tiles or point tests)
    rasters: dict[str, RasterSpec] = field(default_factory=dict)  # name -> spec
    coverage_model: CoverageModel | None = None  # model coverage from a station list
    thresholds: Thresholds = Thresholds()
    targets: tuple[Target, ...] = DEFAULT_TARGETS
    costs: Costs = Costs()
    weights: Weights | None = None  # None: the preset's (budget.preset); run.json records them
    budget: Budget = Budget()
    source: Path | None = None  # the plan file this came from

    def __post_init__(self) -> None:
        check_run_name(self.name)
        check_operators(self.rasters)

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(dataclasses.asdict(self))

    def target(self, target_id: str) -> Target:
        for t in self.targets:
            if t.id == target_id:
                return t
        raise PlanError(f"no target {target_id!r}; known: {[t.id for t in self.targets]}")


def plan_from_record(data: dict) -> Plan:
    """The inverse of :meth:`Plan.to_dict`: the plan a run recorded in its ``run.json``.

    Keys this version does not know (a manifest from another version) are left out.
    """
    def known(cls, values: dict) -> dict:
        names = {f.name for f in dataclasses.fields(cls)}
        return {k: v for k, v in (values or {}).items() if k in names}

    def spec(cls, values: dict):
        return cls(**{**known(cls, values), "path": Path(values["path"])})

    kw: dict[str, Any] = {}
    for key, value in known(Plan, data).items():
        if value is None:
            continue
        if key in _INPUTS:
            value = spec(InputSpec, value)
        elif key == "speeds":
            value = spec(SpeedSpec, value)
        elif key == "rasters":
            value = {name: spec(RasterSpec, r) for name, r in value.items()}
        elif key in _SETTINGS:
            value = _SETTINGS[key](**known(_SETTINGS[key], value))
        elif key == "targets":
            value = tuple(Target(**known(Target, t)) for t in value)
        elif key == "coverage_model":
            value = coverage_model_from({**known(CoverageModel, value),
                                     "stations": Path(value["stations"]),
                                     "dem": Path(value["dem"]) if value.get("dem") else None},
                                    "run.json")
        elif key in ("output_dir", "source"):
            value = Path(value)
        kw[key] = value
    return Plan(**kw)


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


_INPUTS = ("communes", "villages", "parks", "streets", "sites", "fibre")
_SETTINGS = {"thresholds": Thresholds, "costs": Costs, "weights": Weights, "budget": Budget}


def _build(cls, data: dict, where: str):
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(data) - names
    if unknown:
        raise PlanError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(names)}")
    try:
        return cls(**data)
    except (TypeError, PlanError) as exc:
        raise PlanError(f"{where}: {exc}") from None


def _path(base: Path, value: str) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p).resolve()


def plan_from_dict(data: dict, base: Path, source: Path | None = None) -> Plan:
    """Build a :class:`Plan` from the parsed TOML; relative paths resolve against ``base``."""
    data = dict(data)
    where = str(source or "plan")
    run = data.pop("run", {})
    kw: dict[str, Any] = {"source": source}
    for key in ("name", "lang", "reference_year", "map_assets"):
        if key in run:
            kw[key] = run.pop(key)
    kw["output_dir"] = _path(base, run.pop("output_dir", "outputs"))
    if run:
        raise PlanError(f"{where} [run]: unknown key(s) {sorted(run)}")
    inputs = data.pop("inputs", {})
    for name, spec in inputs.items():
        if name not in (*_INPUTS, "speeds"):
            raise PlanError(f"{where} [inputs.{name}]: unknown input; allowed: "
                            f"{[*_INPUTS, 'speeds']}")
        spec = dict(spec)
        if "path" not in spec:
            raise PlanError(f"{where} [inputs.{name}]: 'path' is required")
        spec["path"] = _path(base, spec["path"])
        cls = SpeedSpec if name == "speeds" else InputSpec
        kw[name] = _build(cls, spec, f"{where} [inputs.{name}]")
    if "speeds" in kw and kw["speeds"].kind not in SPEED_KINDS:
        raise PlanError(f"{where} [inputs.speeds] kind: must be one of {list(SPEED_KINDS)}, "
                        f"got {kw['speeds'].kind!r}")
    rasters = {}
    for name, spec in data.pop("rasters", {}).items():
        spec = dict(spec)
        if "path" not in spec:
            raise PlanError(f"{where} [rasters.{name}]: 'path' is required")
        spec["path"] = _path(base, spec["path"])
        rasters[name] = _build(RasterSpec, spec, f"{where} [rasters.{name}]")
    kw["rasters"] = rasters
    if "coverage_model" in data:
        model = dict(data.pop("coverage_model"))
        if "stations" not in model:
            raise PlanError(f"{where} [coverage_model]: 'stations' is required (the path of "
                            "the base-station list: CSV, Excel or GeoPackage)")
        model["stations"] = _path(base, model["stations"])
        if "dem" in model:
            model["dem"] = _path(base, model["dem"])
        kw["coverage_model"] = coverage_model_from(model, f"{where} [coverage_model]")
    for key, cls in _SETTINGS.items():
        if key in data:
            kw[key] = _build(cls, data.pop(key), f"{where} [{key}]")
    if "targets" in data:
        kw["targets"] = _targets(data.pop("targets"), where)
    if data:
        raise PlanError(f"{where}: unknown section(s) {sorted(data)}")
    if "coverage_model" in kw:
        given = {spec.technology for spec in rasters.values() if spec.kind in ("rsrp", "mask")}
        both = sorted(given & set(kw["coverage_model"].technologies))
        if both:
            raise PlanError(f"{where}: {both} coverage is both given as rasters and modelled "
                            "([coverage_model] technologies); keep one source per technology")
    if kw.get("lang", "vi") not in ("vi", "en"):
        raise PlanError(f"{where} [run] lang: must be 'vi' or 'en', got {kw['lang']!r}")
    if kw.get("map_assets", "inline") not in ("inline", "folder"):
        raise PlanError(f"{where} [run] map_assets: must be 'inline' or 'folder', "
                        f"got {kw['map_assets']!r}")
    if "name" in kw:
        try:
            check_run_name(kw["name"])
        except PlanError as exc:
            raise PlanError(f"{where} [run] name: {exc}") from None
    for required in ("communes", "villages"):
        if required not in kw:
            raise PlanError(f"{where}: [inputs.{required}] is required (the {required} layer: "
                            "path, and layer/columns as needed)")
    try:
        return Plan(**kw)
    except PlanError as exc:
        raise PlanError(f"{where}: {exc}") from None


def _targets(overrides: dict, where: str) -> tuple[Target, ...]:
    """``[targets.<id>]`` tables override fields of the default targets (or add new ones)."""
    by_id = {t.id: t for t in DEFAULT_TARGETS}
    for tid, fields_ in overrides.items():
        if tid in by_id:
            by_id[tid] = _build(Target, {**dataclasses.asdict(by_id[tid]), **fields_},
                                f"{where} [targets.{tid}]")
        else:
            by_id[tid] = _build(Target, {"id": tid, **fields_}, f"{where} [targets.{tid}]")
    return tuple(by_id.values())


def load_plan(path: str | Path) -> Plan:
    """Read a TOML plan file.

    Parameters
    ----------
    path : path
        The plan file; relative paths inside it are relative to its folder, and run folders
        go to ``[run] output_dir`` (default: ``outputs/`` beside the plan file).

    Returns
    -------
    Plan

    Raises
    ------
    geo_cds.errors.PlanError
        The file is missing, not TOML, or holds an unknown key or a bad value (the message
        names the file, the section and the key).
    """
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlanError(f"plan file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PlanError(f"{path}: not valid TOML: {exc}") from None
    return plan_from_dict(data, path.parent, source=path)


def default_plan() -> Plan:
    """The embedded sample (``layers/sample_plan.toml`` in the repository).

    Returns
    -------
    Plan
        Its run folders go to ``outputs/`` at the top of the repository.

    Raises
    ------
    geo_cds.errors.PlanError
        Not run from a checkout of the repository (the sample is not installed).
    """
    if not SAMPLE_PLAN.exists():
        raise PlanError(
            f"no plan given and the embedded sample plan {SAMPLE_PLAN} is not there; "
            "run from a checkout of the repository or pass a plan file"
        )
    return load_plan(SAMPLE_PLAN)
