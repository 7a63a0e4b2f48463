"""Default QGIS styles inside the run's GeoPackages, matching the HTML map.

QGIS reads a GeoPackage's ``layer_styles`` table and applies the row marked ``useAsDefault``
when the layer is opened, so ``communes.gpkg`` opens as the map's choropleth (same classes,
colours and legend texts, commune names as labels), ``villages.gpkg`` by gap status,
``industrial_parks_5g.gpkg`` by 5G area share and ``interventions.gpkg`` by kind.

The styles are QML written with ``xml.etree`` from the map's palette constants
(:mod:`geo_cds.outputs.maps.data`). Share classes are rules whose filters reproduce the map's
half-open classes exactly (``0.5`` falls in "50 % – 80 %", as on the map) and an ``ELSE`` rule
draws "no data" grey: a graduated renderer would put a boundary value in the lower class and
leave features without a value undrawn.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import geopandas as gpd

from geo_cds import schema as s
from geo_cds.labels import labels
from geo_cds.outputs.maps import data as palette

STYLE_NAME = "geo-cds"
QGIS_VERSION = "3.22.0"  # the oldest QGIS whose QML these styles follow (Debian 12's is 3.22)
OUTLINE = "#6d6d6d"
LABEL_FONT = "Noto Sans"

_CREATE_STYLES = """
CREATE TABLE IF NOT EXISTS layer_styles (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    f_table_catalog TEXT(256), f_table_schema TEXT(256), f_table_name TEXT(256),
    f_geometry_column TEXT(256), styleName TEXT(30), styleQML TEXT, styleSLD TEXT,
    useAsDefault BOOLEAN, description TEXT, owner TEXT(30), ui TEXT(30),
    update_time DATETIME DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""


def _rgba(colour: str, alpha: int = 255) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i:i + 2], 16) for i in (0, 2, 4))
    return f"{r},{g},{b},{alpha}"


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def _literal(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


# ---------------------------------------------------------------------------------------------
# Symbols


def _symbol_layer(parent: ET.Element, cls: str, props: Mapping[str, str]) -> None:
    layer = ET.SubElement(parent, "layer", {"class": cls, "enabled": "1", "locked": "0",
                                             "pass": "0"})
    # QGIS >= 3.26 reads the Option map, older versions the prop elements: write both.
    options = ET.SubElement(layer, "Option", {"type": "Map"})
    for key, value in props.items():
        ET.SubElement(options, "Option", {"type": "QString", "name": key, "value": value})
    for key, value in props.items():
        ET.SubElement(layer, "prop", {"k": key, "v": value})


def _symbol(parent: ET.Element, name: str, geometry: str, colour: str,
            outline: str | None = None, dash: str | None = None) -> None:
    kind = {"polygon": "fill", "point": "marker", "line": "line"}[geometry]
    sym = ET.SubElement(parent, "symbol", {"type": kind, "name": name, "alpha": "1",
                                           "clip_to_extent": "1", "force_rhr": "0"})
    if kind == "fill":
        _symbol_layer(sym, "SimpleFill", {
            "color": _rgba(colour), "style": "solid", "outline_color": _rgba(outline or OUTLINE),
            "outline_style": "solid", "outline_width": "0.2", "outline_width_unit": "MM"})
    elif kind == "marker":
        _symbol_layer(sym, "SimpleMarker", {
            "name": "circle", "color": _rgba(colour), "outline_color": _rgba("#ffffff"),
            "outline_style": "solid", "outline_width": "0.3", "outline_width_unit": "MM",
            "size": "2.4", "size_unit": "MM"})
    else:
        props = {"line_color": _rgba(colour), "line_width": "0.7", "line_width_unit": "MM",
                 "line_style": "solid", "capstyle": "round", "joinstyle": "round"}
        if dash:
            props |= {"use_custom_dash": "1", "customdash": dash.replace(" ", ";"),
                      "customdash_unit": "Pixel"}
        _symbol_layer(sym, "SimpleLine", props)


def _geometry_kind(gdf: gpd.GeoDataFrame) -> str:
    types = set(gdf.geometry.geom_type.dropna().unique())
    if types and types <= {"Point", "MultiPoint"}:
        return "point"
    if types and types <= {"LineString", "MultiLineString"}:
        return "line"
    return "polygon"


# ---------------------------------------------------------------------------------------------
# Renderers


def _rule_renderer(qgis: ET.Element, rules: Sequence[tuple[str, str, str, str | None]],
                   geometry: str | Sequence[str], outline: str | None = None) -> None:
    """``rules``: (filter expression, legend label, colour, dash) in legend order;
    ``geometry``: of the layer, or one per rule."""
    renderer = ET.SubElement(qgis, "renderer-v2", {"type": "RuleRenderer", "symbollevels": "0",
                                                   "forceraster": "0", "enableorderby": "0"})
    root = ET.SubElement(renderer, "rules", {"key": "root"})
    symbols = ET.SubElement(renderer, "symbols")
    for i, (expr, label, colour, dash) in enumerate(rules):
        ET.SubElement(root, "rule", {"key": f"rule{i}", "symbol": str(i), "label": label,
                                     "filter": expr})
        kind = geometry if isinstance(geometry, str) else geometry[i]
        _symbol(symbols, str(i), kind, colour, outline=outline, dash=dash)


def share_rules(column: str, legend: Sequence[Mapping[str, str]]) -> list[tuple]:
    """The map's share classes (``SHARE_BREAKS``) as rules, then "no data" for the rest.

    ``legend`` is the map's legend of the share scale: one row per class, then no data.
    """
    col = _quote(column)
    edges = [None, *palette.SHARE_BREAKS, None]
    rules = []
    for k, colour in enumerate(palette.SHARE_COLOURS):
        low, high = edges[k], edges[k + 1]
        parts = ([f"{col} >= {low!r}"] if low is not None else [f"{col} IS NOT NULL"]) + \
                ([f"{col} < {high!r}"] if high is not None else [])
        rules.append((" AND ".join(parts), legend[k]["label"], colour, None))
    rules.append(("ELSE", legend[len(palette.SHARE_COLOURS)]["label"], palette.NODATA_COLOUR,
                  None))
    return rules


def _labeling(qgis: ET.Element, field: str) -> None:
    """Names drawn over each polygon, haloed; QGIS never draws two labels over each other."""
    labeling = ET.SubElement(qgis, "labeling", {"type": "simple"})
    settings = ET.SubElement(labeling, "settings", {"calloutType": "simple"})
    text = ET.SubElement(settings, "text-style", {
        "fieldName": field, "isExpression": "0", "fontFamily": LABEL_FONT, "fontSize": "9",
        "fontSizeUnit": "Point", "textColor": _rgba("#1e1e1e"), "textOpacity": "1",
        "namedStyle": "Regular"})
    ET.SubElement(text, "text-buffer", {"bufferDraw": "1", "bufferSize": "0.4",
                                        "bufferSizeUnits": "MM", "bufferColor": _rgba("#ffffff"),
                                        "bufferOpacity": "0.85"})
    # OverPoint at the polygon's inside point; only where the name fits inside the commune.
    ET.SubElement(settings, "placement", {"placement": "1", "centroidInside": "1",
                                          "fitInPolygonOnly": "1", "priority": "5"})
    ET.SubElement(settings, "rendering", {"obstacle": "1", "displayAll": "0",
                                          "labelPerPart": "0", "upsidedownLabels": "0"})


def _qml(rules: Sequence[tuple], geometry: str | Sequence[str], *, label_field: str | None = None,
         outline: str | None = None) -> str:
    qgis = ET.Element("qgis", {"version": QGIS_VERSION, "styleCategories": "Symbology|Labeling",
                               "labelsEnabled": "1" if label_field else "0"})
    _rule_renderer(qgis, rules, geometry, outline=outline)
    if label_field:
        _labeling(qgis, label_field)
    body = ET.tostring(qgis, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body


def share_column(columns: Iterable[str]) -> str | None:
    """The share the map shows first: the first share indicator the layer has."""
    present = set(columns)
    return next((col for col, (scale, _) in palette.INDICATORS.items()
                 if scale == "share" and col in present), None)


def commune_style(gdf: gpd.GeoDataFrame, lang: str = "vi") -> str | None:
    """The map's commune choropleth, labelled with the commune names."""
    column = share_column(gdf.columns)
    if column is None:
        return None
    legend = palette.scales(lang, labels("map", lang))["share"]["legend"]
    label = s.COMMUNE_NAME if s.COMMUNE_NAME in gdf.columns else None
    return _qml(share_rules(column, legend), _geometry_kind(gdf), label_field=label)


def village_style(gdf: gpd.GeoDataFrame, lang: str = "vi") -> str | None:
    """Villages by gap status, in the map's colours and legend texts."""
    if s.GAP_STATUS not in gdf.columns:
        return None
    T = labels("map", lang)
    rules = [(f"{_quote(s.GAP_STATUS)} = {_literal(g)}", T[f"gap_{g}"],
              palette.GAP_STATUS_COLOURS[g], None) for g in palette.GAP_STATUSES]
    return _qml(rules, _geometry_kind(gdf))


def park_style(gdf: gpd.GeoDataFrame, lang: str = "vi") -> str | None:
    """Parks by the share of their area with 5G, in the map's share classes."""
    column = s.area_share("5g")
    if column not in gdf.columns:
        return None
    legend = palette.scales(lang, labels("map", lang))["share"]["legend"]
    return _qml(share_rules(column, legend), _geometry_kind(gdf), outline="#1b5e20",
                label_field=s.PARK_NAME if s.PARK_NAME in gdf.columns else None)


def intervention_style(gdf: gpd.GeoDataFrame, lang: str = "vi") -> str | None:
    """Planned sites, upgrades and routes by kind.

    Sites and routes share one table; QGIS opens it as one layer per geometry type, each with
    this style: routes get line symbols, the other kinds markers.
    """
    if "kind" not in gdf.columns:
        return None
    T = labels("map", lang)
    geometry = _geometry_kind(gdf)
    kinds = [k for k in palette.INTERVENTION_STYLES if k != "other"]
    rules = [(f"{_quote('kind')} = {_literal(k)}", T.get(f"int_{k}", k),
              palette.INTERVENTION_STYLES[k]["colour"], palette.INTERVENTION_STYLES[k].get("dash"))
             for k in kinds]
    rules.append(("ELSE", T.get("int_other", "other"),
                  palette.INTERVENTION_STYLES["other"]["colour"], None))
    if geometry == "polygon":  # points and lines mixed
        per_rule = ["line" if k == "fibre_route" else "point" for k in kinds] + ["point"]
        return _qml(rules, per_rule)
    return _qml(rules, geometry)


STYLES = {"communes": commune_style, "villages": village_style, "parks": park_style,
          "interventions": intervention_style}


def write_default_style(path: Path, layer: str, qml: str, *,
                        description: str = "geo-cds default style") -> None:
    """Store ``qml`` as the default QGIS style of ``layer`` in the GeoPackage ``path``."""
    con = sqlite3.connect(path)
    try:
        with con:
            geom = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?",
                               (layer,)).fetchone()
            if geom is None:
                raise ValueError(f"{path}: no geometry layer named {layer!r}")
            con.execute(_CREATE_STYLES)
            con.execute("INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, "
                        "last_change) VALUES ('layer_styles', 'attributes', 'layer_styles', "
                        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))")
            con.execute("UPDATE layer_styles SET useAsDefault = 0 WHERE f_table_name = ?",
                        (layer,))
            con.execute("DELETE FROM layer_styles WHERE f_table_name = ? AND styleName = ?",
                        (layer, STYLE_NAME))
            con.execute(
                "INSERT INTO layer_styles (f_table_catalog, f_table_schema, f_table_name, "
                "f_geometry_column, styleName, styleQML, styleSLD, useAsDefault, description, "
                "owner, ui) VALUES ('', '', ?, ?, ?, ?, '', 1, ?, 'geo-cds', '')",
                (layer, geom[0], STYLE_NAME, qml, description))
    finally:
        con.close()


def add_default_style(path: Path, layer: str, gdf: gpd.GeoDataFrame, lang: str = "vi") -> bool:
    """Style ``layer`` of ``path`` like the map when geo-cds knows the layer; True if styled."""
    make = STYLES.get(layer)
    qml = make(gdf, lang) if make else None
    if qml is None:
        return False
    write_default_style(Path(path), layer, qml)
    return True
