"""The run's GeoPackages written by a forked child while the parent writes the rest: the same
files as written in turn (SQLite and pyogrio read both back), errors raised in the child
surface in the parent with their message, and a failed run leaves nothing behind."""

import multiprocessing
import os
import sqlite3
import sys
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import MultiPolygon, Point, box

from geo_cds.errors import OutputError
from geo_cds.outputs import write
from geo_cds.outputs.background import GpkgWriter
from geo_cds.pipeline import folders, write_outputs

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the GeoPackages are forked aside on Linux only")


def _frames():
    villages = gpd.GeoDataFrame({
        "village_id": pd.array(["07795-001", None, "07795-003"], dtype="string"),
        "village_name": pd.Series(["Thôn Văn Hà", '=1+1, "x"', "a\r\nb"], dtype="str"),
        "population": pd.array([1100, None, 0], dtype="Int64"),
        "has_power": pd.array([True, None, False], dtype="boolean"),
        "rsrp_4g_dbm": [-105.5, np.nan, -90.25],
        "gap_mobile": [True, False, True],
    }, geometry=[Point(105.8, 21.0), None, Point(106.1, 20.5)], crs="EPSG:4326")
    communes = gpd.GeoDataFrame({
        "commune_code": pd.Series(["00004", "00008"], dtype="str"),
        "share_4g": [0.25, np.nan],
    }, geometry=[MultiPolygon([box(105, 21, 105.1, 21.1)]), box(106, 20, 106.2, 20.1)],
        crs="EPSG:4326")
    return [(villages, "villages.gpkg", "villages"), (communes, "communes.gpkg", "communes")]


