"""``geo-cds compare``: what changed between two run folders."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, overwrite_option
from geo_cds.labels import label, labels, number


def _missing(value) -> bool:
    import pandas as pd  # loaded by then: compare_runs uses it; kept out of `--help`

    return value is None or bool(pd.isna(value))


def _fmt(metric: str, value, lang: str) -> str:
    if _missing(value):
        return "–"
    if metric.startswith("share"):
        return f"{number(100 * value, lang, 1)}%"
    return number(value, lang)


@click.command()
@click.argument("run_a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path),
              help="Also write totals.csv, communes.csv and villages.csv to this new folder.")
@click.option("--top", type=int, default=10, show_default=True,
              help="How many communes and villages to list.")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="en", show_default=True,
              help="Language of what the command prints.")
@overwrite_option
@handle_errors
def compare(run_a, run_b, out, top, lang, overwrite):
    """Compare two run folders: people served, coverage, cost, rank changes.

    RUN_A is the reference (e.g. last year's run), RUN_B the new one. Prints the totals
    (people newly served within the budget, cost, coverage shares), the communes whose
    coverage shares changed most and the villages that changed rank or budget status.

    \b
    Examples:
        geo-cds compare outputs/sample outputs/sample-equity-50bn
        geo-cds compare outputs/2025 outputs/2026 --out outputs/compare-2025-2026
    """
    from geo_cds.outputs.comparison import write_comparison
    from geo_cds.planning.compare import compare_runs

    T = labels("cli_compare", lang)
    cmp = compare_runs(run_a, run_b)
    click.echo(f"{'':40} {'A':>20} {'B':>20} {T['change']:>16}")
    for row in cmp.totals.itertuples():
        name = label("compare_metric", row.metric, lang)
        change = row.change
        ch = "–" if _missing(change) else (
            f"{'+' if change >= 0 else '-'}{number(abs(100 * change), lang, 1)} {T['points']}"
            if row.metric.startswith("share") else
            f"{'+' if change >= 0 else '-'}{number(abs(change), lang)}")
        click.echo(f"{name:40} {_fmt(row.metric, row.run_a, lang):>20} "
                   f"{_fmt(row.metric, row.run_b, lang):>20} {ch:>16}")
    changes = [c for c in cmp.communes.columns if c.endswith("_change")]
    if changes and len(cmp.communes):
        moved = cmp.communes[cmp.communes[changes].abs().max(axis=1) > 0].head(top)
        click.echo(T["communes"].format(n=len(moved)))
        for r in moved.itertuples(index=False):
            d = r._asdict()
            parts = ", ".join(
                f"{label('compare_metric', c[:-7], lang)} {'+' if d[c] >= 0 else '-'}"
                f"{number(abs(100 * d[c]), lang, 1)} {T['points']}"
                for c in changes if d[c] == d[c] and d[c] != 0)
            click.echo(f"  {d['commune_code']} {d.get('commune_name', '')}: {parts}")
    changed = cmp.changed
    counts = changed["status"].value_counts()
    click.echo(T["villages"].format(n=len(changed), dropped=counts.get("dropped_out", 0),
                                    entered=counts.get("entered", 0)))
    for r in changed.head(top).itertuples(index=False):
        d = r._asdict()
        ra = "–" if d.get("rank_a") != d.get("rank_a") else f"{d['rank_a']:.0f}"
        rb = "–" if d.get("rank_b") != d.get("rank_b") else f"{d['rank_b']:.0f}"
        click.echo(T["village"].format(
            village_id=d["village_id"], village_name=d.get("village_name", ""),
            commune_code=d.get("commune_code", ""), a=ra, b=rb,
            status=label("compare_status", d["status"], lang)))
    if out:
        write_comparison(cmp, out, overwrite=overwrite)
        click.echo(T["written"].format(folder=out))
