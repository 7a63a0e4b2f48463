"""``geo-cds``: the command group. Each command lives in its own module and is registered here."""

from __future__ import annotations

import logging

import click

from geo_cds._version import __version__
from geo_cds.cli.compare import compare
from geo_cds.cli.coverage import coverage
from geo_cds.cli.coverage_model import coverage_model
from geo_cds.cli.crosswalk import crosswalk
from geo_cds.cli.plan import plan
from geo_cds.cli.run import run
from geo_cds.cli.sample import sample
from geo_cds.cli.validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="geo-cds")
@click.option("-v", "--verbose", count=True, help="More log output (repeat for debug).")
@click.option("-q", "--quiet", is_flag=True,
              help="Only errors: no progress, no closing summary.")
def cli(verbose: int, quiet: bool) -> None:
    """Digital-infrastructure gaps and investment plans for Vietnamese provinces.

    Joins commune boundaries with village, coverage, industrial-park and cashless-payment
    layers, measures the gaps against the official chuyển đổi số targets, and writes costed
    priority lists and an offline map.

    \b
    Example (the embedded sample of three provinces):
        geo-cds run
    """
    level = logging.ERROR if quiet else (logging.INFO if verbose < 2 else logging.DEBUG)
    if not quiet and verbose == 0:
        level = logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for command in (run, validate, sample, coverage, coverage_model, crosswalk, plan, compare):
    cli.add_command(command)

if __name__ == "__main__":  # python -m geo_cds.cli.main
    cli(prog_name="geo-cds")
