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
    help="Language of the map, tables and summary (default: the plan's, else vi) and of "
         "what the command prints (default: English).",
)


def input_overrides(func):
    """``--source-crs/--encoding/--vintage LAYER=VALUE``: per-input overrides of the plan."""
    for name, example, what in (
        ("vintage", "villages=pre2025", "Code vintage of an input (2025 or pre2025)."),
        ("encoding", "villages=tcvn3", "Text encoding of an input (.dbf/CSV), e.g. tcvn3, vni, cp1258."),
        ("source-crs", "villages=EPSG:9216", "CRS of an input whose .prj is missing or wrong."),
    ):
        func = click.option(f"--{name}", multiple=True, metavar="LAYER=VALUE",
                            help=f"{what} Repeatable; e.g. --{name} {example}.")(func)
    return func


def load_plan_or_sample(plan_file: Path | None, *, vintage=(), encoding=(), source_crs=()):
    """The plan file (or the embedded sample) with the per-input CLI overrides applied."""
    from geo_cds.inputs import with_input_overrides
    from geo_cds.plan import default_plan, load_plan

    plan = load_plan(plan_file) if plan_file else default_plan()
    return with_input_overrides(plan, vintage=vintage, encoding=encoding, source_crs=source_crs)


def is_quiet() -> bool:
    """Whether the global ``-q/--quiet`` was given: then only errors are printed."""
    ctx = click.get_current_context(silent=True)
    return bool(ctx and ctx.find_root().params.get("quiet"))


def stage_progress(lang: str = "en"):
    """A progress reporter for ``geo_cds.pipeline.run``: one line on stderr per stage,
    ``coverage… 3.2 s`` (the stage's name in ``lang`` as it starts, its time when it ends);
    None (silent) with ``-q``."""
    from geo_cds.labels import label, number

    if is_quiet():
        return None

    def report(stage: str, seconds: float | None) -> None:
        if seconds is None:
            click.echo(f"{label('stage', stage, lang)}…", err=True, nl=False)
        else:
            click.echo(f" {number(seconds, lang, 1)} s", err=True)

    return report


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
