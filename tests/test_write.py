"""The one writer: atomic run folders, rollback, foreign folders, stale leftovers, disk errors."""

import errno
import os
import subprocess
import time

import numpy as np
import pandas as pd
import pytest

from geo_cds import atomic
from geo_cds.errors import ForeignFolderError, OutputError, OutputExistsError
from geo_cds.outputs.write import (
    MARKER,
    atomic_file,
    atomic_folder,
    check_writable,
    replace_files,
    write_csv,
)

real_rename = os.rename


def make_run(target, text="first"):
    """A run folder written by the writer, holding ``a.txt``."""
    with atomic_folder(target, overwrite=True) as staging:
        (staging / "a.txt").write_text(text)
    return target


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


def dead_pid() -> int:
    """The id of a process that has finished (nothing runs under it any more)."""
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def age(path, seconds=3600):
    t = time.time() - seconds
    os.utime(path, (t, t))


def test_atomic_folder_leaves_nothing_on_failure(tmp_path):
    target = tmp_path / "run"
    with pytest.raises(RuntimeError):
        with atomic_folder(target) as staging:
            (staging / "half.csv").write_text("x")
            raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_folder_refuses_then_replaces_with_overwrite(tmp_path):
    target = tmp_path / "run"
    with atomic_folder(target) as staging:
        (staging / "a.txt").write_text("first")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        with atomic_folder(target):
            pass
    with atomic_folder(target, overwrite=True) as staging:
        (staging / "b.txt").write_text("second")
    assert listing(target) == [MARKER, "b.txt"]
    assert listing(tmp_path) == ["run"]


def test_run_folder_files_have_the_usual_permissions(tmp_path):
    target = make_run(tmp_path / "run")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o777 & ~umask
    assert (target / "a.txt").stat().st_mode & 0o777 == 0o666 & ~umask


def test_csv_keeps_leading_zeros_and_diacritics(tmp_path):
    df = pd.DataFrame({"commune_code": ["07795"], "commune_name": ["Phường Nếnh"]})
    path = write_csv(df, tmp_path / "x.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: spreadsheets then read UTF-8
    back = pd.read_csv(path, dtype=str, encoding="utf-8-sig")
    assert back.iloc[0].tolist() == ["07795", "Phường Nếnh"]


# --- rollback: the previous run survives a failed swap ---------------------------------------


def test_failed_second_rename_restores_the_previous_run(tmp_path, monkeypatch):
    target = make_run(tmp_path / "run", "first")
    calls = []

    def rename(src, dst):
        calls.append((os.path.basename(src), os.path.basename(dst)))
        if "geo-cds-staging" in str(src):  # staging → target: the second rename of the swap
            raise OSError(errno.EIO, "I/O error")
        return real_rename(src, dst)

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="I/O error"):
        with atomic_folder(target, overwrite=True) as staging:
            (staging / "b.txt").write_text("second")
    # old → backup, staging → target (failed), backup → old
    assert [c[0] for c in calls] == ["run", calls[1][0], calls[0][1]]
    assert calls[0][1].startswith(".run.geo-cds-backup-") and calls[2][1] == "run"
    assert listing(target) == [MARKER, "a.txt"]
    assert (target / "a.txt").read_text() == "first"
    assert listing(tmp_path) == ["run"]  # no staging, no backup left


def test_failed_first_rename_leaves_the_run_untouched(tmp_path, monkeypatch):
    target = make_run(tmp_path / "run", "first")

    def rename(src, dst):
        raise OSError(errno.EBUSY, "busy")

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OSError, match="busy"):
        with atomic_folder(target, overwrite=True) as staging:
            (staging / "b.txt").write_text("second")
    assert (target / "a.txt").read_text() == "first"
    assert listing(tmp_path) == ["run"]


def test_when_even_the_restore_fails_the_message_names_the_backup(tmp_path, monkeypatch):
    target = make_run(tmp_path / "run", "first")

    def rename(src, dst):
        if os.path.basename(src) == "run":
            return real_rename(src, dst)  # only old → backup succeeds
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(OutputError) as caught:
        with atomic_folder(target, overwrite=True) as staging:
            (staging / "b.txt").write_text("second")
    monkeypatch.setattr(os, "rename", real_rename)
    (backup,) = [p for p in tmp_path.iterdir() if p.name.startswith(".run.geo-cds-backup-")]
    assert str(backup) in str(caught.value) and "rename it back to run" in str(caught.value)
    assert (backup / "a.txt").read_text() == "first" and not target.exists()
    # Once that process is gone, the next writer in that folder puts the run back.
    monkeypatch.setattr(atomic, "_running", lambda pid: False)
    age(backup)
    assert atomic.clean_stale(tmp_path) == [backup]
    assert (target / "a.txt").read_text() == "first"
    assert listing(tmp_path) == ["run"]


