"""Inputs: read and validate every layer of a plan (the first stage of the pipeline).

``read`` orchestrates the reading of a layer, one step per module: ``sources`` (files, formats,
header rows), ``decode`` (legacy encodings, codecs in ``legacy``), ``georef`` (points from
tables, CRS, VN-2000 through ``crs``), ``coerce`` (column mapping through ``columns``, values
through ``tables``), ``validate`` (required values, geometries, duplicates) and
``validate_codes`` (commune-code vintages); ``layer`` holds the state they share. Commune codes
and vintages: ``codes`` (official lists), ``vintage`` (detection, row conversion), ``convert``
(commune-keyed tables), ``crosswalk`` (old polygons onto 2025 communes). ``files`` has plain
readers for the crosswalk command and plan overrides; ``rasters`` checks coverage rasters.
"""

from geo_cds.inputs.convert import convert_table_file
from geo_cds.inputs.crosswalk import crosswalk_files
from geo_cds.inputs.files import read_polygons, read_table, with_input_overrides
from geo_cds.inputs.rasters import check_rasters
from geo_cds.inputs.read import Inputs, load_inputs, read_layer

__all__ = [
    "Inputs",
    "check_rasters",
    "convert_table_file",
    "crosswalk_files",
    "load_inputs",
    "read_layer",
    "read_polygons",
    "read_table",
    "with_input_overrides",
]
