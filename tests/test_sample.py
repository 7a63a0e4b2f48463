"""The generated sample: determinism, calibration invariants, rasters that agree with villages."""

from __future__ import annotations

import math
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import rasterio
import shapely
from shapely.geometry import box

from geo_cds import schema as S
from geo_cds.errors import OutputExistsError
from geo_cds.sample import (
    RadioModel,
    generate_rsrp_raster,
    generate_sites,
    generate_villages,
    read_seed_communes,
    write_sample,
)
from geo_cds.sample.radio import RSRP_NODATA, site_parameters
from geo_cds.sample.villages import _largest_remainder

# Lân Phong (seed village Văn Hà), Hiếu Giang (Lâm Lang), Nếnh (Quang Châu, Vân Trung), a Kon Tum
# mountain commune (Đăk Rơ Wa: KCN Hòa Bình).
SUBSET = ["21433", "19603", "07795", "23332"]


@pytest.fixture(scope="module")
def communes():
    return read_seed_communes(only=SUBSET)


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("layers")
    figures = write_sample(out, only=SUBSET)
    return out, figures


def _toy_communes() -> gpd.GeoDataFrame:
    # Two 0.1° squares (~11 km): a dense lowland ward and a sparse mountain xã.
    return gpd.GeoDataFrame({
        S.COMMUNE_CODE: ["00001", "00002"],
        S.COMMUNE_NAME: ["Phường Một", "Xã Hai"],
        S.PROVINCE_CODE: ["99", "99"],
        S.POPULATION: [40_000, 3_000],
        S.AREA_KM2: [120.0, 120.0],
    }, geometry=[box(106.0, 16.0, 106.1, 16.1), box(106.2, 16.0, 106.3, 16.1)], crs=S.WGS84)


def test_largest_remainder_hand_worked():
    # weights 1:3 of 10 people → 2.5 / 7.5 → floors 2 + 7, one person left for the first tie.
    got = _largest_remainder(np.array([1.0, 3.0, 1.0, 1.0, 1.0]), np.array([0, 0, 1, 1, 1]),
                             np.array([10, 10]))
    assert got.tolist() == [3, 7, 4, 3, 3]


def test_same_seed_same_villages_other_seed_other_villages(communes):
    a = generate_villages(communes, seed=7)
    b = generate_villages(communes, seed=7)
    pd.testing.assert_frame_equal(a, b)
    c = generate_villages(communes, seed=8)
    assert not a.geometry.geom_equals(c.geometry.reindex(a.index)).all()


def test_population_sums_exactly_to_each_commune(communes):
    v = generate_villages(communes, seed=1)
    sums = v.groupby(S.COMMUNE_CODE)[S.POPULATION].sum()
    expected = communes.set_index(S.COMMUNE_CODE)[S.POPULATION]
    assert (sums.reindex(expected.index) == expected).all()
    ratio = v[S.POPULATION].astype(float) / v[S.HOUSEHOLDS].astype(float)
    assert ratio.between(3.3, 4.5).all()


def test_every_village_inside_its_commune(communes):
    v = generate_villages(communes, seed=3)
    poly = communes.set_index(S.COMMUNE_CODE).geometry.reindex(v[S.COMMUNE_CODE]).to_numpy()
    assert shapely.contains(poly, v.geometry.to_numpy()).all()


def test_ids_and_names_unique_and_nfc(communes):
    v = generate_villages(communes, seed=3)
    assert v[S.VILLAGE_ID].is_unique
    assert v[S.VILLAGE_ID].str.fullmatch(r"\d{5}-\d{3}").all()
    assert not v.duplicated([S.COMMUNE_CODE, S.VILLAGE_NAME]).any()
    assert all(unicodedata.is_normalized("NFC", n) for n in v[S.VILLAGE_NAME])
    assert list(v.columns[:-2]) == list(S.VILLAGE_COLUMNS)
    assert v[S.GENERATED].all()


