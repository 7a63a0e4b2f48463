"""`geo-cds --help` and `import geo_cds` stay fast: the heavy libraries are imported by the
command that needs them, never by the command group (times are measured in benchmarks/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
HEAVY = ["geopandas", "pandas", "numpy", "shapely", "pyogrio", "pyproj", "rasterio", "numba",
         "folium", "scipy", "openpyxl", "pyarrow"]


@pytest.mark.parametrize("code", [
    "import geo_cds",
    "import geo_cds.cli.main",
    "from geo_cds.cli.main import cli; cli(['--help'])",
    "from geo_cds.cli.main import cli; cli(['run', '--help'])",
])
def test_no_heavy_import_before_a_command_runs(code):
    probe = (f"import sys\ntry:\n    {code}\nexcept SystemExit:\n    pass\n"
             f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    env = {**os.environ,
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
