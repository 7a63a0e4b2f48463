"""Cross-walk old-vintage commune polygons onto the 2025 communes by area.

* :func:`crosswalk_polygons` overlays old polygons on 2025 ones in a metric CRS;
* :func:`check_crosswalk` lists where the overlay disagrees with the official old → new table;
* :func:`approximate_old_communes` builds approximate old polygons (tests and benchmarks);
* :func:`crosswalk_files` does the first two from files, collecting every problem
  (``geo-cds crosswalk polygons``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo_cds import schema as S
from geo_cds.errors import CodeError
from geo_cds.inputs.codes import old_to_new, units_pre2025
from geo_cds.inputs.columns import ALIASES, find_column
from geo_cds.inputs.crs import metric_crs
from geo_cds.inputs.files import load_polygons
from geo_cds.inputs.merger_lists import BEFORE_MERGER, check_old_to_new
from geo_cds.problems import ProblemLog


def crosswalk_polygons(
    old,
    new,
    old_code: str = "commune_code",
    new_code: str = "commune_code",
    min_share: float = 0.001,
) -> pd.DataFrame:
    """Area-weighted overlay of old-vintage commune polygons onto 2025 communes.

    Areas are computed in a metric CRS (the UTM zone, 48N or 49N, of the data's centre).

    Parameters
    ----------
    old, new : GeoDataFrame
        Old and 2025 polygons, any CRS (reprojected here), with code columns.
    min_share : float
        Pieces smaller than this share of their old commune are dropped as slivers (the
        boundaries of the two vintages come from different surveys).

    Returns
    -------
    DataFrame
        One row per (old, new) pair: ``old_code``, ``new_code``, ``area_km2`` of the piece,
        ``share_of_old`` (0..1, summing to 1 per old commune after slivers are dropped),
        ``share_of_new``.
    """
    if old.crs is None or new.crs is None:
        raise CodeError("crosswalk: both layers need a CRS")
    metric = metric_crs(new)
    a = gpd.GeoDataFrame(
        {"old_code": old[old_code].astype("string").values},
        geometry=old.geometry.values,
        crs=old.crs,
    ).to_crs(metric)
    b = gpd.GeoDataFrame(
        {"new_code": new[new_code].astype("string").values},
        geometry=new.geometry.values,
        crs=new.crs,
    ).to_crs(metric)
    a["geometry"] = a.geometry.make_valid()
    b["geometry"] = b.geometry.make_valid()
    pieces = gpd.overlay(a, b, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    out = pieces.groupby(["old_code", "new_code"], as_index=False)["area"].sum()
    old_area = out.groupby("old_code")["area"].transform("sum")
    out["share_of_old"] = out["area"] / old_area
    out = out[out["share_of_old"] >= min_share].copy()
    out["share_of_old"] = out["area"] / out.groupby("old_code")["area"].transform("sum")
    out["share_of_new"] = out["area"] / out.groupby("new_code")["area"].transform("sum")
    out["area_km2"] = out["area"] / 1e6
    return out[["old_code", "new_code", "area_km2", "share_of_old", "share_of_new"]].reset_index(
        drop=True
    )


def check_crosswalk(xwalk: pd.DataFrame, min_share: float = 0.05) -> pd.DataFrame:
    """Compare an area crosswalk with the official old → new table; list every disagreement.

    Parameters
    ----------
    xwalk : DataFrame
        From :func:`crosswalk_polygons`.
    min_share : float
        A piece counts as "the old commune went (partly) into this new one" when it holds at
        least this share of the old commune.

    Returns
    -------
    DataFrame
        One row per disagreement: ``old_code``, ``problem`` (``"not_in_official_table"``,
        ``"missing_target"`` — the table names a new commune the overlay does not reach,
        ``"extra_target"`` — the overlay puts a substantial part in a commune the table does
        not name), ``official`` (the table's targets), ``overlay`` (targets with shares).
    """
    table = old_to_new()
    official = {k: set(v) for k, v in table.groupby("old_code")["new_code"]}
    main = xwalk[xwalk["share_of_old"] >= min_share]
    overlay = {k: set(v) for k, v in main.groupby("old_code")["new_code"]}
    shares = xwalk.groupby("old_code").apply(
        lambda g: "; ".join(
            f"{c} {s:.0%}" for c, s in zip(g["new_code"], g["share_of_old"]) if s >= 0.005
        ),
        include_groups=False,
    )
    rows = []
    for code, targets in overlay.items():
        if code not in official:
            rows.append((code, "not_in_official_table", "", shares.get(code, "")))
            continue
        off = official[code]
        for t in sorted(off - targets):
            rows.append((code, "missing_target", ";".join(sorted(off)), shares.get(code, "")))
            break
        for t in sorted(targets - off):
            rows.append((code, "extra_target", ";".join(sorted(off)), shares.get(code, "")))
            break
    return pd.DataFrame(rows, columns=["old_code", "problem", "official", "overlay"])



def approximate_old_communes(new, code: str = "commune_code"):
    """Approximate pre-2025 commune polygons from 2025 ones (for tests and benchmarks).

    Each 2025 commune is split among the centroids of the old units merged into it (official
    old → new table, ``units_pre2025`` centroids): Voronoi cells clipped to the commune. An old
    commune split between several new ones gets one piece in each. The pieces tile the 2025
    communes exactly. They are **approximate**: label them so wherever shown.

    Parameters
    ----------
    new : GeoDataFrame
        2025 communes (any CRS) with their code in ``code``.

    Returns
    -------
    GeoDataFrame
        ``old_code``, ``new_code``, ``approximate`` (True), geometry — in ``new``'s CRS, one
        row per (old, new) piece; old units whose centroid falls in no cell (duplicate
        centroids) get no piece.
    """
    table = old_to_new()
    cent = units_pre2025().drop_duplicates("commune_code").set_index("commune_code")
    members = table[table["old_code"].isin(cent.index)].groupby("new_code")["old_code"].agg(list)
    new = new.to_crs("EPSG:4326") if new.crs is not None else new
    rows_code, rows_new, rows_geom = [], [], []
    for new_code, geom in zip(new[code].astype(str), new.geometry):
        olds = members.get(new_code, [])
        if geom is None or geom.is_empty or not olds:
            continue
        if len(olds) == 1:
            rows_code.append(olds[0]), rows_new.append(new_code), rows_geom.append(geom)
            continue
        pts = shapely.points(cent.loc[olds, "lon"].to_numpy(), cent.loc[olds, "lat"].to_numpy())
        cells = shapely.get_parts(
            shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=geom)
        )
        tree = shapely.STRtree(cells)
        pi, ci = tree.query(pts, predicate="intersects")
        seen = set()
        for p, c in zip(pi, ci):
            if c in seen:
                continue
            seen.add(c)
            piece = shapely.intersection(cells[c], geom)
            if not piece.is_empty:
                rows_code.append(olds[p]), rows_new.append(new_code), rows_geom.append(piece)
    return gpd.GeoDataFrame(
        {
            "old_code": pd.array(rows_code, dtype="string"),
            "new_code": pd.array(rows_new, dtype="string"),
            "approximate": True,
        },
        geometry=rows_geom,
        crs="EPSG:4326",
    )


@dataclass
class PolygonCrosswalk:
    """Result of :func:`crosswalk_files`; the tables are None when ``problems`` has errors."""

    crosswalk: pd.DataFrame | None = None  # see crosswalk_polygons
    disagreements: pd.DataFrame | None = None  # see check_crosswalk
    problems: ProblemLog = field(default_factory=ProblemLog)


def crosswalk_files(
    old_file: str | Path,
    new_file: str | Path,
    *,
    old_code: str | None = None,
    new_code: str | None = None,
    old_layer: str | None = None,
    new_layer: str | None = None,
    source_crs: str | None = None,
    min_share: float = 0.001,
) -> PolygonCrosswalk:
    """Cross-walk the old commune polygons of ``old_file`` onto the 2025 ones of ``new_file``.

    Both files are read (:func:`geo_cds.inputs.files.load_polygons`) and every problem of both
    is collected before anything is computed.

    Parameters
    ----------
    old_file, new_file : path-like
        Old (pre-2025) and 2025 commune polygons, any vector format and CRS.
    old_code, new_code : str, optional
        Their code columns (found by name when not given).
    old_layer, new_layer : str, optional
        Layers of multi-layer files.
    source_crs : str, optional
        CRS of ``old_file`` when its .prj is missing or wrong.
    min_share : float
        As in :func:`crosswalk_polygons`.

    Returns
    -------
    PolygonCrosswalk
        The crosswalk, its disagreements with the official table, and every problem.

    Examples
    --------
    >>> result = crosswalk_files("xa_cu.gpkg", "communes_2025.gpkg")  # doctest: +SKIP
    >>> result.problems.errors or result.disagreements                # doctest: +SKIP
    """
    problems = ProblemLog()
    old, old_code = load_polygons(
        old_file, problems, old_code, old_layer, source_crs, role="old communes"
    )
    new, new_code = load_polygons(new_file, problems, new_code, new_layer, role="new communes")
    if old is None or new is None:
        return PolygonCrosswalk(problems=problems)
    xwalk = crosswalk_polygons(old, new, old_code=old_code, new_code=new_code, min_share=min_share)
    return PolygonCrosswalk(xwalk, _with_merger_lists(check_crosswalk(xwalk), new, new_code),
                            problems)


def _with_merger_lists(report: pd.DataFrame, new, new_code: str) -> pd.DataFrame:
    """The overlay's disagreements, and the table's with the 2025 layer's merger lists."""
    report = report.assign(detail="")
    cols = [c for c in new.columns if c != new.geometry.name]
    lists = find_column(cols, ALIASES[BEFORE_MERGER])
    if lists is None:
        return report
    province = find_column(cols, (S.PROVINCE_CODE, *ALIASES[S.PROVINCE_CODE]))
    units = pd.DataFrame({"commune_code": new[new_code].astype("string"),
                          BEFORE_MERGER: new[lists]})
    if province is not None:
        units["province_code"] = new[province].astype("string").str.zfill(2)
    found = check_old_to_new(units)
    official = old_to_new().groupby("old_code")["new_code"].agg(lambda s: ";".join(sorted(s)))
    extra = pd.DataFrame({"old_code": found["old_code"], "problem": found["problem"],
                          "official": found["old_code"].map(official).fillna(""),
                          "overlay": "", "detail": found["detail"]})
    return pd.concat([report, extra], ignore_index=True)
