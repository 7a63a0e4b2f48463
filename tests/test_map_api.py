"""The map as a ``folium.Map`` (build, extend, save offline) and the charts' numbers."""

from __future__ import annotations

import re
from types import SimpleNamespace

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import LineString, Point
from test_maps import tiny_communes, tiny_villages

from geo_cds.outputs.maps import charts as mcharts
from geo_cds.outputs.maps import make_map, save_map
from geo_cds.outputs.maps.page import RunLayer
from geo_cds.pipeline import build_map

REMOTE_LINK = re.compile(r'<(?:script|link)[^>]+(?:src|href)="(?:https?:)?//', re.IGNORECASE)
SCHOOLS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"name": "Trường Tiểu học Lân Phong"},
     "geometry": {"type": "Point", "coordinates": [108.76, 15.04]}}]}


def tiny_map():
    return make_map(communes=tiny_communes(), villages=tiny_villages())


def test_build_map_gives_a_folium_map_of_the_run(sample_run):
    m = build_map(sample_run)
    assert isinstance(m, folium.Map)
    assert {"communeShapes", "communes", "villages", "parks", "streets", "interventions",
            "raster_rsrp_4g"} <= set(m.run_layers)
    assert all(isinstance(layer, folium.map.Layer) for layer in m.run_layers.values())
    assert m.title.endswith(sample_run.plan.name)
    assert "<iframe" in m._repr_html_()  # what a notebook displays


def test_saved_page_is_offline_and_keeps_added_layers(tmp_path):
    m = tiny_map()
    m._repr_html_()  # a notebook display first: its links must not reach the file
    marker = folium.Marker([15.05, 108.75], popup="Trạm y tế xã").add_to(m)
    schools = folium.GeoJson(SCHOOLS, name="Trường học").add_to(m)
    html = save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert not REMOTE_LINK.search(html)
    for host in ("cdn.jsdelivr.net", "code.jquery.com", "cdnjs.cloudflare.com", "netdna"):
        assert host not in html
    assert f"var {marker.get_name()} = L.marker" in html
    assert f"var {schools.get_name()} = L.geoJson" in html
    # The named layer joins the page's own layer switcher, after it is defined.
    join = f'{m.app.get_name()}.layerControl.addOverlay({schools.get_name()}, "Trường học");'
    assert html.index(join) > html.index(f"var {schools.get_name()} =")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="vi">' in html


def test_a_hostile_layer_name_stays_a_string(tmp_path):
    m = tiny_map()
    folium.GeoJson(SCHOOLS, name="</script><!--x").add_to(m)
    html = save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert '"\\u003c/script\\u003e\\u003c!--x");' in html
    assert "</script><!--x" not in html


def test_map_save_method_is_offline_too(tmp_path):
    m = tiny_map()
    folium.CircleMarker([15.05, 108.75], radius=6).add_to(m)
    m.save(tmp_path / "m.html")
    assert not REMOTE_LINK.search((tmp_path / "m.html").read_text(encoding="utf-8"))


def test_hidden_run_layer_starts_off_the_map(tmp_path):
    m = tiny_map()
    m.run_layers["villages"].show = False
    html = save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    name = m.run_layers["villages"].get_name()
    assert f"{m.get_name()}.removeLayer({name})" in html
    assert isinstance(m.run_layers["villages"], RunLayer)


def test_elements_needing_a_cdn_are_refused_by_name(tmp_path):
    m = tiny_map()
    folium.Marker([15.05, 108.75], icon=folium.Icon(color="red")).add_to(m)
    with pytest.raises(ValueError, match=r"folium\.Icon"):
        save_map(m, tmp_path / "a.html")
    m = tiny_map()
    folium.plugins.MarkerCluster().add_to(m)
    with pytest.raises(ValueError, match="MarkerCluster.*leaflet.markercluster"):
        save_map(m, tmp_path / "b.html")
    assert not (tmp_path / "a.html").exists() and not (tmp_path / "b.html").exists()


def test_folder_assets_hold_leaflet_and_the_marker_images(tmp_path):
    m = tiny_map()
    folium.Marker([15.05, 108.75]).add_to(m)
    html = save_map(m, tmp_path / "m.html", assets="folder").read_text(encoding="utf-8")
    assert '<script src="map_assets/leaflet.js"></script>' in html
    assert 'iconUrl: "map_assets/leaflet-marker-icon.png"' in html
    assert (tmp_path / "map_assets" / "leaflet-marker-icon.png").stat().st_size > 0
    assert (tmp_path / "map_assets" / "geo_cds_charts.js").exists()
    assert not REMOTE_LINK.search(html)


def test_a_plain_folium_map_is_saved_offline(tmp_path):
    m = folium.Map(location=[15.0, 108.8], zoom_start=9, tiles=None)
    folium.Marker([15.05, 108.75], popup="x").add_to(m)
    html = save_map(m, tmp_path / "m.html").read_text(encoding="utf-8")
    assert not REMOTE_LINK.search(html)
    assert "L.Icon.Default.mergeOptions" in html and "data:image/png;base64," in html


