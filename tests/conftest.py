"""Shared fixtures. ``sample_run`` runs the embedded sample once per test session."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory):
    """The full pipeline on the embedded sample, written to a temporary output folder."""
    from geo_cds.pipeline import run
    from geo_cds.plan import default_plan

    out = tmp_path_factory.mktemp("outputs")
    plan = dataclasses.replace(default_plan(), output_dir=out)
    return run(plan)
