"""What the map says about the data behind each commune share (geo_cds.analysis.datacov):
per indicator, the villages with a known value, their people's share and the little-data mark
that hatches the commune and adds a legend entry."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo_cds.analysis import datacov
from geo_cds.outputs.maps.data import INDICATORS, clean_values, column_values
from geo_cds.plan import Thresholds


def data_coverage_payload(communes: pd.DataFrame) -> dict[str, dict[str, list]]:
    """Per indicator resting on villages (a share column of :data:`datacov.FIGURES`): the
    villages with a known value (``known``), the share of the people living in them (``pop``)
    and the little-data mark (``thin``: 1, 0, or None where there is no figure)."""
    out = {}
    for key, col in datacov.FIGURES.items():
        if col not in INDICATORS or datacov.n_known(key) not in communes.columns:
            continue
        thin = communes[datacov.thin(key)].astype("boolean").astype("Int64")
        out[col] = {
            "known": column_values(communes, datacov.n_known(key), integer=True),
            "pop": column_values(communes, datacov.pop_known_share(key), digits=4),
            "thin": clean_values(thin),
        }
    return out


def little_data_legend(texts: Mapping[str, str], thresholds: Thresholds, lang: str) -> str:
    """The legend entry of hatched communes, with the plan's threshold ("under 50%")."""
    pct = f"{thresholds.min_known_share * 100:g}%"
    return texts["little_data_legend"].format(pct=pct.replace(".", ",") if lang == "vi" else pct)
