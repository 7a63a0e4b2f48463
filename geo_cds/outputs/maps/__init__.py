"""The interactive HTML map (``map.html``): offline, complete, national-scale.

``make_map(communes=…, …)`` gives a map of the layers as a ``folium.Map`` (a notebook
displays it, adds its own folium layers, saves it; ``geo_cds.build_map(result)`` does it for a
run); ``save_map`` writes the page with Leaflet, supercluster and the
map code inlined from ``geo_cds/assets`` (nothing is fetched at run time; CDN links are
refused). ``write_map`` does both from the layers. The data travel as one compact JSON block
read by ``assets/geo_cds_map.js``. Online basemaps are optional layers that stay empty
offline; the commune and province outlines are the offline basemap.

Modules: ``data`` (layers -> compact JSON), ``rasters`` (coverage overlays -> PNG), ``charts``
(the charts panel's numbers), ``page`` (the folium elements and the offline page), ``assets``
(inlining the shipped JS/CSS); the texts are section ``map`` of :mod:`geo_cds.labels`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geo_cds import schema as s
from geo_cds.labels import LANGS, labels
from geo_cds.outputs.maps import data as _data
from geo_cds.outputs.maps import villages as _villages
from geo_cds.outputs.maps.charts import charts_payload
from geo_cds.outputs.maps.columns import present
from geo_cds.outputs.maps.data import normalise_name
from geo_cds.outputs.maps.datacov import data_coverage_payload, little_data_legend
from geo_cds.outputs.maps.page import ASSET_MODES, RunMap, render_html, save_map
from geo_cds.outputs.maps.rasters import OVERLAY_MAX_PX, GridLayer, grid_payload, raster_payload
from geo_cds.outputs.maps.speeds import speeds_payload, village_source_columns
from geo_cds.plan import RasterSpec, Thresholds

__all__ = ["LANGS", "RunMap", "make_map", "normalise_name", "render_map", "save_map",
           "write_map"]

# Above this many communes the polygons are drawn on a canvas: SVG with thousands of paths
# makes panning stutter, a canvas redraws them in one pass.
CANVAS_ABOVE = 1500
# Above this many vertices the communes also travel as a coarse geometry (~400 m, below a
# pixel at zoom 8) drawn up to LOD_ZOOM; above it only communes near the view are drawn in
# detail. Leaflet re-projects every vertex on each zoom: 452k national vertices cost ~0.5 s.
LOD_VERTICES = 150_000
LOD_TOLERANCE = 0.004
SIMPLIFY_TOLERANCE = 0.0002  # degrees, ~20 m: the communes' drawn geometry
LOD_ZOOM = 8
# Villages are clustered up to this zoom; beyond it every village is its own dot.
CLUSTER_MAX_ZOOM = 10

_INFO_KEYS = {  # info key -> label key; other keys are shown with their own name
    "run_name": "run_name", "name": "run_name", "run": "run_name",
    "run_date": "run_date", "date": "run_date",
    "sources": "sources", "data_sources": "sources",
}


def _generated_set(info: Mapping[str, Any] | None) -> list[str]:
    value = (info or {}).get("generated") or []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",")]
    return [str(v) for v in value if str(v)]


def _default_title(info: Mapping[str, Any] | None, T: Mapping[str, str]) -> str:
    run = next((str(info[k]) for k in ("run_name", "name", "run") if info and info.get(k)), "")
    return f"{T['title']} – {run}" if run else T["title"]


def _info_rows(info: Mapping[str, Any] | None, T: Mapping[str, str]) -> list[list[str]]:
    rows = []
    for key, value in (info or {}).items():
        if key in ("generated", "title") or value is None or value == "":
            continue
        if isinstance(value, (list, tuple)):
            value = "; ".join(str(v) for v in value)
        rows.append([T.get(_INFO_KEYS.get(key, ""), key), str(value)])
    return rows


def _status_texts(streets: gpd.GeoDataFrame, T: Mapping[str, str]) -> dict[str, pd.Series]:
    """A street's status ("active", "pilot", "planned") in the map's language; other values
    (a province's own words) are shown as they are."""
    if s.STATUS not in streets.columns:
        return {}
    return {s.STATUS: streets[s.STATUS].map(
        lambda v: T.get(f"status_{v}", v) if isinstance(v, str) else v)}


def _layer_names_generated(generated: Iterable[str], rasters: Mapping[str, RasterSpec],
                           T: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """Map the run's generated input names to map layers, and their display labels.

    Commune indicators and interventions are computed from the villages (and sites), so they
    are labelled generated when those inputs are.
    """
    gen = set(generated)
    keys = []
    if "villages" in gen:
        keys += ["villages", "communes"]
    if "parks" in gen:
        keys.append("parks")
    if "streets" in gen:
        keys.append("streets")
    if gen & {"villages", "sites", "fibre", "interventions"}:
        keys.append("interventions")
    if "speeds" in gen:
        keys.append("speeds")
    keys += [name for name, spec in rasters.items() if name in gen or spec.generated]
    label_of = {"villages": T["layer_villages"], "communes": T["layer_communes"],
                "parks": T["layer_parks"], "streets": T["layer_streets"],
                "interventions": T["layer_interventions"], "speeds": T["layer_speeds"]}
    return keys, [label_of.get(k, k) for k in keys]


def build_payload(*, communes: gpd.GeoDataFrame, villages: gpd.GeoDataFrame | None,
                  parks: gpd.GeoDataFrame | None = None,
                  streets: gpd.GeoDataFrame | None = None,
                  interventions: gpd.GeoDataFrame | None = None,
                  rasters: Mapping[str, RasterSpec] | None = None,
                  thresholds: Thresholds | None = None,
                  info: Mapping[str, Any] | None = None, lang: str = "vi",
                  priority: pd.DataFrame | None = None,
                  title: str | None = None, simplify_tolerance: float = SIMPLIFY_TOLERANCE,
                  raster_max_px: int = OVERLAY_MAX_PX, speeds: gpd.GeoDataFrame | None = None,
                  speed_info: Mapping[str, Any] | None = None,
                  speed_targets: Mapping[str, float] | None = None,
                  modelled: Sequence[GridLayer] = (),
                  overlays: Mapping[str, Any] | None = None,
                  cache_dir: Path | None = None) -> dict[str, Any]:
    """Everything the map's JavaScript reads, as one JSON-ready dict (see :func:`write_map`;
    ``overlays``: raster name -> its display grid from the coverage pass, drawn instead of
    reading the raster again, as ``RunResult.overlays``; ``cache_dir``: where the communes'
    and provinces' geometry products are cached between runs
    (:mod:`geo_cds.outputs.maps.geocache`), None computing them every time)."""
    T = {**labels("map", lang), **labels("map_sources", lang)}
    thresholds = thresholds or Thresholds()
    T["little_data_legend"] = little_data_legend(T, thresholds, lang)
    coverage = {n: r for n, r in (rasters or {}).items() if r.kind in ("rsrp", "mask")}
    coarse = _coarse_tolerance(communes)
    commune_data, communes_simple = _data.communes_payload(communes, simplify_tolerance, coarse,
                                                              cache_dir)
    commune_data["data_coverage"] = data_coverage_payload(communes_simple)
    village_data = None
    if villages is not None and len(villages):
        village_data = _villages.villages_payload(villages, commune_data["code"], priority,
                                              more=village_source_columns(villages))

    parks_fc = _data.features_payload(
        parks, "parks", [s.PARK_NAME, s.PARK_KIND, s.AREA_HA, s.area_share("5g"),
                         s.PARK_COVERED_5G, s.TARGET_5G_YEAR])
    streets_fc = None
    if streets is not None and len(streets):
        streets_fc = _data.features_payload(
            streets, "streets", [s.STREET_NAME, s.STREET_KIND, s.MERCHANTS, s.MERCHANTS_QR,
                                 s.STATUS, "commune_name"],
            derived={s.QR_SHARE: _data.qr_share(streets), **_status_texts(streets, T)})
    interventions_fc = _data.features_payload(
        interventions, "interventions", ["kind", s.COST_VND, s.N_VILLAGES, "population_served"])

    raster_data = []
    seen_labels: set[str] = set()
    items = [(name, lambda n=name, r=spec: raster_payload(n, r, thresholds, T, raster_max_px,
                                                          (overlays or {}).get(n)))
             for name, spec in coverage.items()]
    items += [(g.name, lambda g=g: grid_payload(g, thresholds, T, raster_max_px))
              for g in modelled]
    for name, make in items:
        try:
            item = make()
        except (OSError, ValueError) as exc:  # rasterio errors derive from these
            warnings.warn(f"map: raster {name!r} left out: {exc}", stacklevel=2)
            continue
        if item["label"] in seen_labels:  # the layer switcher needs distinct names
            item["label"] = f"{item['label']} – {name}"
        seen_labels.add(item["label"])
        raster_data.append(item)

    generated = _generated_set(info)
    generated_keys, generated_labels = _layer_names_generated(generated, coverage, T)
    generated_keys += [g.name for g in modelled if g.generated]
    generated_labels = [lbl for k, lbl in zip(generated_keys, generated_labels)
                        if k not in coverage] + [r["label"] for r in raster_data
                                                 if r["name"] in generated_keys]

    indicators = _indicators(commune_data["indicators"], T)
    default_indicator = next(iter(indicators), None)
    if default_indicator is None:  # nothing aggregated yet: still switchable, shows no data
        indicators = {s.SHARE_4G: {"label": T[f"ind_{s.SHARE_4G}"], "scale": "share",
                                   "kind": "share"}}
        commune_data["indicators"][s.SHARE_4G] = [None] * len(commune_data["code"])
        default_indicator = s.SHARE_4G

    statuses_present = present(village_data, "status") if village_data else set()
    gap_status = [
        {"key": g, "label": T[f"gap_{g}"], "colour": _data.GAP_STATUS_COLOURS[g],
         "present": i in statuses_present or g != "unknown"}
        for i, g in enumerate(_data.GAP_STATUSES)
    ]
    intervention_legend = []
    if interventions_fc:
        kinds = sorted({f["properties"].get("kind") for f in interventions_fc["features"]},
                       key=str)
        for kind in kinds:
            style = _data.INTERVENTION_STYLES.get(kind, _data.INTERVENTION_STYLES["other"])
            intervention_legend.append({"colour": style["colour"],
                                        "label": T.get(f"int_{kind}", str(kind)),
                                        "line": kind == "fibre_route"})

    frames = [communes_simple]
    return {
        "lang": lang,
        "title": title or (info or {}).get("title") or _default_title(info, T),
        "labels": T,
        "scales": _data.scales(lang, T),
        "indicators": indicators,
        "default_indicator": default_indicator,
        "gap_status": gap_status,
        "village_flags": list(_villages.VILLAGE_FLAGS),
        "intervention_styles": _data.INTERVENTION_STYLES,
        "intervention_legend": intervention_legend,
        "generated": generated_keys,
        "generated_labels": generated_labels,
        "info": _info_rows(info, T),
        "info_open": False,
        "collapse_layers": False,
        "canvas_above": CANVAS_ABOVE,
        "cluster_max_zoom": CLUSTER_MAX_ZOOM,
        "lod_zoom": LOD_ZOOM,
        "bounds": _data.bounds_of(*frames),
        "communes": commune_data,
        "provinces": _data.provinces_payload(communes_simple, simplify_tolerance, coarse,
                                             cache_dir),
        "villages": village_data,
        "parks": parks_fc,
        "streets": streets_fc,
        "interventions": interventions_fc,
        "rasters": raster_data,
        "speeds": speeds_payload(speeds, speed_info, speed_targets or {}, lang, T),
    }


def _coarse_tolerance(communes: gpd.GeoDataFrame) -> float | None:
    """A second, coarser geometry for the low zooms of a large map (None: a small map)."""
    n_vertices = int(shapely.get_num_coordinates(communes.geometry.values).sum())
    return LOD_TOLERANCE if n_vertices > LOD_VERTICES else None


def prepare_geometry(communes: gpd.GeoDataFrame, cache_dir: Path,
                     simplify_tolerance: float = SIMPLIFY_TOLERANCE) -> None:
    """Compute the communes' and provinces' map geometry into ``cache_dir`` ahead of the map,
    exactly as :func:`build_payload` asks for it (which then reads it from there). The
    pipeline runs this in a thread while the analysis goes on: it is nearly all GEOS work,
    which releases the GIL."""
    coarse = _coarse_tolerance(communes)
    _, simple = _data.communes_payload(communes, simplify_tolerance, coarse, cache_dir)
    _data.provinces_payload(simple, simplify_tolerance, coarse, cache_dir)


def _indicators(columns, T: Mapping[str, str]) -> dict[str, dict]:
    """The indicator switch: the commune columns present, each operator's share after the
    share of villages covered by any operator (so named when there are operators)."""
    ops = _data.operator_indicators(columns)
    out = {}
    for col, (scale, kind) in _data.INDICATORS.items():
        if col not in columns:
            continue
        mine = {c: op for c, (tech, op) in ops.items() if col == f"share_villages_{tech}"}
        text = T[f"ind_{col}"]
        out[col] = {"label": T["ind_any_operator"].format(indicator=text) if mine else text,
                    "scale": scale, "kind": kind}
        for c, op in mine.items():
            out[c] = {"label": T["ind_operator"].format(indicator=text,
                                                        operator=s.OPERATORS[op]),
                      "scale": "share", "kind": "share"}
    return out


def make_map(*, targets: pd.DataFrame | None = None, investment: Any | None = None,
             **kwargs: Any) -> RunMap:
    """The map of a run's layers as a ``folium.Map``; keyword arguments as :func:`write_map`.

    ``targets`` (the run's target table) and ``investment`` (its ``InvestmentPlan``) feed the
    charts panel; without them the panel says there is nothing to show.
    """
    payload = build_payload(**kwargs)
    charts = charts_payload(targets=targets, investment=investment, lang=payload["lang"])
    info = {"title": payload["title"], "rows": payload["info"],
            "generated": payload["generated_labels"]}
    return RunMap(payload, charts=charts, print_info=info)


def render_map(*, assets: str = "inline", html_dir: Path | None = None, **kwargs: Any) -> str:
    """The map page as an HTML string; keyword arguments as :func:`write_map`."""
    return render_html(make_map(**kwargs), assets=assets, html_dir=html_dir)


def write_map(path: Path, *, communes: gpd.GeoDataFrame, villages: gpd.GeoDataFrame | None,
              parks: gpd.GeoDataFrame | None = None, streets: gpd.GeoDataFrame | None = None,
              interventions: gpd.GeoDataFrame | None = None,
              rasters: Mapping[str, RasterSpec] | None = None,
              thresholds: Thresholds | None = None,
              info: Mapping[str, Any] | None = None,
              lang: str = "vi", priority: pd.DataFrame | None = None,
              title: str | None = None, simplify_tolerance: float = 0.0002,
              raster_max_px: int = OVERLAY_MAX_PX, assets: str = "inline",
              targets: pd.DataFrame | None = None, investment: Any | None = None,
              speeds: gpd.GeoDataFrame | None = None,
              speed_info: Mapping[str, Any] | None = None,
              speed_targets: Mapping[str, float] | None = None,
              modelled: Sequence[GridLayer] = ()) -> Path:
    """Write the interactive map of a run as one HTML file that opens with no network.

    Parameters
    ----------
    path
        The HTML file to write (written to a temporary name, then moved into place).
    communes
        Commune polygons with the canonical columns (``commune_code``, ``commune_name``;
        optional ``province_name``, ``population``, ``n_villages``, the ``share_*``,
        ``pop_share_*`` and ``n_villages_with_gaps`` indicators). Any CRS; shown in EPSG:4326.
    villages
        Village points (polygons are shown at a representative point) with ``village_id``,
        ``village_name``, ``commune_code``, ``population``, ``households``, ``gap_status``,
        ``covered_4g``/``covered_5g``, ``has_fibre``, ``needs_power``, ``dbkk`` where present.
    parks, streets, interventions
        Optional layers. Interventions carry ``kind`` (``new_4g_site``, ``fibre_route``,
        ``5g_upgrade``), ``cost_vnd``, ``n_villages``, ``population_served``.
    rasters
        Raster inputs by name; ``rsrp`` and ``mask`` rasters become coverage overlays,
        ``population`` rasters are skipped. A raster that cannot be read is left out with a
        warning rather than failing the run.
    modelled
        Coverage layers held in memory (:class:`geo_cds.outputs.maps.rasters.GridLayer`: the
        coverage model's RSRP from a station list), drawn as the RSRP rasters are, labelled as
        modelled and with their source named in the legend.
    thresholds
        Coverage thresholds (RSRP colour classes start at the technology's threshold).
    info
        Info-panel rows: ``run_name``, ``run_date``, ``sources`` and any other key/value;
        ``generated`` lists the generated input names (``villages``, ``parks``, ``streets``,
        ``sites``, raster names), whose layers are labelled as generated sample data;
        ``title`` overrides the page title.
    lang
        ``"vi"`` (default) or ``"en"``.
    priority
        Optional priority list (``village_id``, ``rank``, ``intervention``, ``cost_vnd``,
        ``in_budget``): shown in the popups of the villages on it.
    title
        Page and info-panel title (default: "Bản đồ hạ tầng số – <run name>").
    simplify_tolerance
        Topology-preserving simplification of the commune polygons, in degrees
        (0.0002 ≈ 20 m; 0 keeps them as they are).
    raster_max_px
        Longest side of a coverage overlay picture, in pixels.
    assets
        ``"inline"`` (one self-contained file) or ``"folder"`` (``map_assets/`` beside it).
    targets, investment
        The run's target table and ``InvestmentPlan``, for the charts panel (optional).
    speeds, speed_info, speed_targets
        Measured speeds (the canonical frame of :mod:`geo_cds.inputs.speeds`: Ookla tiles or
        test points), what they are (``name``, ``mobile``, ``min_tests``) and the download
        targets in Mb/s (``download_4g``, ``download_5g``): an optional measured-speed layer.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    geo_cds.errors.LayerError
        A layer lacks its required columns or its CRS.
    ValueError
        ``lang`` or ``assets`` is not one of the accepted values.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    if assets not in ASSET_MODES:
        raise ValueError(f"assets must be one of {ASSET_MODES}, got {assets!r}")
    m = make_map(communes=communes, villages=villages, parks=parks, streets=streets,
                 interventions=interventions, rasters=rasters, thresholds=thresholds,
                 info=info, lang=lang, priority=priority, title=title,
                 simplify_tolerance=simplify_tolerance, raster_max_px=raster_max_px,
                 targets=targets, investment=investment, speeds=speeds,
                 speed_info=speed_info, speed_targets=speed_targets, modelled=modelled)
    return save_map(m, path, assets=assets)
