"""``geo-cds coverage``: raster coverage of each zone (zones + rasters → CSV/Parquet table)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, is_quiet, overwrite_option, stage_progress

# Without an explicit --threshold, rasters named like a technology get the planning defaults
# (geo_cds.plan.Thresholds); any other raster is read as a 0/1 mask.
_TECH_DEFAULTS = {"4g": "rsrp_4g_dbm", "5g": "rsrp_5g_dbm"}


def _pairs(ctx, param, values):
    out = {}
    for value in values:
        name, sep, rest = value.partition("=")
        if not sep or not name or not rest:
            raise click.BadParameter(f"expected NAME=VALUE, got {value!r}", ctx, param)
        if name in out:
            raise click.BadParameter(f"{name!r} given twice", ctx, param)
        out[name] = rest
    return out


@click.command()
@click.argument("zones", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("output", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-r",
    "--raster",
    "rasters",
    multiple=True,
    required=True,
    callback=_pairs,
    metavar="NAME=PATH",
    help="A coverage raster (GeoTIFF; repeat for several).",
)
@click.option(
    "-t",
    "--threshold",
    "thresholds",
    multiple=True,
    callback=_pairs,
    metavar="NAME=VALUE",
    help="Covered when value >= VALUE (e.g. 4g=-105). Default: -105 dBm for a raster "
    "named 4g, -110 for 5g; any other raster is a 0/1 mask.",
)
@click.option(
    "-p",
    "--population",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="People-per-cell raster for population-weighted shares (any grid).",
)
@click.option("--layer", help="Layer of a multi-layer ZONES file (e.g. a GeoPackage).")
@click.option(
    "--id",
    "id_columns",
    multiple=True,
    metavar="COLUMN",
    help="Columns of ZONES copied into the table (repeat); default: all non-geometry columns.",
)
@click.option(
    "--mode",
    type=click.Choice(["exact", "fast"]),
    default="exact",
    show_default=True,
    help="exact: partial cells count by the covered fraction (exactextract); fast: "
    "cells whose centre is inside.",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep zone weights here; a later run on the same zones and grid reuses them.",
)
@overwrite_option
@handle_errors
def coverage(
    zones, output, rasters, thresholds, population, layer, id_columns, mode, cache_dir, overwrite
):
    """Coverage of every zone (commune, village polygon, park) from coverage rasters.

    For each zone of ZONES (any vector format, any CRS) and each raster: the covered area
    share, the population-weighted covered share (with --population), the mean, min and max
    value and the share of the zone with valid data. OUTPUT is a .csv or .parquet table, one
    row per zone; empty zones and zones off the raster or over nodata have empty (NaN)
    shares, never 0.

    \b
    Example:
        geo-cds coverage communes.gpkg coverage.csv -r 4g=rsrp_4g.tif -r 5g=rsrp_5g.tif \\
            -p population.tif --id commune_code --cache-dir .cache
    """
    import geopandas as gpd
    import pyogrio

    from geo_cds.analysis.coverage import zonal_coverage
    from geo_cds.analysis.coverage.prepare import ensure_ready
    from geo_cds.errors import LayerError, OutputExistsError
    from geo_cds.plan import Thresholds

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise click.BadParameter(
            f"must end in .csv or .parquet, got {output.name!r}", param_hint="OUTPUT"
        )
    if output.exists() and not overwrite:
        raise OutputExistsError(f"{output} exists; pass --overwrite to replace it")
    values = {}
    for name, value in thresholds.items():
        if name not in rasters:
            raise click.BadParameter(
                f"{name!r} is not one of the --raster names {sorted(rasters)}",
                param_hint="--threshold",
            )
        try:
            values[name] = float(value)
        except ValueError:
            raise click.BadParameter(
                f"{name}={value!r} is not a number", param_hint="--threshold"
            ) from None
    defaults = Thresholds()
    for name in rasters:
        if name not in values and name.lower() in _TECH_DEFAULTS:
            values[name] = getattr(defaults, _TECH_DEFAULTS[name.lower()])
    try:
        frame = gpd.read_file(zones, layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise LayerError(f"{zones}: cannot read the zones: {exc}") from None
    missing = [c for c in id_columns if c not in frame.columns]
    if missing:
        raise click.BadParameter(
            f"not in {zones.name}: {missing}; columns are "
            f"{[c for c in frame.columns if c != 'geometry']}",
            param_hint="--id",
        )
    progress = stage_progress()
    ensure_ready(progress)
    if progress:
        progress("coverage", None)
    t0 = time.perf_counter()
    table = zonal_coverage(
        frame, rasters, thresholds=values, population=population, mode=mode, cache_dir=cache_dir
    )
    if progress:
        progress("coverage", time.perf_counter() - t0)
    repaired = table.attrs.get("repaired_geometries", 0)
    keep = list(id_columns) or [c for c in frame.columns if c != frame.geometry.name]
    table = frame[keep].join(table)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        if suffix == ".csv":
            table.to_csv(tmp, index=False, encoding="utf-8")
        else:
            table.to_parquet(tmp, index=False)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    if is_quiet():
        return
    click.echo(
        f"{len(table)} zones × {len(rasters)} raster(s) → {output}"
        + (f" ({repaired} invalid geometries repaired)" if repaired else "")
    )
