"""``geo-cds run``: the whole pipeline from a plan file (or the embedded sample)."""

from __future__ import annotations

import dataclasses

import click

from geo_cds.cli.options import (
    handle_errors,
    input_overrides,
    is_quiet,
    lang_option,
    load_plan_or_sample,
    overwrite_option,
    plan_argument,
    stage_progress,
)


@click.command()
@plan_argument
@click.option("--name", help="Run name: the output folder is <output-dir>/<name> (default: the plan's).")
@click.option("--output-dir", type=click.Path(file_okay=False), help="Where run folders go (default: the plan's).")
@click.option("--budget", type=float, help="Budget in VND for the priority list, e.g. 50e9.")
@click.option("--strict", is_flag=True, help="Refuse to run when any input row has an error (default: such rows are rejected and listed).")
@click.option("--map-assets", type=click.Choice(["inline", "folder"]), default=None,
              help="Map JavaScript/CSS inlined in map.html (default: one self-contained file) "
                   "or in a map_assets/ folder beside it.")
@lang_option
@overwrite_option
@input_overrides
@handle_errors
def run(plan_file, name, output_dir, budget, strict, map_assets, lang, overwrite, vintage,
        encoding, source_crs):
    """Run the whole planning pipeline and write a run folder.

    Reads every input of PLAN_FILE (TOML; without it, the embedded sample of Quảng Ngãi,
    Quảng Trị and Bắc Ninh), joins villages to communes, measures coverage and the gaps
    against the official targets, costs and ranks the priority villages, and writes
    tables, map and summary to <output-dir>/<name>/ — atomically, never replacing an
    existing run unless --overwrite.

    \b
    Examples:
        geo-cds run                              # the embedded sample → outputs/sample/
        geo-cds run my_plan.toml --budget 50e9 --name ninh-2026 --overwrite
    """
    from pathlib import Path

    from geo_cds.labels import label, labels, number
    from geo_cds.pipeline import run as run_pipeline

    plan = load_plan_or_sample(plan_file, vintage=vintage, encoding=encoding,
                               source_crs=source_crs)
    changes = {"name": name, "lang": lang, "map_assets": map_assets,
               "output_dir": Path(output_dir).resolve() if output_dir else None}
    plan = dataclasses.replace(plan, **{k: v for k, v in changes.items() if v is not None})
    if budget is not None:
        plan = dataclasses.replace(plan, budget=dataclasses.replace(plan.budget, vnd=budget))
    result = run_pipeline(plan, overwrite=overwrite, strict=strict, progress=stage_progress(lang or "en"))
    if is_quiet():
        return
    # What the terminal shows follows --lang; without it, English like --help and the errors.
    lang = lang or "en"
    T = labels("cli_run", lang)
    n_err, n_warn = (int(result.accounting[k].sum()) for k in ("rejected", "repaired"))
    click.echo(T["written"].format(name=plan.name, folder=result.folder))
    click.echo(T["counts"].format(communes=len(result.communes), villages=len(result.villages),
                                  priority=len(result.investment.priority)))
    click.echo(T["inputs"].format(rejected=n_err, repaired=n_warn))
    stages = ", ".join(f"{label('stage', k, lang)} {number(v, lang, 1)}s"
                       for k, v in result.timings.items())
    click.echo(T["time"].format(stages=stages,
                                total=f"{number(sum(result.timings.values()), lang, 1)}s"))
