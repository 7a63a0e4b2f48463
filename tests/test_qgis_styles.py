"""Default QGIS styles stored in the run's GeoPackages (``layer_styles``), matching the map.

The style's rule filters are evaluated by SQLite against the layer itself (an evaluator
independent of the code that wrote them); the expected classes of hand-chosen shares, the
colours and the legend texts come from the map's palette constants and the map's own legend.
When Debian's QGIS (``python3-qgis``) is installed, the layer is also opened and rendered in
QGIS headless (``tests/qgis_render.py``).
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, box
from test_maps import payload_of

from geo_cds import schema as s
from geo_cds.outputs import write
from geo_cds.outputs.maps import data as palette
from geo_cds.outputs.maps import render_map
from geo_cds.outputs.qgis import write_default_style

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = Path("/usr/bin/python3")

# One commune per share, boundary values included; the class each must fall in, read off the
# map's classes: < 50 %, 50–80 %, 80–95 %, 95–<100 %, 100 %, then no data.
SHARES = [0.0, 0.49, 0.5, 0.79, 0.8, 0.95, 0.9998, 0.9999, 1.0, np.nan]
EXPECTED_CLASS = [0, 0, 1, 1, 2, 3, 3, 4, 4, 5]


def share_communes() -> gpd.GeoDataFrame:
    n = len(SHARES)
    return gpd.GeoDataFrame({
        s.COMMUNE_CODE: [f"{21400 + i:05d}" for i in range(n)],
        s.COMMUNE_NAME: [f"Xã Thử {i}" for i in range(n)],
        s.PROVINCE_NAME: ["Quảng Ngãi"] * n,
        s.SHARE_4G: SHARES,
    }, geometry=[box(108.0 + 0.1 * i, 15.0, 108.1 + 0.1 * i, 15.1) for i in range(n)],
        crs=s.WGS84)


def styles(path: Path) -> list[dict]:
    con = sqlite3.connect(path)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM layer_styles")]
    finally:
        con.close()


def rules_of(qml: str) -> list[dict]:
    root = ET.fromstring(qml.split("\n", 1)[1])  # after the DOCTYPE line
    colours = {}
    for sym in root.iter("symbol"):
        props = {o.get("name"): o.get("value") for o in sym.iter("Option") if o.get("name")}
        colour = props.get("color") or props.get("line_color")
        r, g, b, _ = (int(x) for x in colour.split(","))
        colours[sym.get("name")] = (f"#{r:02x}{g:02x}{b:02x}", sym.get("type"))
    return [{"filter": r.get("filter"), "label": r.get("label"),
             "colour": colours[r.get("symbol")][0], "type": colours[r.get("symbol")][1]}
            for r in root.find("renderer-v2").find("rules")]


def codes_matching(path: Path, table: str, where: str) -> set[str]:
    con = sqlite3.connect(path)
    try:
        return {r[0] for r in con.execute(f"SELECT commune_code FROM {table} WHERE {where}")}
    finally:
        con.close()


@pytest.fixture
def communes_gpkg(tmp_path):
    return write.write_gpkg(share_communes(), tmp_path / "communes.gpkg", "communes")


def test_communes_get_one_default_style_row(communes_gpkg):
    rows = styles(communes_gpkg)
    assert len(rows) == 1
    row = rows[0]
    assert row["f_table_name"] == "communes"
    assert row["f_geometry_column"] == "geom"  # what the GeoPackage says the column is
    assert row["useAsDefault"] == 1
    con = sqlite3.connect(communes_gpkg)
    assert con.execute("SELECT column_name FROM gpkg_geometry_columns").fetchone()[0] == "geom"
    assert con.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'"
                       ).fetchone()[0] == "attributes"
    con.close()


def test_classes_colours_and_legend_equal_the_maps(communes_gpkg):
    rules = rules_of(styles(communes_gpkg)[0]["styleQML"])
    assert [r["colour"] for r in rules] == [*palette.SHARE_COLOURS, palette.NODATA_COLOUR]
    legend = payload_of(render_map(communes=share_communes(), villages=None))["scales"]["share"]
    assert [r["label"] for r in rules] == [row["label"] for row in legend["legend"]]
    assert all(r["type"] == "fill" for r in rules)
    # Each rule, evaluated by SQLite on the layer, picks exactly the communes of its class.
    codes = share_communes()[s.COMMUNE_CODE].tolist()
    matched_by_some = set()
    for k, rule in enumerate(rules):
        expected = {c for c, cls in zip(codes, EXPECTED_CLASS) if cls == k}
        if rule["filter"] == "ELSE":
            assert set(codes) - matched_by_some == expected, rule
        else:
            got = codes_matching(communes_gpkg, "communes", rule["filter"])
            assert got == expected, (rule, got, expected)
            matched_by_some |= got


def test_commune_names_are_the_labels(communes_gpkg):
    root = ET.fromstring(styles(communes_gpkg)[0]["styleQML"].split("\n", 1)[1])
    assert root.get("labelsEnabled") == "1"
    assert root.find("labeling").get("type") == "simple"
    assert root.find("labeling/settings/text-style").get("fieldName") == s.COMMUNE_NAME


def test_villages_by_gap_status(tmp_path):
    villages = gpd.GeoDataFrame(
        {s.VILLAGE_ID: ["a", "b"], s.GAP_STATUS: ["ok", "mobile"]},
        geometry=[Point(108.0, 15.0), Point(108.1, 15.1)], crs=s.WGS84)
    path = write.write_gpkg(villages, tmp_path / "villages.gpkg", "villages")
    rules = rules_of(styles(path)[0]["styleQML"])
    assert {r["filter"]: r["colour"] for r in rules} == {
        "\"gap_status\" = 'ok'": "#1a9641", "\"gap_status\" = 'fibre'": "#f39c12",
        "\"gap_status\" = 'mobile'": "#d7191c", "\"gap_status\" = 'mobile_fibre'": "#6a1b9a",
        "\"gap_status\" = 'unknown'": "#8c8c8c"}
    assert all(r["type"] == "marker" for r in rules)


def test_mixed_interventions_get_markers_and_lines(tmp_path):
    inter = gpd.GeoDataFrame(
        {"intervention_id": ["s1", "f1"], "kind": ["new_4g_site", "fibre_route"],
         "cost_vnd": [1.0, 2.0]},
        geometry=[Point(108.0, 15.0), LineString([(108.0, 15.0), (108.1, 15.1)])], crs=s.WGS84)
    path = write.write_gpkg(inter, tmp_path / "interventions.gpkg", "interventions")
    rules = {r["filter"]: r for r in rules_of(styles(path)[0]["styleQML"])}
    assert rules["\"kind\" = 'fibre_route'"]["type"] == "line"
    assert rules["\"kind\" = 'fibre_route'"]["colour"] == "#ff7f00"
    assert rules["\"kind\" = 'new_4g_site'"]["type"] == "marker"
    assert rules["\"kind\" = 'new_4g_site'"]["colour"] == "#212121"


def test_restyling_keeps_one_default(communes_gpkg):
    write_default_style(communes_gpkg, "communes", styles(communes_gpkg)[0]["styleQML"])
    rows = styles(communes_gpkg)
    assert len(rows) == 1 and rows[0]["useAsDefault"] == 1


def test_unknown_layer_is_refused(communes_gpkg):
    with pytest.raises(ValueError, match="no geometry layer named 'nope'"):
        write_default_style(communes_gpkg, "nope", "<qgis/>")


def test_sample_run_geopackages_carry_styles(sample_run):
    folder = Path(sample_run.folder)
    for name, layer in (("communes.gpkg", "communes"), ("villages.gpkg", "villages"),
                        ("industrial_parks_5g.gpkg", "parks"),
                        ("interventions.gpkg", "interventions")):
        rows = styles(folder / name)
        assert [(r["f_table_name"], r["useAsDefault"]) for r in rows] == [(layer, 1)], name
    rules = rules_of(styles(folder / "communes.gpkg")[0]["styleQML"])
    assert rules[0]["filter"].startswith('"share_villages_4g"')  # the map's first indicator


def _qgis_available() -> bool:
    if not SYSTEM_PYTHON.exists():
        return False
    probe = subprocess.run([str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _qgis_available(), reason="QGIS (Debian python3-qgis) not installed")
def test_qgis_opens_and_draws_the_choropleth(communes_gpkg, tmp_path):
    communes = share_communes()
    points = [[108.05 + 0.1 * i, 15.05] for i in range(len(communes))]  # the squares' centres
    (tmp_path / "points.json").write_text(json.dumps(points))
    out = subprocess.run(
        [str(SYSTEM_PYTHON), str(HERE / "qgis_render.py"), str(communes_gpkg), "communes",
         str(tmp_path / "qgis.png"), str(tmp_path / "points.json")],
        capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["renderer"] == "RuleRenderer"
    assert result["label_field"] == s.COMMUNE_NAME
    classes = [*palette.SHARE_COLOURS, palette.NODATA_COLOUR]
    assert result["colours"] == [classes[k] for k in EXPECTED_CLASS]
