"""VN-2000 and the other coordinate systems of Vietnamese data.

Provincial data is usually in VN-2000 (datum EPSG:4756): a TM-3 zone whose central meridian
is set per (old) province, or UTM 48N/49N. A ``.prj`` often lacks the datum shift to WGS 84,
which leaves features about 225 m off. :func:`resolve_crs` makes sure the EPSG transformation
"VN-2000 to WGS 84 (2)" (7 parameters) is applied and says so; :func:`likely_zones` names the
TM-3 zones of a province for the error raised when a layer has no CRS at all.

Metric work (areas, lengths, distances) uses :func:`metric_crs` (UTM 48N / 49N on WGS 84).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pyproj import CRS
from pyproj.exceptions import CRSError

DATA = Path(__file__).resolve().parent.parent / "data"

VN2000_GEOGRAPHIC = "EPSG:4756"
# EPSG "VN-2000 to WGS 84 (2)" (coordinate-frame rotations in the EPSG database); PROJ's
# +towgs84 uses the position-vector convention, so the three rotations change sign here.
TOWGS84_VN2000_2 = (
    -191.90441429,
    -39.30318279,
    -111.45032835,
    0.00928836,
    -0.01975479,
    0.00427372,
    0.252906278,
)
SHIFT_NAME = "EPSG 'VN-2000 to WGS 84 (2)'"
# VN-2000 / UTM zone 48N and 49N.
VN2000_UTM = {48: 3405, 49: 3406}

# Vietnam's extent with margin — Hoàng Sa and Trường Sa included — in degrees and in VN-2000
# metres (TM-3 or UTM).
VN_LON = (101.0, 118.5)
VN_LAT = (6.0, 24.0)
VN_EASTING = (150_000.0, 900_000.0)
VN_NORTHING = (750_000.0, 2_700_000.0)


@dataclass(frozen=True)
class Zone:
    """One VN-2000 TM-3 zone of an old province."""

    old_province_code: str
    old_province_name: str
    central_meridian: float
    epsg: str  # "EPSG:9216"
    new_provinces: str  # as in the table, e.g. "Tỉnh Quảng Ngãi (51)"

    def __str__(self) -> str:
        deg = int(self.central_meridian)
        minutes = round((self.central_meridian - deg) * 60)
        return (
            f"{self.epsg} (VN-2000 / TM-3 {deg}°{minutes:02d}′, "
            f"{self.old_province_name} {self.old_province_code})"
        )


@functools.lru_cache(maxsize=1)
def meridians() -> pd.DataFrame:
    """The VN-2000 TM-3 meridian of each of the 63 old provinces (shipped table).

    Columns: ``old_province_code``, ``old_province_name``, ``central_meridian_deg``,
    ``epsg_tm3``, ``new_province(s)_2025``, and ``new_province_codes`` (a tuple of the 2-digit
    codes of the 2025 provinces the old one went into).
    """
    table = pd.read_csv(DATA / "vn2000_province_meridians.csv", dtype=str)
    table["central_meridian_deg"] = table["central_meridian_deg"].astype(float)
    table["new_province_codes"] = table["new_province(s)_2025"].map(
        lambda s: tuple(re.findall(r"\((\d{2})\)", s))
    )
    return table


def zones_for_provinces(province_codes, vintage: str = "2025") -> list[Zone]:
    """TM-3 zones used in the given provinces.

    Parameters
    ----------
    province_codes : iterable of str
        2-digit province codes.
    vintage : {"2025", "pre2025"}
        ``"2025"``: the codes are new provinces; each old province merged into one of them
        contributes its zone (a merged province usually spans two meridians).
        ``"pre2025"``: the codes are old provinces.
    """
    codes = {str(c).zfill(2) for c in province_codes}
    table = meridians()
    if vintage == "2025":
        mask = table["new_province_codes"].map(lambda t: bool(codes & set(t)))
    else:
        mask = table["old_province_code"].isin(codes)
    zones: dict[str, Zone] = {}
    for row in table[mask].itertuples(index=False, name=None):
        z = Zone(row[0], row[1], row[2], row[3], row[4])
        zones.setdefault(f"{z.epsg}|{z.old_province_code}", z)
    return sorted(zones.values(), key=lambda z: (z.central_meridian, z.old_province_code))


@functools.lru_cache(maxsize=1)
def _tm3_meridians() -> dict[float, str]:
    table = meridians()
    return dict(zip(table["central_meridian_deg"], table["epsg_tm3"]))


def is_vn2000(crs: CRS) -> bool:
    """True when the CRS's datum is VN-2000 (whatever the spelling in the ``.prj``)."""
    try:
        geod = crs.geodetic_crs
    except CRSError:
        return False
    if geod is None:
        return False
    name = re.sub(r"[^a-z0-9]", "", (geod.datum.name or "").lower())
    return "vn2000" in name or "vietnam2000" in name or "vn2k" in name


