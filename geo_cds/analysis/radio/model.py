"""Best-server RSRP on a grid from a station list: per operator and technology, then combined.

``model_coverage(stations, grid)`` returns, for each technology, the best-server layer (the
strongest station of any operator at each cell), the number of operators whose best station
reaches the coverage threshold (``> 0``: covered by any operator), and each operator's own
best-server layer. ``iter_operator_layers`` yields the per-operator layers one at a time, so a
national grid need not hold them all (the ``coverage-model`` command writes each as it comes).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
from affine import Affine
from pyproj import CRS
from scipy.spatial import cKDTree

from geo_cds import schema as S
from geo_cds.analysis.radio import _kernels
from geo_cds.analysis.radio.pathloss import (
    CARRIERS,
    MIN_DISTANCE_KM,
    RSRP_CEILING,
    RSRP_FLOOR,
    intercept_slope,
)

TILE = 32  # cells per side of a kernel tile (and of a station bucket)
# What each technology counts as covered when no threshold is given (dBm): the plan's 4G/5G
# defaults; GSM RxLev and UMTS CPICH RSCP at -100 dBm (common outdoor planning levels).
DEFAULT_THRESHOLDS = {"2g": -100.0, "3g": -100.0, "4g": -105.0, "5g": -110.0}
# Environment by station density ("auto"): distinct station positions (50 m apart or more)
# within URBAN_RADIUS_M of a station, any operator or technology.
URBAN_RADIUS_M = 1500.0
URBAN_MIN, SUBURBAN_MIN = 8, 3


@dataclass(frozen=True)
class ModelGrid:
    """A north-up grid: CRS, top-left corner, square cell size (CRS units), shape."""

    crs: CRS
    x0: float
    y0: float
    cell: float
    width: int
    height: int

    @classmethod
    def covering(cls, bounds, crs, cell: float) -> ModelGrid:
        """The grid of ``cell`` snapped to multiples of ``cell`` that covers ``bounds`` (in
        ``crs``)."""
        minx, miny, maxx, maxy = bounds
        eps = 1e-9
        x0 = math.floor(minx / cell + eps) * cell
        y0 = math.ceil(maxy / cell - eps) * cell
        width = max(1, int(math.ceil((maxx - x0) / cell - eps)))
        height = max(1, int(math.ceil((y0 - miny) / cell - eps)))
        return cls(CRS.from_user_input(crs), x0, y0, cell, width, height)

    @property
    def transform(self) -> Affine:
        return Affine(self.cell, 0.0, self.x0, 0.0, -self.cell, self.y0)

    @property
    def geographic(self) -> bool:
        return self.crs.is_geographic

    def metre_scales(self) -> tuple[np.ndarray, float]:
        """(metres per x unit for each row, metres per y unit)."""
        if not self.geographic:
            return np.ones(self.height), 1.0
        # metres per degree on the WGS 84 ellipsoid (the usual series in cos of the latitude)
        phi = np.radians(self.y0 - (np.arange(self.height) + 0.5) * self.cell)
        kx = 111_412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi) + 0.118 * np.cos(5 * phi)
        mid = float(np.radians(self.y0 - self.height * self.cell / 2))
        ky = 111_132.954 - 559.822 * math.cos(2 * mid) + 1.175 * math.cos(4 * mid)
        return kx, ky


def utm_crs(lon: float) -> CRS:
    """UTM 48N west of 108°E, 49N east of it (Vietnam's two zones)."""
    return CRS.from_epsg(32648 if lon < 108.0 else 32649)


@dataclass
class ModelledCoverage:
    """The model's layers on ``grid`` (float32 dBm, −inf clipped to the floor −140)."""

    grid: ModelGrid
    best: dict[str, np.ndarray] = field(default_factory=dict)  # tech -> best server, any operator
    operators_covering: dict[str, np.ndarray] = field(default_factory=dict)  # tech -> uint8
    by_operator: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, float] = field(default_factory=dict)
    stations: dict[str, int] = field(default_factory=dict)  # tech -> stations modelled


def station_environments(stations: gpd.GeoDataFrame, setting: str = "auto") -> np.ndarray:
    """The path-loss environment of each station: its own ``environment`` value when given,
    else ``setting`` — or, for ``"auto"``, by the density of distinct station positions
    around it (≥ 8 within 1.5 km: urban, ≥ 3: suburban, else rural)."""
    n = len(stations)
    own = (stations[S.ENVIRONMENT].to_numpy(dtype=object) if S.ENVIRONMENT in stations
           else np.full(n, None, dtype=object))
    given = np.array([isinstance(v, str) and bool(v) for v in own], dtype=bool)
    if setting != "auto":
        return np.where(given, own, setting).astype(object)
    pts = stations.geometry
    if n == 0:
        return np.zeros(0, dtype=object)
    centre = pts.union_all().centroid if n < 50 else pts.iloc[: min(n, 1000)].union_all().centroid
    xy = pts.to_crs(utm_crs(centre.x)) if pts.crs and pts.crs.is_geographic else pts
    coords = np.column_stack([xy.x.to_numpy(), xy.y.to_numpy()])
    sites = np.unique(np.round(coords / 50.0), axis=0) * 50.0
    count = cKDTree(sites).query_ball_point(coords, URBAN_RADIUS_M, return_length=True)
    auto = np.where(count >= URBAN_MIN, "urban", np.where(count >= SUBURBAN_MIN, "suburban",
                                                         "rural")).astype(object)
    return np.where(given, own, auto).astype(object)