def test_failed_file_replace_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "rejects.csv"
    path.write_text("old")

    def replace(src, dst):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OSError, match="I/O error"):
        atomic_file(path, lambda tmp: tmp.write_text("new"))
    assert path.read_text() == "old"
    assert listing(tmp_path) == ["rejects.csv"]


def test_replace_files_swaps_files_in_a_shared_folder_only_when_all_are_written(tmp_path):
    layers = tmp_path / "layers"
    layers.mkdir()
    (layers / "plan.toml").write_text("mine")
    (layers / "villages.gpkg").write_text("old villages")
    with pytest.raises(RuntimeError):
        with replace_files(layers) as staging:
            (staging / "villages.gpkg").write_text("new villages")
            raise RuntimeError("killed half way")
    assert (layers / "villages.gpkg").read_text() == "old villages"
    with replace_files(layers) as staging:
        (staging / "villages.gpkg").write_text("new villages")
        (staging / "sites.gpkg").write_text("sites")
    assert listing(layers) == ["plan.toml", "sites.gpkg", "villages.gpkg"]
    assert (layers / "villages.gpkg").read_text() == "new villages"
    assert (layers / "plan.toml").read_text() == "mine"


# --- only its own folders --------------------------------------------------------------------


def test_a_folder_geo_cds_did_not_create_is_never_replaced(tmp_path):
    target = tmp_path / "thesis"
    target.mkdir()
    (target / "chapter1.docx").write_text("years of work")
    for overwrite in (False, True):
        with pytest.raises(ForeignFolderError) as caught:
            with atomic_folder(target, overwrite=overwrite) as staging:
                (staging / "communes.csv").write_text("x")
        message = str(caught.value)
        assert str(target) in message and MARKER in message and "not even with --overwrite" in message
    assert listing(target) == ["chapter1.docx"]
    assert listing(tmp_path) == ["thesis"]


def test_a_file_or_a_link_in_place_of_the_run_is_refused(tmp_path):
    (tmp_path / "run").write_text("a file")
    with pytest.raises(ForeignFolderError, match="not a folder"):
        check_writable(tmp_path / "run", overwrite=True)
    real = make_run(tmp_path / "real")
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(ForeignFolderError, match="symbolic link"):
        check_writable(tmp_path / "link", overwrite=True)
    assert (real / "a.txt").read_text() == "first"


def test_a_single_file_is_replaced_only_with_overwrite(tmp_path):
    path = tmp_path / "table.csv"
    path.write_text("old")
    with pytest.raises(OutputExistsError, match="--overwrite"):
        check_writable(path, overwrite=False, folder=False)
    check_writable(path, overwrite=True, folder=False)
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(ForeignFolderError, match="not a file"):
        check_writable(tmp_path / "dir.csv", overwrite=True, folder=False)


# --- stale leftovers of killed runs ----------------------------------------------------------


def test_stale_leftovers_are_removed_and_nothing_else(tmp_path, monkeypatch):
    dead, alive = dead_pid(), os.getpid()

    def folder(name, marked=True, old=True):
        p = tmp_path / name
        p.mkdir()
        (p / "communes.csv").write_text("x")
        if marked:
            (p / MARKER).write_text("{}")
        if old:
            age(p)
        return p

    def file(name, old=True):
        p = tmp_path / name
        p.write_text("x")
        if old:
            age(p)
        return p

    gone = [
        folder(f".run.geo-cds-staging-{dead}-0123abcd"),
        folder(f".other.geo-cds-backup-{dead}-89abcdef"),  # "other" exists: backup removed
        file(f".rejects.csv.geo-cds-tmp-{dead}-00ff00ff.csv"),
    ]
    (tmp_path / "other").mkdir()
    restored = folder(f".lost.geo-cds-backup-{dead}-deadbeef")  # "lost" missing: put back
    kept = [
        folder(f".run.geo-cds-staging-{dead}-11111111", marked=False),  # not marked: not ours
        folder(f".run.geo-cds-staging-{alive}-22222222"),  # its process still runs
        folder(f".run.geo-cds-staging-{dead}-33333333", old=False),  # too recent to judge
        file(f".x.geo-cds-tmp-{dead}-44444444.csv", old=False),
        folder(f".run.geo-cds-tmp-{dead}-55555555"),  # a folder where only a file can be
        folder("run.geo-cds-staging-1-66666666"),  # not hidden: not a name the writer makes
        folder(".run.old"),
        file(f".notes.geo-cds-tmp-{dead}-XYZ00000.txt"),  # token is not hex
    ]
    # The writer cleans the folder it writes into, before anything else.
    make_run(tmp_path / "new")
    for p in gone:
        assert not p.exists(), p.name
    for p in kept:
        assert p.exists(), p.name
    assert not restored.exists() and (tmp_path / "lost" / "communes.csv").read_text() == "x"
    assert (tmp_path / "other").exists()


