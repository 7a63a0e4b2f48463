"""Coverage and gaps per village, commune, park and street, and the figures against the targets.

Pure functions over canonical (Geo)DataFrames; no files, no rasters (the pipeline samples
the rasters and passes the values in). Shares are 0..1 and NaN where nothing was measured.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geo_cds import schema as s
from geo_cds.analysis import datacov
from geo_cds.plan import Plan, Thresholds

TECHS = ("4g", "5g")
_HAS = {"4g": s.HAS_4G, "5g": s.HAS_5G}
_RSRP = {"4g": s.RSRP_4G, "5g": s.RSRP_5G}
_COVERED = {"4g": s.COVERED_4G, "5g": s.COVERED_5G}
_SOURCE = {"4g": s.COVERAGE_SOURCE, "5g": s.COVERAGE_SOURCE_5G}


def threshold(thresholds: Thresholds, tech: str) -> float:
    return {"4g": thresholds.rsrp_4g_dbm, "5g": thresholds.rsrp_5g_dbm}[tech]


def village_coverage(
    villages: pd.DataFrame,
    raster_rsrp: Mapping[str, np.ndarray],
    thresholds: Thresholds,
    raster_covered: Mapping[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """Decide 4G/5G coverage per village, keeping each source of evidence in its own column.

    Two sources, each kept as it is:

    * **reported** (``covered_<t>_reported``): the village list's own status (``has_4g``/
      ``has_5g``, e.g. an operator's or the commune's declaration), else its own RSRP
      (``rsrp_4g_dbm``…) against the threshold;
    * **modelled** (``covered_<t>_modelled``): what the rasters say (``raster_covered[tech]``:
      1/0 per village, NaN where unknown — by default ``raster_rsrp[tech]`` against the
      threshold).

    The decision ``covered_<t>`` takes the reported value where there is one, else the
    modelled one (an operator's or commune's statement about a named village is more specific
    than a prediction); with neither, coverage is unknown (NA) and the village counts in no
    share. ``coverage_source`` (4G) and ``coverage_source_5g`` say which source decided:
    "reported", "modelled" or "none". Measured speeds are a third source, kept in their own
    columns (:mod:`geo_cds.analysis.speeds`); they decide no coverage. Missing RSRP values are
    filled from ``raster_rsrp``.
    """
    out = villages.copy()
    nothing = pd.Series(np.nan, index=out.index)
    for tech in TECHS:
        limit = threshold(thresholds, tech)
        own = pd.to_numeric(out[_RSRP[tech]], errors="coerce") if _RSRP[tech] in out else nothing
        from_raster = pd.Series(raster_rsrp.get(tech, nothing), index=out.index, dtype=float)
        if raster_covered is not None and tech in raster_covered:
            raster_says = pd.Series(raster_covered[tech], index=out.index, dtype=float)
        else:
            raster_says = (from_raster >= limit).astype(float).where(from_raster.notna())
        declared = out[_HAS[tech]].astype("boolean") if _HAS[tech] in out \
            else pd.Series(pd.NA, index=out.index, dtype="boolean")
        reported = declared.fillna(_known_bool(own >= limit, own.notna()))
        modelled = _known_bool(raster_says == 1, raster_says.notna())
        out[s.covered_reported(tech)] = reported
        out[s.covered_modelled(tech)] = modelled
        out[_COVERED[tech]] = reported.fillna(modelled)
        out[_RSRP[tech]] = own.fillna(from_raster).astype(float)
        sources = pd.Series("none", index=out.index, dtype="str")
        sources[modelled.notna().to_numpy()] = "modelled"
        sources[reported.notna().to_numpy()] = "reported"
        out[_SOURCE[tech]] = sources
    return out


def _known_bool(values: pd.Series, known: pd.Series) -> pd.Series:
    out = pd.Series(values, dtype="boolean")
    out[~known.to_numpy(bool)] = pd.NA
    return out


def village_gaps(villages: pd.DataFrame, plan: Plan) -> pd.DataFrame:
    """Add the gap flags (NA stays NA: an unknown is not a gap)."""
    out = villages.copy()
    hh_target = plan.target("household_fibre").threshold
    out[s.GAP_MOBILE] = ~out[s.COVERED_4G].astype("boolean")
    out[s.GAP_FIBRE] = ~out[s.HAS_FIBRE].astype("boolean")
    share = pd.to_numeric(out[s.FIBRE_HH_SHARE], errors="coerce")
    gap_hh = pd.Series(share < hh_target, dtype="boolean")
    gap_hh[share.isna()] = pd.NA
    out[s.GAP_HH_FIBRE] = gap_hh
    out[s.GAP_DIGITAL_TEAM] = ~out[s.HAS_DIGITAL_TEAM].astype("boolean")
    out[s.NEEDS_POWER] = ~out[s.HAS_POWER].astype("boolean")
    infra = out[[s.GAP_MOBILE, s.GAP_FIBRE, s.GAP_HH_FIBRE]].fillna(False).astype(int)
    out[s.N_GAPS] = infra.sum(axis=1).astype("int64")
    mobile = out[s.GAP_MOBILE].fillna(False).to_numpy(bool)
    fibre = out[s.GAP_FIBRE].fillna(False).to_numpy(bool)
    out[s.GAP_STATUS] = np.select(
        [mobile & fibre, mobile, fibre], ["mobile_fibre", "mobile", "fibre"], "ok"
    )
    return out


def _share(flags: pd.Series, by: pd.Series) -> pd.Series:
    """Share of True among the known (non-NA) values per group."""
    f = flags.astype("boolean")
    known = f.notna()
    num = f.fillna(False).astype(float).groupby(by).sum()
    den = known.astype(float).groupby(by).sum()
    return (num / den.replace(0, np.nan)).astype(float)


def _any_known(flags: pd.Series, by: pd.Series) -> pd.Series:
    """Per group: True when any village says so, False when every village is known and says
    no, NA otherwise (a commune whose villages are unknown is not a commune without)."""
    f = flags.astype("boolean")
    yes = f.fillna(False).astype(bool).groupby(by).any()
    all_no = f.eq(False).fillna(False).astype(bool).groupby(by).all()
    out = pd.Series(pd.NA, index=yes.index, dtype="boolean")
    out[yes] = True
    out[~yes & all_no] = False
    return out


def commune_table(
    communes: gpd.GeoDataFrame, villages: pd.DataFrame, zonal: pd.DataFrame | None,
    min_known_share: float = Thresholds.min_known_share,
) -> gpd.GeoDataFrame:
    """Per-commune figures from the villages (and from the rasters when ``zonal`` is given),
    with the data each share rests on (:mod:`geo_cds.analysis.datacov`: ``n_known_fibre``,
    ``pop_known_fibre_share``, ``thin_fibre``, … judged against ``min_known_share``)."""
    out = communes.copy()
    code = villages[s.COMMUNE_CODE]
    g = villages.groupby(code)
    hh = pd.to_numeric(villages[s.HOUSEHOLDS], errors="coerce").astype(float)
    hh_share = pd.to_numeric(villages[s.FIBRE_HH_SHARE], errors="coerce")
    hh_known = hh.where(hh_share.notna())
    stats = pd.DataFrame({
        s.N_VILLAGES: g.size(),
        s.VILLAGE_POPULATION: pd.to_numeric(villages[s.POPULATION]).groupby(code).sum(),
        s.VILLAGE_HOUSEHOLDS: hh.groupby(code).sum(),
        s.SHARE_4G: _share(villages[s.COVERED_4G], code),
        s.SHARE_5G: _share(villages[s.COVERED_5G], code),
        s.SHARE_FIBRE: _share(villages[s.HAS_FIBRE], code),
        s.SHARE_HH_FIBRE: (hh_share * hh).groupby(code).sum()
        / hh_known.groupby(code).sum().replace(0, np.nan),
        s.SHARE_DIGITAL_TEAM: _share(villages[s.HAS_DIGITAL_TEAM], code),
        s.COMMUNE_HAS_FIBRE: _any_known(villages[s.HAS_FIBRE], code),
        s.HAS_SMART_VILLAGE: _any_known(  # Kleene logic: unknown & True is unknown
            villages[s.HAS_DIGITAL_TEAM].astype("boolean")
            & villages[s.HAS_FIBRE].astype("boolean")
            & villages[s.COVERED_4G].astype("boolean"), code),
        "villages_without_4g": villages[s.GAP_MOBILE].fillna(False).astype(int).groupby(code).sum(),
        "villages_without_fibre": villages[s.GAP_FIBRE].fillna(False).astype(int).groupby(code).sum(),
        s.N_VILLAGE_GAPS: (villages[s.N_GAPS] > 0).astype(int).groupby(code).sum(),
    })
    for tech in TECHS:  # each source apart: shares among the villages it speaks of
        for column in (s.covered_reported(tech), s.covered_modelled(tech)):
            if column in villages:
                stats[column.replace("covered_", "share_villages_")] = _share(villages[column],
                                                                               code)
    stats = stats.join(datacov.commune_columns(villages, min_known_share))
    out = out.merge(stats, left_on=s.COMMUNE_CODE, right_index=True, how="left")
    out = datacov.fill_communes_without_villages(out)
    for col in (s.N_VILLAGES, s.VILLAGE_POPULATION, s.VILLAGE_HOUSEHOLDS, s.N_VILLAGE_GAPS,
                "villages_without_4g", "villages_without_fibre"):
        out[col] = out[col].fillna(0).astype("int64")
    for col in (s.COMMUNE_HAS_FIBRE, s.HAS_SMART_VILLAGE):  # no village data: unknown
        out[col] = out[col].astype("boolean")
    if zonal is not None:
        out = out.join(zonal)
    return out


def park_table(parks: gpd.GeoDataFrame, zonal: pd.DataFrame | None, plan: Plan) -> gpd.GeoDataFrame:
    """Parks with their 5G coverage and gap against the park target."""
    out = parks.copy()
    if zonal is not None:
        out = out.join(zonal)
    share = out[s.area_share("5g")] if s.area_share("5g") in out else pd.Series(np.nan, index=out.index)
    covered = pd.Series(share >= plan.thresholds.park_covered_share, dtype="boolean")
    covered[share.isna()] = pd.NA
    out[s.PARK_COVERED_5G] = covered
    due = pd.to_numeric(out[s.TARGET_5G_YEAR], errors="coerce").fillna(plan.target("park_5g").year)
    out["target_due"] = due <= plan.reference_year
    out[s.PARK_GAP_5G] = ~covered
    return out


def street_table(streets: gpd.GeoDataFrame, communes: pd.DataFrame) -> gpd.GeoDataFrame:
    out = streets.copy()
    m = pd.to_numeric(out[s.MERCHANTS], errors="coerce")
    qr = pd.to_numeric(out[s.MERCHANTS_QR], errors="coerce")
    out[s.QR_SHARE] = (qr / m.replace(0, np.nan)).astype(float)
    names = communes.set_index(s.COMMUNE_CODE)[[s.COMMUNE_NAME, s.PROVINCE_NAME]]
    return out.join(names, on=s.COMMUNE_CODE)


def target_table(
    communes: pd.DataFrame, villages: pd.DataFrame, parks: pd.DataFrame | None, plan: Plan,
    speed_source: str = "reported",
) -> pd.DataFrame:
    """Each official target per province and overall: value, threshold, status, shortfall.

    ``status`` is exactly one of :data:`STATUSES`: "not measurable" (no data), "met", "not due
    yet" (not met, due after the plan's reference year) or "not met". ``shortfall`` is what is
    still missing to reach the threshold, in ``shortfall_unit`` (:data:`SHORTFALL_UNITS`:
    villages, households, communes, parks, people, or Mb/s for a mean speed); NaN when not
    measurable, 0 when met. A park counts against the park target only once its own 5G target
    year is due (``target_due`` of :func:`park_table`); when none is due yet, the row shows all
    the parks against the earliest of their years.

    ``source`` names the evidence each row was judged on (:func:`judged_on`); the download
    targets are judged on the measured speeds (``download_mbps_measured``) when
    ``speed_source`` is "measured" (mobile speed tests were given), else on the village
    list's own ``download_mbps`` ("reported").
    """
    rows = []
    prov_of = communes.set_index(s.COMMUNE_CODE)[s.PROVINCE_CODE]
    # Only the columns the figures read, each province's rows taken by position (in their
    # order, so every sum adds the same numbers in the same order as over the whole table).
    v = villages[[c for c in _TARGET_INPUTS if c in villages]].assign(
        _prov=villages[s.COMMUNE_CODE].map(prov_of))
    c = communes[[s.PROVINCE_CODE, s.COMMUNE_HAS_FIBRE, s.HAS_SMART_VILLAGE]]
    v_rows = v.groupby("_prov", sort=False).indices
    c_rows = c.groupby(s.PROVINCE_CODE, sort=False).indices
    p = None
    if parks is not None and len(parks):
        p = parks.assign(_prov=parks[s.PROVINCE_CODE] if s.PROVINCE_CODE in parks else None)
    names = communes.groupby(s.PROVINCE_CODE)[s.PROVINCE_NAME].first()
    scopes = [(code, names[code]) for code in sorted(names.index)] + [("all", "Tổng")]
    min_share = plan.thresholds.min_known_share
    thin_by = _thin_targets(v, v["_prov"], min_share)
    thin_all = _thin_targets(v, pd.Series("all", index=v.index), min_share).get("all", _NO_THIN)
    fig = _Figures(v, c, plan, speed_source)
    src = v[[col for col in (s.COVERAGE_SOURCE, s.COVERAGE_SOURCE_5G) if col in v]]
    for code, name in scopes:
        rows_v = np.arange(len(v)) if code == "all" else v_rows.get(code, np.empty(0, int))
        rows_c = np.arange(len(c)) if code == "all" else c_rows.get(code, np.empty(0, int))
        vs = src.take(rows_v)
        ps = p if (p is None or code == "all") else p[p["_prov"] == code]
        ps_due, park_year = _parks_due(ps, plan)
        measures = {
            **fig.measures(rows_v, rows_c),
            "park_5g": _known_share(ps_due[s.PARK_COVERED_5G]) if len(ps_due) else (np.nan, 0),
        }
        sources = judged_on(vs, speed_source)
        thin = thin_all if code == "all" else thin_by.get(code, _NO_THIN)
        for t in plan.targets:
            if t.id not in measures:
                continue
            value, base = measures[t.id][:2]
            year = park_year if (t.id == "park_5g" and park_year is not None) else t.year
            if np.isnan(value):
                short = np.nan
            elif t.unit == "Mb/s":  # a mean speed is short by Mb/s, not by villages
                short = round(max(0.0, t.threshold - value), 1)
            else:  # the units missing to reach the threshold share
                short = max(0.0, np.ceil(t.threshold * base - value * base - 1e-9))
            rows.append({
                "province_code": code, "province_name": name, "target_id": t.id,
                "indicator": t.indicator, "indicator_en": t.indicator_en,
                "value": value, "threshold": t.threshold, "year": year,
                "status": status(value, t.threshold, year, plan.reference_year),
                "shortfall": short, "shortfall_unit": SHORTFALL_UNITS.get(t.id, t.unit),
                "base_units": base, "instrument": t.instrument, "unit": t.unit,
                "source": sources.get(t.id, ""),
                "thin": thin.get(t.id),
            })
    return pd.DataFrame(rows)


class _Figures:
    """The village and commune figures of the targets for any set of rows, from columns read
    once as arrays.

    Each figure is summed by pandas over the rows taken alone, in their order: a province's
    figures are those of its rows as a table of their own.

    The download targets: villages with 5G count for 5G, those with 4G only for 4G (one speed
    per village, taken on its best technology; each measured village weighs the same,
    whatever its tests).
    """

    def __init__(self, v: pd.DataFrame, c: pd.DataFrame, plan: Plan, speed_source: str):
        def flags(frame, column):
            f = frame[column].astype("boolean")
            return f.fillna(False).to_numpy(bool), f.notna().to_numpy(bool)

        self.yes_4g, self.known_4g = flags(v, s.COVERED_4G)
        self.yes_5g, self.known_5g = flags(v, s.COVERED_5G)
        self.yes_fibre, self.known_fibre = flags(v, s.HAS_FIBRE)
        self.yes_cfibre, self.known_cfibre = flags(c, s.COMMUNE_HAS_FIBRE)
        self.yes_smart, self.known_smart = flags(c, s.HAS_SMART_VILLAGE)
        self.pop = pd.to_numeric(v[s.POPULATION]).astype(float).to_numpy()
        hh = pd.to_numeric(v[s.HOUSEHOLDS], errors="coerce").astype(float)
        share = pd.to_numeric(v[s.FIBRE_HH_SHARE], errors="coerce")
        self.hh_fibre = (share * hh).to_numpy(float)
        self.hh_known = hh.where(share.notna()).to_numpy(float)
        limits = {t.id: t.threshold for t in plan.targets}
        self.speed = village_speed(v, speed_source).to_numpy(float)
        on_4g = self.yes_4g & ~self.yes_5g  # one speed per village, on its best technology
        self.speed_on = {tid: on for tid, on in (("download_4g", on_4g),
                                                 ("download_5g", self.yes_5g))
                         if tid in limits}
        self.limits = limits

    def measures(self, rows_v: np.ndarray, rows_c: np.ndarray) -> dict:
        """Target id → (value, base units[, below target]) over these village and commune
        rows (positions)."""
        pop = self.pop[rows_v]
        hh_known = _sum(self.hh_known[rows_v])
        out = {
            "village_mobile_broadband": _share_of(self.yes_4g[rows_v], self.known_4g[rows_v]),
            "village_fibre": _share_of(self.yes_fibre[rows_v], self.known_fibre[rows_v]),
            "household_fibre": _ratio(_sum(self.hh_fibre[rows_v]), hh_known, hh_known),
            "commune_fibre": _share_of(self.yes_cfibre[rows_c], self.known_cfibre[rows_c]),
            "population_5g": _ratio(_sum(pop[self.yes_5g[rows_v]]),
                                    _sum(pop[self.known_5g[rows_v]]),
                                    _sum(pop[self.known_5g[rows_v]])),
            "smart_village": _share_of(self.yes_smart[rows_c], self.known_smart[rows_c]),
        }
        for tid, on in self.speed_on.items():  # mean Mb/s, villages measured, below target
            measured = self.speed[rows_v][on[rows_v]]
            measured = measured[~np.isnan(measured)]
            mean = float(pd.Series(measured).mean()) if len(measured) else np.nan
            out[tid] = (mean, float(len(measured)),
                        float((measured < self.limits[tid]).sum()))
        return out


def _sum(values: np.ndarray) -> float:
    """The sum of these rows as the plain pandas reading gives it (NaN skipped)."""
    return pd.Series(values, dtype=float).sum()


def _share_of(yes: np.ndarray, known: np.ndarray) -> tuple[float, float]:
    n = int(known.sum())
    return _ratio(float(yes.sum()), n, n)


# The village columns the target figures read (the rest of the table is not needed).
_TARGET_INPUTS = (s.COMMUNE_CODE, s.POPULATION, s.HOUSEHOLDS, s.FIBRE_HH_SHARE, s.COVERED_4G,
                  s.COVERED_5G, s.HAS_FIBRE, s.HAS_DIGITAL_TEAM, s.COVERAGE_SOURCE,
                  s.COVERAGE_SOURCE_5G, s.DOWNLOAD_MBPS, s.DOWNLOAD_MEASURED)
_NO_THIN = dict.fromkeys(datacov.TARGET_FIGURES)  # a scope without villages: no figure


def _thin_targets(villages: pd.DataFrame, by: pd.Series, min_share: float) -> dict:
    """Per group of ``by``: target id → whether its figure over the group's villages rests on
    little data (None when there is no figure)."""
    cov = datacov.by_group(villages, by, min_share)
    out = {}
    for group in cov[next(iter(cov))].index:
        thin = {tid: cov[key].at[group, "thin"] for tid, key in datacov.TARGET_FIGURES.items()}
        out[group] = {tid: None if pd.isna(x) else bool(x) for tid, x in thin.items()}
    return out


STATUSES = ("met", "not met", "not due yet", "not measurable")
SHORTFALL_UNITS = {
    "village_mobile_broadband": "villages", "village_fibre": "villages",
    "household_fibre": "households", "commune_fibre": "communes", "park_5g": "parks",
    "population_5g": "people", "smart_village": "communes", "download_4g": "Mb/s",
    "download_5g": "Mb/s",
}


def status(value: float, threshold: float, year: int, reference_year: int) -> str:
    """Exactly one of :data:`STATUSES`: a target already reached is met even before its year."""
    if value is None or np.isnan(value):
        return "not measurable"
    if value >= threshold - 1e-12:
        return "met"
    return "not due yet" if year > reference_year else "not met"


def _parks_due(parks: pd.DataFrame | None, plan: Plan) -> tuple[pd.DataFrame, int | None]:
    """The parks whose 5G target is due by the reference year (and the row's year); when none
    is due, every park and the earliest of their years."""
    if parks is None or not len(parks):
        return pd.DataFrame({s.PARK_COVERED_5G: pd.Series([], dtype="boolean")}), None
    due = parks["target_due"].astype(bool) if "target_due" in parks \
        else pd.Series(True, index=parks.index)
    if due.any():
        return parks[due], None
    years = pd.to_numeric(parks[s.TARGET_5G_YEAR], errors="coerce") \
        if s.TARGET_5G_YEAR in parks else pd.Series(dtype=float)
    return parks, int(years.min()) if years.notna().any() else None


def judged_on(villages: pd.DataFrame, speed_source: str = "reported") -> dict[str, str]:
    """Target id → the source its figure rests on: "reported", "modelled", "measured", or
    "reported+modelled" when the villages' coverage was decided on both (see
    :func:`village_coverage`); "none" when no village is known."""
    def decided(column: str) -> str:
        used = set(villages[column].unique()) if column in villages else set()
        return "+".join(x for x in ("reported", "modelled") if x in used) or "none"

    mobile = decided(s.COVERAGE_SOURCE)
    # a smart village needs a digital team and fibre (reported) and mobile broadband
    smart = "+".join(x for x in ("reported", "modelled") if x == "reported" or x in mobile)
    return {"village_mobile_broadband": mobile, "population_5g": decided(s.COVERAGE_SOURCE_5G),
            "village_fibre": "reported", "household_fibre": "reported",
            "commune_fibre": "reported", "smart_village": smart,
            "park_5g": "modelled", "download_4g": speed_source, "download_5g": speed_source}


def village_speed(villages: pd.DataFrame, speed_source: str = "reported") -> pd.Series:
    """The download speed each village is judged on: measured or reported (see
    :func:`target_table`); NaN where there is none."""
    column = s.DOWNLOAD_MEASURED if speed_source == "measured" else s.DOWNLOAD_MBPS
    return pd.to_numeric(villages[column], errors="coerce").astype(float) \
        if column in villages else pd.Series(np.nan, index=villages.index)


def _known_share(flags: pd.Series) -> tuple[float, float]:
    f = flags.astype("boolean")
    n = int(f.notna().sum())
    return _ratio(float(f.fillna(False).sum()), n, n)


def _ratio(num: float, den: float, base: float) -> tuple[float, float]:
    return (float(num) / float(den) if den else np.nan), float(base)
