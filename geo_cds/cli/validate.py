"""``geo-cds validate``: check every input, print every problem, write a rejects file."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, input_overrides, load_plan_or_sample, plan_argument


@click.command()
@plan_argument
@click.option("--rejects", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the rejects/problems CSV (default: <output-dir>/<name>-rejects.csv).")
@click.option("--warnings/--no-warnings", default=True, show_default=True,
              help="Also print the repairs that were made (warnings).")
@input_overrides
@handle_errors
def validate(plan_file, rejects, warnings, vintage, encoding, source_crs):
    """Check every input of a plan and report every problem at once.

    Reads each layer and raster the plan names, checks CRS, codes and their vintage,
    geometries, required columns and values, and places each village in its commune.
    Prints every problem with the file, the row or feature, what is wrong and how to fix
    it; writes them all to a CSV; exits 1 when there are errors (0 with warnings only).
    Inputs are never modified.

    \b
    Examples:
        geo-cds validate                 # the embedded sample
        geo-cds validate my_plan.toml --rejects problems.csv
    """
    from geo_cds.outputs.write import atomic_file, write_csv
    from geo_cds.pipeline import validate as validate_plan

    plan = load_plan_or_sample(plan_file, vintage=vintage, encoding=encoding,
                               source_crs=source_crs)
    report = validate_plan(plan)
    log = report.problems
    from geo_cds.problems import ProblemLog

    shown = ProblemLog([p for p in log.problems if p.severity == "error" or warnings])
    for line in shown.grouped():
        click.echo(line, err=line.startswith("ERROR"))
    rejects = rejects or Path(plan.output_dir) / f"{plan.name}-rejects.csv"
    atomic_file(rejects, lambda tmp: write_csv(log.to_frame(), tmp))
    for row in report.accounting.itertuples():
        click.echo(f"{row.layer}: {row.rows_read} read, {row.used} usable, "
                   f"{row.repaired} repaired, {row.rejected} rejected ({Path(row.file).name})")
    click.echo(f"{len(log.errors)} error(s), {len(log.warnings)} warning(s); written to {rejects}")
    if log.errors:
        raise SystemExit(1)
