"""VN-2000: the real sample boundaries written as TM-3 shapefiles read back within 1 m.

Variants of the ``.prj`` seen in provincial data: the EPSG/ESRI one (no TOWGS84), OGC WKT with
the TOWGS84 shift, a VN-2000 datum under an unknown name, a WGS 84 datum with VN-2000 TM-3
parameters (the datum lost), and no ``.prj`` at all.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import CRS

from geo_cds import schema as S
from geo_cds.inputs import crs as vncrs
from geo_cds.inputs import read_layer
from geo_cds.inputs.codes import old_to_new
from geo_cds.plan import REPO_ROOT, InputSpec
from geo_cds.problems import ProblemLog

SEED = REPO_ROOT / "boundaries" / "communes_2025_seed_provinces.gpkg"
pytestmark = [
    pytest.mark.skipif(not SEED.exists(), reason="sample boundaries not present"),
    pytest.mark.filterwarnings("ignore:Column names longer than 10"),
    pytest.mark.filterwarnings("ignore:Normalized/laundered field name"),
]

COLUMNS = {"commune_code": "gso_ward_code", "commune_name": "gso_full_name"}


@pytest.fixture(scope="module")
def quang_ngai():
    g = gpd.read_file(SEED)
    g = g[g["province_code"] == "51"][
        ["gso_ward_code", "gso_full_name", "province_code", "geometry"]
    ]
    # Simplify so the test stays fast; the comparison is vertex-for-vertex anyway.
    g["geometry"] = g.geometry.simplify(0.002)
    return g.reset_index(drop=True)


def max_offset_m(a: gpd.GeoSeries, b: gpd.GeoSeries) -> float:
    """Largest Hausdorff distance between matching features, in metres (UTM 49N)."""
    a = gpd.GeoSeries(a.values, crs=S.WGS84).to_crs(32649)
    b = gpd.GeoSeries(b.values, crs=S.WGS84).to_crs(32649)
    return float(np.max(shapely.hausdorff_distance(a.values, b.values)))


def write_shp(gdf, path, epsg: int, prj: str | None):
    gdf.to_crs(epsg).to_file(path)
    prj_path = path.with_suffix(".prj")
    if prj is None:
        prj_path.unlink()
    else:
        prj_path.write_text(prj)


def tm3_wkt(lon0: float, datum: str, towgs84: bool) -> str:
    shift = ""
    if towgs84:
        shift = "TOWGS84[" + ",".join(repr(v) for v in vncrs.TOWGS84_VN2000_2) + "],"
    return (
        f'PROJCS["VN-2000 TM-3",GEOGCS["{datum}",DATUM["{datum}",'
        f'SPHEROID["WGS 84",6378137,298.257223563],{shift}],PRIMEM["Greenwich",0],'
        'UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
        f'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",{lon0}],'
        'PARAMETER["scale_factor",0.9999],PARAMETER["false_easting",500000],'
        'PARAMETER["false_northing",0],UNIT["metre",1]]'
    ).replace(",]", "]")


@pytest.mark.parametrize(
    "variant", ["esri_no_shift", "wkt_with_towgs84", "unnamed_vn2000", "wgs84_datum_tm3"]
)
def test_tm3_shapefile_reads_back_within_1m(tmp_path, quang_ngai, variant):
    path = tmp_path / "qn.shp"
    prj = {
        "esri_no_shift": CRS.from_epsg(5898).to_wkt("WKT1_ESRI"),
        "wkt_with_towgs84": tm3_wkt(108.0, "VN-2000", towgs84=True),
        "unnamed_vn2000": tm3_wkt(108.0, "Vietnam_2000", towgs84=False),
        "wgs84_datum_tm3": tm3_wkt(108.0, "WGS_1984", towgs84=False),
    }[variant]
    write_shp(quang_ngai, path, 5898, prj)
    problems = ProblemLog()
    back = read_layer(InputSpec(path=path, columns=COLUMNS, vintage="2025"), "communes", problems)
    assert problems.errors == []
    assert back.crs.to_epsg() == 4326
    assert back[S.COMMUNE_CODE].tolist() == quang_ngai["gso_ward_code"].tolist()
    assert max_offset_m(back.geometry, quang_ngai.geometry) < 1.0
    notes = [p.problem for p in problems.warnings if p.row is None]
    if variant == "wkt_with_towgs84":
        assert not any("VN-2000 to WGS 84" in n for n in notes)
    else:  # the shift was missing from the file: applied, and said so
        assert any("VN-2000 to WGS 84 (2)" in n for n in notes)


def test_without_the_shift_features_would_be_about_225m_off(quang_ngai):
    """What geo-cds prevents: projecting back with the datum but no shift."""
    tm = quang_ngai.to_crs(5898)
    naive = CRS.from_wkt(tm3_wkt(108.0, "WGS_1984", towgs84=False))
    wrong = tm.geometry.set_crs(naive, allow_override=True).to_crs(S.WGS84)
    assert 150 < max_offset_m(wrong, quang_ngai.geometry) < 300


def test_no_prj_in_metres_names_the_likely_zones(tmp_path, quang_ngai):
    path = tmp_path / "noprj.shp"
    write_shp(quang_ngai, path, 5898, None)
    communes = quang_ngai.rename(columns={"gso_ward_code": "commune_code"})
    problems = ProblemLog()
    out = read_layer(InputSpec(path=path, columns=COLUMNS), "communes", problems, communes=communes)
    assert out is None
    [err] = problems.layer_errors()
    assert "VN-2000 metres" in err.problem
    assert "EPSG:5898" in err.problem and "EPSG:9216" in err.problem  # Quảng Ngãi + Kon Tum
    assert "source_crs" in err.fix
    # the override fixes it
    problems = ProblemLog()
    back = read_layer(
        InputSpec(path=path, columns=COLUMNS, vintage="2025", source_crs="EPSG:5898"),
        "communes",
        problems,
    )
    assert problems.errors == []
    assert max_offset_m(back.geometry, quang_ngai.geometry) < 1.0


def test_two_old_provinces_with_different_meridians_combine(tmp_path, quang_ngai):
    """New Quảng Ngãi = old Quảng Ngãi (108°00′, EPSG:5898) + old Kon Tum (107°30′, EPSG:9216)."""
    table = old_to_new()
    from_kon_tum = set(table.loc[table["old_province_code"] == "62", "new_code"])
    kt = quang_ngai["gso_ward_code"].isin(from_kon_tum)
    assert kt.any() and (~kt).any()
    write_shp(
        quang_ngai[kt], tmp_path / "part_kontum.shp", 9216, CRS.from_epsg(9216).to_wkt("WKT1_ESRI")
    )
    write_shp(
        quang_ngai[~kt],
        tmp_path / "part_quangngai.shp",
        5898,
        CRS.from_epsg(5898).to_wkt("WKT1_ESRI"),
    )
    problems = ProblemLog()
    back = read_layer(
        InputSpec(path=tmp_path / "part_*.shp", columns=COLUMNS, vintage="2025"),
        "communes",
        problems,
    )
    assert problems.errors == []
    assert len(back) == len(quang_ngai)
    order = back.set_index(S.COMMUNE_CODE).loc[quang_ngai["gso_ward_code"]]
    assert max_offset_m(order.geometry, quang_ngai.geometry) < 1.0
    assert back["source_file"].str.contains("part_kontum").sum() == kt.sum()


def test_zones_for_merged_provinces():
    assert [z.epsg for z in vncrs.zones_for_provinces(["44"])] == ["EPSG:9211", "EPSG:9212"]
    assert [z.epsg for z in vncrs.zones_for_provinces(["24"])] == ["EPSG:9209", "EPSG:9214"]


def test_resolve_crs_keeps_plain_crs_and_flags_vn2000():
    assert vncrs.resolve_crs("EPSG:4326").note is None
    assert vncrs.resolve_crs("EPSG:32648").note is None
    r = vncrs.resolve_crs("EPSG:9216")
    assert r.crs.to_epsg() == 9216 and "VN-2000 to WGS 84 (2)" in r.note
    # UTM 48N on VN-2000 (EPSG:3405) under a custom name
    utm = CRS.from_epsg(3405).to_wkt("WKT1_ESRI").replace("VN-2000_UTM_Zone_48N", "my_utm")
    assert vncrs.resolve_crs(utm).note is not None


def test_explicit_shift_equals_epsg_transformation():
    """The +towgs84 we bind (position vector) equals EPSG's coordinate-frame (2) operation."""
    from pyproj import Transformer

    custom = vncrs._with_shift(CRS.from_wkt(tm3_wkt(107.5, "Vietnam_2000", False)))
    a = Transformer.from_crs(custom, 4326, always_xy=True).transform(500_000, 1_600_000)
    b = Transformer.from_crs(9216, 4326, always_xy=True).transform(500_000, 1_600_000)
    assert abs(a[0] - b[0]) < 1e-7 and abs(a[1] - b[1]) < 1e-7