def _dump(path):
    """Everything SQLite holds in a GeoPackage but its timestamps, table by table."""
    con = sqlite3.connect(path)
    try:
        tables = sorted(t for (t,) in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"))
        out = {}
        for t in tables:
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            keep = [c for c in columns if c not in ("last_change", "update_time")]
            out[t] = (columns, sorted(map(repr, con.execute(
                f'SELECT {", ".join(chr(34) + c + chr(34) for c in keep)} FROM "{t}"'))))
        return out
    finally:
        con.close()


def test_files_written_aside_are_those_written_in_turn(tmp_path):
    here, aside = tmp_path / "here", tmp_path / "aside"
    here.mkdir(), aside.mkdir()
    for gdf, name, layer in _frames():
        write.write_gpkg(gdf, here / name, layer)
    with GpkgWriter(background=True) as gpkg:
        gpkg.start([(gdf, aside / name, layer, "vi") for gdf, name, layer in _frames()])
        gpkg.wait()
    for _, name, layer in _frames():
        assert _dump(aside / name) == _dump(here / name)
        assert f"rtree_{layer}_geom" in _dump(aside / name)  # the spatial index, for QGIS
        a, b = (gpd.read_file(d / name, engine="pyogrio") for d in (here, aside))
        pd.testing.assert_frame_equal(a, b)
    assert sorted(p.name for p in aside.iterdir()) == ["communes.gpkg", "villages.gpkg"]


def _in_child(monkeypatch, act):
    """Make ``write_gpkg`` call ``act(args)`` in a child process (the parent's stays real)."""
    parent, real = os.getpid(), write.write_gpkg

    def patched(*args, **kwargs):
        if os.getpid() != parent:
            act(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(write, "write_gpkg", patched)


def test_an_error_in_the_child_surfaces_with_its_message_and_nothing_is_left(
        sample_run, tmp_path, monkeypatch):
    def refuse(args):
        if args[2] == "villages":
            raise OutputError(f"cannot write villages.gpkg (process {os.getpid()}): disk full")

    _in_child(monkeypatch, refuse)
    out = tmp_path / "outputs"
    with pytest.raises(OutputError, match=r"^cannot write villages.gpkg \(process \d+\): disk "
                                          r"full$") as caught:
        write_outputs(sample_run, out / "run")
    assert f"process {os.getpid()})" not in str(caught.value)  # raised in the child
    assert list(out.iterdir()) == []  # no run folder, no staging folder


def test_an_error_here_stops_the_child_before_the_folder_is_removed(
        sample_run, tmp_path, monkeypatch):
    """The child still writing when the parent fails is stopped at once: it must not go on
    writing into the staging folder while (or after) that is removed."""
    _in_child(monkeypatch, lambda args: time.sleep(1.5))

    def broken_map(*args, **kwargs):
        raise RuntimeError("the map failed")

    monkeypatch.setattr("geo_cds.outputs.maps.save_map", broken_map)
    out = tmp_path / "outputs"
    with pytest.raises(RuntimeError, match="^the map failed$"):
        write_outputs(sample_run, out / "run")
    assert multiprocessing.active_children() == []
    time.sleep(2)  # what the child would have written by now
    assert list(out.iterdir()) == []


class Unpicklable(Exception):
    def __reduce__(self):
        raise TypeError("no pickling")


class Unreadable(Exception):
    """Pickles, but cannot be read back: its ``__init__`` wants two arguments."""

    def __init__(self, what, why):
        super().__init__(f"{what}: {why}")


@pytest.mark.parametrize("error, words", [(Unpicklable("something odd"), "Unpicklable"),
                                          (Unreadable("something", "odd"), "Unreadable")])
def test_an_error_that_does_not_travel_keeps_its_type_name_and_message(tmp_path, monkeypatch,
                                                                       error, words):
    def odd(args):
        raise error

    _in_child(monkeypatch, odd)
    with GpkgWriter(background=True) as gpkg:
        gpkg.start([(gdf, tmp_path / name, layer, "vi") for gdf, name, layer in _frames()])
        with pytest.raises(RuntimeError, match=f"^{words}: something:? odd$"):
            gpkg.wait()


def test_files_of_a_child_that_dies_are_written_here(sample_run, tmp_path, monkeypatch):
    _in_child(monkeypatch, lambda args: os._exit(9))  # as if killed, mid-way
    folder = write_outputs(sample_run, tmp_path / "run")
    for name in ("villages.gpkg", "communes.gpkg"):
        assert _dump(folder / name) == _dump(sample_run.folder / name)
    assert not [p for p in folder.iterdir() if p.name.startswith(".") and p.name != write.MARKER]


def test_written_in_turn_without_a_second_process(sample_run, tmp_path, monkeypatch):
    monkeypatch.setattr(folders, "GpkgWriter", lambda: GpkgWriter(background=False))
    pids = []
    real = write.write_gpkg
    monkeypatch.setattr(write, "write_gpkg", lambda *a: (pids.append(os.getpid()), real(*a)))
    folder = write_outputs(sample_run, tmp_path / "run")
    assert set(pids) == {os.getpid()}
    assert _dump(folder / "villages.gpkg") == _dump(sample_run.folder / "villages.gpkg")


def test_input_checksums_computed_aside_are_those_of_the_files(sample_run, tmp_path):
    import hashlib
    import json
    from pathlib import Path

    folder = write_outputs(sample_run, tmp_path / "run")
    inputs = json.loads((folder / "run.json").read_text(encoding="utf-8"))["inputs"]
    assert [i["input"] for i in inputs] == list(sample_run.inputs.files)  # one file each
    for entry in inputs:
        data = Path(entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)


def test_an_unreadable_input_while_checksumming_is_raised_as_it_was(sample_run, tmp_path,
                                                                     monkeypatch):
    from geo_cds.outputs import summary

    def unreadable(path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(summary, "sha256", unreadable)
    out = tmp_path / "outputs"
    with pytest.raises(PermissionError, match=r"Permission denied: '.*communes"):
        write_outputs(sample_run, out / "run")
    assert list(out.iterdir()) == []