def test_village_count_follows_density_and_cap():
    # the cap binds at 120 per commune by default; lifted, 300 per commune on average are made
    toy = _toy_communes()
    capped = generate_villages(toy, seed=5, villages_per_commune=300)
    assert capped.groupby(S.COMMUNE_CODE).size().max() == 120
    lifted = generate_villages(toy, seed=5, villages_per_commune=300, max_villages=6000)
    per = lifted.groupby(S.COMMUNE_CODE).size()
    assert per.max() > 120 and abs(len(lifted) - 600) <= 2
    assert lifted[S.VILLAGE_ID].is_unique
    assert (lifted.groupby(S.COMMUNE_CODE)[S.POPULATION].sum().to_numpy()
            == toy[S.POPULATION].to_numpy()).all()
    small = generate_villages(toy, seed=5, villages_per_commune=30, max_villages=5)
    assert small.groupby(S.COMMUNE_CODE).size().tolist() == [5, 5]


def test_toy_communes_ward_and_mountain_names():
    v = generate_villages(_toy_communes(), seed=5)
    ward = v[v[S.COMMUNE_CODE] == "00001"][S.VILLAGE_NAME]
    assert ward.str.startswith("Tổ dân phố ").all()
    xa = v[v[S.COMMUNE_CODE] == "00002"][S.VILLAGE_NAME]  # 25 people/km²: mountain
    assert xa.str.match(r"^(Thôn|Bản|Làng) ").all()
    assert v[v[S.COMMUNE_CODE] == "00002"][S.DBKK].all()


def test_site_parameters_hand_worked():
    # COST-231 urban, 1800 MHz, hb 30 m, hm 1.5 m: L(1 km) = 46.3 + 110.354 − 20.414 − 0.043
    # = 136.197 dB; RSRP(1 km) = 30 − 136.197; slope 44.9 − 6.55·log10(30) = 35.225 dB/decade.
    a, b = site_parameters(np.array([30.0]), np.array(["urban"], dtype=object), "4g")
    assert a[0] == pytest.approx(-106.197, abs=0.01)
    assert b[0] == pytest.approx(35.225, abs=0.01)
    # Quasi-open rural reaches farther than urban at the same height.
    ar, br = site_parameters(np.array([30.0]), np.array(["rural"], dtype=object), "4g")
    assert ar[0] > a[0] and br[0] == pytest.approx(b[0])


def test_rsrp_raster_agrees_with_model_and_masks(tmp_path):
    sites = gpd.GeoDataFrame({
        S.SITE_ID: ["A"], S.TECHNOLOGIES: ["4G,5G"], S.HEIGHT_M: [30.0], "clutter": ["rural"],
    }, geometry=[shapely.Point(106.05, 16.05)], crs=S.WGS84)
    area = [box(106.0, 16.0, 106.1, 16.1)]
    path = tmp_path / "r.tif"
    res = generate_rsrp_raster(sites, "4g", path, areas=area, bounds=(106.0, 16.0, 106.2, 16.1),
                               resolution=0.01, seed=1)
    with rasterio.open(path) as src:
        arr = src.read(1)
        assert src.crs.to_epsg() == 4326 and src.nodata == RSRP_NODATA
        assert arr.shape == (10, 20)
    # The right half lies outside the area (a cell that only shares the edge at 106.1° is not
    # touched): nodata there, values on the 10 × 10 cells of the square.
    assert (arr[:, 10:] == RSRP_NODATA).all()
    assert res["cells"] == int((arr != RSRP_NODATA).sum()) == 10 * 10
    lon = 106.0 + (np.arange(10) + 0.5) * 0.01
    lat = 16.1 - (np.arange(10) + 0.5) * 0.01
    glon, glat = np.meshgrid(lon, lat)
    model = RadioModel.from_sites(sites, "4g", seed=1)
    assert (arr[:, :10] == np.round(model.rsrp(glon, glat))).all()
    # Strongest near the site, weaker at the corner.
    assert arr[4:6, 4:6].min() > arr[0, 0]


def test_sites_calibrated_lowland_all_covered():
    communes = _toy_communes()
    v = generate_villages(communes, seed=2)
    sites = generate_sites(communes, v, seed=2, mobile_targets={"lowland": 1.0, "mountain": 0.5})
    assert sites[S.SITE_ID].is_unique
    assert set(sites[S.OPERATOR]) <= {"Viettel", "VNPT", "MobiFone"}
    assert set(sites[S.TECHNOLOGIES]) <= {"4G", "4G,5G"}
    r = RadioModel.from_sites(sites, "4g", seed=2).rsrp(v.geometry.x.to_numpy(),
                                                        v.geometry.y.to_numpy())
    lowland = (v[S.COMMUNE_CODE] == "00001").to_numpy()
    assert (r[lowland] >= -105).all()
    assert (r[~lowland] >= -105).mean() >= 0.5


