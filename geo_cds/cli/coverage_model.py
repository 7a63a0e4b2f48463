"""``geo-cds coverage-model``: RSRP rasters modelled from a base-station list."""

from __future__ import annotations

from pathlib import Path

import click

from geo_cds.cli.options import handle_errors, is_quiet, overwrite_option

TECHS = ("2g", "3g", "4g", "5g")


def _bounds(ctx, param, value):
    if value is None:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter(f"expected WEST,SOUTH,EAST,NORTH in degrees, got {value!r}",
                                 ctx, param) from None
    if not (west < east and south < north):
        raise click.BadParameter(f"WEST < EAST and SOUTH < NORTH, got {value!r}", ctx, param)
    return west, south, east, north


def _thresholds(ctx, param, values):
    out = {}
    for value in values:
        tech, sep, number = value.partition("=")
        try:
            out[tech.lower()] = float(number)
        except ValueError:
            raise click.BadParameter(f"expected TECH=DBM (e.g. 4g=-105), got {value!r}",
                                     ctx, param) from None
        if not sep or tech.lower() not in TECHS:
            raise click.BadParameter(f"expected TECH=DBM with TECH in {TECHS}, got {value!r}",
                                     ctx, param)
    return out


@click.command("coverage-model", short_help="Model RSRP rasters from a base-station list.")
@click.argument("stations", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("output", type=click.Path(file_okay=False, path_type=Path))
@click.option("--technology", "-t", "technologies", multiple=True, type=click.Choice(TECHS),
              default=("4g", "5g"), show_default=True, help="Technology to model (repeat).")
@click.option("--crs", default=None, metavar="CRS",
              help="Grid CRS (e.g. EPSG:32648); default: UTM 48N/49N by the stations' centre.")
@click.option("--resolution", type=float, default=None,
              help="Cell size in CRS units [default: 100 (m), 0.001 in a geographic CRS].")
@click.option("--bounds", callback=_bounds, default=None, metavar="W,S,E,N",
              help="Grid extent in degrees; default: the zones' bounds, else the stations'.")
@click.option("--zones", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="A polygon layer (e.g. communes) whose bounds set the extent.")
@click.option("--environment", default="auto", show_default=True,
              type=click.Choice(["auto", "dense_urban", "urban", "suburban", "rural", "open"]),
              help="Path-loss environment of stations without their own (auto: by station "
                   "density).")
@click.option("--max-distance-km", type=click.FloatRange(min=0.1), default=20.0,
              show_default=True, help="Stations farther than this from a cell are not heard.")
@click.option("--threshold", "thresholds", multiple=True, callback=_thresholds,
              metavar="TECH=DBM",
              help="Covered at ≥ DBM for the operator counts (default 4g=-105, 5g=-110, "
                   "2g/3g=-100).")
@click.option("--dem", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="DEM GeoTIFF (m above sea level, any CRS): each path loses "
                                 "its knife-edge diffraction loss (ITU-R P.526, single edge).")
@click.option("--layer", default=None, help="Layer or sheet of the station file.")
@overwrite_option
@handle_errors
def coverage_model(stations: Path, output: Path, technologies, crs, resolution, bounds, zones,
                   environment, max_distance_km, thresholds, dem, layer, overwrite) -> None:
    """Model best-server RSRP from STATIONS (CSV, Excel, GeoPackage…) into the folder OUTPUT.

    STATIONS is OpenCelliD's cell CSV (radio, mcc, net, area, cell, lon, lat, …) or a
    register with Vietnamese headers (Mã trạm, Nhà mạng, Kinh độ, Vĩ độ, Công nghệ, Băng tần
    (MHz), Độ cao anten (m)). Writes per technology rsrp_<tech>.tif (best server of any
    operator), rsrp_<tech>_<operator>.tif, operators_<tech>.tif (operators reaching the
    threshold) — Int16 tenths of a dBm with scale 0.1, nodata −32768, tiled, compressed —
    and model.json. COST-231 Hata path loss; assumptions in the README.

    \b
    Examples:
        geo-cds coverage-model tram.csv coverage_model/
        geo-cds coverage-model cells_452.csv out/ -t 4g --crs EPSG:4326 --resolution 0.001 \\
            --zones xa_2025.gpkg
    """
    import time

    import geopandas as gpd
    from rasterio.warp import transform_bounds

    from geo_cds.analysis.radio import DEFAULT_THRESHOLDS, ModelGrid, utm_crs
    from geo_cds.analysis.radio.model import iter_operator_layers
    from geo_cds.analysis.radio.pathloss import CARRIERS
    from geo_cds.analysis.radio.prepare import ensure_ready
    from geo_cds.errors import LayerError, ValidationFailed
    from geo_cds.inputs.read import read_layer
    from geo_cds.inputs.vector import read_vector
    from geo_cds.outputs.radio import write_model_folder
    from geo_cds.outputs.write import check_writable
    from geo_cds.plan import InputSpec
    from geo_cds.problems import ProblemLog

    check_writable(output, overwrite)
    t0 = time.perf_counter()
    problems = ProblemLog()
    frame = read_layer(InputSpec(path=stations, layer=layer), "stations", problems)
    if problems.layer_errors() or frame is None or not len(frame):
        if problems.errors:  # every error with its row, grouped, as every command shows them
            raise ValidationFailed(problems.problems)
        raise LayerError(f"{stations}: no usable station")
    if bounds is None and zones is not None:
        bounds = tuple(read_vector(zones).to_crs("EPSG:4326").total_bounds)
    if bounds is None:
        w, s, e, n = frame.total_bounds
        pad = max_distance_km / 111.0
        bounds = (w - pad, s - pad, e + pad, n + pad)
    grid_crs = gpd.GeoSeries([], crs=crs or utm_crs((bounds[0] + bounds[2]) / 2)).crs
    cell = resolution or (0.001 if grid_crs.is_geographic else 100.0)
    grid = ModelGrid.covering(transform_bounds("EPSG:4326", grid_crs, *bounds, densify_pts=21),
                              grid_crs, cell)
    limits = {**DEFAULT_THRESHOLDS, **thresholds}
    ensure_ready(None if is_quiet() else
                 lambda _k, s: click.echo("preparing the coverage model (one-time)…"
                                          if s is None else f" {s:.1f} s", err=True))
    record = {
        "model": "COST-231 Hata, best server; RSRP = EIRP per resource element − path loss",
        "grid": {"crs": grid_crs.to_string(), "cell": cell, "width": grid.width,
                 "height": grid.height, "transform": list(grid.transform)[:6]},
        "scale": "Int16 tenths of a dBm (band scale 0.1); nodata -32768",
        "environment": environment, "max_distance_km": max_distance_km,
        "mobile_height_m": 1.5, "thresholds_dbm": {t: limits[t] for t in technologies},
        "carriers": {t: {"band_mhz": CARRIERS[t].band_mhz,
                         "eirp_per_re_dbm": round(CARRIERS[t].eirp_re_dbm, 2)}
                     for t in technologies},
        "station_file": str(stations),
        "terrain": (f"single knife-edge diffraction (ITU-R P.526) on the profiles of {dem}"
                    if dem else "none (flat earth)"),
    }
    layers = iter_operator_layers(frame, grid, technologies, environment=environment,
                                  max_distance_km=max_distance_km, dem=dem)
    rejects = problems.to_frame()
    out = write_model_folder(layers, grid, output, thresholds=limits, record=record,
                             overwrite=overwrite, rejects=rejects)
    if is_quiet():
        return
    counts = ", ".join(f"{t}: {sum(ops.values()):,} stations ({len(ops)} operators)"
                       for t, ops in out["stations"].items()) or "no station of " + \
        "/".join(technologies)
    click.echo(f"Wrote {output}: {len(out['files'])} files, grid {grid.width} × {grid.height} "
               f"cells of {cell:g} in {grid_crs.to_string()} — {counts}; "
               f"{int((rejects['severity'] == 'error').sum()) if len(rejects) else 0} rows "
               f"rejected; {time.perf_counter() - t0:.1f} s")
