"""Every raster option honoured by the coverage engine, on 4 × 4 rasters worked out by hand.

The rasters are in UTM 48N with 10 m cells; the bottom-left corner is at (X0, Y0). Column c
covers x in [X0 + 10c, X0 + 10c + 10). A zone over the whole raster sees the 16 cells with
equal weights, so its statistics are plain means over the valid cells.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.enums import ColorInterp
from rasterio.transform import from_origin
from shapely.geometry import GeometryCollection, LineString, MultiPolygon, Point, Polygon, box

from geo_cds.analysis.coverage import values_at_points, zonal_coverage
from geo_cds.errors import CrsError

X0, Y0 = 500_000.0, 2_000_000.0
UTM = "EPSG:32648"
WHOLE = box(X0, Y0, X0 + 40, Y0 + 40)


def columns(*values, dtype):
    """A 4 × 4 raster whose column c holds values[c] in every row."""
    return np.tile(np.array(values, dtype=dtype), (4, 1))


def write(path, data, *, crs=UTM, nodata=None, scale=None, offset=None, mask=None, alpha=None):
    count = 1 if alpha is None else 2
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=count,
                       dtype=data.dtype, crs=crs, transform=from_origin(X0, Y0 + 40, 10, 10),
                       nodata=nodata) as dst:
        dst.write(data, 1)
        if alpha is not None:
            dst.write(alpha.astype(data.dtype), 2)
            dst.colorinterp = [ColorInterp.gray, ColorInterp.alpha]
        if scale is not None:
            dst.scales = (scale,) * count
        if offset is not None:
            dst.offsets = (offset,) * count
        if mask is not None:
            dst.write_mask(mask)
    return path


def zones(*geoms, crs=UTM):
    return gpd.GeoDataFrame(geometry=list(geoms), crs=crs)


def one(table, name="r"):
    return {k[len(name) + 1:]: v for k, v in table.iloc[0].items()}


# --- 1. source_crs -----------------------------------------------------------------------

def test_source_crs_replaces_a_missing_crs(tmp_path):
    path = write(tmp_path / "r.tif", columns(1, 1, 0, 0, dtype="uint8"), crs=None)
    z = zones(WHOLE, box(X0, Y0, X0 + 20, Y0 + 40))
    with pytest.raises(CrsError):
        zonal_coverage(z, {"r": path})
    t = zonal_coverage(z, {"r": path}, source_crs={"r": UTM})
    assert t["r_area_share"].tolist() == pytest.approx([0.5, 1.0])


def test_source_crs_replaces_a_wrong_crs(tmp_path):
    # the file says WGS 84 but its numbers are UTM metres: read as degrees it lies nowhere
    path = write(tmp_path / "r.tif", columns(1, 1, 0, 0, dtype="uint8"), crs="EPSG:4326")
    z = zones(WHOLE)
    assert np.isnan(zonal_coverage(z, {"r": path})["r_area_share"].iloc[0])
    t = zonal_coverage(z, {"r": path}, source_crs={"r": UTM})
    assert t["r_area_share"].iloc[0] == pytest.approx(0.5)
    assert t["r_valid_share"].iloc[0] == pytest.approx(1.0)


def test_source_crs_of_the_population_raster(tmp_path):
    cov = write(tmp_path / "c.tif", columns(1, 1, 0, 0, dtype="uint8"))
    pop = write(tmp_path / "p.tif", columns(30, 10, 0, 0, dtype="float32"), crs="EPSG:4326")
    t = zonal_coverage(zones(WHOLE), {"r": cov}, population=pop, population_crs=UTM)
    assert t["r_pop_share"].iloc[0] == pytest.approx(1.0)  # everyone lives in the covered half


def test_source_crs_at_points(tmp_path):
    path = write(tmp_path / "r.tif", columns(-80, -90, -100, -110, dtype="float32"), crs=None)
    pts = gpd.GeoSeries([Point(X0 + 15, Y0 + 5)], crs=UTM)
    assert values_at_points(pts, path, source_crs=UTM).tolist() == [-90.0]


# --- 2. scale and offset -----------------------------------------------------------------

def test_scale_applies_before_the_threshold(tmp_path):
    # RSRP stored as int16 × 10: -100, -105, -110, -120 dBm
    path = write(tmp_path / "r.tif", columns(-1000, -1050, -1100, -1200, dtype="int16"),
                 nodata=-32768, scale=0.1)
    r = one(zonal_coverage(zones(WHOLE), {"r": path}, thresholds={"r": -105}))
    assert r["area_share"] == pytest.approx(0.5)  # -100 and -105 are >= -105
    assert r["mean"] == pytest.approx(-108.75)
    assert (r["min"], r["max"]) == pytest.approx((-120.0, -100.0))


def test_scale_and_offset_with_nodata_kept_out(tmp_path):
    # stored 80, 70, 60, 0 (nodata); value = stored * 0.5 - 140 -> -100, -105, -110, no data
    path = write(tmp_path / "r.tif", columns(80, 70, 60, 0, dtype="uint8"), nodata=0,
                 scale=0.5, offset=-140)
    r = one(zonal_coverage(zones(WHOLE), {"r": path}, thresholds={"r": -105}))
    assert r["area_share"] == pytest.approx(2 / 3)
    assert r["mean"] == pytest.approx(-105.0)
    assert r["valid_share"] == pytest.approx(0.75)
    pts = gpd.GeoSeries([Point(X0 + 5, Y0 + 5), Point(X0 + 35, Y0 + 5)], crs=UTM)
    got = values_at_points(pts, path)
    assert got[0] == pytest.approx(-100.0) and np.isnan(got[1])


# --- 3. masks, alpha and nodata of every type ----------------------------------------------

MASK = np.tile(np.array([255, 255, 255, 0], dtype="uint8"), (4, 1))  # column 3 masked out


def expect_last_column_out(r):
    assert r["area_share"] == pytest.approx(2 / 3)  # 1, 1, 0 seen; the 7 is masked
    assert r["max"] == pytest.approx(1.0)
    assert r["valid_share"] == pytest.approx(0.75)


def test_a_per_dataset_mask_band_is_nodata(tmp_path):
    path = write(tmp_path / "r.tif", columns(1, 1, 0, 7, dtype="float32"), mask=MASK)
    expect_last_column_out(one(zonal_coverage(zones(WHOLE), {"r": path})))
    pts = gpd.GeoSeries([Point(X0 + 35, Y0 + 5)], crs=UTM)
    assert np.isnan(values_at_points(pts, path)[0])


def test_an_alpha_band_is_nodata(tmp_path):
    path = write(tmp_path / "r.tif", columns(1, 1, 0, 7, dtype="uint8"), alpha=MASK)
    expect_last_column_out(one(zonal_coverage(zones(WHOLE), {"r": path})))


@pytest.mark.parametrize(
    ("dtype", "nodata"),
    [("uint8", 0), ("uint8", 255), ("int16", -32768), ("float32", np.nan),
     ("float64", -9999.0), ("uint16", 65535), ("int32", -2147483648)],
)
def test_nodata_of_any_type(tmp_path, dtype, nodata):
    data = columns(5, 5, 1, 1, dtype=dtype)
    data[:, 3] = nodata
    path = write(tmp_path / "r.tif", data, nodata=nodata)
    r = one(zonal_coverage(zones(WHOLE), {"r": path}, thresholds={"r": 2}))
    assert r["area_share"] == pytest.approx(2 / 3)
    assert (r["min"], r["max"]) == (1.0, 5.0)
    assert r["valid_share"] == pytest.approx(0.75)


# --- 5. every polygon shape a GIS writes ----------------------------------------------------

def test_a_geometry_collection_holding_a_multipolygon(tmp_path):
    path = write(tmp_path / "r.tif", columns(1, 1, 0, 0, dtype="uint8"))
    left = MultiPolygon([box(X0, Y0, X0 + 10, Y0 + 40), box(X0 + 10, Y0, X0 + 20, Y0 + 20)])
    right = box(X0 + 20, Y0, X0 + 40, Y0 + 10)
    gc = GeometryCollection([left, right, LineString([(X0, Y0), (X0 + 40, Y0 + 40)]),
                             Point(X0 + 1, Y0 + 1)])
    t = zonal_coverage(zones(gc, GeometryCollection(), Polygon(), None), {"r": path})
    # covered: 4 + 2 cells of the multipolygon, none of the 2 on the right -> 6 / 8
    assert t["r_area_share"].iloc[0] == pytest.approx(6 / 8)
    assert t.iloc[1:].isna().all().all()


# --- the same files against exactextract -----------------------------------------------------

def option_rasters(folder):
    """name -> (path, threshold) of one raster per option, for the peer-library comparison."""
    cases = {
        # no CRS in the file: exactextract takes the zones as raster coordinates, we are given
        # the CRS (source_crs below), and both must then agree
        "no_crs": (write(folder / "e.tif", columns(-80, -90, -100, -110, dtype="float32"),
                         crs=None), -95.0),
        "scale_int16": (write(folder / "a.tif", columns(-1000, -1050, -1100, -1200,
                                                        dtype="int16"),
                              nodata=-32768, scale=0.1), -105.0),
        "scale_offset_uint8": (write(folder / "b.tif", columns(80, 70, 60, 0, dtype="uint8"),
                                     nodata=0, scale=0.5, offset=-140), -105.0),
        "mask_band": (write(folder / "c.tif", columns(1, 1, 0, 7, dtype="float32"),
                            mask=MASK), 0.5),
        "alpha": (write(folder / "d.tif", columns(1, 1, 0, 7, dtype="uint8"), alpha=MASK), 0.5),
    }
    for dtype, nodata in [("uint8", 0), ("uint8", 255), ("int16", -32768),
                          ("float32", np.nan), ("float64", -9999.0)]:
        data = columns(5, 5, 1, 1, dtype=dtype)
        data[:, 3] = nodata
        cases[f"nodata_{dtype}_{nodata}"] = (
            write(folder / f"n_{dtype}_{nodata}.tif", data, nodata=nodata), 2.0)
    return cases


def test_every_option_agrees_with_exactextract(tmp_path):
    exactextract = pytest.importorskip("exactextract")
    z = zones(WHOLE, box(X0 + 5, Y0 + 3, X0 + 33, Y0 + 27), box(X0 + 12, Y0 + 12, X0 + 38, Y0 + 38),
              Polygon([(X0 + 1, Y0 + 1), (X0 + 39, Y0 + 7), (X0 + 21, Y0 + 36)]))
    for name, (path, threshold) in option_rasters(tmp_path).items():
        ours = zonal_coverage(z, {"r": path}, thresholds={"r": threshold},
                              source_crs={"r": UTM if name == "no_crs" else None})
        theirs = exactextract.exact_extract(str(path), z, ["mean", "min", "max"], output="pandas")
        theirs = theirs[[c for c in theirs if not c.startswith("band_2")]]  # the alpha band
        theirs.columns = [c.split("_")[-1] for c in theirs.columns]  # band_1_mean -> mean
        for stat in ("mean", "min", "max"):
            diff = np.abs(ours[f"r_{stat}"].to_numpy() - theirs[stat].to_numpy())
            assert diff.max() < 1e-6, (name, stat, diff)
            print(f"{name} {stat}: max |ours - exactextract| = {diff.max():.1e}")
