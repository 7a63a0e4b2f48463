"""Reading and validating inputs (``read``), and writing outputs (``write``)."""

from geo_cds.inputs.files import read_polygons, read_table, with_input_overrides
from geo_cds.inputs.rasters import check_rasters
from geo_cds.inputs.read import Inputs, load_inputs, read_layer

__all__ = [
    "Inputs",
    "check_rasters",
    "load_inputs",
    "read_layer",
    "read_polygons",
    "read_table",
    "with_input_overrides",
]
