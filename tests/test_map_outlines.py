"""Province outlines and small layers: the vectorised code against the loops it replaced
(kept here as the oracle)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from geo_cds import schema as s
from geo_cds.outputs.maps import data as mdata
from geo_cds.outputs.maps.geometry import round_geoms, without_small_holes


def old_without_small_holes(union, min_area):
    polys = []
    for part in getattr(union, "geoms", [union]):
        if part.geom_type != "Polygon":
            continue
        holes = [r for r in part.interiors if shapely.Polygon(r).area > min_area]
        polys.append(shapely.Polygon(part.exterior, holes))
    return shapely.MultiPolygon(polys) if polys else shapely.MultiPolygon()


cells = st.sets(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40)


@settings(max_examples=150, deadline=None)
@given(provinces=st.lists(cells, min_size=1, max_size=4), min_area=st.sampled_from([0, 1, 2.5]))
def test_small_holes_dropped_as_the_loop(provinces, min_area):
    # Unions of grid cells: holes of 1, 2, 3… cells, islands, provinces with nothing.
    unions = [shapely.union_all([box(x, y, x + 1, y + 1) for x, y in cs]) for cs in provinces]
    got = without_small_holes(unions, min_area)
    for union, outline in zip(unions, got):
        expected = old_without_small_holes(union, min_area)
        assert outline.geom_type == "MultiPolygon"
        assert shapely.equals_exact(shapely.normalize(outline), shapely.normalize(expected))


def test_a_ring_with_a_hole_and_an_island_in_it():
    ring = box(0, 0, 10, 10).difference(box(2, 2, 8, 8))  # hole of 36
    island = box(4, 4, 5, 5)
    small = box(20, 0, 30, 10).difference(box(21, 1, 21.5, 1.5))  # hole of 0.25
    [out] = without_small_holes([shapely.union_all([ring, island, small])], 1.0)
    parts = sorted(shapely.get_parts(out), key=lambda p: p.bounds)
    assert [len(p.interiors) for p in parts] == [1, 0, 0]
    assert shapely.area(out) == 100 - 36 + 1 + 100


def old_features(gdf, columns, derived=None):
    gdf = gdf[~(gdf.geometry.isna() | gdf.geometry.is_empty)]
    props = pd.DataFrame(index=gdf.index)
    for col in columns:
        if col in gdf.columns:
            props[col] = gdf[col]
    for col, values in (derived or {}).items():
        props[col] = values
    geoms = round_geoms(np.asarray(gdf.geometry.values, dtype=object))
    return [{"type": "Feature", "geometry": shapely.geometry.mapping(geom),
             "properties": {k: mdata._clean(v) for k, v in row.items()}}
            for geom, (_, row) in zip(geoms, props.iterrows())]


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 8), data=st.data())
def test_features_as_the_row_loop(n, data):
    opt = st.one_of(st.none(), st.floats(-1e9, 1e9))
    gdf = gpd.GeoDataFrame({
        "kind": pd.Series(data.draw(st.lists(st.one_of(st.none(), st.sampled_from(
            ["new_4g_site", "fibre_route"])), min_size=n, max_size=n)), dtype="str"),
        s.COST_VND: pd.Series(data.draw(st.lists(st.integers(0, 10**12), min_size=n,
                                                  max_size=n)), dtype="int64"),
        s.N_VILLAGES: pd.Series(data.draw(st.lists(st.one_of(st.none(), st.integers(0, 50)),
                                                   min_size=n, max_size=n)), dtype="Int64"),
        "population_served": data.draw(st.lists(opt, min_size=n, max_size=n)),
        "ok": pd.Series(data.draw(st.lists(st.one_of(st.none(), st.booleans()), min_size=n,
                                           max_size=n)), dtype="boolean"),
    }, geometry=[Point(105 + i / 7, 20.123456789) if i % 2 else
                 LineString([(105, 20), (105.3333333, 20 + i)]) for i in range(n)],
        crs=s.WGS84, index=pd.RangeIndex(10, 10 + n))
    columns = ["kind", s.COST_VND, s.N_VILLAGES, "population_served", "ok", "absent"]
    derived = {"share": gdf["population_served"] / 3}
    got = mdata.features_payload(gdf, "interventions", columns, derived)["features"]
    # compared as the page reads them: parsed from the page's JSON
    assert _as_page_reads(got) == _as_page_reads(old_features(gdf, columns, derived))


def _as_page_reads(features):
    from geo_cds.outputs.maps.page import _json_for_html

    return json.loads(_json_for_html(features))
