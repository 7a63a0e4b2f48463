"""``geo-cds compare``: what changed between two run folders."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from geo_cds.cli.options import handle_errors, overwrite_option

_TOTAL_LABELS = {
    "villages_with_gaps": "villages with gaps",
    "population_in_gap_villages": "people in villages with gaps",
    "total_cost_vnd": "cost of closing every gap (VND)",
    "villages_in_budget": "villages in budget",
    "people_served_in_budget": "people newly served in budget",
    "cost_in_budget_vnd": "villages' interventions in budget (VND)",
    "parks_cost_in_budget_vnd": "parks' 5G in budget (VND)",
    "share_villages_4g": "share of villages with 4G",
    "share_villages_5g": "share of villages with 5G",
    "share_villages_fibre": "share of villages with fibre",
    "share_households_fibre": "share of households on fibre",
    "summary:budget_vnd": "budget (VND)",
    "summary:in_budget_cost_vnd": "spent, parks' 5G included (VND)",
    "summary:in_budget_people_served": "people served (plan summary)",
}


def _fmt(metric: str, value) -> str:
    if value is None or pd.isna(value):
        return "–"
    if metric.startswith("share"):
        return f"{100 * value:.1f}%"
    return f"{value:,.0f}"


@click.command()
@click.argument("run_a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write totals.csv, communes.csv and villages.csv to this new folder.")
@click.option("--top", type=int, default=10, show_default=True,
              help="How many communes and villages to list.")
@overwrite_option
@handle_errors
def compare(run_a, run_b, out, top, overwrite):
    """Compare two run folders: people served, coverage, cost, rank changes.

    RUN_A is the reference (e.g. last year's run), RUN_B the new one. Prints the totals
    (people newly served within the budget, cost, coverage shares), the communes whose
    coverage shares changed most and the villages that changed rank or budget status.

    \b
    Examples:
        geo-cds compare outputs/sample outputs/sample-equity-50bn
        geo-cds compare outputs/2025 outputs/2026 --out outputs/compare-2025-2026
    """
    from geo_cds.planning.compare import compare_runs, write_comparison

    cmp = compare_runs(run_a, run_b)
    click.echo(f"{'':40} {'A':>20} {'B':>20} {'change':>16}")
    for row in cmp.totals.itertuples():
        label = _TOTAL_LABELS.get(row.metric, row.metric)
        change = row.change
        ch = "–" if pd.isna(change) else (
            f"{100 * change:+.1f} pt" if row.metric.startswith("share") else f"{change:+,.0f}")
        click.echo(f"{label:40} {_fmt(row.metric, row.run_a):>20} "
                   f"{_fmt(row.metric, row.run_b):>20} {ch:>16}")
    changes = [c for c in cmp.communes.columns if c.endswith("_change")]
    if changes and len(cmp.communes):
        moved = cmp.communes[cmp.communes[changes].abs().max(axis=1) > 0].head(top)
        click.echo(f"\nCommunes with the largest coverage change ({len(moved)} shown):")
        for r in moved.itertuples(index=False):
            d = r._asdict()
            parts = ", ".join(f"{c[:-7]} {100 * d[c]:+.1f} pt" for c in changes
                              if d[c] == d[c] and d[c] != 0)
            click.echo(f"  {d['commune_code']} {d.get('commune_name', '')}: {parts}")
    changed = cmp.changed
    counts = changed["status"].value_counts()
    click.echo(f"\nVillages that changed rank or budget status: {len(changed)} "
               f"({counts.get('dropped_out', 0)} dropped out of the budget, "
               f"{counts.get('entered', 0)} entered it)")
    for r in changed.head(top).itertuples(index=False):
        d = r._asdict()
        ra = "–" if d.get("rank_a") != d.get("rank_a") else f"{d['rank_a']:.0f}"
        rb = "–" if d.get("rank_b") != d.get("rank_b") else f"{d['rank_b']:.0f}"
        click.echo(f"  {d['village_id']} {d.get('village_name', '')} ({d.get('commune_code', '')}): "
                   f"rank {ra} → {rb} [{d['status']}]")
    if out:
        write_comparison(cmp, out, overwrite=overwrite)
        click.echo(f"\nComparison written to {out}")
