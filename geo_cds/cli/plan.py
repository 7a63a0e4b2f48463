"""`geo-cds plan` (being written)."""

import click


@click.command()
def plan() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds plan is being written")
