"""`geo-cds sample` (being written)."""

import click


@click.command()
def sample() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds sample is being written")
