"""Compiled kernels of the coverage engine: zone weights on a cell grid, and their aggregation.

Everything here works in *pixel space*: x is the column coordinate and y the row coordinate of
the raster grid (``col = (X - x0) / a``, ``row = (Y - y0) / e``), so a cell is the unit square
``[c, c+1) × [r, r+1)`` and an area in pixel space is directly a fraction of a cell.

Exact weights use the area-accumulation scheme of scanline font rasterisers (font-rs,
stb_truetype): every polygon edge is cut at the grid lines into pieces that each lie inside one
cell; a piece deposits its signed height ``dy`` into the accumulator of its cell and of the cell
to its right, split by where its mid-point lies. A prefix sum along each row then gives, for
every cell, the exact area of the polygon inside it (Green's theorem). Only boundary cells
receive deposits; interior cells come out of the prefix sum as exactly 1. This is the same
quantity exactextract computes (the fraction of each cell covered by the polygon, in the
raster's CRS) but the work is proportional to the number of boundary pieces plus one addition
per cell of the bounding box.

The walk runs in coordinates local to each zone (small numbers, so the pieces' heights carry
~1e-14 of rounding), and zones whose box would need more than STRIP_CELLS accumulator cells
are done in row strips, so memory stays bounded for any zone size. The "fast" mode uses the
same scheme with one deposit per crossing of a row's centre line, giving the winding number at
each cell centre (1 inside, 0 outside: rasterstats' default rule).

Each zone's weights are emitted as *runs* of full cells (``zone, row, c0, c1``) plus single
*boundary cells* (``zone, row, col, w``), then bucketed by row (CSR over rows) so that a raster
can be read in row windows and each window meets exactly its rows' entries.

numba is optional: without it these functions run as plain Python (correct, but only usable on
small inputs such as the test fixtures).
"""

from __future__ import annotations

import math

import numpy as np

