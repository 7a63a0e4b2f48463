"""`geo-cds run` (being written)."""

import click


@click.command()
def run() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds run is being written")
