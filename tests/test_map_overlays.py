"""A run's coverage overlays are drawn from the display grids of its coverage pass: the raster
file is not read again, the picture lands where the file's own reading puts it, and a scaled
band is drawn in dBm.

Oracles: the map's reading of the raster file (GDAL, the path a map without a coverage pass
takes), colours read off the legend constants, the raster's own bounds.
"""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from shapely.geometry import box
from test_map_modelled import decode_png
from test_maps import tiny_communes

from geo_cds.analysis.coverage import Displays, zonal_coverage
from geo_cds.labels import labels
from geo_cds.outputs.maps import build_payload
from geo_cds.outputs.maps import rasters as mrasters
from geo_cds.pipeline import build_map
from geo_cds.plan import RasterSpec, Thresholds

T = {**labels("map", "en"), **labels("map_sources", "en")}


def utm_raster(path, data, nodata, **tags) -> RasterSpec:
    """Cells of 1 km in UTM 49N (central Vietnam), north-west corner (800 km, 1,670 km)."""
    h, w = data.shape
    with rasterio.open(path, "w", driver="GTiff", width=w, height=h, count=1, dtype=data.dtype,
                       crs="EPSG:32649", transform=from_origin(800_000, 1_670_000, 1000, 1000),
                       nodata=nodata) as dst:
        dst.write(data, 1)
        if tags:
            dst.scales, dst.offsets = (tags["scale"],), (tags["offset"],)
    return RasterSpec(path=path, kind="rsrp", technology="4g")


def coverage_pass(spec: RasterSpec):
    """The pass over one zone covering the whole raster; its display grid for the map."""
    with rasterio.open(spec.path) as src:
        zones = gpd.GeoDataFrame(geometry=[box(*src.bounds)], crs=src.crs)
    asked = Displays({"r"}, side=mrasters.OVERLAY_MAX_PX)
    zonal_coverage(zones, {"r": spec.path}, thresholds={"r": -105.0}, display=asked)
    return asked.grids["r"]


def test_overlay_from_the_pass_is_the_files_overlay(tmp_path):
    """Under the size limit the display grid is the raster itself: the overlay drawn from it
    has the bounds, size and pixels of the overlay drawn from the file."""
    rng = np.random.default_rng(5)
    data = rng.integers(-130, -60, (30, 40)).astype("int16")
    data[0, 0] = data[12, 7:11] = -32768
    spec = utm_raster(tmp_path / "r.tif", data, -32768)
    from_file = mrasters.raster_payload("rsrp_4g", spec, Thresholds(), T, max_px=100)
    from_pass = mrasters.raster_payload("rsrp_4g", spec, Thresholds(), T, max_px=100,
                                        grid=coverage_pass(spec))
    assert from_pass["bounds"] == from_file["bounds"]
    assert from_pass["size"] == from_file["size"]
    np.testing.assert_array_equal(decode_png(from_pass["url"]), decode_png(from_file["url"]))
    drawn = decode_png(from_pass["url"])[..., 3] > 0
    assert drawn.any() and not drawn.all()


def test_the_map_does_not_read_the_raster_again(tmp_path):
    spec = utm_raster(tmp_path / "r.tif", np.full((8, 8), -80, "int16"), -32768)
    grid = coverage_pass(spec)
    spec.path.unlink()  # the file is gone: only the pass's grid can draw the overlay
    payload = build_payload(communes=tiny_communes(), villages=None, lang="en",
                            rasters={"rsrp_4g": spec}, overlays={"rsrp_4g": grid})
    (item,) = payload["rasters"]
    assert item["name"] == "rsrp_4g" and item["label"] == "4G coverage (RSRP)"
    rgba = decode_png(item["url"])
    drawn = rgba[..., 3] > 0
    assert drawn.sum() >= 8 * 8 * 0.7  # the warp to the screen's grid clears some edge pixels
    # -80 dBm is 25 dB above the 4G threshold: the third class
    assert {tuple(p) for p in rgba[drawn][:, :3]} == {
        mrasters._rgb(mrasters.RSRP_COLOURS["4g"][2])}