def _bands(stations: gpd.GeoDataFrame, tech: str) -> np.ndarray:
    band = stations[S.BAND_MHZ].to_numpy(dtype=float) if S.BAND_MHZ in stations \
        else np.full(len(stations), np.nan)
    return np.where(np.isnan(band), CARRIERS[tech].band_mhz, band)


def _station_lines(stations: gpd.GeoDataFrame, tech: str, environment: np.ndarray,
                   mobile_height_m: float) -> tuple[np.ndarray, np.ndarray]:
    carrier = CARRIERS[tech]
    band = _bands(stations, tech)
    loss_a, loss_b = intercept_slope(band, stations[S.HEIGHT_M].to_numpy(dtype=float),
                                     environment, mobile_height_m)
    # P(d) = EIRP − (A + B log10(d_km)) = EIRP − A + 3 B − B log10(d_m)
    return carrier.eirp_re_dbm - loss_a + 3.0 * loss_b, loss_b


@dataclass(frozen=True)
class Terrain:
    """Heights for the diffraction loss: the DEM on the model grid (m above sea level, NaN
    unknown), each station's antenna height above sea level, its wavelength (m), and the
    receiver's height above ground."""

    dem: np.ndarray
    h_tx: np.ndarray
    wavelength: np.ndarray
    hm: float = 1.5


def dem_on_grid(path, grid: ModelGrid) -> np.ndarray:
    """The DEM GeoTIFF resampled (bilinear) onto ``grid``; NaN where it has no value."""
    import rasterio
    from rasterio.warp import Resampling, reproject

    out = np.full((grid.height, grid.width), np.nan, np.float32)
    with rasterio.open(path) as src:
        reproject(rasterio.band(src, 1), out, dst_transform=grid.transform,
                  dst_crs=grid.crs.to_wkt(), dst_nodata=np.nan,
                  resampling=Resampling.bilinear)
    return out


def ground_at(path, points: gpd.GeoSeries) -> np.ndarray:
    """DEM height under each point (nearest DEM cell; NaN off the DEM or on its nodata)."""
    import rasterio

    with rasterio.open(path) as src:
        pts = points.to_crs(src.crs) if points.crs != src.crs else points
        xy = list(zip(pts.x.to_numpy(), pts.y.to_numpy()))
        out = np.full(len(xy), np.nan)
        for i, v in enumerate(src.sample(xy, indexes=1, masked=True)):
            if not np.ma.is_masked(v):
                out[i] = float(v[0])
    return out


