"""The map as a real ``folium.Map``: display it in a notebook, add folium layers, save it.

``make_map`` (and ``geo_cds.build_map`` for a run) gives a :class:`RunMap` (a
``folium.Map``) whose children are folium elements: the run's data and the script that draws it (:class:`RunData`), one
:class:`RunLayer` per drawn layer (the commune canvas, the village clusters, parks, …, each a
``folium.map.Layer`` bound to the Leaflet layer the script built), the charts panel
(:class:`ChartsPanel`) and the print/PNG panel (:class:`PrintPanel`). A notebook adds its own
folium layers with ``.add_to(m)``; named layers join the map's layer switcher.

:func:`save_map` writes the page for offline use: Leaflet and the map's scripts are inlined
from ``geo_cds/assets`` (or copied beside it), and any CDN link a folium element asks for is
refused with a clear message instead of leaving a page that breaks without a network.
"""

from __future__ import annotations

import html
import json
import re
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

from geo_cds.atomic import atomic_file
from geo_cds.outputs.maps import assets as _assets
from geo_cds.outputs.maps.geocache import RawJSON

ASSET_MODES = ("inline", "folder")
# folium's own link names for what the page ships itself (Leaflet 1.9.4 from geo_cds/assets).
_SHIPPED = {"leaflet", "leaflet_css"}


def _json_for_html(payload: Any) -> str:
    """``payload`` as JSON that cannot end or alter the ``<script>`` element carrying it.

    Every ``<``, ``>`` and ``&`` is written as its JSON escape (``\\u003c`` …), so no name
    can close the element (``</script>``) or open an HTML comment (``<!--``); ``JSON.parse``
    reads the same strings back.
    """
    raw: list[str] = []
    token = f"geo-cds-raw-{uuid.uuid4().hex}-"

    def as_raw(value: Any) -> str:  # cached JSON text goes in as it is, marked for now
        if isinstance(value, RawJSON):
            raw.append(value.text)
            return f"{token}{len(raw) - 1}"
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")

    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=as_raw)
    if raw:
        text = re.sub(f'"{token}(\\d+)"', lambda m: raw[int(m.group(1))], text)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Verbatim(Element):
    """Text written into the page as it is.

    branca wraps what an element renders in a new ``Element``, which compiles it as a Jinja
    template: for the run's JSON (13 MB nationally) and the inlined scripts that cost seconds,
    and any ``{{``/``{%`` in a name would be read as template code. This element is not a
    template.
    """

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class RunData(MacroElement):
    """The run's data (one JSON block) and the call that draws it: ``geoCdsMap(map, data)``.

    Its JavaScript variable is the map application (``layers``, ``layerControl``, ``legend``,
    ``format``, …) that the other elements use. The page's scripts are inlined into the header
    when rendered (notebook display); :func:`save_map` may link them from a folder instead.
    The data block and the scripts go into the page verbatim (:class:`_Verbatim`).
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geoCdsMap({{ this._parent.get_name() }},
            JSON.parse(document.getElementById("geo-cds-data").textContent));
        {% endmacro %}
    """)

    def __init__(self, payload: Mapping[str, Any]):
        super().__init__()
        self._name = "GeoCdsRun"
        self.payload = payload
        self.json = _json_for_html(payload)

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        # Set by render_html for the time of a save (folium elements take no render options).
        mode, html_dir = getattr(figure, "_geo_cds_assets", ("inline", None))
        head = _assets_head(mode, html_dir)
        figure.header.add_child(_Verbatim(head), name="geo_cds_assets")
        figure.html.add_child(_Verbatim(
            f'<script type="application/json" id="geo-cds-data">{self.json}</script>'),
            name=self.get_name())
        super().render(**kwargs)


class RunLayer(Layer):
    """One layer the map's script draws (``key`` in ``geoCds.layers``), as a folium layer.

    ``show=False`` takes it off the map at start (it stays in the layer switcher). It is not
    listed in a ``folium.LayerControl`` (``control=False``): the page has its own switcher.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.app.get_name() }}.layers[{{ this.key|tojson }}];
        {% if not this.show %}
        if ({{ this.get_name() }}) {{ this._parent.get_name() }}.removeLayer({{ this.get_name() }});
        {% endif %}
        {% endmacro %}
    """)

    def __init__(self, app: RunData, key: str, name: str | None = None, show: bool = True):
        super().__init__(name=name or key, overlay=True, control=False, show=show)
        self._name = "GeoCdsLayer"
        self.app = app
        self.key = key

    def render(self, **kwargs: Any) -> None:
        # Layer.render would add "layer.addTo(map)": the script already put it there.
        MacroElement.render(self, **kwargs)


