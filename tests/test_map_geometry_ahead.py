"""`run` computes the map's geometry in a thread while the analysis goes on: the map then
reads it, and is exactly the map computed without any cache; a failing thread costs nothing
but the time."""

from __future__ import annotations

import dataclasses
import threading

import pytest

from geo_cds.outputs.maps import data as mdata
from geo_cds.pipeline import ahead, run, write_outputs
from tests.test_map_cache import map_data


@pytest.fixture
def threads(monkeypatch):
    """Which thread computed each geometry product (the plain functions, recorded)."""
    seen: dict[str, list[str]] = {"communes": [], "provinces": []}

    def recorded(name, fn):
        def wrapper(*args, **kwargs):
            seen[name].append(threading.current_thread().name)
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(mdata, "commune_geometry", recorded("communes", mdata.commune_geometry))
    monkeypatch.setattr(mdata, "province_outlines",
                        recorded("provinces", mdata.province_outlines))
    return seen


def test_the_geometry_is_computed_once_ahead_and_the_map_is_unchanged(tmp_path, sample_run,
                                                                       threads):
    plan = dataclasses.replace(sample_run.plan, output_dir=tmp_path / "out")
    result = run(plan)
    folder = result.folder
    # computed once each, both in the thread; the map only read them
    assert {k: [n.split("_")[0] for n in v] for k, v in threads.items()} == {
        "communes": ["geo-cds-map-geometry"], "provinces": ["geo-cds-map-geometry"]}
    # the oracle: the same result written with no cache at all (plain computation)
    plain = write_outputs(result, tmp_path / "plain" / "run", cache_dir=None)
    assert map_data(folder) == map_data(plain)


def test_a_failing_thread_leaves_the_map_to_compute_its_geometry(tmp_path, sample_run,
                                                                 threads, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(ahead, "prepare_geometry", broken)
    plan = dataclasses.replace(sample_run.plan, output_dir=tmp_path / "out")
    result = run(plan)
    folder = result.folder
    assert threads == {"communes": ["MainThread"], "provinces": ["MainThread"]}
    plain = write_outputs(result, tmp_path / "plain" / "run", cache_dir=None)
    assert map_data(folder) == map_data(plain)