def test_bad_assets_mode_is_refused(tmp_path):
    with pytest.raises(ValueError, match="assets must be one of"):
        save_map(tiny_map(), tmp_path / "m.html", assets="cdn")


# --------------------------------------------------------------------------------------------
# The charts' numbers


def test_target_chart_per_province_with_the_total_last():
    targets = pd.DataFrame({
        "province_code": ["all", "51", "45", "all", "51", "45", "all"],
        "province_name": ["Tổng", "Quảng Ngãi", "Quảng Trị"] * 2 + ["Tổng"],
        "target_id": ["v4g"] * 3 + ["hh"] * 3 + ["speed"],
        "indicator": ["Thôn có 4G"] * 3 + ["Hộ có cáp quang"] * 3 + ["Tốc độ"],
        "indicator_en": ["Villages with 4G"] * 3 + ["Households on fibre"] * 3 + ["Speed"],
        "value": [0.9, 1.0, 0.8, np.nan, np.nan, 0.7, 45.0],
        "threshold": [1.0] * 3 + [0.8] * 3 + [40.0],
        "year": [2025] * 7, "unit": ["villages"] * 3 + ["households"] * 3 + ["Mb/s"],
        "status": ["not met", "met", "not met", "not measurable", "not measurable",
                   "not met", "met"],
    })
    chart = mcharts.target_chart(targets, "en")
    assert chart["scopes"] == ["Quảng Ngãi", "Quảng Trị", "Tổng"]
    assert chart["total"] == [False, False, True]
    assert [t["id"] for t in chart["targets"]] == ["v4g", "hh"]  # Mb/s is not a share
    assert chart["targets"][0]["label"] == "Villages with 4G"
    assert chart["targets"][0]["values"] == [1.0, 0.8, 0.9]
    assert chart["targets"][1]["values"] == [None, 0.7, None]  # missing stays missing
    assert chart["targets"][0]["status"] == ["met", "not met", "not met"]
    assert chart["targets"][1]["status"] == ["not measurable", "not met", "not measurable"]


def test_cost_chart_sums_by_kind_and_budget():
    inter = gpd.GeoDataFrame({
        "kind": ["new_4g_site", "fibre_route", "fibre_route", "new_4g_site"],
        "cost_vnd": [100.0, 30.0, 20.0, 50.0],
        "in_budget": [True, True, False, False],
    }, geometry=[Point(0, 0), LineString([(0, 0), (1, 1)]), LineString([(0, 0), (1, 0)]),
                 Point(1, 1)], crs="EPSG:4326")
    chart = mcharts.cost_chart(inter)
    assert chart == {"kinds": ["fibre_route", "new_4g_site"], "n": [2, 2],
                     "cost": [50.0, 150.0], "cost_in_budget": [30.0, 100.0]}


def test_sweep_budgets_span_zero_to_total_and_the_plans():
    assert mcharts.sweep_budgets(800.0, 150.0, points=4) == [0.0, 150.0, 200.0, 400.0, 600.0,
                                                             800.0]
    assert mcharts.sweep_budgets(800.0, None, points=2) == [0.0, 400.0, 800.0]


def test_budget_chart_passes_the_sweep_through():
    table = pd.DataFrame({"budget_vnd": [0.0, 10.0], "reserved_vnd": [0.0, 4.0],
                          "people_exact": [0, 120], "people_greedy": [0, 100],
                          "exact_status": ["optimal", "optimal"]})
    fake = SimpleNamespace(problem=object(), summary={"budget_vnd": 10.0},
                           interventions=pd.DataFrame({"cost_vnd": [4.0, 6.0]}),
                           sweep=lambda budgets, **kw: table.assign(budget_vnd=budgets))
    chart = mcharts.budget_chart(fake, budgets=[0.0, 10.0])
    assert chart == {"budget": [0.0, 10.0], "exact": [0.0, 120.0], "greedy": [0.0, 100.0],
                     "reserved": [0.0, 4.0], "exact_status": ["optimal", "optimal"],
                     "plan_budget": 10.0}
    assert mcharts.budget_chart(None) is None


def test_sample_budget_curve_invariants(sample_run):
    chart = mcharts.budget_chart(sample_run.investment)
    exact, greedy = np.array(chart["exact"]), np.array(chart["greedy"])
    assert chart["budget"][0] == 0 and exact[0] == 0 and greedy[0] == 0
    assert (exact >= greedy).all()  # the optimum is never beaten
    # More money for the villages never serves fewer people (the parks' 5G is funded off the
    # top first, so the total budget alone need not be monotone).
    village_budget = np.array(chart["budget"]) - np.array(chart["reserved"])
    order = np.argsort(village_budget, kind="stable")
    assert set(chart["exact_status"]) == {"optimal"}
    assert (np.diff(exact[order]) >= 0).all()
    served = sample_run.investment.interventions["population_served"].sum()
    assert 0 < exact[-1] <= served  # everything bought: every village with a plan is served
