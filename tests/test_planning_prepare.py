"""The planning kernels (the greedy selection's loop, the large site cover) are compiled ahead
of a first run, and a run that finds numba's cache cold announces the wait."""

from __future__ import annotations

import os
import subprocess
import sys

from geo_cds.planning import _cover_kernel, _greedy, prepare


def test_prepare_leaves_every_planning_kernel_cached():
    prepare.prepare()
    assert prepare.is_ready()
    assert prepare.ensure_ready() is None  # nothing to announce once cached


def test_a_cold_cache_is_announced_and_filled(tmp_path):
    # a fresh numba cache folder: the kernels are not there, so the wait is announced once
    code = (
        "from geo_cds.planning import prepare\n"
        "said = []\n"
        "assert not prepare.is_ready()\n"
        "seconds = prepare.ensure_ready(lambda label, s: said.append((label, s)))\n"
        "assert seconds is not None and said[0] == (prepare.ANNOUNCEMENT, None)\n"
        "assert said[1][0] == prepare.ANNOUNCEMENT and said[1][1] == seconds\n"
        "assert prepare.is_ready()\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "numba")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_kernels_compiled_are_the_ones_a_run_calls():
    # prepare() goes through select_greedy and kernel_cover, the functions the planner calls:
    # after it, the entry kernels hold exactly one compiled version each (no second one left
    # for a run to compile with other argument types)
    prepare.prepare()
    assert len(_greedy.greedy_loop.signatures) == 1
    assert len(_cover_kernel.grid_cover.signatures) == 1
