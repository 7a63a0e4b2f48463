"""The model's layers as in-memory GeoTIFFs, so the coverage engine reads them as it reads
rasters given in a plan (``[rasters.X]``): nothing is written to disk."""

from __future__ import annotations

import re
from contextlib import ExitStack
from pathlib import Path

import numpy as np
from rasterio.io import MemoryFile

from geo_cds.analysis.radio.model import ModelledCoverage
from geo_cds.plan import RasterSpec

FED_TECHNOLOGIES = ("4g", "5g")  # the technologies the coverage stage has thresholds for


def layer_name(tech: str, operator: str | None = None) -> str:
    """``modelled_4g`` (best server of any operator) or ``modelled_4g_viettel``."""
    if operator is None:
        return f"modelled_{tech}"
    return f"modelled_{tech}_{re.sub(r'[^a-z0-9]+', '_', operator.lower()).strip('_')}"


class MemoryRasters(ExitStack):
    """In-memory rasters of a :class:`ModelledCoverage`; ``specs`` maps a name to the
    :class:`RasterSpec` to give the coverage engine: the best server per technology, or with
    ``per_operator`` each operator's layer with its ``operator`` (the operators must be known
    to :data:`geo_cds.schema.OPERATORS`). Use as a context manager: leaving it frees the
    memory."""

    def __init__(self, modelled: ModelledCoverage, *, per_operator: bool = False,
                 generated: bool = False):
        super().__init__()
        self.modelled = modelled  # the arrays themselves, for the map's overlays
        self.generated = generated
        self.specs: dict[str, RasterSpec] = {}
        self.operators: dict[str, str] = {}  # name -> operator, for per-operator layers
        if per_operator:  # each operator's layer, named for it (as [rasters.X] operator = …)
            layers = [(t, op, a) for (t, op), a in modelled.by_operator.items()
                      if t in FED_TECHNOLOGIES]
        else:  # one best-server layer per technology, whoever operates it
            layers = [(t, None, a) for t, a in modelled.best.items() if t in FED_TECHNOLOGIES]
        for tech, op, array in layers:
            name = layer_name(tech, op)
            self.specs[name] = RasterSpec(path=self._write(modelled, array), kind="rsrp",
                                          technology=tech, generated=generated, operator=op)
            if op is not None:
                self.operators[name] = op

    def _write(self, modelled: ModelledCoverage, array: np.ndarray) -> Path:
        g = modelled.grid
        memfile = self.enter_context(MemoryFile())
        with memfile.open(driver="GTiff", width=g.width, height=g.height, count=1,
                          dtype="float32", crs=g.crs.to_wkt(), transform=g.transform,
                          tiled=True, blockxsize=256, blockysize=256) as dst:
            dst.write(array.astype(np.float32, copy=False), 1)
        return Path(memfile.name)