def _tm_params(crs: CRS) -> dict | None:
    """lon_0, k, x_0, y_0 of a Transverse Mercator CRS, else None."""
    if not crs.is_projected or crs.coordinate_operation is None:
        return None
    op = crs.coordinate_operation
    if "transverse mercator" not in (op.method_name or "").lower():
        return None
    params = {}
    for p in op.params:
        n = p.name.lower()
        if "longitude of natural origin" in n or "central" in n:
            params["lon_0"] = p.value
        elif "scale factor" in n:
            params["k"] = p.value
        elif "false easting" in n:
            params["x_0"] = p.value
        elif "false northing" in n:
            params["y_0"] = p.value
        elif "latitude of natural origin" in n:
            params["lat_0"] = p.value
    return params


def _vn2000_epsg_for(params: dict) -> str | None:
    """The EPSG code of the VN-2000 TM-3 or UTM zone with these TM parameters."""
    lon0, k = params.get("lon_0"), params.get("k")
    if params.get("x_0") != 500_000 or params.get("y_0", 0) != 0 or lon0 is None or k is None:
        return None
    if abs(k - 0.9999) < 1e-9:
        for meridian, epsg in _tm3_meridians().items():
            if abs(meridian - lon0) < 1e-7:
                return epsg
        return None
    if abs(k - 0.9996) < 1e-9:
        for zone, code in VN2000_UTM.items():
            if abs(lon0 - (zone * 6 - 183)) < 1e-7:
                return f"EPSG:{code}"
    return None


