"""The villages' raster coordinates taken without rebuilding a point each
(``coverage.points._projected_xy``), against geopandas' own ``to_crs`` (peer oracle)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from geo_cds.analysis.coverage.points import _projected_xy

CELL = st.one_of(st.none(), st.just("empty"),
                 st.tuples(st.floats(102, 110), st.floats(8, 23)),
                 st.tuples(st.floats(102, 110), st.floats(8, 23), st.floats(-50, 3000)))


def _geometry(c):
    if c is None:
        return None
    return Point() if c == "empty" else Point(*c)


@settings(max_examples=80, deadline=None)
@given(cells=st.lists(CELL, max_size=20), crs=st.sampled_from([32648, 32649, 3857]))
def test_projected_coordinates_are_to_crs(cells, crs):
    g = gpd.GeoSeries([_geometry(c) for c in cells], crs=4326)
    x, y = _projected_xy(g, crs)
    want = np.asarray(g.to_crs(crs).values, dtype=object)
    ok = ~(shapely.is_missing(want) | shapely.is_empty(want))
    np.testing.assert_array_equal(x[ok], shapely.get_x(want[ok]))
    np.testing.assert_array_equal(y[ok], shapely.get_y(want[ok]))
    assert np.isnan(x[~ok]).all() and np.isnan(y[~ok]).all()
