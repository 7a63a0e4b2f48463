"""Compiled best-server kernel: the strongest station at every cell of a grid.

Each station ``s`` is a line ``P_s(d) = a_s − b_s log10(max(d, dmin))`` (dBm, d in metres)
heard up to ``max_d`` metres. The grid is cut into square tiles of ``tile`` cells; for each
tile the stations of the buckets within reach are candidates, and a candidate is dropped when
even its best case over the tile (at its nearest point of the tile) is below the worst case of
another candidate that reaches the whole tile (at its farthest corner): it can be the best
server nowhere in the tile. The survivors are sorted by that best case, and each cell stops
at the first survivor whose best case is below what the cell already has: the work grows with
the cells times the few stations that compete there, not with every station in range.

Coordinates: a projected grid works in its metres (``kx = ky = 1``); a geographic grid in
degrees, with ``ky`` metres per degree of latitude and ``kx[row]`` metres per degree of
longitude at the row's latitude (the equirectangular approximation: under 0.1 % off at the
20 km a station is heard).

Without numba the functions run as plain Python (correct, usable on the tests' tiny grids).
"""

from __future__ import annotations

import math

import numpy as np

try:  # pragma: no cover - whichever environment runs
    from numba import njit, prange

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False
    prange = range

    def njit(*args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return lambda f: f


NO_SIGNAL = -np.inf  # a cell no station reaches


@njit(cache=True)
def bucket_stations(sx, sy, x0, y0, bucket, nbx, nby):
    """CSR of the stations by square bucket (``bucket`` coordinate units on a side) of a
    ``nbx × nby`` bucket grid starting at (x0, y0) going +x and −y; stations outside are
    clamped into the edge buckets (they can still reach the grid)."""
    n = sx.shape[0]
    which = np.empty(n, np.int64)
    counts = np.zeros(nbx * nby + 1, np.int64)
    for i in range(n):
        bx = int(math.floor((sx[i] - x0) / bucket))
        by = int(math.floor((y0 - sy[i]) / bucket))
        bx = min(max(bx, 0), nbx - 1)
        by = min(max(by, 0), nby - 1)
        which[i] = by * nbx + bx
        counts[which[i] + 1] += 1
    for k in range(nbx * nby):
        counts[k + 1] += counts[k]
    order = np.empty(n, np.int64)
    fill = counts[:-1].copy()
    for i in range(n):
        order[fill[which[i]]] = i
        fill[which[i]] += 1
    return counts, order


@njit(cache=True)
def _tile_candidates(t, sx, sy, a, b, x0, y0, cell, nrows, ncols, kx, ky, max_d2, dmin2,
                     tile, starts, order, nbx, nby, reach_x, reach_y, use_floor):
    """The stations that can be the best server somewhere in tile ``t``, sorted by their
    best case over the tile (strongest first), with that best case; and the tile's bounds."""
    ntx = (ncols + tile - 1) // tile
    ty, tx = t // ntx, t % ntx
    r0, c0 = ty * tile, tx * tile
    r1, c1 = min(r0 + tile, nrows), min(c0 + tile, ncols)
    # tile extent in grid coordinates (cell centres), and its metre scales
    xa = x0 + (c0 + 0.5) * cell
    xb = x0 + (c1 - 0.5) * cell
    ya = y0 - (r1 - 0.5) * cell
    yb = y0 - (r0 + 0.5) * cell
    kx_lo, kx_hi = kx[r0], kx[r0]
    for r in range(r0, r1):
        kx_lo = min(kx_lo, kx[r])
        kx_hi = max(kx_hi, kx[r])
    ncand = 0
    for by in range(max(ty - reach_y, 0), min(ty + reach_y + 1, nby)):
        for bx in range(max(tx - reach_x, 0), min(tx + reach_x + 1, nbx)):
            k = by * nbx + bx
            ncand += starts[k + 1] - starts[k]
    cand = np.empty(ncand, np.int64)
    ub = np.empty(ncand, np.float64)
    m = 0
    floor = -np.inf
    for by in range(max(ty - reach_y, 0), min(ty + reach_y + 1, nby)):
        for bx in range(max(tx - reach_x, 0), min(tx + reach_x + 1, nbx)):
            k = by * nbx + bx
            for j in range(starts[k], starts[k + 1]):
                s = order[j]
                ddx = max(xa - sx[s], 0.0, sx[s] - xb)
                ddy = max(ya - sy[s], 0.0, sy[s] - yb)
                near2 = (ddx * kx_lo) ** 2 + (ddy * ky) ** 2
                if near2 > max_d2:
                    continue
                fx = max(abs(sx[s] - xa), abs(sx[s] - xb)) * kx_hi
                fy = max(abs(sy[s] - ya), abs(sy[s] - yb)) * ky
                far2 = fx * fx + fy * fy
                if use_floor and far2 <= max_d2:  # heard everywhere in the tile: a floor
                    floor = max(floor, a[s] - b[s] * 0.5 * math.log10(max(far2, dmin2)))
                cand[m] = s
                ub[m] = a[s] - b[s] * 0.5 * math.log10(max(near2, dmin2))
                m += 1
    keep = 0
    for i in range(m):
        if ub[i] >= floor:
            cand[keep] = cand[i]
            ub[keep] = ub[i]
            keep += 1
    rank = np.argsort(-ub[:keep])
    return cand[:keep][rank], ub[:keep][rank], r0, r1, c0, c1


@njit(cache=True, parallel=True)
def best_server(sx, sy, a, b, x0, y0, cell, nrows, ncols, kx, ky, max_d, dmin, tile,
                starts, order, nbx, nby, reach_x, reach_y, out):
    """Fill ``out[nrows, ncols]`` (float32) with the best received power (−inf: none in reach).

    ``(x0, y0)`` is the grid's top-left corner, ``cell`` its cell size, buckets are ``tile``
    cells on a side, ``reach_x/reach_y`` the buckets to look at around a tile on each side.
    """
    ntx = (ncols + tile - 1) // tile
    nty = (nrows + tile - 1) // tile
    max_d2 = max_d * max_d
    dmin2 = dmin * dmin
    for t in prange(ntx * nty):
        cand, ub, r0, r1, c0, c1 = _tile_candidates(
            t, sx, sy, a, b, x0, y0, cell, nrows, ncols, kx, ky, max_d2, dmin2, tile, starts,
            order, nbx, nby, reach_x, reach_y, True)
        for r in range(r0, r1):
            y = y0 - (r + 0.5) * cell
            kxr = kx[r]
            for c in range(c0, c1):
                x = x0 + (c + 0.5) * cell
                best = -np.inf
                for i in range(cand.shape[0]):
                    if ub[i] < best:  # no later candidate can beat it either
                        break
                    s = cand[i]
                    dx = (x - sx[s]) * kxr
                    dy = (y - sy[s]) * ky
                    d2 = dx * dx + dy * dy
                    if d2 <= max_d2:
                        v = a[s] - b[s] * 0.5 * math.log10(max(d2, dmin2))
                        if v > best:
                            best = v
                out[r, c] = best
    return out


EARTH_RADIUS_M = 6_371_000.0
K_FACTOR = 4.0 / 3.0  # standard atmosphere: effective Earth radius 4/3 of the real one


@njit(cache=True)
def knife_edge_db(v):
    """ITU-R P.526-15 eq. (31): single knife-edge loss J(v) in dB (0 for v ≤ −0.78)."""
    if v <= -0.78:
        return 0.0
    return 6.9 + 20.0 * math.log10(math.sqrt((v - 0.1) ** 2 + 1.0) + v - 0.1)


@njit(cache=True)
def profile_loss_db(dem, r, c, sr, sc, h_tx, h_rx, dist, wavelength):
    """Diffraction loss on the path from a station at fractional (row, col) ``(sr, sc)`` with
    antenna at ``h_tx`` m above sea level to the cell (r, c) with the receiver at ``h_rx``:
    the profile is sampled once per cell along the path (nearest DEM cell; samples off the
    grid or without data are skipped), Earth bulge d1·d2/(2kR) added, and the edge with the
    largest Fresnel-Kirchhoff parameter v = h·sqrt(2d/(λ d1 d2)) gives J(v) (single edge)."""
    rr, cc = r + 0.5, c + 0.5
    n = int(math.ceil(max(abs(rr - sr), abs(cc - sc))))
    if n < 2 or dist <= 0.0:
        return 0.0
    nrows, ncols = dem.shape
    vmax = -np.inf
    for i in range(1, n):
        t = i / n  # from the station
        pr = int(math.floor(sr + (rr - sr) * t))
        pc = int(math.floor(sc + (cc - sc) * t))
        if pr < 0 or pr >= nrows or pc < 0 or pc >= ncols:
            continue
        g = dem[pr, pc]
        if g != g:  # NaN: no height known
            continue
        d1 = dist * t
        d2 = dist - d1
        h = g + d1 * d2 / (2.0 * K_FACTOR * EARTH_RADIUS_M) - (h_tx + (h_rx - h_tx) * t)
        v = h * math.sqrt(2.0 * dist / (wavelength * d1 * d2))
        if v > vmax:
            vmax = v
    return knife_edge_db(vmax) if vmax > -np.inf else 0.0


@njit(cache=True, parallel=True)
def best_server_terrain(sx, sy, a, b, x0, y0, cell, nrows, ncols, kx, ky, max_d, dmin, tile,
                        starts, order, nbx, nby, reach_x, reach_y, dem, h_tx, wavelength,
                        hm, out):
    """:func:`best_server` with the diffraction loss of the terrain ``dem`` (metres above sea
    level on the grid; NaN unknown) on each path: ``h_tx`` is each station's antenna height
    above sea level (NaN when its ground is unknown: no loss), ``hm`` the receiver's above
    ground. A loss only lowers a value, so the
    candidates' best cases still bound it; the tile floor does not hold and is not used."""
    ntx = (ncols + tile - 1) // tile
    nty = (nrows + tile - 1) // tile
    max_d2 = max_d * max_d
    dmin2 = dmin * dmin
    for t in prange(ntx * nty):
        cand, ub, r0, r1, c0, c1 = _tile_candidates(
            t, sx, sy, a, b, x0, y0, cell, nrows, ncols, kx, ky, max_d2, dmin2, tile, starts,
            order, nbx, nby, reach_x, reach_y, False)
        for r in range(r0, r1):
            y = y0 - (r + 0.5) * cell
            kxr = kx[r]
            for c in range(c0, c1):
                x = x0 + (c + 0.5) * cell
                h_rx = dem[r, c] + hm  # NaN (height unknown): no loss computed
                best = -np.inf
                for i in range(cand.shape[0]):
                    if ub[i] < best:
                        break
                    s = cand[i]
                    dx = (x - sx[s]) * kxr
                    dy = (y - sy[s]) * ky
                    d2 = dx * dx + dy * dy
                    if d2 > max_d2:
                        continue
                    v = a[s] - b[s] * 0.5 * math.log10(max(d2, dmin2))
                    if v <= best:
                        continue
                    v -= profile_loss_db(dem, r, c, (y0 - sy[s]) / cell, (sx[s] - x0) / cell,
                                         h_tx[s], h_rx, math.sqrt(d2), wavelength[s])
                    if v > best:
                        best = v
                out[r, c] = best
    return out