def test_a_single_file_write_cleans_its_folder_too(tmp_path):
    leftover = tmp_path / f".t.csv.geo-cds-tmp-{dead_pid()}-abcdef01.csv"
    leftover.write_text("half")
    age(leftover)
    atomic_file(tmp_path / "t.csv", lambda tmp: tmp.write_text("whole"))
    assert listing(tmp_path) == ["t.csv"]


# --- read-only and full disks ----------------------------------------------------------------


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "the disk is full; free some space there"),
    (errno.EACCES, "permission denied; make it writable"),
    (errno.EROFS, "the file system is read-only; make it writable"),
])
def test_disk_errors_while_writing_name_the_folder(tmp_path, code, words):
    out = tmp_path / "outputs"
    target = make_run(out / "run", "first")
    with pytest.raises(OutputError) as caught:
        with atomic_folder(target, overwrite=True) as staging:
            raise OSError(code, os.strerror(code), str(staging / "communes.gpkg"))
    assert str(caught.value).startswith(f"cannot write to {out}: {words}")
    assert "choose another output folder" in str(caught.value)
    assert (target / "a.txt").read_text() == "first"
    assert listing(out) == ["run"]


def test_an_unwritable_output_folder_is_refused_before_any_work(tmp_path, monkeypatch):
    real_touch = type(tmp_path).touch

    def touch(self, *args, **kwargs):
        if self.parent == tmp_path / "ro":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_touch(self, *args, **kwargs)

    (tmp_path / "ro").mkdir()
    monkeypatch.setattr(type(tmp_path), "touch", touch)
    with pytest.raises(OutputError, match=f"cannot write to {tmp_path / 'ro'}: permission denied"):
        check_writable(tmp_path / "ro" / "run")


def test_a_full_disk_on_a_single_file(tmp_path):
    def write(tmp):
        tmp.write_text("half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=f"cannot write to {tmp_path}: the disk is full"):
        atomic_file(tmp_path / "rejects.csv", write)
    assert listing(tmp_path) == []


@pytest.mark.parametrize("who, words", [
    ("gdal", "Failed to commit transaction"),  # GDAL's words for a full disk
    ("sqlite", "database or disk is full"),  # SQLite's, while adding the QGIS style
])
def test_a_refused_geopackage_is_a_message_naming_the_output_folder(tmp_path, monkeypatch,
                                                                     who, words):
    import sqlite3

    import geopandas as gpd
    import pyogrio
    from shapely.geometry import Point

    from geo_cds.outputs import write

    def refuse(*args, **kwargs):
        if who == "gdal":
            raise pyogrio.errors.DataSourceError(words)
        raise sqlite3.OperationalError(words)

    monkeypatch.setattr(gpd.GeoDataFrame, "to_file", refuse if who == "gdal" else
                        lambda self, path, **kw: open(path, "wb").close())
    monkeypatch.setattr(write, "add_default_style", refuse)
    out = tmp_path / "outputs"
    frame = gpd.GeoDataFrame({"v": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326")
    with pytest.raises(OutputError) as caught:
        with atomic_folder(out / "run") as staging:
            write.write_gpkg(frame, staging / "villages.gpkg", "villages")
    assert str(caught.value).startswith(
        f"cannot write villages.gpkg to {out}: {words}; check the free space")
    assert listing(out) == []


def test_an_error_about_another_file_is_not_blamed_on_the_output(tmp_path):
    elsewhere = tmp_path / "inputs" / "villages.gpkg"
    with pytest.raises(PermissionError):
        with atomic_folder(tmp_path / "out" / "run"):
            raise PermissionError(errno.EACCES, "Permission denied", str(elsewhere))
    assert listing(tmp_path / "out") == []


def test_the_weight_cache_uses_the_writer_and_survives_a_full_disk(tmp_path, monkeypatch, caplog):
    """A cache that cannot be saved only costs time: the coverage is still computed."""
    import geopandas as gpd
    from rasterio.crs import CRS
    from rasterio.transform import from_origin
    from shapely.geometry import box

    from geo_cds.analysis.coverage import zone_weights
    from geo_cds.analysis.coverage.grid import Grid
    from geo_cds.analysis.coverage.weights import ZoneWeights

    grid = Grid(CRS.from_epsg(32648), from_origin(0, 40, 10, 10), width=4, height=4)
    zones = gpd.GeoDataFrame(geometry=[box(0, 0, 20, 20)], crs="EPSG:32648")
    w = zone_weights(zones, grid, cache_dir=tmp_path / "cache")
    (saved,) = (tmp_path / "cache").iterdir()
    assert ZoneWeights.load(saved).n_cells == w.n_cells == 4  # 2 × 2 cells of 10 m

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    w2 = zone_weights(zones, grid, cache_dir=tmp_path / "cache2")
    assert w2.n_cells == 4 and np.array_equal(w2.area, w.area)
    assert "not cached" in caplog.text and "the disk is full" in caplog.text
    assert listing(tmp_path / "cache2") == []