def test_table_of_vn2000_metres(tmp_path, quang_ngai):
    """A spreadsheet of village points in VN-2000 / TM-3 107°30′ (Kon Tum) metres."""
    pts = quang_ngai.geometry.representative_point().iloc[:5]
    xy = gpd.GeoSeries(pts.values, crs=S.WGS84).to_crs(9216)
    table = pd.DataFrame(
        {
            "village_id": [f"V{i}" for i in range(5)],
            "village_name": "Thôn",
            "commune_code": quang_ngai["gso_ward_code"].iloc[:5].values,
            "population": 10,
            "x": xy.x.values,
            "y": xy.y.values,
        }
    )
    path = tmp_path / "thon.csv"
    table.to_csv(path, index=False)
    communes = quang_ngai.rename(columns={"gso_ward_code": "commune_code"})
    problems = ProblemLog()
    assert (
        read_layer(InputSpec(path=path, vintage="2025"), "villages", problems, communes=communes)
        is None
    )
    [err] = problems.layer_errors()
    assert "EPSG:9216" in err.problem and "source_crs" in err.fix
    problems = ProblemLog()
    v = read_layer(
        InputSpec(path=path, vintage="2025", source_crs="EPSG:9216"),
        "villages",
        problems,
        communes=communes,
    )
    assert problems.errors == []
    assert max_offset_m(v.geometry, gpd.GeoSeries(pts.values)) < 1.0


def test_no_prj_zones_from_the_layers_own_province(tmp_path, quang_ngai):
    """Without a communes layer to go by, the layer's own province column names the zones."""
    path = tmp_path / "noprj.shp"
    write_shp(quang_ngai, path, 9216, None)
    problems = ProblemLog()
    assert read_layer(InputSpec(path=path, columns=COLUMNS), "communes", problems) is None
    [err] = problems.layer_errors()
    assert "EPSG:5898" in err.problem and "EPSG:9216" in err.problem
