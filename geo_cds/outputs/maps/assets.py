"""The JavaScript and CSS the map needs, read from the files the package ships.

Nothing is fetched at run time: the HTML either carries every asset inline (the default, one
self-contained file) or links to copies written into a folder beside it.
"""

from __future__ import annotations

import base64
import re
import shutil
from importlib import resources
from pathlib import Path

# Order matters: Leaflet first, then what builds on it, then the map's own code.
JS_FILES = ("leaflet.js", "geo_cds_folium.js", "supercluster.min.js", "geo_cds_map_labels.js",
            "geo_cds_map_priority.js", "geo_cds_map.js", "geo_cds_charts.js", "geo_cds_print.js")
CSS_FILES = ("leaflet.css", "geo_cds_map.css", "geo_cds_print.css")
# Leaflet's default marker (what ``folium.Marker`` draws) finds its images through the URL of
# leaflet.css, which an inlined stylesheet does not have: point it at the shipped images.
_ICONS = {"iconUrl": "leaflet-marker-icon.png", "iconRetinaUrl": "leaflet-marker-icon-2x.png",
          "shadowUrl": "leaflet-marker-shadow.png"}
# leaflet.css refers to images/<name>.png; the package keeps them flat as leaflet-<name>.png
# because package data is listed as ``assets/*``.
_CSS_URL = re.compile(r"url\((?:['\"])?images/([\w-]+\.png)(?:['\"])?\)")
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


def asset_dir() -> Path:
    """The folder holding the shipped assets (``geo_cds/assets``)."""
    return Path(str(resources.files("geo_cds") / "assets"))


def read_asset(name: str) -> str:
    """Text of one shipped asset, without its source-map comment.

    The source map is not shipped; a browser with developer tools open would try to fetch it.
    """
    text = (asset_dir() / name).read_text(encoding="utf-8")
    return _SOURCE_MAP.sub("", text)


def _png_data_uri(name: str) -> str:
    data = (asset_dir() / name).read_bytes()
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")


def css_inline(name: str) -> str:
    """CSS text with its image references replaced by data URIs.

    A relative ``url(images/…)`` would resolve beside the HTML file, fail to load and log a
    console error.
    """
    text = read_asset(name)
    return _CSS_URL.sub(lambda m: f"url({_png_data_uri('leaflet-' + m.group(1))})", text)


def _script_text(text: str) -> str:
    # A literal "</script" inside inlined code would end the element early.
    return text.replace("</script", "<\\/script")


def _icon_script(url_of) -> str:
    options = ", ".join(f'{k}: "{url_of(v)}"' for k, v in _ICONS.items())
    return f'<script>L.Icon.Default.imagePath = ""; L.Icon.Default.mergeOptions({{{options}}});</script>'


def inline_head() -> str:
    """``<style>`` and ``<script>`` elements carrying every asset inline."""
    parts = [f"<style>\n{css_inline(n)}\n</style>" for n in CSS_FILES]
    parts += [f"<script>\n{_script_text(read_asset(n))}\n</script>" for n in JS_FILES[:1]]
    parts.append(_icon_script(_png_data_uri))
    parts += [f"<script>\n{_script_text(read_asset(n))}\n</script>" for n in JS_FILES[1:]]
    return "\n".join(parts)


def folder_head(html_dir: Path, folder: str = "map_assets") -> str:
    """Copy the assets into ``html_dir / folder`` and return relative links to them."""
    target = html_dir / folder
    target.mkdir(parents=True, exist_ok=True)
    for name in JS_FILES:
        (target / name).write_text(read_asset(name), encoding="utf-8")
    for name in CSS_FILES:
        css = read_asset(name)
        css = _CSS_URL.sub(lambda m: f"url(leaflet-{m.group(1)})", css)
        (target / name).write_text(css, encoding="utf-8")
    for png in asset_dir().glob("leaflet-*.png"):
        shutil.copyfile(png, target / png.name)
    links = [f'<link rel="stylesheet" href="{folder}/{n}"/>' for n in CSS_FILES]
    links += [f'<script src="{folder}/{n}"></script>' for n in JS_FILES[:1]]
    links.append(_icon_script(lambda name: f"{folder}/{name}"))
    links += [f'<script src="{folder}/{n}"></script>' for n in JS_FILES[1:]]
    return "\n".join(links)
