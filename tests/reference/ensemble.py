"""Plain-numpy twin of the ensemble kernel: one walker at a time, the same draws.

Same order of draws from each walker's numpy Generator as
stochgen._kernels.ensemble (numba's Generator methods give numpy's stream),
and the same recycling of uniforms into indices.
"""

from __future__ import annotations

import numpy as np

STRETCH_A = 2.0
WALK_SIZE = 16
BELOW_ONE = 1.0 - 2.0**-53


def _split(r, n):
    t = r * n
    i = min(int(t), n - 1)
    return i, min(max(t - i, 0.0), BELOW_ONE)


def _choose(move_cum, u):
    m = int(np.searchsorted(move_cum[:-1], u, side="right"))
    below = move_cum[m - 1] if m > 0 else 0.0
    return m, min(max((u - below) / (move_cum[m] - below), 0.0), BELOW_ONE)


def propose(rng, move_cum, ens, w, lo, hi):
    """Return (proposal, log factor) for walker w from walkers lo..hi-1."""
    d = ens.shape[1]
    n = hi - lo
    move, r = _choose(move_cum, rng.random())
    x = ens[w]
    if move == 0:
        j = lo + _split(r, n)[0]
        z = ((STRETCH_A - 1.0) * rng.random() + 1.0) ** 2 / STRETCH_A
        return ens[j] + z * (x - ens[j]), (d - 1.0) * np.log(z)
    if move == 1:
        s = min(n, WALK_SIZE)
        first = _split(r, n)[0]
        rows = ens[lo + (first + np.arange(s)) % n]
        mean = np.zeros(d)
        for row in rows:
            mean += row / s
        c = 2.38 / np.sqrt(d * max(s - 1.0, 1.0))
        y = x.copy()
        for row in rows:
            y = y + (c * rng.standard_normal()) * (row - mean)
        return y, 0.0
    if move == 2:
        j, r = _split(r, n)
        k, r = _split(r, n - 1)
        k += k >= j
        u = rng.random()
        g = 1.0 if u < 0.1 else 2.38 / np.sqrt(2.0 * d) * (1.0 + 1e-4 * ((u - 0.1) / 0.9 - 0.5))
        return x + g * (ens[lo + j] - ens[lo + k]), 0.0
    a, r = _split(r, n)
    j, r = _split(r, n - 1)
    j += j >= a
    k, r = _split(r, n - 2)
    k += k >= min(a, j)
    k += k >= max(a, j)
    a, j, k = lo + a, lo + j, lo + k
    g = 1.2 + rng.random()
    e = x - ens[a]
    norm2 = float(np.sum(e * e))
    proj = float(np.sum((ens[j] - ens[k]) * e)) / norm2
    y = x + g * proj * e
    new2 = float(np.sum((y - ens[a]) ** 2))
    return y, 0.5 * (d - 1.0) * (np.log(new2) - np.log(norm2))


def run_ensemble(logpdf, ens, lp, gens, move_cum, n_accept, t0, steps, warmup, thin, draws):
    walkers = ens.shape[0]
    h = walkers // 2
    for t in range(t0, t0 + steps):
        for half in range(2):
            lo, comp = half * h, (1 - half) * h
            for w in range(lo, lo + h):
                y, lf = propose(gens[w], move_cum, ens, w, comp, comp + h)
                lp_y = logpdf(y)
                if np.log(gens[w].random()) < lp_y - lp[w] + lf:
                    ens[w] = y
                    lp[w] = lp_y
                    if t >= warmup:
                        n_accept[w] += 1
        s = t - warmup + 1
        if s > 0 and s % thin == 0:
            draws[:, s // thin - 1] = ens
    return draws