def test_written_sample_seed_villages_and_coverage_agree(written):
    out, figures = written
    v = gpd.read_file(out / "villages.gpkg", layer="villages")
    for code, name in (("21433", "Thôn Văn Hà"), ("19603", "Thôn Lâm Lang")):
        hit = v[v[S.VILLAGE_NAME] == name]
        assert hit[S.COMMUNE_CODE].tolist() == [code]
    lon, lat = v.geometry.x.to_numpy(), v.geometry.y.to_numpy()
    for tech, col, rcol, thr in (("4g", S.HAS_4G, S.RSRP_4G, -105),
                                 ("5g", S.HAS_5G, S.RSRP_5G, -110)):
        with rasterio.open(out / f"rsrp_{tech}.tif") as src:
            vals = np.array([x[0] for x in src.sample(zip(lon, lat))], dtype=float)
        assert (vals != RSRP_NODATA).all()  # every village lies on valid cells
        known = v[col].notna().to_numpy()
        assert 0 < (~known).sum() < 0.3 * len(v)
        assert (v[col].to_numpy()[known].astype(bool) == (vals[known] >= thr)).all()
        measured = v[rcol].notna().to_numpy()
        assert measured.any() and (v[rcol].to_numpy()[measured] == vals[measured]).all()
        assert not (measured & ~known).any()
    with rasterio.open(out / "population.tif") as src:
        pop = src.read(1, masked=True)
    assert float(pop.sum()) == pytest.approx(v[S.POPULATION].sum(), rel=1e-5)
    assert figures["villages"] == len(v)


def test_written_parks_and_streets(written, communes):
    out, _ = written
    parks = gpd.read_file(out / "industrial_parks.geojson")
    expected = {"KCN Quang Châu", "KCN Vân Trung", "KCN Hòa Bình", "CCN Cam Hiếu"}
    assert expected <= set(parks[S.PARK_NAME])
    assert set(parks[S.PARK_KIND]) <= {"KCN", "CCN", "KKT"}
    assert (parks[S.TARGET_5G_YEAR] == 2025).all()
    poly = communes.set_index(S.COMMUNE_CODE).geometry
    kcn = parks[parks[S.PARK_KIND] != "KKT"]
    inside = shapely.covers(shapely.buffer(poly.reindex(kcn[S.COMMUNE_CODE]).to_numpy(), 1e-9),
                            kcn.geometry.to_numpy())
    assert inside.all()
    area_ha = kcn.to_crs(32648).area / 1e4
    assert np.allclose(area_ha, kcn[S.AREA_HA], rtol=0.1)
    streets = gpd.read_file(out / "cashless_streets.geojson")
    assert (streets[S.MERCHANTS_QR] <= streets[S.MERCHANTS]).all()
    assert set(streets[S.STREET_KIND]) <= {"street", "market"}
    van_ha = streets[streets[S.COMMUNE_CODE] == "21433"].geometry.iloc[0]
    assert van_ha.geom_type == "LineString"
    assert shapely.covers(shapely.buffer(poly["21433"], 1e-9), van_ha)
    pd.to_datetime(streets[S.LAUNCH_DATE], format="%Y-%m-%d")  # ISO dates


def test_write_sample_refuses_to_overwrite(written):
    out, _ = written
    with pytest.raises(OutputExistsError, match="--overwrite"):
        write_sample(out, only=SUBSET[:1])


def test_dbkk_and_mountain_from_real_geography():
    c = read_seed_communes(only=["23332", "21433"]).set_index(S.COMMUNE_CODE)
    assert bool(c.loc["23332", "mountain"]) and c.loc["23332", "calibration_group"] == "62"
    assert not bool(c.loc["21433", "mountain"]) and c.loc["21433", "calibration_group"] == "51"


def test_fading_is_the_same_whatever_the_tiling():
    from geo_cds.sample.radio import fading_db

    lon = np.linspace(106.0, 106.2, 50)
    lat = np.full(50, 16.05)
    whole = fading_db(lon, lat, 3)
    parts = np.concatenate([fading_db(lon[:17], lat[:17], 3), fading_db(lon[17:], lat[17:], 3)])
    assert np.array_equal(whole, parts)
    assert 1.0 < whole.std() < 10.0 and math.isfinite(whole.sum())
