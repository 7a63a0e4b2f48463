"""``geo-cds coverage``: raster coverage of each zone (zones + rasters → CSV/Parquet table)."""

from __future__ import annotations

import time
from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, is_quiet, overwrite_option, stage_progress


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
@click.option(
    "--source-crs",
    "source_crs",
    multiple=True,
    callback=_pairs,
    metavar="NAME=CRS",
    help="Replace a raster's missing or wrong CRS (e.g. 4g=EPSG:32648; NAME may be "
    "'population'), as source_crs under [rasters.NAME] in a plan.",
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
    zones, output, rasters, thresholds, source_crs, population, layer, id_columns, mode,
    cache_dir, overwrite,
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
    from geo_cds.analysis.coverage.prepare import ensure_ready
    from geo_cds.analysis.coverage.zones import zone_coverage
    from geo_cds.errors import ValidationFailed
    from geo_cds.outputs.write import atomic_file, check_writable, neutralise_text

    suffix = output.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise click.BadParameter(
            f"must end in .csv or .parquet, got {output.name!r}", param_hint="OUTPUT"
        )
    check_writable(output, overwrite, folder=False)
    values, bad = {}, []
    for name, value in thresholds.items():
        try:
            values[name] = float(value)
        except ValueError:
            bad.append(f"{name}={value!r} is not a number")
    bad += [
        f"{n!r} is not one of the --raster names {sorted(rasters)}"
        for n in thresholds
        if n not in rasters
    ]
    if bad:
        raise click.BadParameter("; ".join(bad), param_hint="--threshold")
    _check_source_crs(source_crs, rasters, population)
    _check_id_columns(zones, layer, id_columns)
    progress = stage_progress()
    ensure_ready(progress)
    if progress:
        progress("coverage", None)
    t0 = time.perf_counter()
    result = zone_coverage(
        zones,
        rasters,
        thresholds=values,
        population=population,
        layer=layer,
        id_columns=id_columns,
        mode=mode,
        cache_dir=cache_dir,
        source_crs=source_crs,
    )
    if progress:
        progress("coverage", time.perf_counter() - t0)
    if result.problems.errors:
        raise ValidationFailed(result.problems.problems)
    table, repaired = result.table, result.repaired_geometries
    if suffix == ".csv":
        # For programs (plain UTF-8), but zone names are data: no cell starts a formula.
        atomic_file(output, lambda tmp: neutralise_text(table).to_csv(
            tmp, index=False, encoding="utf-8", lineterminator="\r\n"))
    else:
        atomic_file(output, lambda tmp: table.to_parquet(tmp, index=False))
    if is_quiet():
        return
    click.echo(
        f"{len(table)} zones × {len(rasters)} raster(s) → {output}"
        + (f" ({repaired} invalid geometries repaired)" if repaired else "")
    )


def _check_source_crs(source_crs: dict, rasters: dict, population) -> None:
    """Every --source-crs naming no raster or giving no CRS, named at once (exit 2)."""
    import rasterio.crs
    import rasterio.errors

    names = sorted(rasters) + (["population"] if population else [])
    bad = [f"{n!r} is not one of the raster names {names}" for n in source_crs if n not in names]
    for name, value in source_crs.items():
        try:
            rasterio.crs.CRS.from_user_input(value)
        except rasterio.errors.CRSError:
            bad.append(f"{name}={value!r} is not a CRS (e.g. EPSG:32648)")
    if bad:
        raise click.BadParameter("; ".join(bad), param_hint="--source-crs")


def _check_id_columns(zones: Path, layer: str | None, id_columns) -> None:
    """Name every --id column ZONES lacks (a bad option: exit 2); an unreadable file is left
    to the library call, which reports it with every other problem."""
    from geo_cds.inputs.vector import vector_columns

    try:
        fields = vector_columns(zones, layer=layer)
    except Exception:  # noqa: BLE001 - reported by zone_coverage
        return
    missing = [c for c in id_columns if c not in fields]
    if missing:
        raise click.BadParameter(
            f"not in {zones.name}: {missing}; columns are {fields}", param_hint="--id"
        )