def best_server_layer(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray,
                      grid: ModelGrid, max_distance_km: float,
                      terrain: Terrain | None = None) -> np.ndarray:
    """Best received power (float32 dBm) at each cell of ``grid`` from stations at (x, y) in
    the grid's CRS with lines ``a − b log10(d_m)``; −inf where none is within reach. With
    ``terrain``, each path loses its single knife-edge diffraction loss (ITU-R P.526)."""
    kx, ky = grid.metre_scales()
    max_d = max_distance_km * 1000.0
    ntx = -(-grid.width // TILE)
    nty = -(-grid.height // TILE)
    bucket = TILE * grid.cell
    reach_x = int(math.ceil(max_d / (bucket * float(kx.min())))) + 1
    reach_y = int(math.ceil(max_d / (bucket * ky))) + 1
    out = np.empty((grid.height, grid.width), np.float32)
    if len(x) == 0:
        out.fill(-np.inf)
        return out
    # stations that cannot reach the grid stay out (else they would crowd its edge buckets)
    reach_units_x, reach_units_y = max_d / float(kx.min()), max_d / ky
    near = ((x >= grid.x0 - reach_units_x) & (x <= grid.x0 + grid.width * grid.cell
                                                + reach_units_x)
            & (y <= grid.y0 + reach_units_y) & (y >= grid.y0 - grid.height * grid.cell
                                                 - reach_units_y))
    x, y, a, b = x[near], y[near], np.asarray(a)[near], np.asarray(b)[near]
    x, y = np.ascontiguousarray(x, np.float64), np.ascontiguousarray(y, np.float64)
    starts, order = _kernels.bucket_stations(x, y, grid.x0, grid.y0, bucket, ntx, nty)
    args = (x, y, np.ascontiguousarray(a, np.float64), np.ascontiguousarray(b, np.float64),
            grid.x0, grid.y0, grid.cell, grid.height, grid.width,
            np.ascontiguousarray(kx, np.float64), float(ky), max_d, MIN_DISTANCE_KM * 1000.0,
            TILE, starts, order, ntx, nty, reach_x, reach_y)
    if terrain is None:
        _kernels.best_server(*args, out)
    else:
        _kernels.best_server_terrain(
            *args, np.ascontiguousarray(terrain.dem, np.float32),
            np.ascontiguousarray(terrain.h_tx[near], np.float64),
            np.ascontiguousarray(terrain.wavelength[near], np.float64), float(terrain.hm), out)
    return out


def iter_operator_layers(stations: gpd.GeoDataFrame, grid: ModelGrid, technologies,
                         *, environment: str = "auto", max_distance_km: float = 20.0,
                         mobile_height_m: float = 1.5, by_operator: bool = True,
                         dem=None) -> Iterator[tuple[str, str | None, np.ndarray, int]]:
    """Yield ``(technology, operator, layer, stations)`` for each pair present in the list
    (layer: float32 dBm clipped to −140…−44); with ``by_operator=False`` one layer per
    technology of all operators' stations together (operator None: the best server). ``dem``:
    a DEM GeoTIFF for the terrain's diffraction loss (default: flat earth)."""
    env = station_environments(stations, environment)
    pts = stations.geometry.to_crs(grid.crs) if stations.crs != grid.crs else stations.geometry
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    dem_grid = dem_on_grid(dem, grid) if dem is not None else None
    ground = ground_at(dem, stations.geometry) if dem is not None else None
    tech_col = stations[S.TECHNOLOGY].to_numpy(dtype=object)
    op_col = stations[S.OPERATOR].astype(object).where(stations[S.OPERATOR].notna(), "?") \
        .to_numpy(dtype=object)
    for tech in technologies:
        in_tech = tech_col == tech
        groups = sorted({str(o) for o in op_col[in_tech]}) if by_operator else [None]
        for op in groups:
            sel = in_tech & (op_col == op) if op is not None else in_tech
            a, b = _station_lines(stations[sel], tech, env[sel], mobile_height_m)
            terrain = None
            if dem_grid is not None:
                band = _bands(stations[sel], tech)
                terrain = Terrain(dem_grid, ground[sel] + stations[S.HEIGHT_M].to_numpy(
                    dtype=float)[sel], 299.792458 / band, mobile_height_m)
            layer = best_server_layer(x[sel], y[sel], a, b, grid, max_distance_km, terrain)
            np.clip(layer, RSRP_FLOOR, RSRP_CEILING, out=layer)
            yield tech, op, layer, int(sel.sum())


def model_coverage(stations: gpd.GeoDataFrame, grid: ModelGrid, technologies=("4g", "5g"),
                   *, thresholds: Mapping[str, float] | None = None, environment: str = "auto",
                   max_distance_km: float = 20.0, mobile_height_m: float = 1.5,
                   keep_operators: bool = True, dem=None) -> ModelledCoverage:
    """Model every layer in memory (see the module docstring).

    Parameters
    ----------
    stations : GeoDataFrame
        Canonical stations (``geo_cds.inputs.stations``): ``operator``, ``technology``,
        ``height_m``, optional ``band_mhz`` and ``environment``; points in any CRS.
    grid : ModelGrid
    technologies : iterable of {"2g", "3g", "4g", "5g"}
    thresholds : mapping, optional
        Covered at ≥ this many dBm, per technology (default :data:`DEFAULT_THRESHOLDS`).
    environment : str
        ``auto`` or one of the path-loss environments, for stations without their own.
    max_distance_km, mobile_height_m : float
    keep_operators : bool
        Keep each operator's layer (``by_operator``) and count the operators covering each
        cell; False models only the best server of each technology, all operators' stations
        in one pass (what a run needs; ``operators_covering`` stays empty).
    dem : path, optional
        A DEM GeoTIFF (metres above sea level, any CRS): each path then loses the single
        knife-edge diffraction loss of its profile (ITU-R P.526; see ``_kernels``).
    """
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    result = ModelledCoverage(grid, thresholds={t: limits[t] for t in technologies})
    for tech in technologies:
        result.best[tech] = np.full((grid.height, grid.width), RSRP_FLOOR, np.float32)
        result.stations[tech] = 0
        if keep_operators:
            result.operators_covering[tech] = np.zeros((grid.height, grid.width), np.uint8)
    for tech, op, layer, n in iter_operator_layers(
            stations, grid, technologies, environment=environment,
            max_distance_km=max_distance_km, mobile_height_m=mobile_height_m,
            by_operator=keep_operators, dem=dem):
        np.maximum(result.best[tech], layer, out=result.best[tech])
        result.stations[tech] += n
        if keep_operators:
            result.operators_covering[tech] += layer >= limits[tech]
            result.by_operator[(tech, op)] = layer
    return result
