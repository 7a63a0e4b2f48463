"""Minimal village lists: what a list with only a commune code and a village name lacks.

An operator's or a commune's list often has no village ids and no population. The reader
then fills in, and says so:

* **village id** (when the column is missing or a cell is empty): the commune code as the
  file gives it (zero-padded, before any vintage conversion), a hyphen and the village name
  (NFC, spaces collapsed) — ``"21433-Thôn Văn Hà"``. Two rows with the same code and name are
  told apart by an occurrence number in file order (``"21433-Thôn 1-2"`` for the second),
  the only part that depends on the row order;
* **population** (when missing): households × ``people_per_household`` of the plan (default
  3.6, the 2019 census average), rounded; column ``population_estimated`` is True for these
  rows, False where the file gave the population, NA where neither was given (population
  unknown: kept, never 0).
"""

from __future__ import annotations

import math
import re

import geopandas as gpd
import pandas as pd

from geo_cds import schema as S
from geo_cds.inputs.layer import SOURCE_ROW, Layer


def derive_village_ids(layer: Layer, frame: gpd.GeoDataFrame) -> None:
    """Give every live row without a village id the derived id (rule in the module doc)."""
    live = ~layer.already_rejected(frame)
    todo = live & frame[S.VILLAGE_ID].isna() & frame[S.COMMUNE_CODE].notna() \
        & frame[S.VILLAGE_NAME].notna()
    if not todo.any():
        return
    names = frame.loc[todo, S.VILLAGE_NAME].map(lambda n: re.sub(r"\s+", " ", str(n)).strip())
    base = frame.loc[todo, S.COMMUNE_CODE].astype(str) + "-" + names
    order = frame.loc[todo, SOURCE_ROW].astype(int)
    occurrence = base.to_frame("b").assign(r=order).sort_values("r").groupby("b").cumcount() + 1
    occurrence = occurrence.reindex(base.index)
    ids = base.where(occurrence == 1, base + "-" + occurrence.astype(str))
    frame.loc[todo, S.VILLAGE_ID] = ids.astype("string")
    n_same = int((base.map(base.value_counts()) > 1).sum())
    whole = S.VILLAGE_ID not in layer.source_columns
    text = (f"no {S.VILLAGE_ID} column: ids derived for {int(todo.sum()):,} villages"
            if whole else f"{int(todo.sum()):,} villages have no {S.VILLAGE_ID}: ids derived")
    text += " as <commune code>-<village name> (e.g. " + repr(ids.iloc[0]) + ")"
    if n_same:
        text += (f"; {n_same:,} rows share their commune code and name with another row and "
                 "are told apart by their order in the file (-2, -3…): check they are not "
                 "duplicates")
    layer.layer_warning(text, f"give each village its id in a column mapped to {S.VILLAGE_ID} "
                        "to keep ids stable when the list is edited", column=S.VILLAGE_ID)


def estimate_population(layer: Layer, frame: gpd.GeoDataFrame) -> None:
    """Population from households where it is missing; ``population_estimated`` says where."""
    factor = layer.spec.people_per_household
    if not isinstance(factor, (int, float)) or not math.isfinite(factor) or not 0 < factor <= 20:
        layer.layer_error(
            f"people_per_household = {factor!r} is not a number of people per household",
            "give a number such as 3.6 (the 2019 census average) in [inputs.villages]",
        )
        return
    live = ~layer.already_rejected(frame)
    given = frame[S.POPULATION].notna()
    estimate = ~given & frame[S.HOUSEHOLDS].notna()
    frame[S.POPULATION] = frame[S.POPULATION].astype("Float64").where(
        given, frame[S.HOUSEHOLDS].astype("Float64") * factor).round().astype("Int64")
    e, g = estimate.to_numpy(bool), given.to_numpy(bool)
    # True where estimated, False where given, unknown where neither
    frame[S.POPULATION_ESTIMATED] = pd.arrays.BooleanArray(e, ~(e | g))
    n_est = int((estimate & live).sum())
    if n_est:
        layer.layer_warning(
            f"population estimated for {n_est:,} villages as households × {factor:g} people "
            f"per household (column {S.POPULATION_ESTIMATED} marks them)",
            f"give the population, or set people_per_household in [inputs.{layer.name}]",
            column=S.POPULATION,
        )
    unknown = live & ~given & ~estimate
    layer.row_problems(
        frame, unknown, S.POPULATION,
        "neither population nor households: population unknown (the village is kept; "
        "figures weighted by people leave it out)",
        "give the population or the number of households",
        severity="warning", changed=False,
    )
