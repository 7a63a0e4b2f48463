"""The plan's ``[coverage_model]`` section: model coverage from a base-station list.

Kept beside :mod:`geo_cds.plan` (which reads it) so the plan module stays one job.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

from geo_cds.errors import PlanError


@dataclass(frozen=True)
class CoverageModel:
    """``[coverage_model]``: model RSRP from a base-station list instead of reading rasters.

    The station list is read like any input (CSV, Excel, GeoPackage, …; OpenCelliD's columns
    or a register's Vietnamese headers). See ``geo_cds.analysis.radio`` for the model.
    """

    stations: Path
    layer: str | None = None  # GeoPackage layer / Excel sheet of the station list
    columns: dict[str, str] = field(default_factory=dict)  # canonical name -> the file's column
    source_crs: str | None = None
    encoding: str | None = None
    x: str | None = None
    y: str | None = None
    generated: bool = False
    technologies: tuple[str, ...] = ("4g", "5g")  # which layers to model (2g/3g/4g/5g)
    crs: str | None = None  # grid CRS; default: UTM 48N or 49N by the communes' centre
    resolution_m: float = 100.0  # cell size in a metric CRS
    resolution_deg: float = 0.001  # cell size when ``crs`` is geographic (EPSG:4326)
    environment: str = "auto"  # auto (by station density) | dense_urban | urban | suburban | …
    max_distance_km: float = 20.0  # stations farther than this from a cell are not heard
    mobile_height_m: float = 1.5  # receiver height above ground
    # feed the run each operator's layer (as [rasters.X] operator = …: per-operator village
    # and commune columns, single-operator villages); false: one best-server layer per
    # technology (commune area_share_4g/pop_share_4g of any operator, the map's indicators)
    per_operator: bool = True
    dem: Path | None = None  # DEM GeoTIFF (m above sea level): knife-edge diffraction by terrain


MODEL_TECHNOLOGIES = ("2g", "3g", "4g", "5g")
MODEL_ENVIRONMENTS = ("auto", "dense_urban", "urban", "suburban", "rural", "open")


def coverage_model_from(values: dict, where: str) -> CoverageModel:
    """``[coverage_model]`` checked: the known keys, technologies, environment, numbers."""
    values = dict(values)
    if "technologies" in values:
        techs = values["technologies"]
        techs = [techs] if isinstance(techs, str) else list(techs)
        values["technologies"] = tuple(str(t).lower() for t in techs)
    names = {f.name for f in dataclasses.fields(CoverageModel)}
    unknown = set(values) - names
    if unknown:
        raise PlanError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(names)}")
    model = CoverageModel(**values)
    bad = [t for t in model.technologies if t not in MODEL_TECHNOLOGIES]
    if bad or not model.technologies:
        raise PlanError(f"{where} technologies: {bad or 'none'} — choose among "
                        f"{list(MODEL_TECHNOLOGIES)}")
    if model.environment not in MODEL_ENVIRONMENTS:
        raise PlanError(f"{where} environment: {model.environment!r} — choose among "
                        f"{list(MODEL_ENVIRONMENTS)}")
    for key in ("resolution_m", "resolution_deg", "max_distance_km", "mobile_height_m"):
        value = getattr(model, key)
        if not isinstance(value, (int, float)) or not value > 0 or value != value:
            raise PlanError(f"{where} {key}: must be a number > 0, got {value!r}")
    return model
