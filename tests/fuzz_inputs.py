"""Broken variants of every sample layer, for ``test_fuzz_inputs.py``.

``build_small_sample`` cuts the embedded sample down to four communes of Quảng Trị (their
villages, sites, parks, streets and the three rasters clipped to them) so a whole run takes a
fraction of a second. Each :class:`Case` copies that folder, breaks one input the way real
files break (truncated, zero bytes, not geodata, wrong geometry type, swapped axes, non-finite
or absurd numbers, hostile strings, legacy encodings, missing sidecars, empty layers, missing
files), and says which file the message must name.
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import rasterio
import shapely
from rasterio.windows import from_bounds

REPO = Path(__file__).resolve().parent.parent
LAYERS_DIR = REPO / "layers"
COMMUNES_FILE = REPO / "boundaries" / "communes_2025_seed_provinces.gpkg"
# Hiếu Giang (a park and a cashless street), Đông Hà (a market), Gio Linh (a park), Cam Lộ.
CODES = ("19603", "19333", "19495", "19597")
PER_COMMUNE = {"villages": 4, "sites": 3}

# file name, GeoPackage layer, a numeric column, a name column, an id column — per layer
VECTOR = {
    "communes": ("communes.gpkg", "communes", "population", "gso_full_name", "gso_ward_code"),
    "villages": ("villages.gpkg", "villages", "population", "village_name", "village_id"),
    "sites": ("sites.gpkg", "sites", "height_m", "operator", "site_id"),
    "parks": ("parks.geojson", None, "area_ha", "park_name", "park_id"),
    "streets": ("streets.geojson", None, "merchants", "street_name", "street_id"),
}
RASTERS = {"rsrp_4g": "rsrp", "rsrp_5g": "rsrp", "population": "population"}

HOSTILE = [
    "=HYPERLINK(\"http://example.com\",\"bấm\")",
    "</script><script>alert(1)</script>",
    "cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "Thôn \u202eevil\u202c\u200b\u200d",
    "x" * 5000,
    "\t=1+1\r",
]


def build_small_sample(folder: Path) -> Path:
    """Write the four-commune sample and its plan into ``folder``; return the plan's path."""
    folder.mkdir(parents=True, exist_ok=True)
    where = f"gso_ward_code IN ({', '.join(repr(c) for c in CODES)})"
    communes = gpd.read_file(COMMUNES_FILE, layer="communes", where=where, engine="pyogrio")
    communes.to_file(folder / "communes.gpkg", layer="communes", driver="GPKG")
    code_in = f"commune_code IN ({', '.join(repr(c) for c in CODES)})"
    for name, src in (("villages", "villages.gpkg"), ("sites", "sites.gpkg")):
        frame = gpd.read_file(LAYERS_DIR / src, where=code_in, engine="pyogrio")
        frame = frame.groupby("commune_code", sort=False).head(PER_COMMUNE[name])
        frame.to_file(folder / f"{name}.gpkg", layer=name, driver="GPKG")
    for name, src in (("parks", "industrial_parks.geojson"), ("streets", "cashless_streets.geojson")):
        frame = gpd.read_file(LAYERS_DIR / src, engine="pyogrio")
        frame[frame["commune_code"].isin(CODES)].to_file(folder / f"{name}.geojson",
                                                         driver="GeoJSON")
    west, south, east, north = communes.total_bounds
    for name in RASTERS:
        with rasterio.open(LAYERS_DIR / f"{name}.tif") as src:
            window = from_bounds(west - 0.01, south - 0.01, east + 0.01, north + 0.01,
                                 src.transform).round_offsets().round_lengths()
            data = src.read(1, window=window)
            profile = src.profile | {"width": data.shape[1], "height": data.shape[0],
                                     "transform": src.window_transform(window),
                                     "compress": "deflate", "tiled": False}
            profile.pop("blockxsize", None)
            profile.pop("blockysize", None)
        with rasterio.open(folder / f"{name}.tif", "w", **profile) as dst:
            dst.write(data, 1)
    write_plan(folder / "plan.toml", base_plan())
    return folder / "plan.toml"


