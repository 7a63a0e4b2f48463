"""The map's geometry cache: a second call on the same communes reads what the first computed,
and gives exactly what the plain computation (no cache folder) gives; anything the products
depend on changed, or a damaged file, means a recomputation."""

from __future__ import annotations

import dataclasses
import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geo_cds import schema as s
from geo_cds.outputs.maps import data as mdata
from geo_cds.outputs.maps import geocache

TOL, COARSE = 0.0002, 0.004


def wiggly_box(x0, y0, size=0.05, n=60, seed=0):
    """A square commune whose edges wiggle by ~10 m: something to simplify."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 1, n, endpoint=False)
    edges = [(x0 + size * t, np.full(n, y0)), (np.full(n, x0 + size), y0 + size * t),
             (x0 + size * (1 - t), np.full(n, y0 + size)), (np.full(n, x0), y0 + size * (1 - t))]
    xy = np.concatenate([np.column_stack(e) for e in edges])
    xy[1:] += rng.normal(0, 1e-4, xy[1:].shape)
    return shapely.Polygon(xy)


def communes(provinces=("A", "A", "B", "B", "B", "C")):
    geoms = [wiggly_box(105 + 0.06 * (i % 3), 20 + 0.06 * (i // 3), seed=i)
             for i in range(len(provinces))]
    return gpd.GeoDataFrame({
        s.COMMUNE_CODE: [f"{i:05d}" for i in range(len(provinces))],
        s.COMMUNE_NAME: [f"Xã {i}" for i in range(len(provinces))],
        s.PROVINCE_NAME: list(provinces)}, geometry=geoms, crs=s.WGS84)


@pytest.fixture
def calls(monkeypatch):
    """How often each product was computed (the plain functions, counted)."""
    counts = {"communes": 0, "provinces": 0}

    def counted(name, fn):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(mdata, "commune_geometry", counted("communes", mdata.commune_geometry))
    monkeypatch.setattr(mdata, "province_outlines",
                        counted("provinces", mdata.province_outlines))
    return counts


def both(gdf, cache_dir, tol=TOL, coarse=COARSE):
    payload, simple = mdata.communes_payload(gdf, tol, coarse, cache_dir)
    return payload, simple, mdata.provinces_payload(simple, tol, coarse, cache_dir)


def same_geoms(a, b):
    return list(shapely.to_wkb(a.geometry.values)) == list(shapely.to_wkb(b.geometry.values))


def test_second_call_reads_the_cache_and_equals_the_plain_computation(tmp_path, calls):
    plain = both(communes(), None)
    assert calls == {"communes": 1, "provinces": 1} and not list(tmp_path.iterdir())
    first = both(communes(), tmp_path)
    assert calls == {"communes": 2, "provinces": 2}
    assert sorted(p.name.split("-")[1] for p in tmp_path.iterdir()) == ["communes", "provinces"]
    second = both(communes(), tmp_path)
    assert calls == {"communes": 2, "provinces": 2}  # nothing recomputed
    for got in (first, second):
        assert got[0] == plain[0] and got[2] == plain[2]
        assert same_geoms(got[1], plain[1])
        assert list(got[1].columns) == list(plain[1].columns)
    assert plain[0]["geom_coarse"] is not None and len(plain[2]["name"]) == 3


def moved(gdf):
    out = gdf.copy()
    out.loc[4, "geometry"] = shapely.affinity.translate(out.geometry[4], 0.001, 0)
    return out


def regrouped(gdf):
    out = gdf.copy()
    out.loc[2, s.PROVINCE_NAME] = "A"
    return out


@pytest.mark.parametrize("change, tol, coarse, recomputed", [
    (moved, TOL, COARSE, {"communes": 1, "provinces": 1}),
    (None, 0.0005, COARSE, {"communes": 1, "provinces": 1}),
    (None, TOL, 0.00002, {"communes": 1, "provinces": 1}),
    (None, TOL, None, {"communes": 1, "provinces": 1}),
    (regrouped, TOL, COARSE, {"communes": 0, "provinces": 1}),
])
def test_a_changed_key_part_is_recomputed(tmp_path, calls, change, tol, coarse, recomputed):
    # (outlines use at least 0.001: a finer commune tolerance need not change them, but the
    # communes they are made from did change, so they are recomputed too)
    both(communes(), tmp_path)
    before = both(communes(), tmp_path)
    changed = change(communes()) if change else communes()
    expected = both(changed, None, tol, coarse)  # the plain computation
    calls.update(communes=0, provinces=0)
    got = both(changed, tmp_path, tol, coarse)
    assert calls == recomputed
    assert got[0] == expected[0] and got[2] == expected[2] and same_geoms(got[1], expected[1])
    # and the outcome did change
    if change is not None:
        assert got[2] != before[2]
    if recomputed["communes"]:
        assert got[0] != before[0]


def test_a_new_version_is_recomputed(tmp_path, calls, monkeypatch):
    both(communes(), tmp_path)
    monkeypatch.setattr(geocache, "VERSION", geocache.VERSION + 1)
    calls.update(communes=0, provinces=0)
    both(communes(), tmp_path)
    assert calls == {"communes": 1, "provinces": 1}


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],  # truncated
    lambda b: b"not a zip file at all",
    lambda b: b"",
])
def test_a_damaged_file_is_recomputed_and_replaced(tmp_path, calls, damage):
    plain = both(communes(), None)
    both(communes(), tmp_path)
    for f in tmp_path.iterdir():
        f.write_bytes(damage(f.read_bytes()))
    calls.update(communes=0, provinces=0)
    got = both(communes(), tmp_path)
    assert calls == {"communes": 1, "provinces": 1}
    assert got[0] == plain[0] and got[2] == plain[2] and same_geoms(got[1], plain[1])
    calls.update(communes=0, provinces=0)
    both(communes(), tmp_path)  # the files were replaced by good ones
    assert calls == {"communes": 0, "provinces": 0}
    assert all(not f.name.startswith(".") for f in tmp_path.iterdir())


def test_a_file_made_for_other_geometry_is_not_used(tmp_path, calls):
    # the other communes' file put under this geometry's name: its key inside does not match
    both(moved(communes()), tmp_path)
    other = {p.name.split("-")[1]: p for p in tmp_path.iterdir()}
    both(communes(), tmp_path)
    mine = {p.name.split("-")[1]: p for p in tmp_path.iterdir() if p not in other.values()}
    for kind in mine:
        mine[kind].write_bytes(other[kind].read_bytes())
    calls.update(communes=0, provinces=0)
    got = both(communes(), tmp_path)
    plain = both(communes(), None)
    assert calls == {"communes": 2, "provinces": 2}  # the cached call recomputed, then plain
    assert got[0] == plain[0] and got[2] == plain[2]


def map_data(folder):
    html = (folder / "map.html").read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="geo-cds-data">(.*?)</script>', html,
                  re.DOTALL)
    return json.loads(m.group(1))


def test_the_sample_run_map_is_the_same_from_the_cache(tmp_path, sample_run):
    from geo_cds.pipeline import run

    plan = dataclasses.replace(sample_run.plan, output_dir=tmp_path)
    first = run(plan)
    uncached = map_data(first.folder)
    files = {p.name: p.stat() for p in (tmp_path / ".cache").glob("map-*.npz")}
    assert sorted(n.split("-")[1] for n in files) == ["communes", "provinces"]
    second = run(plan, overwrite=True)
    assert map_data(second.folder) == uncached
    # the cache survived the overwrite and was read, not rewritten
    after = {p.name: p.stat() for p in (tmp_path / ".cache").glob("map-*.npz")}
    assert {n: (f.st_ino, f.st_mtime_ns) for n, f in after.items()} == {
        n: (f.st_ino, f.st_mtime_ns) for n, f in files.items()}
    assert sorted(p.name for p in tmp_path.iterdir()) == [".cache", plan.name]


def test_province_outlines_are_the_union_of_each_provinces_communes():
    # the outlines are united two provinces at a time: each is still its own communes' union
    from geo_cds.outputs.maps.geometry import encode_many, province_outlines

    gdf = communes(("A", "B", "C", "A", "B", "C"))
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    got = province_outlines(geoms, gdf.groupby(s.PROVINCE_NAME).indices, 0.001, None)
    base = shapely.simplify(geoms, 0.001, preserve_topology=True)
    expected = [shapely.union_all(base[[i, i + 3]]) for i in range(3)]
    assert got["name"] == ["A", "B", "C"]
    assert got["geom"] == encode_many(expected)


def test_cached_lists_go_into_the_page_as_the_lists_themselves(tmp_path):
    """A warm map splices the cached lists' JSON text into the page: the page's data equal
    the JSON of the plain computation, names with "<", "&" and quotes included."""
    import json as _json
    import re as _re

    from geo_cds.outputs.maps import render_map
    from geo_cds.outputs.maps.geocache import RawJSON

    gdf = communes()
    gdf[s.PROVINCE_NAME] = gdf[s.PROVINCE_NAME].astype(object)
    gdf.loc[0, s.PROVINCE_NAME] = 'A <b>&"x"</script>'
    both(gdf, tmp_path)
    warm = both(gdf, tmp_path)
    assert isinstance(warm[0]["geom"], RawJSON) and isinstance(warm[2]["name"], RawJSON)

    def data(html):
        m = _re.search(r'id="geo-cds-data">(.*?)</script>', html, _re.S)
        return _json.loads(m.group(1))

    plain = data(render_map(communes=gdf, villages=None))
    cached = data(render_map(communes=gdf, villages=None, cache_dir=tmp_path))
    assert cached == plain
    assert 'A <b>&"x"</script>' in cached["provinces"]["name"]
