"""Every broken input ends as a message naming the file, never a traceback.

Each case of ``fuzz_inputs.CASES`` — broken variants of every layer and raster of the sample,
cut down to four communes — goes through ``geo-cds validate`` and ``geo-cds run``. Whatever
the damage, both exit 0 or 1 without an exception; they name the broken file when they refuse
it (or reject rows of it); ``validate`` refuses whatever ``run`` refuses; every input stays
byte for byte as it was; and the output folder holds nothing but the run (when it ran) and
the coverage cache.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_inputs import CASES, Case, build_small_sample, prepare

from geo_cds.cli.main import cli

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small_sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz_base")
    build_small_sample(folder)
    return folder


def _checksums(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and "out" not in p.parts}


def _clean_exit(result) -> None:
    """Exit 0 or 1; any exception other than SystemExit is a traceback the user would see."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        import traceback

        trace = "".join(traceback.format_exception(result.exception))
        pytest.fail(f"traceback instead of a message:\n{result.output}\n{trace}")
    assert result.exit_code in (0, 1), result.output


def _errors_naming(output: str, file: str) -> list[str]:
    return [line for line in output.splitlines()
            if line.lstrip().startswith("ERROR") and file in line]


def test_the_small_sample_runs_clean(small_sample, tmp_path):
    plan = prepare(Case("clean", lambda folder, plan: None, ""), small_sample, tmp_path / "c")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(plan), "--rejects", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    assert "error" not in result.output.lower().replace("0 error(s)", "")
    result = runner.invoke(cli, ["run", str(plan)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c" / "out" / "fuzz" / "map.html").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_input(case, small_sample, tmp_path):
    folder = tmp_path / "case"
    plan = prepare(case, small_sample, folder)
    before = _checksums(folder)
    out = folder / "out"
    runner = CliRunner()

    checked = runner.invoke(cli, ["validate", str(plan), "--rejects", str(tmp_path / "r.csv")])
    _clean_exit(checked)
    assert not out.exists() or not any(out.iterdir())  # validate writes no run
    ran = runner.invoke(cli, ["run", str(plan)])
    _clean_exit(ran)

    if case.expect == "ok":
        assert (checked.exit_code, ran.exit_code) == (0, 0), checked.output + ran.output
    else:
        assert checked.exit_code == 1 and _errors_naming(checked.output, case.file), \
            checked.output
    if case.expect == "refused":
        assert ran.exit_code == 1 and _errors_naming(ran.output, case.file), ran.output
    if case.expect == "rows":
        assert ran.exit_code == 0, ran.output
        rejects = (out / "fuzz" / "rejects.csv").read_text(encoding="utf-8-sig")
        assert case.file in rejects
    left = {p.name for p in out.iterdir()} if out.exists() else set()
    assert left <= ({"fuzz", ".cache"} if ran.exit_code == 0 else {".cache"}), left
    assert _checksums(folder) == before  # inputs never modified


# --------------------------------------------------------------------------------------------
# A file the user may not read. Root reads everything, so as root the commands run in a child
# process without the capabilities that let root ignore file permissions.

UNREADABLE = [("villages.gpkg", "villages.gpkg"), ("population.tif", "population.tif"),
              ("villages-shp-dbf", "villages.dbf")]


def _cli_without_override(args: list[str]) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from geo_cds.cli.main import cli; cli()", *args]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot make a file unreadable")
        cmd = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", *cmd]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get(
        "PYTHONPATH", "")]))
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.parametrize(("case_id", "name"), UNREADABLE, ids=[c for c, _ in UNREADABLE])
def test_unreadable_input(case_id, name, small_sample, tmp_path):
    from fuzz_inputs import villages_as_shapefile

    apply = villages_as_shapefile() if name.endswith(".dbf") else (lambda folder, plan: None)
    plan = prepare(Case(case_id, apply, name), small_sample, tmp_path / "case")
    target = tmp_path / "case" / name
    target.chmod(0)
    try:
        for args in (["validate", str(plan), "--rejects", str(tmp_path / "r.csv")],
                     ["run", str(plan)]):
            done = _cli_without_override(args)
            assert done.returncode == 1, done.stdout + done.stderr
            assert "Traceback" not in done.stderr, done.stderr
            assert _errors_naming(done.stdout + done.stderr, name), done.stdout + done.stderr
            assert "permission denied" in (done.stdout + done.stderr)
    finally:
        target.chmod(0o644)
    assert not (tmp_path / "case" / "out" / "fuzz").exists()


def test_damaged_raster_block_ends_as_a_message(small_sample, tmp_path):
    """A damaged block that the loader's sampled check does not look at: run still ends in a
    message naming the rasters (this is the one case validate may let pass, see README)."""
    import numpy as np
    import rasterio

    plan = prepare(Case("damaged", lambda folder, plan: None, ""), small_sample, tmp_path / "c")
    path = tmp_path / "c" / "rsrp_4g.tif"
    with rasterio.open(path) as src:
        data, profile = src.read(1), dict(src.profile)
    profile |= {"tiled": True, "blockxsize": 16, "blockysize": 16, "compress": "deflate"}
    path.unlink()
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    with rasterio.open(path) as src:
        rows, cols = -(-src.height // 16), -(-src.width // 16)
        sampled = set(np.linspace(0, rows * cols - 1, 16).astype(int))
        block = next(k for k in range(rows * cols // 2, rows * cols) if k not in sampled)
        r, c = divmod(block, cols)
        offset = int(src.get_tag_item(f"BLOCK_OFFSET_{c}_{r}", "TIFF", bidx=1))
        size = int(src.get_tag_item(f"BLOCK_SIZE_{c}_{r}", "TIFF", bidx=1))
    raw = bytearray(path.read_bytes())
    raw[offset:offset + size] = b"\xff" * size
    path.write_bytes(bytes(raw))

    result = CliRunner().invoke(cli, ["run", str(plan)])
    _clean_exit(result)
    assert result.exit_code == 1 and "rsrp_4g.tif" in result.output, result.output
    assert not (tmp_path / "c" / "out" / "fuzz").exists()
