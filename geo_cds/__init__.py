"""geo-cds: village-level digital-infrastructure gaps and investment plans for Vietnamese provinces.

The public API (see the README's "Python API"): read a plan, analyse it in memory, inspect the
tables, run the coverage engine on its own, build the map, write a run folder. Names are
imported on first use (PEP 562), so ``import geo_cds`` stays cheap.
"""

from __future__ import annotations

import importlib

from geo_cds._version import __version__

# public name -> module that defines it
_API = {
    "Plan": "geo_cds.plan",
    "load_plan": "geo_cds.plan",
    "default_plan": "geo_cds.plan",
    "RunResult": "geo_cds.pipeline",
    "analyse": "geo_cds.pipeline",
    "run": "geo_cds.pipeline",
    "validate": "geo_cds.pipeline",
    "write_outputs": "geo_cds.pipeline",
    "build_map": "geo_cds.pipeline",
    "replan": "geo_cds.pipeline",
    "compare_runs": "geo_cds.planning.compare",
    "write_comparison": "geo_cds.outputs.comparison",
    "zonal_coverage": "geo_cds.analysis.coverage",
    "values_at_points": "geo_cds.analysis.coverage",
    "write_map": "geo_cds.outputs.maps",
    "GeoCdsError": "geo_cds.errors",
    "PlanError": "geo_cds.errors",
    "LayerError": "geo_cds.errors",
    "CrsError": "geo_cds.errors",
    "CodeError": "geo_cds.errors",
    "ValidationFailed": "geo_cds.errors",
    "OutputExistsError": "geo_cds.errors",
    "ForeignFolderError": "geo_cds.errors",
    "OutputError": "geo_cds.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name not in _API:
        raise AttributeError(f"module 'geo_cds' has no attribute {name!r}")
    value = getattr(importlib.import_module(_API[name]), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_API))
