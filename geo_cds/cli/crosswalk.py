"""``geo-cds crosswalk``: bring pre-2025 commune data onto the 2025 communes."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors

_out_option = click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (UTF-8 with BOM, codes as text).",
)
_overwrite = click.option("--overwrite", is_flag=True, help="Replace existing output files.")


def _check_free(paths, overwrite: bool) -> None:
    from geo_cds.outputs.write import check_writable

    for p in paths:
        check_writable(p, overwrite, folder=False)


def _write_csv(frame, path: Path) -> None:
    from geo_cds.outputs.write import atomic_file, write_csv

    atomic_file(path, lambda tmp: write_csv(frame, tmp))


def _report_problems(problems) -> None:
    """Warnings to stderr; every error at once (exit 1) when there is any."""
    from geo_cds.errors import ValidationFailed

    for p in problems.warnings:
        click.echo(str(p), err=True)
    if problems.errors:
        raise ValidationFailed(problems.problems)


def _sibling(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.stem}_{suffix}.csv")


@click.group()
def crosswalk() -> None:
    """Convert pre-2025 commune data to the 2025 communes (1 July 2025 merger).

    \b
    polygons  area-weighted overlay of old commune polygons onto 2025 communes,
              checked against the official old→new table
    table     a commune-keyed table (counts, shares) converted to 2025 communes

    \b
    Examples:
        geo-cds crosswalk polygons xa_cu.shp boundaries/communes_2025_seed_provinces.gpkg \\
            --new-code gso_ward_code -o crosswalk.csv
        geo-cds crosswalk table dan_so_xa_2024.xlsx --code "Mã xã" --count "Dân số" \\
            --count "Số hộ" -o dan_so_2025.csv
    """


@crosswalk.command()
@click.argument("old_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("new_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_out_option
@click.option("--old-code", help="Code column of OLD_FILE (default: found by name, e.g. 'Mã xã').")
@click.option("--new-code", help="Code column of NEW_FILE (default: found by name).")
@click.option("--old-layer", help="Layer of OLD_FILE (GeoPackage).")
@click.option("--new-layer", help="Layer of NEW_FILE (GeoPackage).")
@click.option(
    "--source-crs", help="CRS of OLD_FILE when its .prj is missing or wrong, e.g. EPSG:9216."
)
@click.option(
    "--min-share",
    type=float,
    default=0.001,
    show_default=True,
    help="Drop overlay pieces smaller than this share of their old commune (slivers).",
)
@_overwrite
@handle_errors
def polygons(
    old_file,
    new_file,
    output,
    old_code,
    new_code,
    old_layer,
    new_layer,
    source_crs,
    min_share,
    overwrite,
):
    """Overlay old (pre-2025) commune polygons onto the 2025 communes, by area.

    Writes OUTPUT with one row per (old commune, new commune) piece: old_code, new_code,
    area_km2, share_of_old, share_of_new (areas in a metric CRS, UTM 48N/49N), and
    OUTPUT_disagreements.csv listing every old commune whose overlay disagrees with the
    official old→new table (shipped in geo_cds/data).

    \b
    Example:
        geo-cds crosswalk polygons xa_cu.gpkg communes_2025.gpkg --new-code gso_ward_code \\
            -o crosswalk.csv
    """
    from geo_cds.inputs.crosswalk import crosswalk_files

    disagreements_path = _sibling(output, "disagreements")
    _check_free([output, disagreements_path], overwrite)
    result = crosswalk_files(
        old_file,
        new_file,
        old_code=old_code,
        new_code=new_code,
        old_layer=old_layer,
        new_layer=new_layer,
        source_crs=source_crs,
        min_share=min_share,
    )
    _report_problems(result.problems)
    xwalk, report = result.crosswalk, result.disagreements
    _write_csv(xwalk, output)
    _write_csv(report, disagreements_path)
    n_old = xwalk["old_code"].nunique()
    click.echo(
        f"{n_old} old communes → {xwalk['new_code'].nunique()} new communes: "
        f"{len(xwalk)} pieces written to {output}"
    )
    lists = report["detail"] != ""
    if len(report):
        click.echo(
            f"{report.loc[~lists, 'old_code'].nunique()} old communes: the overlay disagrees "
            f"with the official old→new table; {int(lists.sum())} entries of the table "
            f"disagree with the new communes' merger lists (all in {disagreements_path}):"
        )
        for row in report.head(20).itertuples(index=False):
            if row.detail:
                click.echo(f"  {row.old_code or '—'}: {row.problem}: {row.detail}")
            else:
                click.echo(
                    f"  {row.old_code}: {row.problem}; official {row.official or '—'}; "
                    f"overlay {row.overlay}"
                )
        if len(report) > 20:
            click.echo(f"  … and {len(report) - 20} more")
    else:
        click.echo("the overlay agrees with the official old→new table for every old commune")


def _parse_share(value: str) -> tuple[str, tuple[str, str]]:
    try:
        name, rest = value.split("=", 1)
        num, den = rest.split("/", 1)
    except ValueError:
        raise click.BadParameter(
            f"{value!r}: write NAME=NUMERATOR/DENOMINATOR, e.g. "
            "'fibre_share=households_fibre/households'",
            param_hint="--share",
        ) from None
    return name.strip(), (num.strip(), den.strip())


@crosswalk.command()
@click.argument("table_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_out_option
@click.option(
    "--code",
    "code_col",
    help="Column with the old commune code (default: found by name, e.g. 'Mã xã').",
)
@click.option(
    "--count",
    "counts",
    multiple=True,
    help="Count column to sum into the new communes (repeatable).",
)
@click.option(
    "--share",
    "shares",
    multiple=True,
    help="Share recomputed from counts: NAME=NUMERATOR/DENOMINATOR (repeatable).",
)
@click.option("--sheet", help="Excel sheet (default: the first).")
@click.option(
    "--encoding", help="Text encoding of a CSV (utf-8, cp1258, tcvn3, vni; default: detected)."
)
@click.option(
    "--old-boundaries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Old commune polygons: split communes are then allocated by area share.",
)
@click.option("--old-boundaries-code", help="Code column of --old-boundaries.")
@click.option(
    "--new-boundaries",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="2025 commune polygons (needed with --old-boundaries).",
)
@click.option("--new-boundaries-code", help="Code column of --new-boundaries.")
@click.option("--source-crs", help="CRS of --old-boundaries when its .prj is missing or wrong.")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Write the converted rows even when some old communes are refused.",
)
@_overwrite
@handle_errors
def table(
    table_file,
    output,
    code_col,
    counts,
    shares,
    sheet,
    encoding,
    old_boundaries,
    old_boundaries_code,
    new_boundaries,
    new_boundaries_code,
    source_crs,
    allow_partial,
    overwrite,
):
    """Convert a table keyed by old (pre-2025) commune codes to the 2025 communes.

    Counts are summed into the new communes; shares are recomputed from the summed counts
    (never averaged); each output row says which method it used: "full" (whole old communes
    merged) or "area_share" (an old commune split between new ones, allocated by its area
    share — needs --old-boundaries and --new-boundaries). Without old boundaries a split
    commune is refused and listed with its candidate new communes, never guessed. Refused old
    communes go to OUTPUT_refused.csv; the command then exits 1 unless --allow-partial.

    \b
    Example:
        geo-cds crosswalk table ho_cap_quang_2024.xlsx --code "Mã xã" --count "Số hộ" \\
            --count "Số hộ cáp quang" --share "ty_le=Số hộ cáp quang/Số hộ" -o ftth_2025.csv
    """
    from geo_cds.inputs.convert import convert_table_file

    refused_path = _sibling(output, "refused")
    _check_free([output, refused_path], overwrite)
    share_map = dict(_parse_share(s) for s in shares)
    if old_boundaries is not None and new_boundaries is None:
        raise click.UsageError("--old-boundaries needs --new-boundaries (the 2025 polygons)")
    result = convert_table_file(
        table_file,
        code=code_col,
        counts=counts,
        shares=share_map,
        sheet=sheet,
        encoding=encoding,
        old_boundaries=old_boundaries,
        old_boundaries_code=old_boundaries_code,
        new_boundaries=new_boundaries,
        new_boundaries_code=new_boundaries_code,
        source_crs=source_crs,
    )
    _report_problems(result.problems)
    out, refused = result.converted, result.refused
    if len(refused):
        _write_csv(refused, refused_path)
        click.echo(f"{len(refused)} old communes refused (listed in {refused_path}):")
        for row in refused.head(20).itertuples(index=False):
            cands = f" → candidates {row.candidates}" if row.candidates else ""
            click.echo(f"  {row.old_code}: {row.reason}{cands}")
        if not allow_partial:
            raise click.ClickException(
                "not written: some old communes cannot be converted without guessing; give "
                "--old-boundaries/--new-boundaries, or --allow-partial to write the others"
            )
    _write_csv(out, output)
    by_method = out["method"].value_counts().to_dict()
    click.echo(
        f"{result.rows_read} rows → {len(out)} communes of 2025 written to {output} "
        f"(methods: {', '.join(f'{k} {v}' for k, v in sorted(by_method.items()))})"
    )
