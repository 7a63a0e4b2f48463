"""The sample's sites as station lists: OpenCelliD's cell CSV and a provincial register.

``opencellid_table(sites)`` gives one OpenCelliD row per (site, technology) — MCC 452 and the
operator's MNC, a made-up LAC/TAC (``area``) per commune and cell id per row, positions as
generated; it has no antenna height (OpenCelliD does not record one). ``register_table(sites)``
gives the register's Vietnamese headers ("Mã trạm", "Nhà mạng", "Kinh độ", "Vĩ độ", "Công
nghệ", "Băng tần (MHz)", "Độ cao anten (m)") with the generated heights and the sample's
bands (4G 1800, 5G 3500 MHz). Neither carries the sample's ``clutter``: the model decides the
environment itself, as it must for a real list.

``python -m geo_cds.sample.stations`` writes ``layers/stations.csv`` (the register) from
``layers/sites.gpkg``; ``layers/sample_plan_stations.toml`` runs the sample from it alone.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo_cds import schema as S

MNC = {"MobiFone": "01", "VNPT": "02", "Viettel": "04"}
RADIO = {"4G": "LTE", "5G": "NR"}
BAND_MHZ = {"4G": 1800, "5G": 3500}
OPENCELLID_COLUMNS = ["radio", "mcc", "net", "area", "cell", "unit", "lon", "lat", "range",
                      "samples", "changeable", "created", "updated", "averageSignal"]


def _rows(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    techs = sites[S.TECHNOLOGIES].astype(str).str.upper().str.replace(" ", "").str.split(",")
    rows = pd.DataFrame({
        "site": sites[S.SITE_ID].to_numpy(), "operator": sites[S.OPERATOR].to_numpy(),
        "tech": techs.to_numpy(), "height": sites[S.HEIGHT_M].to_numpy(dtype=float),
        "lon": shapely.get_x(sites.geometry.values), "lat": shapely.get_y(sites.geometry.values),
        "commune": sites[S.COMMUNE_CODE].astype(str).to_numpy(),
    }).explode("tech", ignore_index=True)
    return rows[rows["tech"].isin(list(RADIO))].reset_index(drop=True)


def opencellid_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """OpenCelliD's columns, one row per (site, technology)."""
    rows = _rows(sites)
    n = len(rows)
    return pd.DataFrame({
        "radio": rows["tech"].map(RADIO), "mcc": 452, "net": rows["operator"].map(MNC).astype(int),
        "area": rows["commune"].astype(int), "cell": np.arange(1, n + 1) * 10 + 1, "unit": 0,
        "lon": rows["lon"].round(6), "lat": rows["lat"].round(6), "range": 1000, "samples": 1,
        "changeable": 1, "created": 1735689600, "updated": 1735689600, "averageSignal": 0,
    })[OPENCELLID_COLUMNS]


def register_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """A provincial register with Vietnamese headers, one row per (site, technology)."""
    rows = _rows(sites)
    return pd.DataFrame({
        "Mã trạm": rows["site"], "Nhà mạng": rows["operator"],
        "Kinh độ": rows["lon"].round(6), "Vĩ độ": rows["lat"].round(6),
        "Công nghệ": rows["tech"], "Băng tần (MHz)": rows["tech"].map(BAND_MHZ),
        "Độ cao anten (m)": rows["height"],
    })


def main() -> None:
    from geo_cds.plan import REPO_ROOT

    layers = REPO_ROOT / "layers"
    sites = gpd.read_file(layers / "sites.gpkg", layer="sites")
    out = Path(layers / "stations.csv")
    register_table(sites).to_csv(out, index=False, encoding="utf-8")
    print(f"wrote {out}: {len(sites):,} sites")


if __name__ == "__main__":
    main()
