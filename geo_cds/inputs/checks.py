"""What no real input can be: files that cannot be read as they are, values no row can hold.

The reader asks these questions before and after reading a layer, so that a broken input ends
as a message naming the file, the row and the fix instead of an exception deep in a later
stage:

* :func:`file_problem` — a path that is a folder, an empty (0-byte) file, a file the user
  may not read, a shapefile without its ``.dbf``/``.shx``;
* :func:`implausible` — numbers outside the range any real row has (a population of 1e20, an
  RSRP of +30 dBm), usually a unit, decimal-separator or typing error;
* :func:`truncated_tiff` — a GeoTIFF cut short (its header opens, its data do not);
* :func:`read_failure` — what a reader's exception means, said plainly.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from geo_cds import schema as S

# (lowest, highest) value a real row can hold, per canonical column. Generous on purpose:
# the point is to stop absurd values (1e20 people) before they reach the sums, not to judge
# plausible ones. The largest 2025 communes have a few hundred thousand people and the largest
# economic zone ~217,000 ha; RSRP is reported between −156 and −31 dBm (3GPP TS 36.133) and
# planning rasters mark "no signal" down to −200 dBm; no receiver sees more than 0 dBm.
PLAUSIBLE = {
    S.POPULATION: (0, 2_000_000),
    S.HOUSEHOLDS: (0, 1_000_000),
    S.AREA_KM2: (0, 20_000),
    S.AREA_HA: (0, 2_000_000),
    S.MERCHANTS: (0, 1_000_000),
    S.MERCHANTS_QR: (0, 1_000_000),
    S.HEIGHT_M: (0, 1_000),
    S.DOWNLOAD_MBPS: (0, 100_000),
    S.RSRP_4G: (-200, 0),
    S.RSRP_5G: (-200, 0),
    S.TARGET_5G_YEAR: (2000, 2100),
}
# A raster cell: people per cell (a 100 m cell of the densest ward holds a few thousand).
PLAUSIBLE_RASTER = {"population": (0, 1_000_000), "rsrp": (-200, 0), "mask": (0, 1)}

# A shapefile is several files; these two it cannot be read without.
SHAPEFILE_SIDECARS = {
    ".dbf": "the attribute table",
    ".shx": "the index of the shapes",
}


def implausible(nums: pd.Series, column: str) -> tuple[pd.Series, str]:
    """Rows whose (finite) value lies outside :data:`PLAUSIBLE`, and the range in words.

    Negative values of counts and sizes (lower bound 0) are left to the reader's own check
    (a clearer message); here only what is beyond any real row.
    """
    if column not in PLAUSIBLE:
        return pd.Series(False, index=nums.index), ""
    low, high = PLAUSIBLE[column]
    bad = nums.notna() & (nums > high)
    if low != 0:
        bad |= nums.notna() & (nums < low)
    return bad, f"{low:,} to {high:,}"


def file_problem(path: Path) -> tuple[str, str] | None:
    """(problem, fix) when ``path`` cannot be read as a file at all; None when it can."""
    path = Path(path)
    if path.is_dir():
        return ("this is a folder, not a file",
                "give the path of the file itself in the plan")
    try:
        with open(path, "rb") as f:
            empty = not f.read(1)
    except PermissionError:
        return (f"permission denied: the user running geo-cds ({_user()}) may not read it",
                "give that user read access to the file (e.g. chmod a+r), or copy it "
                "somewhere readable")
    except OSError as exc:
        return (f"cannot open the file: {exc.strerror or exc}",
                "check that the file is there and readable")
    if empty:
        return ("the file is empty (0 bytes): it was not copied or saved completely",
                "copy or export the file again")
    if path.suffix.lower() == ".shp":
        for ext, what in SHAPEFILE_SIDECARS.items():
            side = _sidecar(path, ext)
            if side is None:
                return (f"the shapefile has no {ext} file ({what}): {path.stem}{ext} is not "
                        "beside it",
                        f"copy {path.name} together with its .shx, .dbf, .prj and .cpg files "
                        "(same name, same folder)")
            problem = file_problem(side)
            if problem is not None:
                return (f"{side.name}: {problem[0]}", problem[1])
    return None


# What GDAL's (and the CSV reader's) messages mean, in the words of someone holding the file.
_READ_FAILURES = (
    ("malformed", "the file is damaged (cut short or partly written)"),
    ("not recognized as being in a supported file format",
     "this is not a file of geodata that GDAL can read (wrong format or extension?)"),
    ("failed to read geojson", "the GeoJSON is damaged (cut short or not valid JSON)"),
    ("fields in line", "the table's rows do not all have the same number of columns (a stray "
                       "separator?)"),
    ("unexpected end of data", "the table ends inside a quoted value (an unclosed quote?)"),
)


def read_failure(exc: BaseException) -> str:
    """``cannot read the file: <what that means> (<the reader's own words, shortened>)``."""
    text = " ".join(str(exc).split())
    detail = text if len(text) <= 160 else text[:157] + "…"
    meaning = next((m for key, m in _READ_FAILURES if key in text.lower()), None)
    return f"cannot read the file: {meaning} ({detail})" if meaning else \
        f"cannot read the file: {detail}"


def _sidecar(shp: Path, ext: str) -> Path | None:
    for side in (shp.with_suffix(ext), shp.with_suffix(ext.upper())):
        if side.exists():
            return side
    return None


def _user() -> str:
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except (ImportError, KeyError):
        return "this user"


def truncated_tiff(src, path: Path) -> str | None:
    """A GeoTIFF whose data blocks lie past the end of the file (copied or saved short).

    GDAL opens such a file (the header is at the start) and fails only when the missing
    blocks are read, deep in the coverage engine; the block offsets in the TIFF tags tell it
    at once.
    """
    if src.driver != "GTiff":
        return None
    size = Path(path).stat().st_size
    height, width = src.block_shapes[0]
    rows = -(-src.height // height)
    cols = -(-src.width // width)
    for bidx in range(1, src.count + 1):
        for row in range(rows):
            for col in range(cols):
                offset = src.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=bidx)
                length = src.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=bidx)
                if offset and length and int(offset) + int(length) > size:
                    return (f"the file is cut short: it is {size:,} bytes but its data run "
                            f"to byte {int(offset) + int(length):,}")
    return None


def raster_values(src, kind: str, max_blocks: int = 16) -> str | None:
    """Non-finite or impossible cell values, looked for in up to ``max_blocks`` blocks.

    The blocks are spread evenly over the raster (first and last included), so a layer of bad
    values is found at the cost of a few tiles; a few isolated bad cells may escape.
    """
    from rasterio.windows import Window

    low, high = PLAUSIBLE_RASTER.get(kind, (-np.inf, np.inf))
    bh, bw = src.block_shapes[0]
    rows, cols = -(-src.height // bh), -(-src.width // bw)
    picks = np.unique(np.linspace(0, rows * cols - 1, min(max_blocks, rows * cols)).astype(int))
    found = []
    for k in picks:
        r, c = divmod(int(k), cols)
        window = Window(c * bw, r * bh, min(bw, src.width - c * bw), min(bh, src.height - r * bh))
        found.append(np.ma.compressed(src.read(1, window=window, masked=True)))
    values = np.concatenate(found).astype("float64") if found else np.empty(0)
    values = values[~np.isnan(values)]  # NaN is read as "no value", declared or not
    # judged as the coverage engine reads them: the band's scale and offset applied
    values = values * (src.scales[0] if src.scales else 1.0) + (
        src.offsets[0] if src.offsets else 0.0)
    if not values.size:
        return None
    if np.isinf(values).any():
        return f"the raster holds infinite values (its nodata value is {src.nodata})"
    worst_low, worst_high = values.min(), values.max()
    if worst_low < low or worst_high > high:
        return (f"cell values run from {worst_low:g} to {worst_high:g}, beyond what a "
                f"{kind} raster can hold ({low:g} to {high:g})")
    return None
