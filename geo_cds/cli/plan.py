"""``geo-cds plan``: re-plan a finished run with another budget, preset or weights."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, lang_option, overwrite_option

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


def _vnd(x) -> str:
    return "–" if x is None else f"{x:,.0f}"


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
    from geo_cds.planning.replan import replan_run

    if run_dir is None:
        from geo_cds.cli.options import load_plan_or_sample

        sample = load_plan_or_sample(None)
        run_dir = Path(sample.output_dir) / sample.name
        if not run_dir.exists():
            raise click.UsageError(f"no RUN_DIR given and {run_dir} does not exist; "
                                   "run `geo-cds run` first or pass a run folder")
    folder, inv, table = replan_run(run_dir, out, budget_vnd=budget, preset=preset,
                                    weights=weights or None, method=method, lang=lang,
                                    sweep=sweep, overwrite=overwrite)
    sm = inv.summary
    ib = sm["in_budget"]
    click.echo(f"Plan written to {folder}")
    click.echo(f"  preset {sm['preset']}, budget {_vnd(sm['budget_vnd'])} VND, "
               f"method {sm['method']} ({sm['exact_vs_greedy']['exact_status'] if sm['exact_vs_greedy'] else 'no budget'})")
    click.echo(f"  {sm['villages_with_gaps']} villages with gaps, total cost "
               f"{_vnd(sm['total_cost_vnd'])} VND")
    click.echo(f"  in budget: {ib['villages_served']} villages, {ib['people_served']:,} people "
               f"served, {_vnd(ib['cost_vnd'])} VND")
    gap = sm["exact_vs_greedy"]
    if gap:
        click.echo(f"  exact {gap['people_exact']:,} vs greedy {gap['people_greedy']:,} people "
                   f"(gap {gap['gap_people']:,})")
    if table is not None:
        click.echo("")
        click.echo(f"{'budget (VND)':>22} {'people exact':>13} {'people greedy':>14} {'gap':>8}")
        for row in table.itertuples():
            click.echo(f"{row.budget_vnd:>22,.0f} {row.people_exact:>13,.0f} "
                       f"{row.people_greedy:>14,.0f} {row.gap_people:>8,.0f}")
