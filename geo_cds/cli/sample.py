"""``geo-cds sample``: regenerate the generated sample layers (``layers/``), deterministically."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, is_quiet, overwrite_option


@click.command(short_help="Regenerate the generated sample layers (villages, sites, rasters, …).")
@click.option("--boundaries", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, show_default="boundaries/communes_2025_seed_provinces.gpkg",
              help="Real 2025 commune polygons (reference-data columns gso_ward_code, …).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default=None,
              show_default="layers/", help="Folder to write the layers into.")
@click.option("--seed", type=int, default=2025, show_default=True,
              help="Random seed: the same seed and boundaries give the same layers.")
@click.option("--communes", "only", default=None, metavar="CODES",
              help="Only these comma-separated commune codes (a quick subset).")
@overwrite_option
@handle_errors
def sample(boundaries: Path | None, out: Path | None, seed: int, only: str | None,
           overwrite: bool) -> None:
    """Generate the sample layers on the real boundaries of the three seed provinces.

    Writes villages.gpkg, sites.gpkg, industrial_parks.geojson, cashless_streets.geojson,
    rsrp_4g.tif, rsrp_5g.tif, population.tif and a README.md with the measured figures. Every
    one of them is GENERATED (not survey data), calibrated to published provincial figures.
    Existing files are only replaced with --overwrite.

    \b
    Examples:
        geo-cds sample --overwrite
        geo-cds sample --out /tmp/mini --communes 21433,19603,07795
    """
    from geo_cds.sample.build import DEFAULT_BOUNDARIES, DEFAULT_OUT, write_sample

    codes = [c.strip() for c in only.split(",") if c.strip()] if only else None
    target = out or DEFAULT_OUT
    figures = write_sample(target, boundaries or DEFAULT_BOUNDARIES, seed=seed,
                           overwrite=overwrite, only=codes)
    if is_quiet():
        return
    o = figures["overall"]
    click.echo(
        f"Wrote {target}: {figures['villages']:,} villages in {figures['communes']} communes, "
        f"{figures['sites']:,} sites, {figures['parks']} parks, "
        f"{figures['streets'] + figures['markets']} cashless streets/markets (GENERATED, "
        f"seed {seed}). Villages with 4G {o['villages_4g']:.1%}, fibre {o['villages_fibre']:.1%}."
    )
