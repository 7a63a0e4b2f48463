"""Check the raster inputs of a plan: each opens, has (or is given) a CRS, overlaps the communes."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd

from geo_cds import schema as S
from geo_cds.inputs.checks import file_problem, raster_values, truncated_tiff
from geo_cds.plan import RasterSpec
from geo_cds.problems import ProblemLog

# What the damage checks found per file as it was when checked: (path, bytes, modified ns,
# kind) -> the problem or None. A run repeated in one process (a notebook, the benchmark's
# warm run) does not decode the same unchanged blocks again; a changed file is checked anew.
_CHECKED: dict[tuple[str, int, int, str], str | None] = {}


def _damage(src, path: Path, kind: str) -> str | None:
    """The file cut short or holding impossible values (``checks``), once per file version."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, kind)
    if key not in _CHECKED:
        _CHECKED[key] = truncated_tiff(src, path) or raster_values(src, kind)
    return _CHECKED[key]


def _overlaps(a, b) -> bool:
    return not (a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3])


def check_rasters(
    rasters: dict[str, RasterSpec],
    communes: gpd.GeoDataFrame,
    problems: ProblemLog,
    files: dict[str, Path] | None = None,
) -> dict[str, RasterSpec]:
    """Check that each raster opens, is whole, holds possible values, has (or is given) a CRS
    and overlaps the communes.

    Returns the rasters that passed; each failure is a layer error naming the raster.
    """
    import rasterio
    from rasterio.warp import transform_bounds

    ok: dict[str, RasterSpec] = {}
    for name, spec in rasters.items():
        path = Path(spec.path)
        where = f"rasters.{name}"

        def err(problem, fix, path=path, where=where):
            problems.add(
                file=str(path),
                layer=where,
                row=None,
                feature_id=None,
                column=None,
                problem=problem,
                fix=fix,
            )

        if not path.exists():
            err("file not found", "check the path in the plan (relative to the plan file)")
            continue
        if files is not None:
            files[where] = path
        unreadable = file_problem(path)
        if unreadable is not None:
            err(*unreadable)
            continue
        if spec.kind not in ("rsrp", "mask", "population"):
            err(f"kind {spec.kind!r} is not known", "use kind = 'rsrp', 'mask' or 'population'")
            continue
        if spec.kind in ("rsrp", "mask") and spec.technology not in ("4g", "5g"):
            err(
                f"technology {spec.technology!r} is not known for a {spec.kind} raster",
                "set technology = '4g' or '5g'",
            )
            continue
        try:
            with rasterio.open(path) as src:
                crs = spec.source_crs or src.crs
                bounds = src.bounds
                damaged = _damage(src, path, spec.kind)
        except Exception as exc:  # noqa: BLE001
            err(f"cannot read the raster: {exc}",
                "check that it is a GeoTIFF that GDAL (QGIS) opens and shows completely")
            continue
        if damaged:
            err(damaged, "export the raster again (nodata for cells without a value)")
            continue
        if not crs:
            err("the raster has no CRS", "set source_crs for this raster in the plan")
            continue
        try:
            b = transform_bounds(crs, S.WGS84, *bounds)
        except Exception as exc:  # noqa: BLE001
            err(
                f"cannot transform the raster's bounds to WGS 84: {exc}",
                "check its CRS or set source_crs",
            )
            continue
        if len(communes) and not _overlaps(b, tuple(communes.total_bounds)):
            err(
                f"the raster ({b[0]:.3f}, {b[1]:.3f}) – ({b[2]:.3f}, {b[3]:.3f}) does not "
                "overlap the communes",
                "check the file and its CRS",
            )
            continue
        ok[name] = spec
    return ok