def base_plan() -> dict:
    return {
        "run": {"name": "fuzz", "output_dir": "out"},
        "inputs": {
            "communes": {"path": "communes.gpkg", "layer": "communes", "vintage": "2025",
                         "columns": {"commune_code": "gso_ward_code",
                                     "commune_name": "gso_full_name",
                                     "province_code": "province_code",
                                     "province_name": "province",
                                     "population": "population", "area_km2": "area_km2"}},
            "villages": {"path": "villages.gpkg", "layer": "villages", "vintage": "2025"},
            "parks": {"path": "parks.geojson"},
            "streets": {"path": "streets.geojson", "vintage": "2025"},
            "sites": {"path": "sites.gpkg", "layer": "sites"},
        },
        "rasters": {
            "rsrp_4g": {"path": "rsrp_4g.tif", "kind": "rsrp", "technology": "4g"},
            "rsrp_5g": {"path": "rsrp_5g.tif", "kind": "rsrp", "technology": "5g"},
            "population": {"path": "population.tif", "kind": "population"},
        },
        "budget": {"vnd": 5e9, "method": "greedy"},
    }


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_plan(path: Path, plan: dict) -> None:
    """A (two-level) plan dict as TOML: [run], [inputs.X], [inputs.X.columns], [rasters.X]."""
    lines: list[str] = []

    def table(name: str, values: dict) -> None:
        lines.append(f"[{name}]")
        subs = {}
        for k, v in values.items():
            if isinstance(v, dict):
                subs[k] = v
            else:
                lines.append(f"{k} = {_toml_value(v)}")
        for k, v in subs.items():
            table(f"{name}.{k}", v)

    for section, values in plan.items():
        if section in ("inputs", "rasters"):
            for name, spec in values.items():
                table(f"{section}.{name}", spec)
        else:
            table(section, values)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Ways to break a file


def read_vector(folder: Path, layer: str) -> gpd.GeoDataFrame:
    file, gpkg_layer, *_ = VECTOR[layer]
    return gpd.read_file(folder / file, layer=gpkg_layer, engine="pyogrio")


def write_vector(folder: Path, layer: str, frame: gpd.GeoDataFrame) -> None:
    file, gpkg_layer, *_ = VECTOR[layer]
    (folder / file).unlink()
    if gpkg_layer:
        frame.to_file(folder / file, layer=gpkg_layer, driver="GPKG", engine="pyogrio")
    else:
        frame.to_file(folder / file, driver="GeoJSON", engine="pyogrio")


def truncate(path: Path, keep: float = 0.4) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def not_geodata(path: Path) -> None:
    path.write_text("Báo cáo chuyển đổi số 2025\nthis is a report, not a map\n", encoding="utf-8")


WRONG_GEOMETRY = {  # each layer given a geometry type it cannot use
    "communes": lambda g: g.representative_point(),
    "villages": lambda g: gpd.GeoSeries(shapely.linestrings(
        np.stack([shapely.get_coordinates(g), shapely.get_coordinates(g) + 0.001], axis=1)),
        crs=g.crs),
    "sites": lambda g: g.to_crs(32648).buffer(100).to_crs(g.crs),
    "parks": lambda g: g.representative_point(),
    "streets": lambda g: g.to_crs(32648).envelope.buffer(100).to_crs(g.crs),
}


def swap_axes(g: gpd.GeoSeries) -> gpd.GeoSeries:
    return gpd.GeoSeries(shapely.transform(g.values, lambda xy: xy[:, ::-1]), crs=g.crs)


def edit_vector(layer: str, change: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame]):
    def apply(folder: Path, plan: dict) -> None:
        write_vector(folder, layer, change(read_vector(folder, layer)))
    return apply


def edit_file(layer_file: str, change: Callable[[Path], None]):
    def apply(folder: Path, plan: dict) -> None:
        change(folder / layer_file)
    return apply


def set_column(column: str, value):
    def change(frame):
        frame[column] = frame[column].astype("float64") if np.isscalar(value) and \
            not isinstance(value, str) else frame[column].astype(object)
        frame.loc[frame.index[0], column] = value
        return frame
    return change


def hostile_names(layer: str):
    _, _, _, name, ident = VECTOR[layer]

    def change(frame):
        n = len(frame)
        frame[name] = [HOSTILE[i % len(HOSTILE)] for i in range(n)]
        if layer != "communes":  # commune codes are checked against the official list
            frame[ident] = [f"{HOSTILE[(i + 3) % len(HOSTILE)][:40]}#{i}" for i in range(n)]
        return frame
    return change


def no_features(frame):
    return frame.iloc[0:0]


def null_geometry(frame):
    return frame.set_geometry(gpd.GeoSeries([None] * len(frame), crs=frame.crs))


# Villages as other formats -------------------------------------------------------------------


def villages_as_shapefile(drop: tuple[str, ...] = (), encoding: str | None = None):
    """villages.shp (+ sidecars, some dropped); ``encoding``: the .dbf bytes, no .cpg."""
    def apply(folder: Path, plan: dict) -> None:
        frame = read_vector(folder, "villages")
        frame = frame.drop(columns=["generated"])
        shp = folder / "villages.shp"
        if encoding:
            from geo_cds.inputs import legacy

            frame["village_name"] = [legacy.encode_legacy(v, encoding).decode("latin-1")
                                     for v in frame["village_name"]]
            frame.to_file(shp, engine="pyogrio", encoding="latin1")
            shp.with_suffix(".cpg").unlink(missing_ok=True)
        else:
            frame.to_file(shp, engine="pyogrio")
        for ext in drop:
            shp.with_suffix(ext).unlink()
        plan["inputs"]["villages"] = {"path": "villages.shp", "vintage": "2025"}
    return apply


