"""Coverage modelled from a base-station list: COST-231 Hata path loss, best server per cell.

``model_coverage(stations, grid)`` → :class:`ModelledCoverage` (best-server RSRP per
technology, per operator, and the number of operators covering each cell);
``pathloss`` holds the formulas and the per-technology power assumptions, ``_kernels`` the
compiled best-server search, ``prepare`` compiles it ahead of a first run.
"""

from geo_cds.analysis.radio.model import (
    DEFAULT_THRESHOLDS,
    ModelGrid,
    ModelledCoverage,
    iter_operator_layers,
    model_coverage,
    station_environments,
    utm_crs,
)

__all__ = ["DEFAULT_THRESHOLDS", "ModelGrid", "ModelledCoverage", "iter_operator_layers",
           "model_coverage", "station_environments", "utm_crs"]