class ChartsPanel(MacroElement):
    """The collapsible charts panel (``geo_cds_charts.js``): targets, budget curve, costs."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geoCdsCharts({{ this.app.get_name() }}, {{ this.json|safe }});
        {% endmacro %}
    """)

    def __init__(self, app: RunData, charts: Mapping[str, Any]):
        super().__init__()
        self._name = "GeoCdsCharts"
        self.app = app
        self.json = _json_for_html(charts)


class PrintPanel(MacroElement):
    """Print layouts (A4/A3 landscape) and the PNG of the current view (``geo_cds_print.js``)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = geoCdsPrint({{ this.app.get_name() }}, {{ this.json|safe }});
        {% endmacro %}
    """)

    def __init__(self, app: RunData, info: Mapping[str, Any]):
        super().__init__()
        self._name = "GeoCdsPrint"
        self.app = app
        self.json = _json_for_html(info)


class RunMap(folium.Map):
    """A ``folium.Map`` of a run; ``save`` writes the offline page (see :func:`save_map`).

    Attributes
    ----------
    app : RunData
        The element holding the run's data; its JavaScript variable is the map application.
    run_layers : dict of str to RunLayer
        The drawn layers by key (``communes``, ``villages``, ``parks``, …).
    """

    # Leaflet comes with the page's own scripts (RunData); folium's extras are not needed.
    default_js: list = []
    default_css: list = []

    def __init__(self, payload: Mapping[str, Any], *, charts: Mapping[str, Any] | None = None,
                 print_info: Mapping[str, Any] | None = None, **kwargs: Any):
        (south, west), (north, east) = payload["bounds"]
        super().__init__(location=[(south + north) / 2, (west + east) / 2], zoom_start=8,
                         tiles=None, control_scale=False, zoom_control=True, **kwargs)
        self.lang = payload["lang"]
        self.title = payload["title"]
        # The title is the only text from the data that Python writes into the HTML itself;
        # the rest travels as JSON and the map's JavaScript escapes it.
        self.get_root().title = html.escape(self.title)
        self.app = RunData(payload)
        self.add_child(self.app, name="geo_cds_run")
        self.run_layers: dict[str, RunLayer] = {}
        for key, label in _drawn_layers(payload):
            layer = RunLayer(self.app, key, label)
            self.add_child(layer, name=f"geo_cds_layer_{key}")
            self.run_layers[key] = layer
        if charts is not None:
            self.add_child(ChartsPanel(self.app, charts), name="geo_cds_charts")
        self.add_child(PrintPanel(self.app, print_info or {}), name="geo_cds_print")

    def render(self, **kwargs: Any) -> None:
        super().render(**kwargs)
        # Named folium layers a notebook added join the page's layer switcher. Removed and
        # added again so it runs after every layer, however often the map is rendered.
        script = self.get_root().script
        name = f"{self.get_name()}_user_layers"
        script._children.pop(name, None)
        lines = []
        for child in self._children.values():
            if isinstance(child, Layer) and not isinstance(child, RunLayer) and child.control:
                kind = "addOverlay" if child.overlay else "addBaseLayer"
                label = _json_for_html(str(child.layer_name))
                lines.append(f"{self.app.get_name()}.layerControl.{kind}("
                             f"{child.get_name()}, {label});")
        if lines:
            script.add_child(_Verbatim("\n".join(lines)), name=name)

    def save(self, outfile: str | Path, close_file: bool = True, **kwargs: Any) -> None:
        """Write the offline page (``assets="inline"`` or ``"folder"``): :func:`save_map`."""
        save_map(self, outfile, assets=kwargs.get("assets", "inline"))


