"""`geo-cds coverage` (being written)."""

import click


@click.command()
def coverage() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds coverage is being written")
