"""The public API: the README's notebook example runs as written; ``import geo_cds`` is cheap."""

import re
import subprocess
import sys
from pathlib import Path

import folium
import pytest

import geo_cds
from geo_cds.outputs.write import MARKER
from geo_cds.plan import SAMPLE_PLAN

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_example() -> str:
    section = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.skipif(not (SAMPLE_PLAN.parent / "villages.gpkg").exists(),
                    reason="the embedded sample layers are not generated yet")
def test_the_readme_example_runs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names: dict = {}
    exec(compile(readme_example(), str(README), "exec"), names)
    result, coverage, folder = names["result"], names["coverage"], names["folder"]
    # The sample's 273 real communes (README: "What the sample run produces").
    assert len(result.communes) == 273 and len(coverage) == 273
    shares = coverage[["4g_area_share", "4g_pop_share"]].stack()
    assert shares.between(0, 1).all()
    # The engine on its own agrees with the pipeline's commune table (same rasters, threshold).
    assert (coverage["4g_area_share"].round(4).to_numpy()
            == result.communes["area_share_4g"].round(4).to_numpy()).all()
    assert isinstance(names["m"], folium.Map)
    assert folder == Path("outputs") / "notebook" and (tmp_path / folder / MARKER).exists()
    for name in ("communes.csv", "priority_villages.xlsx", "map.html", "run.json"):
        assert (tmp_path / folder / name).stat().st_size > 0, name
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == ["notebook"]


def test_every_public_name_resolves_and_is_documented():
    for name in geo_cds.__all__:
        value = getattr(geo_cds, name)
        if callable(value):
            assert value.__doc__, name
    assert set(geo_cds.__all__) <= set(dir(geo_cds))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        geo_cds.nothing  # noqa: B018


def test_every_public_function_is_in_the_readme_table():
    text = README.read_text(encoding="utf-8").split("## Python API", 1)[1]
    for name in geo_cds.__all__:
        if name != "__version__":
            assert f"`{name}" in text or f"{name}`" in text or f" {name}(" in text, name


def test_import_geo_cds_is_cheap():
    code = "import sys, geo_cds; print(sorted(m for m in ('pandas', 'geopandas', 'numpy', " \
           "'rasterio', 'folium') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=Path(geo_cds.__file__).parent.parent)
    assert out.stdout.strip() == "[]"
