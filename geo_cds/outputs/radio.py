"""Write the coverage model's layers as GeoTIFFs into one folder, atomically.

Every RSRP layer is Int16 in tenths of a dBm (``value × 0.1`` = dBm: the band's scale 0.1 is
set, so GDAL, QGIS and geo-cds read dBm), nodata −32768, 256 × 256 tiles, DEFLATE with the
horizontal predictor, and internal overviews (×2 … ×16, nearest): a COG-friendly layout. The
operator counts are UInt8, nodata 255. ``model.json`` records the grid, the assumptions and
the stations used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.enums import Resampling

from geo_cds.outputs.write import atomic_folder, write_json

RSRP_NODATA = -32768
COUNT_NODATA = 255
RSRP_SCALE = 0.1
TILE = 256


def _profile(grid, dtype: str, nodata: int) -> dict:
    return {"driver": "GTiff", "width": grid.width, "height": grid.height, "count": 1,
            "dtype": dtype, "nodata": nodata, "crs": grid.crs.to_wkt(),
            "transform": grid.transform, "tiled": True, "blockxsize": TILE,
            "blockysize": TILE, "compress": "deflate", "predictor": 2, "BIGTIFF": "IF_SAFER"}


def _overviews(dst) -> None:
    factors = [f for f in (2, 4, 8, 16) if min(dst.width, dst.height) // f >= 1]
    if factors:
        dst.build_overviews(factors, Resampling.nearest)


def write_rsrp(path: Path, grid, dbm: np.ndarray, tags: dict) -> None:
    """One RSRP layer (float dBm; NaN is nodata) as Int16 tenths of a dBm."""
    tenths = np.full(dbm.shape, RSRP_NODATA, np.int16)
    ok = np.isfinite(dbm)
    tenths[ok] = np.round(dbm[ok] / RSRP_SCALE).astype(np.int16)
    with rasterio.open(path, "w", **_profile(grid, "int16", RSRP_NODATA)) as dst:
        dst.write(tenths, 1)
        dst.scales = (RSRP_SCALE,)
        dst.offsets = (0.0,)
        dst.units = ("dBm",)
        dst.update_tags(**{k: str(v) for k, v in tags.items()})
        _overviews(dst)


def write_count(path: Path, grid, count: np.ndarray, tags: dict) -> None:
    with rasterio.open(path, "w", **_profile(grid, "uint8", COUNT_NODATA)) as dst:
        dst.write(count.astype(np.uint8), 1)
        dst.update_tags(**{k: str(v) for k, v in tags.items()})
        _overviews(dst)


def write_model_folder(layers, grid, folder: Path, *, thresholds: dict, record: dict,
                       overwrite: bool = False, rejects=None) -> dict:
    """Write each ``(technology, operator, layer, stations)`` of ``layers`` as it comes
    (``rsrp_<tech>_<operator>.tif``), then per technology the best server of any operator
    (``rsrp_<tech>.tif``) and how many operators reach the threshold (``operators_<tech>.tif``;
    > 0: covered by any operator), and ``model.json``; into ``folder`` atomically.

    Returns the files written per technology and the stations modelled.
    """
    from geo_cds.analysis.radio.memory import layer_name

    best: dict[str, np.ndarray] = {}
    count: dict[str, np.ndarray] = {}
    stations: dict[str, dict[str, int]] = {}
    files: list[str] = []
    with atomic_folder(Path(folder), overwrite) as staging:
        for tech, op, layer, n in layers:
            name = layer_name(tech, op).replace("modelled_", "rsrp_") + ".tif"
            write_rsrp(staging / name, grid, layer,
                       {"technology": tech, "operator": op, "source": "modelled",
                        "units": "dBm", "stations": n})
            files.append(name)
            if tech not in best:
                best[tech] = layer.copy()
                count[tech] = np.zeros(layer.shape, np.uint8)
            else:
                np.maximum(best[tech], layer, out=best[tech])
            count[tech] += layer >= thresholds[tech]
            stations.setdefault(tech, {})[op] = n
            del layer
        for tech in best:
            write_rsrp(staging / f"rsrp_{tech}.tif", grid, best[tech],
                       {"technology": tech, "operator": "any (best server)",
                        "source": "modelled", "units": "dBm"})
            write_count(staging / f"operators_{tech}.tif", grid, count[tech],
                        {"technology": tech, "threshold_dbm": thresholds[tech],
                         "meaning": "operators whose best station reaches the threshold"})
            files += [f"rsrp_{tech}.tif", f"operators_{tech}.tif"]
        if rejects is not None and len(rejects):
            from geo_cds.outputs.write import write_csv

            write_csv(rejects, staging / "rejects.csv")
            files.append("rejects.csv")
        write_json({**record, "stations": stations, "files": sorted(files)},
                   staging / "model.json")
    return {"files": sorted(files), "stations": stations}
