"""Options and error handling shared by every command."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from geo_cds.errors import GeoCdsError, PlanError

plan_argument = click.argument(
    "plan_file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
overwrite_option = click.option(
    "--overwrite", is_flag=True, help="Replace an existing output of the same name."
)
lang_option = click.option(
    "--lang", type=click.Choice(["vi", "en"]), default=None,
    help="Language of labels in the map and tables (default: the plan's, else vi).",
)


def load_plan_or_sample(plan_file: Path | None):
    from geo_cds.plan import default_plan, load_plan

    return load_plan(plan_file) if plan_file else default_plan()


def handle_errors(func):
    """Map geo-cds error types to click errors: 2 for bad parameters/plans, 1 for refusals."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except PlanError as exc:
            raise click.UsageError(str(exc)) from exc
        except GeoCdsError as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper
