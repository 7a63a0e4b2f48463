"""`geo-cds validate` (being written)."""

import click


@click.command()
def validate() -> None:
    """(being written)"""
    raise click.ClickException("geo-cds validate is being written")