def villages_as_csv(rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None, *,
                    encoding: str = "utf-8", raw: bytes | None = None):
    def apply(folder: Path, plan: dict) -> None:
        path = folder / "villages.csv"
        if raw is not None:
            path.write_bytes(raw)
        else:
            frame = read_vector(folder, "villages")
            table = pd.DataFrame(frame.drop(columns="geometry"))
            table["lon"] = frame.geometry.x
            table["lat"] = frame.geometry.y
            if rows is not None:
                table = rows(table)
            if encoding in ("tcvn3", "vni"):
                from geo_cds.inputs import legacy

                text = table.to_csv(index=False)
                path.write_bytes(legacy.encode_legacy(text, encoding))
            else:
                table.to_csv(path, index=False, encoding=encoding)
        plan["inputs"]["villages"] = {"path": "villages.csv", "vintage": "2025"}
    return apply


def text_cell(column: str, value: str):
    def change(table):
        table[column] = table[column].astype(object)
        table.loc[table.index[0], column] = value
        return table
    return change


# Rasters ------------------------------------------------------------------------------------


def edit_raster(name: str, change: Callable[[np.ndarray, dict], tuple[np.ndarray, dict]]):
    def apply(folder: Path, plan: dict) -> None:
        path = folder / f"{name}.tif"
        with rasterio.open(path) as src:
            data, profile = src.read(1), dict(src.profile)
        data, profile = change(data, profile)
        path.unlink()
        with rasterio.open(path, "w", **profile) as dst:
            dst.write(data, 1)
    return apply


def no_crs(data, profile):
    return data, profile | {"crs": None}


def elsewhere(data, profile):  # georeferenced over France: no overlap with the communes
    t = profile["transform"]
    return data, profile | {"transform": rasterio.Affine(t.a, 0, 2.0, 0, t.e, 48.0)}


def swapped_raster(data, profile):  # lat/lon swapped in the geotransform
    t = profile["transform"]
    return data.T.copy(), profile | {"width": profile["height"], "height": profile["width"],
                                     "transform": rasterio.Affine(-t.e, 0, t.f, 0, -t.a, t.c)}


