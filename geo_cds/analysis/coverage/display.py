"""Display grids: each coverage raster averaged down to map size while the coverage pass reads it.

The map draws every coverage raster as a picture of at most a few thousand pixels. Reading the
raster a second time for it (a decimated GDAL read of a national raster) costs seconds; the
coverage pass already holds every window it reads, so it also folds each window into block
sums: the display grid is then the mean of the valid cells of each ``k × k`` block of the
raster (``k`` the smallest whole factor that brings the long side under ``side``), with the
band's scale and offset applied and nodata, NaN and mask-band cells left out exactly as the
coverage statistics leave them out. A block none of whose cells was read or valid is NaN. Cells
the pass never reads — tiles no zone touches — are therefore not drawn.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
from affine import Affine

from geo_cds.analysis.coverage._kernels import njit
from geo_cds.analysis.coverage.grid import Grid


@dataclass(frozen=True)
class DisplayGrid:
    """A raster averaged down for display: ``values`` float32 (NaN = no valid cell), on the
    north-up (or south-up) grid ``transform`` in ``crs`` (WKT), as rasterio takes them."""

    values: np.ndarray
    transform: Affine
    crs: str

    # Pickled as its valid cells and a bit mask: most of a country's box lies outside its
    # communes (NaN, never read), and a pickled run (benchmarks, notebooks) need not carry it.
    def __getstate__(self) -> dict:
        valid = ~np.isnan(self.values)
        return {"shape": self.values.shape, "valid": np.packbits(valid, axis=None),
                "data": self.values[valid], "transform": tuple(self.transform)[:6],
                "crs": self.crs}

    def __setstate__(self, state: dict) -> None:
        shape = state["shape"]
        valid = np.unpackbits(state["valid"], count=math.prod(shape)).reshape(shape)
        values = np.full(shape, np.nan, np.float32)
        values[valid.view(bool)] = state["data"]
        object.__setattr__(self, "values", values)
        object.__setattr__(self, "transform", Affine(*state["transform"]))
        object.__setattr__(self, "crs", state["crs"])


@dataclass
class Displays:
    """What a coverage pass is asked to average down for display, and what it made.

    ``names``: the rasters wanted (by their name in the pass); ``side``: the longest side a
    display grid may have, in cells; ``grids``: filled by the pass, name -> :class:`DisplayGrid`.
    """

    names: Collection[str]
    side: int
    grids: dict[str, DisplayGrid] = field(default_factory=dict)


def block_factor(width: int, height: int, side: int) -> int:
    """The smallest whole ``k`` with ``ceil(max(width, height) / k) <= side``."""
    return max(1, math.ceil(max(width, height) / max(side, 1)))


class BlockMean:
    """The display grid of one raster, filled window by window (:meth:`add`, in row order:
    as the coverage pass reads), then :meth:`finish`.

    Only one row of blocks is summed at a time: a block row is written out as a row of means
    once the windows have passed it, so the pass holds no full-size sums (at national scale,
    fresh memory costs more than the sums themselves).
    """

    def __init__(self, grid: Grid, side: int):
        self.grid = grid
        self.k = block_factor(grid.width, grid.height, side)
        shape = (-(-grid.height // self.k), -(-grid.width // self.k))
        self.values = np.empty(shape, np.float32)  # every row is written once, in order
        self._sums = np.zeros(shape[1])
        self._counts = np.zeros(shape[1])
        self._state = np.array([0, -1], np.int64)  # next row to write, block row being summed

    def add(self, block: np.ndarray, row_off: int, col_off: int, nodata: float,
            has_nodata: bool) -> None:
        """Fold a window read at (``row_off``, ``col_off``) in, as ``Band.read`` gives it."""
        block_means(block, int(row_off), int(col_off), float(nodata), bool(has_nodata), self.k,
                    self._state, self._sums, self._counts, self.values)

    def finish(self) -> DisplayGrid:
        """The mean of the valid cells of each block (NaN where there is none)."""
        close_rows(self._state, self._sums, self._counts, self.values, self.values.shape[0])
        # The last row/column of blocks may be partial: it reaches up to k - 1 cells past
        # the raster's edge, every block keeping its place on the raster's grid.
        transform = self.grid.transform @ Affine.scale(self.k)
        return DisplayGrid(self.values, transform, self.grid.crs.to_wkt())


@njit(cache=True)
def close_rows(state, sums, counts, values, upto):
    """Write every row of ``values`` before ``upto`` not written yet: the block row being
    summed as its means (NaN where no valid cell), the others (never read) NaN."""
    pending = state[1]
    for r in range(state[0], upto):
        if r == pending:
            for b in range(values.shape[1]):
                values[r, b] = sums[b] / counts[b] if counts[b] > 0 else np.nan
                sums[b] = 0.0
                counts[b] = 0.0
            state[1] = -1
        else:
            values[r, :] = np.nan
    state[0] = max(state[0], upto)


@njit(cache=True)
def block_means(block, r0, c0, nodata, has_nodata, k, state, sums, counts, values):
    """Add the valid cells of ``block`` (grid rows from ``r0``, columns from ``c0``) into the
    sums of their ``k × k`` blocks (NaN and, with ``has_nodata``, ``nodata`` are not valid,
    as in ``_kernels.accumulate``), writing out each block row the rows have passed.

    Each cell row is first copied as (value or 0, 1 or 0) into a buffer aligned on the blocks,
    a loop without branches the compiler vectorises; the buffer is then summed k by k.
    """
    h, w = block.shape
    nd = nodata if has_nodata else np.nan  # x != NaN always holds
    first = c0 // k
    lead = c0 - first * k  # cells of the window's first block left of the window
    nb = (lead + w + k - 1) // k
    row = np.zeros(nb * k)
    ok_row = np.zeros(nb * k)
    for i in range(h):
        br = (r0 + i) // k
        if br != state[1]:
            if br < state[0]:
                raise ValueError("display grid: windows must come in row order")
            close_rows(state, sums, counts, values, br)
            state[1] = br
        for j in range(w):
            v = float(block[i, j])
            ok = (v == v) & (v != nd)
            row[lead + j] = v if ok else 0.0
            ok_row[lead + j] = 1.0 if ok else 0.0
        for b in range(nb):
            s = 0.0
            n = 0.0
            for q in range(b * k, b * k + k):
                s += row[q]
                n += ok_row[q]
            sums[first + b] += s
            counts[first + b] += n
