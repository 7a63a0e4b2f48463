"""`geo-cds crosswalk` (being written)."""

import click


@click.command()
def crosswalk() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds crosswalk is being written")
