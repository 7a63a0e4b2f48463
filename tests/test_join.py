"""Join of villages to communes: a tiny layer whose every answer is read off the fixture.

Two communes 1.1 km wide (0.01°) at 21°N, 2 km apart; tolerance 100 m.
"""

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from geo_cds.analysis.join import join_villages
from geo_cds.problems import ProblemLog

COMMUNES = gpd.GeoDataFrame(
    {"commune_code": ["00001", "00002"], "commune_name": ["Xã A", "Xã B"]},
    geometry=[box(106.00, 21.00, 106.01, 21.01), box(106.03, 21.00, 106.04, 21.01)],
    crs="EPSG:4326",
)


def villages(rows):
    ids, codes, geoms = zip(*rows)
    return gpd.GeoDataFrame(
        {"village_id": list(ids), "village_name": [f"Thôn {i}" for i in ids],
         "commune_code": pd.array(codes, dtype="str"), "source_row": range(1, len(rows) + 1)},
        geometry=list(geoms), crs="EPSG:4326",
    )


def test_each_case_is_kept_placed_or_rejected_with_its_reason():
    v = villages([
        ("in-A", "00001", Point(106.005, 21.005)),       # inside its commune
        ("edge-A", "00001", Point(106.0105, 21.005)),    # ~52 m outside A, in no commune
        ("in-B-coded-A", "00001", Point(106.035, 21.005)),  # clearly in B: contradiction
        ("unknown-in-B", "99999", Point(106.035, 21.005)),  # unknown code, located in B
        ("nothing", None, None),                          # no code, no location
        ("A-no-point", "00001", None),                    # table row without coordinates
        ("unknown-far", "99999", Point(107.0, 22.0)),     # unknown code, outside everything
    ])
    log = ProblemLog()
    out = join_villages(v, COMMUNES, tolerance_m=100, file="v.csv", log=log)

    got = dict(zip(out["village_id"], zip(out["commune_code"], out["join_status"])))
    assert got == {
        "in-A": ("00001", "ok"),
        "edge-A": ("00001", "near_boundary"),
        "unknown-in-B": ("00002", "placed_by_location"),
        "A-no-point": ("00001", "no_location"),
    }
    errors = {p.feature_id: p for p in log.errors}
    assert set(errors) == {"in-B-coded-A", "nothing", "unknown-far"}
    assert "00002 Xã B" in errors["in-B-coded-A"].problem
    assert "outside its coded commune 00001 Xã A" in errors["in-B-coded-A"].problem
    assert errors["in-B-coded-A"].row == 3
    assert "outside every commune" in errors["unknown-far"].problem
    [warning] = log.warnings
    assert warning.feature_id == "unknown-in-B" and "99999" in warning.problem
    # every input row is accounted for: kept or rejected, none lost
    assert len(out) + len(errors) == len(v)


def test_point_in_an_overlap_takes_its_coded_commune():
    overlapping = gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002"], "commune_name": ["Xã A", "Xã B"]},
        geometry=[box(106.00, 21.00, 106.01, 21.01), box(106.009, 21.00, 106.02, 21.01)],
        crs="EPSG:4326",
    )
    v = villages([("x", "00002", Point(106.0095, 21.005))])
    out = join_villages(v, overlapping, tolerance_m=0, file="v", log=ProblemLog())
    assert out["commune_code"].tolist() == ["00002"] and out["join_status"].tolist() == ["ok"]


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(105.9, 106.15), st.floats(20.9, 21.1)), min_size=1,
                max_size=12),
       st.sampled_from([50.0, 500.0, 3000.0]))
def test_an_unknown_code_is_placed_in_the_nearest_commune_within_the_tolerance(points, tol):
    """Brute force: the metric distance from each point to every commune, the nearest (first on
    ties) taken when it is within the tolerance; a point inside a commune is placed there."""
    communes = gpd.GeoDataFrame(
        {"commune_code": ["00001", "00002", "00003"], "commune_name": ["A", "B", "C"]},
        geometry=[box(106.00, 21.00, 106.01, 21.01), box(106.03, 21.00, 106.04, 21.01),
                  box(106.00, 21.03, 106.04, 21.04)], crs="EPSG:4326")
    v = villages([(f"v{k}", "99999", Point(x, y)) for k, (x, y) in enumerate(points)])
    out = join_villages(v, communes, tolerance_m=tol, file="v.csv", log=ProblemLog())
    got = dict(zip(out["village_id"], out["commune_code"]))
    metric = communes.to_crs(32648).geometry
    for k, p in enumerate(gpd.GeoSeries(v.geometry, crs=4326).to_crs(32648)):
        d = metric.distance(p).to_numpy()
        inside = [c for c in range(3) if d[c] == 0]
        if len(inside) == 1 or (not inside and d.min() <= tol):
            expected = communes["commune_code"][inside[0] if inside else int(d.argmin())]
            assert got.get(f"v{k}") == expected, (k, d)
        else:
            assert f"v{k}" not in got