def values(fill):
    def change(data, profile):
        data = data.astype("float32")
        data[: data.shape[0] // 2] = fill
        return data, profile | {"dtype": "float32", "nodata": -9999.0}
    return change


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One broken input and what geo-cds must make of it.

    ``expect``: "refused" — both commands exit 1 naming the file (the layer is unusable);
    "rows" — validate exits 1 naming the file, run rejects those rows, goes on and lists them
    in rejects.csv; "ok" — a repair or nothing to repair (hostile names are data), exit 0.
    """

    id: str
    apply: Callable[[Path, dict], None]
    file: str  # the file every message about it must name
    expect: str = "refused"


# Layers whose number column above is required: a bad value rejects the row (elsewhere the
# value is left empty, a repair). A village's population is optional (issue 12): a bad value
# is left empty with a warning and the population estimated from the households.
REQUIRED_NUMBER = ("streets",)
# What a layer with no usable row means: communes and villages are essential, others optional.
ESSENTIAL = ("communes", "villages")


def _cases() -> list[Case]:
    cases: list[Case] = []
    for layer, (file, _, number, _, _) in VECTOR.items():
        essential = layer in ESSENTIAL
        value_fate = "rows" if layer in REQUIRED_NUMBER else "ok"
        cases += [
            Case(f"{layer}-truncated", edit_file(file, truncate), file),
            Case(f"{layer}-zero-bytes", edit_file(file, zero_bytes), file),
            Case(f"{layer}-not-geodata", edit_file(file, not_geodata), file),
            Case(f"{layer}-missing", edit_file(file, Path.unlink), file),
            Case(f"{layer}-wrong-geometry",
                 edit_vector(layer, lambda f, lay=layer: f.set_geometry(
                     WRONG_GEOMETRY[lay](f.geometry))), file,
                 "refused" if essential else "rows"),
            Case(f"{layer}-swapped-axes",
                 edit_vector(layer, lambda f: f.set_geometry(swap_axes(f.geometry))), file),
            # villages may be placed by their commune code alone
            Case(f"{layer}-null-geometry", edit_vector(layer, null_geometry), file,
                 {"communes": "refused", "villages": "ok"}.get(layer, "rows")),
            Case(f"{layer}-no-features", edit_vector(layer, no_features), file,
                 "refused" if essential else "ok"),
            Case(f"{layer}-{number}-inf", edit_vector(layer, set_column(number, np.inf)), file,
                 # GeoJSON has no infinity: the writer leaves the value out
                 "ok" if layer == "parks" else value_fate),
            Case(f"{layer}-{number}-1e20", edit_vector(layer, set_column(number, 1e20)), file,
                 value_fate),
            Case(f"{layer}-hostile-strings", edit_vector(layer, hostile_names(layer)), file,
                 "ok"),
        ]
    cases += [
        Case("villages-households-inf", edit_vector("villages", set_column("households", np.inf)),
             "villages.gpkg", "ok"),
        Case("villages-population-nan", edit_vector("villages", set_column("population", np.nan)),
             "villages.gpkg", "ok"),
        Case("villages-population-negative",
             edit_vector("villages", set_column("population", -5.0)), "villages.gpkg", "ok"),
        Case("villages-shp-no-dbf", villages_as_shapefile(drop=(".dbf",)), "villages.shp"),
        Case("villages-shp-no-shx", villages_as_shapefile(drop=(".shx",)), "villages.shp"),
        Case("villages-shp-no-prj", villages_as_shapefile(drop=(".prj",)), "villages.shp", "ok"),
        Case("villages-shp-tcvn3-dbf", villages_as_shapefile(encoding="tcvn3"), "villages.shp",
             "ok"),
        Case("villages-shp-vni-dbf", villages_as_shapefile(encoding="vni"), "villages.shp", "ok"),
        Case("villages-csv-header-only", villages_as_csv(lambda t: t.iloc[0:0]), "villages.csv"),
        Case("villages-csv-vni", villages_as_csv(encoding="vni"), "villages.csv", "ok"),
        Case("villages-csv-tcvn3", villages_as_csv(encoding="tcvn3"), "villages.csv", "ok"),
        Case("villages-csv-population-1e309",
             villages_as_csv(text_cell("population", "1e309")), "villages.csv", "ok"),
        Case("villages-csv-population-inf",
             villages_as_csv(text_cell("population", "inf")), "villages.csv", "ok"),
        Case("villages-csv-lon-nan", villages_as_csv(text_cell("lon", "nan")), "villages.csv",
             "rows"),
        Case("villages-csv-lon-1e309", villages_as_csv(text_cell("lon", "1e309")),
             "villages.csv", "rows"),
        Case("villages-csv-swapped-lat-lon",
             villages_as_csv(lambda t: t.rename(columns={"lon": "lat", "lat": "lon"})),
             "villages.csv"),
        Case("villages-csv-hostile-formula",
             villages_as_csv(text_cell("village_name", "=cmd|' /C calc'!A0")), "villages.csv",
             "ok"),
        Case("villages-csv-ragged", villages_as_csv(
            raw=b"village_id,village_name,commune_code,population,lon,lat\n"
                b"a,b,19603,5,107.0,16.8,extra,cells\n\"unclosed,quote\n"), "villages.csv"),
        Case("villages-csv-binary", villages_as_csv(raw=b"\x00\x01\x02PK\x03\x04" * 50),
             "villages.csv"),
        Case("villages-csv-zero-bytes", villages_as_csv(raw=b""), "villages.csv"),
    ]
    breaks = {
        "truncated": lambda file, name: edit_file(file, truncate),
        "zero-bytes": lambda file, name: edit_file(file, zero_bytes),
        "not-a-raster": lambda file, name: edit_file(file, not_geodata),
        "missing": lambda file, name: edit_file(file, Path.unlink),
        "no-crs": lambda file, name: edit_raster(name, no_crs),
        "elsewhere": lambda file, name: edit_raster(name, elsewhere),
        "swapped-axes": lambda file, name: edit_raster(name, swapped_raster),
        "inf": lambda file, name: edit_raster(name, values(np.inf)),
        "1e20": lambda file, name: edit_raster(name, values(1e20)),
    }
    # Every break on the 4G raster; on the others, what depends on the raster's kind or file.
    which = {"rsrp_4g": list(breaks), "rsrp_5g": ["truncated", "no-crs", "inf"],
             "population": ["truncated", "not-a-raster", "no-crs", "inf", "1e20"]}
    for name in RASTERS:
        file = f"{name}.tif"
        cases += [Case(f"raster-{name}-{b}", breaks[b](file, name), file) for b in which[name]]
    return cases


CASES = _cases()


def prepare(case: Case, base: Path, folder: Path) -> Path:
    """Copy the small sample into ``folder``, break it as ``case`` says; return the plan."""
    shutil.copytree(base, folder, ignore=shutil.ignore_patterns("plan.toml", "out"))
    plan = base_plan()
    with warnings.catch_warnings():  # GDAL's notes while writing the broken files
        warnings.simplefilter("ignore")
        case.apply(folder, plan)
    write_plan(folder / "plan.toml", plan)
    return folder / "plan.toml"