def _with_shift(crs: CRS) -> CRS:
    """The same projection with the VN-2000 → WGS 84 (2) shift bound to it."""
    import warnings

    towgs = ",".join(repr(v) for v in TOWGS84_VN2000_2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # PROJ strings are fine for TM / UTM
        proj4 = crs.to_proj4()
    proj4 = re.sub(r"\+(datum|ellps|towgs84|nadgrids)=\S+", "", proj4)
    proj4 = proj4.replace("+type=crs", "")
    return CRS.from_proj4(f"{proj4} +ellps=WGS84 +towgs84={towgs}")


@dataclass(frozen=True)
class ResolvedCrs:
    crs: CRS
    note: str | None  # a warning to report (what was assumed or applied), or None


def resolve_crs(crs: CRS | str | None) -> ResolvedCrs:
    """Make sure a VN-2000 CRS reaches WGS 84 through the proper datum shift.

    * a CRS that carries its own shift (``TOWGS84`` in the ``.prj``, a bound CRS) is kept;
    * a VN-2000 CRS without one is replaced by its EPSG code (TM-3 zone or UTM 48N/49N), for
      which PROJ applies "VN-2000 to WGS 84 (2)"; a VN-2000 projection with no EPSG code gets
      that shift bound explicitly;
    * a Transverse Mercator CRS with the parameters of a VN-2000 TM-3 zone (scale 0.9999, false
      easting 500 km, a provincial meridian) but a WGS 84 or unnamed datum is VN-2000 data
      whose ``.prj`` lost its datum: it is treated as that zone;
    * anything else is returned unchanged with no note.

    Returns
    -------
    ResolvedCrs
        ``note`` says what was applied (report it as a warning).
    """
    if crs is None:
        raise ValueError("resolve_crs needs a CRS")
    crs = CRS.from_user_input(crs)
    if crs.is_bound:
        return ResolvedCrs(crs, None)
    params = _tm_params(crs)
    if is_vn2000(crs):
        if crs.is_geographic:
            return ResolvedCrs(
                CRS.from_user_input(VN2000_GEOGRAPHIC),
                f"VN-2000 geographic coordinates without a datum shift: applied "
                f"{SHIFT_NAME} (7 parameters; without it features are ~225 m off)",
            )
        epsg = _vn2000_epsg_for(params) if params else None
        if epsg:
            return ResolvedCrs(
                CRS.from_user_input(epsg),
                f"VN-2000 CRS without its own datum shift, identified as {epsg} "
                f"({CRS.from_user_input(epsg).name}); applied {SHIFT_NAME} "
                "(7 parameters; without it features are ~225 m off)",
            )
        return ResolvedCrs(
            _with_shift(crs),
            f"VN-2000 CRS {crs.name!r} without its own datum shift: applied "
            f"{SHIFT_NAME} (7 parameters; without it features are ~225 m off)",
        )
    if params and abs(params.get("k", 0) - 0.9999) < 1e-9:
        epsg = _vn2000_epsg_for(params)
        if epsg:
            return ResolvedCrs(
                CRS.from_user_input(epsg),
                f"CRS {crs.name!r} has the parameters of the VN-2000 TM-3 zone "
                f"{epsg} but no VN-2000 datum: read it as {epsg} and applied "
                f"{SHIFT_NAME}; if the data really is on WGS 84, set source_crs "
                "for this input",
            )
    return ResolvedCrs(crs, None)


def looks_like_degrees(bounds) -> bool:
    """Bounds (minx, miny, maxx, maxy) inside Vietnam in longitude/latitude."""
    minx, miny, maxx, maxy = bounds
    return (VN_LON[0] <= minx <= maxx <= VN_LON[1]) and (VN_LAT[0] <= miny <= maxy <= VN_LAT[1])


def looks_like_vn2000_metres(bounds) -> bool:
    """Bounds that look like VN-2000 TM-3 / UTM metres in Vietnam (easting ~500 km ± 350)."""
    minx, miny, maxx, maxy = bounds
    return (
        VN_EASTING[0] <= minx <= maxx <= VN_EASTING[1]
        and VN_NORTHING[0] <= miny <= maxy <= VN_NORTHING[1]
    )


def classify_coordinates(x, y) -> str | None:
    """Tell what coordinates without a CRS are, by majority of the points.

    Returns ``"degrees"`` (longitude/latitude in Vietnam), ``"metres"`` (VN-2000 TM-3 / UTM
    metres in Vietnam) or ``None``. A few stray points do not decide for the whole layer: they
    are rejected one by one later.
    """
    import numpy as np

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if not len(x):
        return None
    deg = ((x >= VN_LON[0]) & (x <= VN_LON[1]) & (y >= VN_LAT[0]) & (y <= VN_LAT[1])).sum()
    met = (
        (x >= VN_EASTING[0]) & (x <= VN_EASTING[1]) & (y >= VN_NORTHING[0]) & (y <= VN_NORTHING[1])
    ).sum()
    if deg == 0 and met == 0:
        return None
    return "degrees" if deg >= met else "metres"


def likely_zones(bounds, province_codes=(), vintage: str = "2025", target_bounds=None) -> list[str]:
    """Candidate CRSs for a layer without one whose coordinates look like VN-2000 metres.

    Parameters
    ----------
    bounds : tuple
        The layer's bounds in its (unknown) coordinates.
    province_codes : iterable of str
        Provinces the data belongs to (the communes layer's provinces); their zones come first.
    vintage : {"2025", "pre2025", "any"}
        Vintage of ``province_codes`` (``"any"``: read them both ways).
    target_bounds : tuple, optional
        Bounds (degrees) the layer should fall in; zones that put the layer there are marked.

    Returns
    -------
    list of str
        Human-readable candidates, e.g. ``"EPSG:9216 (VN-2000 / TM-3 107°30′, Tỉnh Kon Tum 62)"``.
    """
    from pyproj import Transformer

    if not province_codes:
        zones = []
    elif vintage == "any":  # codes of either vintage: both readings
        both = zones_for_provinces(province_codes, "2025") + zones_for_provinces(
            province_codes, "pre2025"
        )
        zones = sorted(
            {(z.epsg, z.old_province_code): z for z in both}.values(),
            key=lambda z: (z.central_meridian, z.old_province_code),
        )
    else:
        zones = zones_for_provinces(province_codes, vintage)
    out = []
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    for z in zones:
        label = str(z)
        if target_bounds is not None:
            lon, lat = Transformer.from_crs(z.epsg, "EPSG:4326", always_xy=True).transform(cx, cy)
            tb = target_bounds
            if tb[0] - 0.05 <= lon <= tb[2] + 0.05 and tb[1] - 0.05 <= lat <= tb[3] + 0.05:
                label += " — puts the layer over the communes"
        out.append(label)
    if not out:
        out = [
            "a VN-2000 TM-3 zone of the province (see geo_cds/data/vn2000_province_meridians.csv)"
        ]
    out.append("EPSG:3405 / EPSG:3406 (VN-2000 / UTM 48N / 49N)")
    return out


def utm_epsg(lon: float) -> int:
    """EPSG code of the WGS 84 UTM zone (48N or 49N for Vietnam) containing ``lon``."""
    zone = int((lon + 180) // 6) + 1
    return 32600 + zone


def metric_crs(gdf) -> CRS:
    """A metric CRS for a layer in Vietnam: the WGS 84 UTM zone of its centre (48N / 49N).

    A layer with no located feature (villages known by their commune code only) has no
    centre: UTM 48N then, where most of Vietnam lies (nothing of it is measured anyway).
    """
    minx, _, maxx, _ = gdf.geometry.to_crs("EPSG:4326").total_bounds  # not the whole frame
    if not np.isfinite(minx + maxx):
        return CRS.from_epsg(32648)
    return CRS.from_epsg(utm_epsg((minx + maxx) / 2))