def _drawn_layers(payload: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    T = payload["labels"]
    yield "communeShapes", T["layer_communes"]
    yield "communes", T["layer_communes"]
    if payload.get("provinces"):
        yield "provinces", "provinces"
    for key in ("villages", "parks", "streets", "interventions"):
        if payload.get(key):
            yield key, T[f"layer_{key}"]
    for raster in payload.get("rasters") or []:
        yield f"raster_{raster['name']}", raster["label"]


def _walk(element: Any) -> Iterator[Any]:
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _check_offline(m: folium.Map) -> None:
    """Refuse elements whose libraries the page cannot carry offline, naming them."""
    problems = []
    for el in _walk(m):
        if isinstance(el, folium.Icon):
            problems.append("folium.Icon (needs Leaflet.awesome-markers and Font Awesome from "
                            "a CDN): use the default marker, folium.CircleMarker or "
                            "folium.DivIcon")
            continue
        # A map's own links are Leaflet and folium's extras (Bootstrap, jQuery, Font Awesome),
        # which the page does not use (folium's popups' one use of jQuery is covered by
        # geo_cds_folium.js): left out, not refused.
        if isinstance(el, folium.Map) or not isinstance(el, JSCSSMixin):
            continue
        extra = [url for name, url in list(el.default_js) + list(el.default_css)
                 if name not in _SHIPPED]
        if extra:
            problems.append(f"{type(el).__module__}.{type(el).__name__} (needs "
                            f"{', '.join(extra)})")
    if problems:
        raise ValueError("the map cannot be saved for offline use: these elements load code "
                         "from the Internet, which geo-cds does not ship: "
                         + "; ".join(problems))


def render_html(m: folium.Map, *, assets: str = "inline", html_dir: Path | None = None) -> str:
    """The page of ``m`` as HTML with no CDN link (what :func:`save_map` writes)."""
    if assets not in ASSET_MODES:
        raise ValueError(f"assets must be one of {ASSET_MODES}, got {assets!r}")
    if assets == "folder" and html_dir is None:
        raise ValueError("assets='folder' needs html_dir (the folder of the HTML file)")
    _check_offline(m)
    figure = m.get_root()
    if not isinstance(figure, Figure):
        raise ValueError("the map is not in a folium Figure")
    mixins = [el for el in _walk(m) if isinstance(el, JSCSSMixin)]
    saved = [(el, el.__dict__.get("default_js"), el.__dict__.get("default_css"))
             for el in mixins]
    header = figure.header._children
    # Links left in the header by an earlier render (a notebook display) go as well.
    stale = {k: v for k, v in header.items()
             if str(getattr(v, "url", "") or "").startswith(("http", "//"))}
    try:
        for el in mixins:
            el.default_js, el.default_css = [], []
        for key in stale:
            header.pop(key)
        has_app = any(isinstance(el, RunData) for el in _walk(m))
        if not has_app:  # a plain folium.Map: it still gets Leaflet, offline
            header["geo_cds_leaflet"] = _Verbatim(_assets_head(assets, html_dir))
            header.move_to_end("geo_cds_leaflet", last=False)
        figure._geo_cds_assets = (assets, html_dir)
        page = figure.render()
    finally:
        figure.__dict__.pop("_geo_cds_assets", None)
        for el, js, css in saved:
            for attr, value in (("default_js", js), ("default_css", css)):
                if value is None:
                    el.__dict__.pop(attr, None)
                else:
                    setattr(el, attr, value)
        header.update(stale)
    lang = getattr(m, "lang", None)
    if lang:
        page = page.replace("<html>", f'<html lang="{html.escape(lang)}">', 1)
    return page


def _assets_head(assets: str, html_dir: Path | None) -> str:
    if assets == "folder":
        return _assets.folder_head(html_dir)
    return _assets.inline_head()


def save_map(m: folium.Map, path: str | Path, *, assets: str = "inline") -> Path:
    """Write ``m`` as a page that opens with no network.

    Parameters
    ----------
    m
        A map from ``geo_cds.build_map`` or ``make_map`` (or any ``folium.Map``), with
        whatever folium layers a notebook added.
    path
        The HTML file (written to a temporary name, then moved into place).

    Returns
    -------
    Path
        ``path``.
    assets
        ``"inline"``: one self-contained file; ``"folder"``: the scripts and styles in
        ``map_assets/`` beside it.

    Raises
    ------
    ValueError
        ``assets`` is not one of the accepted values, or an element needs code from a CDN
        (e.g. ``folium.Icon``, most ``folium.plugins``), which the page cannot carry offline.
    geo_cds.errors.OutputError
        The folder cannot be written.
    """
    path = Path(path)
    page = render_html(m, assets=assets, html_dir=path.parent)
    return atomic_file(path, lambda tmp: tmp.write_text(page, encoding="utf-8"))