@pytest.mark.parametrize("source", ["pass", "file"])
def test_a_scaled_band_is_drawn_in_dbm(tmp_path, source):
    """dBm × 10 in int16 with scale 0.1: stored -1000 is -100 dBm, the first class above the
    4G threshold (-105 to -95 dBm), not -1000 (below it, clear) — from the coverage pass's
    grid and from the file alike."""
    spec = utm_raster(tmp_path / "r.tif", np.full((6, 6), -1000, "int16"), -32768,
                      scale=0.1, offset=0.0)
    grid = coverage_pass(spec) if source == "pass" else None
    item = mrasters.raster_payload("rsrp_4g", spec, Thresholds(), T, max_px=100, grid=grid)
    rgba = decode_png(item["url"])
    inside = rgba[..., 3] > 0
    assert inside.sum() > 20
    first_class = mrasters._rgb(mrasters.RSRP_COLOURS["4g"][0])
    assert {tuple(p) for p in rgba[inside][:, :3]} == {first_class}


def test_a_run_draws_its_overlays_from_the_pass_where_the_rasters_lie(sample_run, monkeypatch):
    """The sample run: one display grid per coverage raster, within the picture's size; the
    map draws them without reading a file, over the rasters' own bounds: from the north-west
    corner, to the south-east one or less than one block (a partial last block) and one
    picture pixel (the warp to the screen's grid rounds its size up) past it."""
    assert set(sample_run.overlays) == {"rsrp_4g", "rsrp_5g"}

    def no_reading(*args, **kwargs):
        raise AssertionError("the raster file was read again")

    monkeypatch.setattr(mrasters, "read_for_display", no_reading)
    items = {r["name"]: r for r in build_map(sample_run).app.payload["rasters"]}
    assert set(items) == {"rsrp_4g", "rsrp_5g"}
    for name, grid in sample_run.overlays.items():
        assert max(grid.values.shape) <= mrasters.OVERLAY_MAX_PX
        with rasterio.open(sample_run.plan.rasters[name].path) as src:
            b, block = src.bounds, grid.transform.a
        (south, west), (north, east) = items[name]["bounds"]
        width, height = items[name]["size"]
        pixel_x, pixel_y = (east - west) / width, (north - south) / height
        assert west == pytest.approx(b.left, abs=1e-6)
        assert north == pytest.approx(b.top, abs=1e-6)
        assert b.right - 1e-6 <= east < b.right + block + pixel_x
        assert b.bottom - block - pixel_y < south <= b.bottom + 1e-6


def test_without_a_coverage_pass_the_file_is_read(sample_run):
    """A result with no display grid (no coverage pass ran, or a notebook dropped them) still
    gets its overlays, from the files."""
    bare = dataclasses.replace(sample_run, overlays={})
    names = [r["name"] for r in build_map(bare).app.payload["rasters"]]
    assert names == ["rsrp_4g", "rsrp_5g"]


@pytest.mark.parametrize("kind", ["rsrp", "mask"])
def test_colour_classes_are_the_legend_ranges_cell_by_cell(kind):
    """The picture's classes against the legend's ranges, one cell at a time: RSRP classes
    from the threshold up in RSRP_STEPS_DB (the top one open-ended), a mask's covered cells
    (>= 0.5); below, NaN: clear. Class floors and values just under them are included."""
    limit = -97.5
    rng = np.random.default_rng(11)
    if kind == "rsrp":
        floors = [limit + step for step in mrasters.RSRP_STEPS_DB]
        values = np.concatenate([rng.uniform(-140, -40, 500), floors,
                                 np.nextafter(np.float32(floors), np.float32(-np.inf))])
    else:
        values = np.concatenate([rng.uniform(-0.5, 1.5, 500), [0.5, 0.49999997, 0.0, 1.0]])
    values = np.append(values, np.nan).astype("float32")
    pal = mrasters.palette(kind, "5g")
    got = mrasters.classes(values, kind, limit)
    for v, c in zip(values, got, strict=True):
        if kind == "mask":
            expected = 1 if v >= 0.5 else 0
        else:
            steps = mrasters.RSRP_STEPS_DB
            expected = 0
            for i, step in enumerate(steps):
                top = limit + steps[i + 1] if i + 1 < len(steps) else np.inf
                if limit + step <= v < top:
                    expected = i + 1
        assert c == expected, (v, c, expected)
    colours = mrasters.RSRP_COLOURS["5g"] if kind == "rsrp" else [mrasters.MASK_COLOUR["5g"]]
    assert [tuple(p) for p in pal] == [(0, 0, 0, 0)] + [
        (*mrasters._rgb(c), mrasters.ALPHA) for c in colours]
    np.testing.assert_array_equal(mrasters.colourise(values, kind, "5g", limit), pal[got])
