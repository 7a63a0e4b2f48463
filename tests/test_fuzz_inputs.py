"""Every broken input ends as a message naming the file, never a traceback.

Each case (``fuzz_inputs.CASES``: broken variants of every layer and raster of the sample,
cut down to four communes) goes through ``geo-cds validate`` and ``geo-cds run``. Whatever the
damage, both exit 0 or 1 without an exception, name the broken file when they refuse, leave
every input byte for byte as it was, and leave in the output folder nothing but the run (when
it ran) and the coverage cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from fuzz_inputs import CASES, build_small_sample, prepare

from geo_cds.cli.main import cli


@pytest.fixture(scope="session")
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


def test_the_small_sample_runs_clean(small_sample, tmp_path):
    plan = prepare(CASES[0].__class__("clean", lambda folder, plan: None, ""), small_sample,
                   tmp_path / "case")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(plan), "--rejects", str(tmp_path / "r.csv")])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["run", str(plan)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "case" / "out" / "fuzz" / "map.html").exists()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_broken_input(case, small_sample, tmp_path):
    folder = tmp_path / "case"
    plan = prepare(case, small_sample, folder)
    before = _checksums(folder)
    out = folder / "out"
    runner = CliRunner()

    result = runner.invoke(cli, ["validate", str(plan), "--rejects", str(tmp_path / "r.csv")])
    _clean_exit(result)
    if result.exit_code == 1:
        errors = [line for line in result.output.splitlines() if line.startswith("ERROR")]
        assert any(case.file in line for line in errors), result.output
    assert not out.exists() or not any(out.iterdir())
    validated = result.exit_code

    result = runner.invoke(cli, ["run", str(plan)])
    _clean_exit(result)
    if result.exit_code == 1:
        assert case.file in result.output, result.output
        # validate reports everything run refuses.
        assert validated == 1, f"run refused what validate let pass:\n{result.output}"
    left = {p.name for p in out.iterdir()} if out.exists() else set()
    assert left <= ({"fuzz", ".cache"} if result.exit_code == 0 else {".cache"}), left
    assert _checksums(folder) == before  # inputs never modified
