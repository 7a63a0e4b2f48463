"""`geo-cds compare` (being written)."""

import click


@click.command()
def compare() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds compare is being written")
