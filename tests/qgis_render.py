"""Open a GeoPackage layer in QGIS with its default style and render it headless.

Run by ``tests/test_qgis_styles.py`` with Debian's ``/usr/bin/python3`` (``python3-qgis``), not
the project's venv: ``python3 qgis_render.py GPKG LAYER OUT.png POINTS.json``. POINTS.json
holds ``[[lon, lat], …]``; prints JSON: the renderer type, its rules (filter, label, colour),
the label field and the rendered colour (``#rrggbb``) at each point.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsPointXY,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QSize  # noqa: E402
from qgis.PyQt.QtGui import QColor  # noqa: E402

gpkg, layer_name, out_png, points_json = sys.argv[1:5]
app = QgsApplication([], False)
app.initQgis()
layer = QgsVectorLayer(f"{gpkg}|layername={layer_name}", layer_name, "ogr")
assert layer.isValid(), "layer did not load"
renderer = layer.renderer()
rules = []
if renderer.type() == "RuleRenderer":
    for rule in renderer.rootRule().children():
        rules.append({"filter": rule.filterExpression(), "label": rule.label(),
                      "colour": rule.symbol().color().name(), "else": rule.isElse()})
label_field = layer.labeling().settings().fieldName if layer.labelsEnabled() else None

# Colours are read with the labels off: a name drawn over a sample point would hide its fill.
layer.setLabelsEnabled(False)
settings = QgsMapSettings()
settings.setLayers([layer])
settings.setDestinationCrs(layer.crs())
settings.setBackgroundColor(QColor(255, 255, 255))
size = 1600
settings.setOutputSize(QSize(size, size))
settings.setExtent(layer.extent())
job = QgsMapRendererSequentialJob(settings)
job.start()
job.waitForFinished()
image = job.renderedImage()
image.save(out_png, "PNG")
transform = settings.mapToPixel()
colours = []
for lon, lat in json.load(open(points_json)):
    px = transform.transform(QgsPointXY(lon, lat))
    colours.append(QColor(image.pixel(int(round(px.x())), int(round(px.y())))).name())
print(json.dumps({"renderer": renderer.type(), "rules": rules, "label_field": label_field,
                  "colours": colours}), flush=True)
# QGIS 3.22 tends to crash while tearing down its Python bindings; the work is done.
os._exit(0)
