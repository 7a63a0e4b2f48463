"""The rsrp / mask / population raster kinds through a whole run, each with an option the
engine must honour: no CRS in the file (source_crs), RSRP stored as int16 × 10 (scale), an
alpha band hiding every cell (unknown, not "not covered"), a wrong CRS (source_crs).

The 4 × 4 rasters (UTM 48N, 6 km cells) cover commune 07654 (Bắc Ninh) with margin and hold
one value each, so the answers are whole-commune ones: 4G at -100 dBm everywhere.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import rasterio
from rasterio.enums import ColorInterp
from rasterio.transform import from_origin

from geo_cds.pipeline import analyse
from geo_cds.plan import load_plan

REPO = Path(__file__).resolve().parent.parent
UTM = "EPSG:32648"


def write(path, value, dtype, *, crs=None, scale=None, alpha=None):
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4,
                       count=1 if alpha is None else 2, dtype=dtype, crs=crs,
                       transform=from_origin(690_000, 2_368_000, 6000, 6000)) as dst:
        dst.write(np.full((4, 4), value, dtype), 1)
        if alpha is not None:
            dst.write(np.full((4, 4), alpha, dtype), 2)
            dst.colorinterp = [ColorInterp.gray, ColorInterp.alpha]
        if scale is not None:
            dst.scales = (scale,) * dst.count


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("raster_options")
    write(tmp / "rsrp_4g.tif", -1000, "int16", scale=0.1)       # no CRS, -100 dBm
    write(tmp / "mask_5g.tif", 1, "uint8", crs=UTM, alpha=0)     # every cell hidden
    write(tmp / "pop.tif", 50.0, "float32", crs="EPSG:4326")     # wrong CRS in the file
    pd.DataFrame({"village_id": ["a", "b"], "village_name": ["A", "B"],
                  "commune_code": ["07654", "07654"], "population": [100, 200],
                  "lon": [106.98, 107.02], "lat": [21.30, 21.32]}).to_csv(
        tmp / "villages.csv", index=False)
    plan = tmp / "plan.toml"
    plan.write_text(f"""
[run]
name = "options"
output_dir = "out"
[inputs.communes]
path = "{(REPO / 'boundaries' / 'communes_2025_seed_provinces.gpkg').as_posix()}"
layer = "communes"
vintage = "2025"
[inputs.communes.columns]
commune_code = "gso_ward_code"
commune_name = "gso_full_name"
province_name = "province"
[inputs.villages]
path = "villages.csv"
vintage = "2025"
x = "lon"
y = "lat"
[rasters.rsrp_4g]
path = "rsrp_4g.tif"
kind = "rsrp"
technology = "4g"
source_crs = "{UTM}"
[rasters.mask_5g]
path = "mask_5g.tif"
kind = "mask"
technology = "5g"
[rasters.population]
path = "pop.tif"
kind = "population"
source_crs = "{UTM}"
""", encoding="utf-8")
    return analyse(load_plan(plan))


def test_every_raster_is_accepted(result):
    assert not [p for p in result.inputs.problems.errors if "raster" in str(p)]


def test_the_commune_reads_the_scaled_rsrp_in_the_given_crs(result):
    c = result.communes.set_index("commune_code").loc["07654"]
    assert c["area_share_4g"] == 1.0
    assert c["mean_rsrp_4g"] == pytest.approx(-100.0)
    assert c["pop_share_4g"] == 1.0  # the population raster is read in its source_crs
    assert np.isnan(c["area_share_5g"])  # the alpha band hides every cell: unknown


def test_communes_off_the_rasters_stay_unknown(result):
    c = result.communes.set_index("commune_code")
    far = c[c.index.str.startswith("21")]  # another province, hundreds of km away
    assert len(far) and far["area_share_4g"].isna().all()