try:  # pragma: no cover - exercised by whichever environment runs the tests
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

    def njit(*args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f


# A cell whose covered fraction is below ZERO_EPS is left out of the zone; above 1 - ZERO_EPS
# it is a full cell. The prefix sums themselves are good to ~1e-14, but a boundary that lies on
# a grid line leaves rounding slivers of ~1e-11 of a cell (coordinates of 1e5 cells carry
# ~1e-11 of rounding), and such a sliver must not pull a neighbour's value into min/max.
# exactextract keeps every sliver > 0, so min/max can differ from it in the rare zone with a
# genuine sliver below 1e-9 of a cell (shares and means differ by < 1e-9 there).
ZERO_EPS = 1e-9
# Largest dense accumulator (cells) allocated for one zone; bigger zones are done in row strips.
STRIP_CELLS = 1 << 22


@njit(cache=True)
def _grow_i(a, need):
    b = np.empty(max(need, 2 * a.size), a.dtype)
    b[: a.size] = a
    return b


@njit(cache=True)
def _grow_f(a, need):
    b = np.empty(max(need, 2 * a.size), a.dtype)
    b[: a.size] = a
    return b


@njit(cache=True)
def _ring_area(x, y, s, e):
    """Shoelace area of the closed ring x[s:e], y[s:e] (last point repeats the first)."""
    acc = 0.0
    for i in range(s, e - 1):
        acc += x[i] * y[i + 1] - x[i + 1] * y[i]
    return 0.5 * acc


@njit(cache=True)
def _deposit_ring(acc, x, y, s, e, m, r_lo, r_hi, c_lo, c_hi, ox, oy):
    """Add the ring's edges (times orientation multiplier m) into the accumulator of the strip.

    acc has shape (r_hi - r_lo, c_hi - c_lo + 1); column j is grid column c_lo + j. The walk
    runs in coordinates relative to the whole cell (ox, oy) at the zone's lower corner: small
    numbers keep the rounding of piece heights near 1e-14 instead of ~1e-12 at column 8000,
    so that slivers down to ZERO_EPS are told apart from noise.
    """
    r_lo = r_lo - oy
    r_hi = r_hi - oy
    c_lo = c_lo - ox
    c_hi = c_hi - ox
    for i in range(s, e - 1):
        x0 = x[i] - ox
        y0 = y[i] - oy
        x1 = x[i + 1] - ox
        y1 = y[i + 1] - oy
        dx = x1 - x0
        dy = y1 - y0
        if dy == 0.0:
            continue  # a horizontal edge adds no area
        if max(y0, y1) <= r_lo or min(y0, y1) >= r_hi:
            continue  # the edge misses this strip
        if min(x0, x1) >= c_hi:
            continue  # entirely right of the window: adds nothing inside it
        # Walk the edge through the grid (Amanatides-Woo): the next vertical and horizontal grid
        # lines it crosses, as parameters t in (0, 1], recomputed from integer line positions.
        if dx > 0:
            sx = 1.0
            lx = math.floor(x0) + 1.0
        elif dx < 0:
            sx = -1.0
            lx = math.ceil(x0) - 1.0
        else:
            sx = 0.0
            lx = 0.0
        if dy > 0:
            sy = 1.0
            ly = math.floor(y0) + 1.0
        else:
            sy = -1.0
            ly = math.ceil(y0) - 1.0
        t = 0.0
        xa = x0
        ya = y0
        while t < 1.0:
            tx = (lx - x0) / dx if sx != 0.0 else 2.0
            ty = (ly - y0) / dy
            tn = min(tx, ty, 1.0)
            if tn >= 1.0:
                xb = x1
                yb = y1
                tn = 1.0
            else:
                xb = x0 + dx * tn
                yb = y0 + dy * tn
            if tx <= tn:
                lx += sx
            if ty <= tn:
                ly += sy
            h = (yb - ya) * m
            if h != 0.0:
                ym = 0.5 * (ya + yb)
                r = math.floor(ym)
                if r_lo <= r < r_hi:
                    xm = 0.5 * (xa + xb)
                    k = math.floor(xm)
                    row = r - r_lo
                    if k < c_lo:
                        acc[row, 0] += h
                    elif k < c_hi:
                        j = int(k) - c_lo
                        f = xm - k
                        acc[row, j] += h * (1.0 - f)
                        acc[row, j + 1] += h * f
            t = tn
            xa = xb
            ya = yb


@njit(cache=True)
def _deposit_ring_centres(acc, x, y, s, e, m, r_lo, r_hi, c_lo, c_hi):
    """Cell-centre variant: +-1 at the first cell whose centre lies right of each crossing of a
    row's centre line, so that the prefix sum is the winding number at each cell centre."""
    for i in range(s, e - 1):
        x0 = x[i]
        y0 = y[i]
        x1 = x[i + 1]
        y1 = y[i + 1]
        if y0 == y1:
            continue
        ya = min(y0, y1)
        yb = max(y0, y1)
        # centre lines r + 0.5 with ya <= r + 0.5 < yb (half-open: a vertex on a line counts once)
        ra = max(math.ceil(ya - 0.5), r_lo)
        rb = min(math.ceil(yb - 0.5), r_hi)
        sgn = m if y1 > y0 else -m
        for r in range(ra, rb):
            yc = r + 0.5
            xc = x0 + (x1 - x0) * (yc - y0) / (y1 - y0)
            c = math.ceil(xc - 0.5)  # first column whose centre is at or right of xc
            if c < c_lo:
                acc[r - r_lo, 0] += sgn
            elif c < c_hi:
                acc[r - r_lo, c - c_lo] += sgn


@njit(cache=True)
def _count_strip(acc, width):
    """Runs of full cells and partly covered cells in a strip (after the row prefix sums)."""
    n_runs = 0
    n_cells = 0
    for i in range(acc.shape[0]):
        cum = 0.0
        in_run = False
        for j in range(width):
            cum += acc[i, j]
            if cum >= 1.0 - ZERO_EPS:
                if not in_run:
                    n_runs += 1
                    in_run = True
            else:
                in_run = False
                if cum > ZERO_EPS:
                    n_cells += 1
    return n_runs, n_cells


@njit(cache=True)
def _emit_strip(
    acc, width, z, s0, c_lo, nr, nc, run_z, run_r, run_a, run_b, cell_z, cell_r, cell_c, cell_w
):
    for i in range(acc.shape[0]):
        cum = 0.0
        start = -1
        for j in range(width + 1):
            if j < width:
                cum += acc[i, j]
                w = cum
            else:
                w = 0.0  # closes a run that reaches the last column
            if w >= 1.0 - ZERO_EPS:
                if start < 0:
                    start = j
                continue
            if start >= 0:
                run_z[nr] = z
                run_r[nr] = s0 + i
                run_a[nr] = c_lo + start
                run_b[nr] = c_lo + j
                nr += 1
                start = -1
            if w > ZERO_EPS:
                cell_z[nc] = z
                cell_r[nc] = s0 + i
                cell_c[nc] = c_lo + j
                cell_w[nc] = w
                nc += 1


@njit(cache=True)
def zone_weights(x, y, ring_off, ring_hole, zone_ring_off, nrows, ncols, centres):
    """Coverage weights of every zone on an ``nrows × ncols`` grid.

    Parameters
    ----------
    x, y : float64 arrays
        Ring vertices in pixel space; ring i is ``x[ring_off[i]:ring_off[i+1]]`` (closed).
    ring_hole : bool array
        True for interior rings (holes).
    zone_ring_off : int64 array
        Rings of zone z are ``zone_ring_off[z]:zone_ring_off[z+1]``.
    centres : bool
        False: exact covered fractions. True: 1 for cells whose centre is inside, else 0.

    Returns
    -------
    area, runs (zone, row, c0, c1), cells (zone, row, col, w), n_runs, n_cells
        ``area[z]`` is the zone's area in cells (whole polygon, also the part off the grid).
    """
    nz = zone_ring_off.size - 1
    area = np.zeros(nz)
    cap = 1024
    run_z = np.empty(cap, np.int32)
    run_r = np.empty(cap, np.int32)
    run_a = np.empty(cap, np.int32)
    run_b = np.empty(cap, np.int32)
    cell_z = np.empty(cap, np.int32)
    cell_r = np.empty(cap, np.int32)
    cell_c = np.empty(cap, np.int32)
    cell_w = np.empty(cap, np.float64)
    nr = 0
    nc = 0
    for z in range(nz):
        rs = zone_ring_off[z]
        re = zone_ring_off[z + 1]
        if rs == re:
            continue
        xmin = np.inf
        xmax = -np.inf
        ymin = np.inf
        ymax = -np.inf
        mult = np.empty(re - rs)
        for q in range(rs, re):
            a = _ring_area(x, y, ring_off[q], ring_off[q + 1])
            # orientation-free: exteriors add |area|, holes subtract it (see module docstring)
            sgn = 1.0 if a > 0 else -1.0
            mult[q - rs] = sgn if ring_hole[q] else -sgn
            area[z] += -abs(a) if ring_hole[q] else abs(a)
            for v in range(ring_off[q], ring_off[q + 1]):
                xmin = min(xmin, x[v])
                xmax = max(xmax, x[v])
                ymin = min(ymin, y[v])
                ymax = max(ymax, y[v])
        ox = math.floor(xmin)
        oy = math.floor(ymin)
        r_lo = max(math.floor(ymin), 0)
        r_hi = min(math.ceil(ymax), nrows)
        c_lo = max(math.floor(xmin), 0)
        c_hi = min(math.ceil(xmax), ncols)
        if r_lo >= r_hi or c_lo >= c_hi:
            continue  # off the grid
        width = c_hi - c_lo
        strip = max(1, STRIP_CELLS // (width + 1))
        s0 = r_lo
        while s0 < r_hi:
            s1 = min(s0 + strip, r_hi)
            acc = np.zeros((s1 - s0, width + 1))
            for q in range(rs, re):
                if centres:
                    _deposit_ring_centres(
                        acc, x, y, ring_off[q], ring_off[q + 1], mult[q - rs], s0, s1, c_lo, c_hi
                    )
                else:
                    _deposit_ring(
                        acc,
                        x,
                        y,
                        ring_off[q],
                        ring_off[q + 1],
                        mult[q - rs],
                        s0,
                        s1,
                        c_lo,
                        c_hi,
                        ox,
                        oy,
                    )
            # count, grow, then write: the output arrays are never reassigned inside the
            # per-cell loops (numba would then reference-count them on every cell)
            n_runs, n_cells = _count_strip(acc, width)
            if nr + n_runs > run_z.size:
                run_z = _grow_i(run_z, nr + n_runs)
                run_r = _grow_i(run_r, nr + n_runs)
                run_a = _grow_i(run_a, nr + n_runs)
                run_b = _grow_i(run_b, nr + n_runs)
            if nc + n_cells > cell_z.size:
                cell_z = _grow_i(cell_z, nc + n_cells)
                cell_r = _grow_i(cell_r, nc + n_cells)
                cell_c = _grow_i(cell_c, nc + n_cells)
                cell_w = _grow_f(cell_w, nc + n_cells)
            _emit_strip(
                acc,
                width,
                z,
                s0,
                c_lo,
                nr,
                nc,
                run_z,
                run_r,
                run_a,
                run_b,
                cell_z,
                cell_r,
                cell_c,
                cell_w,
            )
            nr += n_runs
            nc += n_cells
            s0 = s1
    return (
        area,
        run_z[:nr],
        run_r[:nr],
        run_a[:nr],
        run_b[:nr],
        cell_z[:nc],
        cell_r[:nc],
        cell_c[:nc],
        cell_w[:nc],
    )


@njit(cache=True)
def row_order(rows, nrows):
    """Counting sort by row: (permutation, row pointer of length nrows + 1)."""
    ptr = np.zeros(nrows + 1, np.int64)
    for r in rows:
        ptr[r + 1] += 1
    for r in range(nrows):
        ptr[r + 1] += ptr[r]
    pos = ptr[:-1].copy()
    perm = np.empty(rows.size, np.int64)
    for i in range(rows.size):
        r = rows[i]
        perm[pos[r]] = i
        pos[r] += 1
    return perm, ptr


@njit(cache=True)
def row_bounds(run_ptr, run_a, run_b, cell_ptr, cell_c):
    """Column range [lo, hi) each grid row's weights need (lo >= hi: the row has none)."""
    h = run_ptr.size - 1
    lo = np.full(h, 1 << 62, np.int64)
    hi = np.zeros(h, np.int64)
    for r in range(h):
        for q in range(run_ptr[r], run_ptr[r + 1]):
            lo[r] = min(lo[r], run_a[q])
            hi[r] = max(hi[r], run_b[q])
        for q in range(cell_ptr[r], cell_ptr[r + 1]):
            lo[r] = min(lo[r], cell_c[q])
            hi[r] = max(hi[r], cell_c[q] + 1)
    return lo, hi


@njit(cache=True)
def accumulate(
    block,
    pop,
    has_pop,
    r0,
    col0,
    nodata,
    has_nodata,
    threshold,
    run_ptr,
    run_z,
    run_a,
    run_b,
    cell_ptr,
    cell_z,
    cell_c,
    cell_w,
    acc,
    vmin,
    vmax,
):
    """Add one row window of a raster into the per-zone sums.

    ``block`` holds grid rows ``r0 : r0 + block.shape[0]`` and columns from ``col0``; ``pop`` is
    the population on the same window (ignored unless ``has_pop``; NaN = no people).
    ``acc[z]`` = (Σw valid, Σw covered, Σw·value, Σw·pop, Σw·pop covered).

    A run of full cells is summed into locals first and added to its zone once: the per-cell
    work is then a few register operations (no helper call, whose array arguments would cost
    reference counting on every cell).
    """
    for i in range(block.shape[0]):
        r = r0 + i
        for q in range(run_ptr[r], run_ptr[r + 1]):
            z = run_z[q]
            s_w = 0.0
            s_c = 0.0
            s_v = 0.0
            s_p = 0.0
            s_pc = 0.0
            lo = np.inf
            hi = -np.inf
            for c in range(run_a[q] - col0, run_b[q] - col0):
                v = float(block[i, c])
                if math.isnan(v) or (has_nodata and v == nodata):
                    continue
                s_w += 1.0
                s_v += v
                cov = v >= threshold
                if cov:
                    s_c += 1.0
                if has_pop:
                    p = float(pop[i, c])
                    if p > 0.0:  # also false for NaN
                        s_p += p
                        if cov:
                            s_pc += p
                lo = min(lo, v)
                hi = max(hi, v)
            if s_w > 0.0:
                acc[z, 0] += s_w
                acc[z, 1] += s_c
                acc[z, 2] += s_v
                acc[z, 3] += s_p
                acc[z, 4] += s_pc
                vmin[z] = min(vmin[z], lo)
                vmax[z] = max(vmax[z], hi)
        for q in range(cell_ptr[r], cell_ptr[r + 1]):
            c = cell_c[q] - col0
            v = float(block[i, c])
            if math.isnan(v) or (has_nodata and v == nodata):
                continue
            z = cell_z[q]
            w = cell_w[q]
            cov = v >= threshold
            acc[z, 0] += w
            acc[z, 2] += w * v
            if cov:
                acc[z, 1] += w
            if has_pop:
                p = float(pop[i, c])
                if p > 0.0:
                    acc[z, 3] += w * p
                    if cov:
                        acc[z, 4] += w * p
            vmin[z] = min(vmin[z], v)
            vmax[z] = max(vmax[z], v)


@njit(cache=True)
def point_values(block, r0, col0, prow, pcol, ry, rx, fy, fx, radius, nodata, has_nodata, out):
    """Best (max) valid value near each point, updating ``out`` in place.

    ``prow``/``pcol`` are the points' fractional pixel coordinates; a point always sees its own
    cell, and with ``radius > 0`` also every cell whose centre is within ``radius`` metres of it
    (``fy[i]``/``fx[i]`` are metres per row/column at point i; ``ry``/``rx`` the search half-widths
    in cells). Only the part of the search window inside ``block`` (grid rows from ``r0``,
    columns from ``col0``) is looked at, so a raster can be visited window by window.
    """
    nb = block.shape[0]
    nbc = block.shape[1]
    r2 = radius * radius
    for i in range(prow.size):
        pr = math.floor(prow[i])
        pc = math.floor(pcol[i])
        best = out[i]
        for dr in range(-ry[i], ry[i] + 1):
            br = pr + dr - r0
            if br < 0 or br >= nb:
                continue
            for dc in range(-rx[i], rx[i] + 1):
                bc = pc + dc - col0
                if bc < 0 or bc >= nbc:
                    continue
                if dr != 0 or dc != 0:
                    d2 = (((pr + dr + 0.5) - prow[i]) * fy[i]) ** 2 + (
                        ((pc + dc + 0.5) - pcol[i]) * fx[i]
                    ) ** 2
                    if d2 > r2:
                        continue
                v = float(block[br, bc])
                if math.isnan(v) or (has_nodata and v == nodata):
                    continue
                if math.isnan(best) or v > best:
                    best = v
        out[i] = best
