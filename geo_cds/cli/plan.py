"""``geo-cds plan``: re-plan a finished run with another budget, preset or weights."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, is_quiet, lang_option, overwrite_option

PRESET_NAMES = ("coverage-first", "equity", "cost-effective")  # geo_cds.planning.priority.PRESETS


def _budget(value: str) -> float | None:
    if value.strip().lower() in ("none", "all", "0"):
        return None if value.strip().lower() != "0" else 0.0
    return float(value)


def _parse_budget(ctx, param, value):
    if value is None:
        return ...
    try:
        return _budget(value)
    except ValueError:
        raise click.BadParameter(f"expected VND such as 50e9 or 'none', got {value!r}") from None


def _parse_sweep(ctx, param, value):
    if not value:
        return None
    try:
        budgets = [float(x) for x in value.split(",") if x.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated VND such as 10e9,20e9, got {value!r}") \
            from None
    if not budgets or any(b < 0 for b in budgets):
        raise click.BadParameter(f"expected non-negative budgets, got {value!r}")
    return sorted(budgets)


def _parse_weights(ctx, param, values):
    out = {}
    for item in values:
        name, sep, number = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[name.strip().replace("-", "_")] = float(number)
        except ValueError:
            raise click.BadParameter(f"expected NAME=VALUE such as dbkk=0.5, got {item!r}") \
                from None
    return out


@click.command()
@click.argument("run_dir", required=False,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--budget", callback=_parse_budget, metavar="VND",
              help="Budget in VND, e.g. 50e9; 'none' ranks everything without a cut-off "
                   "(default: the run's).")
@click.option("--preset", type=click.Choice(PRESET_NAMES),
              help="Named preset: score weights and what the budget maximises "
                   "(default: the run's).")
@click.option("--weight", "weights", multiple=True, callback=_parse_weights, metavar="NAME=VALUE",
              help="Override one weight: people_per_vnd, dbkk, deadline, severity. Repeatable.")
@click.option("--method", type=click.Choice(["exact", "greedy"]),
              help="Budget selection: integer programme (exact) or greedy (default: the run's).")
@click.option("--sweep", callback=_parse_sweep, metavar="VND,VND,…",
              help="Also print people served per budget, exact and greedy "
                   "(and write budget_sweep.csv).")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: <run>-<preset>-<budget>bn beside the run). "
                   "The run folder itself is replaced only with --overwrite.")
@lang_option
@overwrite_option
@handle_errors
def plan(run_dir, budget, preset, weights, method, sweep, out, lang, overwrite):
    """Re-plan a finished run: budget, preset, weights → a new priority list.

    Reads RUN_DIR (a folder written by `geo-cds run`; default: the embedded sample's
    outputs/sample), costs the interventions again, scores and ranks the villages with a
    gap, and chooses what the budget buys (people served, maximised exactly by integer
    programming; greedy for comparison). Writes priority_villages.csv/.xlsx,
    interventions.csv/.gpkg, parks_5g_plan.csv and plan_summary.json to a new folder; the
    run itself is left untouched unless --out RUN_DIR --overwrite.

    \b
    Examples:
        geo-cds plan --budget 50e9 --preset equity outputs/sample
        geo-cds plan outputs/sample --weight dbkk=0.6 --sweep 10e9,20e9,50e9,100e9
    """
    from geo_cds.labels import label, labels, number
    from geo_cds.pipeline import replan

    if run_dir is None:
        from geo_cds.cli.options import load_plan_or_sample

        sample = load_plan_or_sample(None)
        run_dir = Path(sample.output_dir) / sample.name
        if not run_dir.exists():
            raise click.UsageError(f"no RUN_DIR given and {run_dir} does not exist; "
                                   "run `geo-cds run` first or pass a run folder")
    result = replan(run_dir, out, budget_vnd=budget, preset=preset, weights=weights or None,
                    method=method, lang=lang, sweep=sweep, overwrite=overwrite)
    folder, inv, table = result.folder, result.investment, result.sweep
    if is_quiet():
        return
    # What the terminal shows follows --lang; without it, English like --help and the errors.
    lang = lang or "en"
    T = labels("cli_plan", lang)

    def n(x) -> str:
        return "–" if x is None or x != x else number(x, lang)  # x != x: NaN (not solved)

    sm = inv.summary
    ib = sm["in_budget"]
    gap = sm["exact_vs_greedy"]
    click.echo(T["written"].format(folder=folder))
    click.echo(T["settings"].format(
        preset=label("preset", sm["preset"], lang), budget=n(sm["budget_vnd"]),
        method=label("method", sm["method"], lang),
        status=label("solver_status", gap["exact_status"], lang) if gap else T["no_budget"]))
    click.echo(T["totals"].format(villages=sm["villages_with_gaps"], cost=n(sm["total_cost_vnd"])))
    click.echo(T["in_budget"].format(villages=ib["villages_served"], people=n(ib["people_served"]),
                                     cost=n(ib["cost_vnd"])))
    if gap:
        click.echo(T["gap"].format(exact=n(gap["people_exact"]), greedy=n(gap["people_greedy"]),
                                   gap=n(gap["gap_people"])))
    if table is not None:
        click.echo("")
        click.echo(f"{T['sweep_budget']:>22} {T['sweep_exact']:>13} {T['sweep_greedy']:>14} "
                   f"{T['sweep_gap']:>8}")
        for row in table.itertuples():
            click.echo(f"{n(row.budget_vnd):>22} {n(row.people_exact):>13} "
                       f"{n(row.people_greedy):>14} {n(row.gap_people):>8}")
