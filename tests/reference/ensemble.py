"""Plain-numpy twin of the ensemble kernel: one walker at a time, the same draws.

Same order of draws from each walker's numpy Generator as
stochgen._kernels.ensemble (numba's Generator methods give numpy's stream).
"""

from __future__ import annotations

import numpy as np

STRETCH_A = 2.0
WALK_SIZE = 16


def _index(rng, lo, n):
    return lo + min(int(rng.random() * n), n - 1)


def _distinct(rng, lo, n, avoid):
    k = _index(rng, lo, n - 1)
    return k + 1 if k >= avoid else k


def propose(rng, move_cum, ens, w, lo, hi):
    """Return (proposal, log factor) for walker w from walkers lo..hi-1."""
    d = ens.shape[1]
    n = hi - lo
    u = rng.random()
    move = int(np.searchsorted(move_cum[:-1], u, side="right"))
    x = ens[w]
    if move == 0:
        j = _index(rng, lo, n)
        z = ((STRETCH_A - 1.0) * rng.random() + 1.0) ** 2 / STRETCH_A
        return ens[j] + z * (x - ens[j]), (d - 1.0) * np.log(z)
    if move == 1:
        s = min(n, WALK_SIZE)
        first = _index(rng, lo, n) - lo
        rows = ens[lo + (first + np.arange(s)) % n]
        mean = np.zeros(d)
        for r in rows:
            mean += r / s
        c = 2.38 / np.sqrt(d * max(s - 1.0, 1.0))
        y = x.copy()
        for r in rows:
            y = y + (c * rng.standard_normal()) * (r - mean)
        return y, 0.0
    if move == 2:
        j = _index(rng, lo, n)
        k = _distinct(rng, lo, n, j)
        if rng.random() < 0.1:
            g = 1.0
        else:
            g = 2.38 / np.sqrt(2.0 * d) * (1.0 + 1e-4 * (rng.random() - 0.5))
        return x + g * (ens[j] - ens[k]), 0.0
    a = _index(rng, lo, n)
    j = _distinct(rng, lo, n, a)
    k = _index(rng, lo, n - 2)
    if k >= min(a, j):
        k += 1
    if k >= max(a, j):
        k += 1
    g = 1.2 + rng.random()
    e = x - ens[a]
    norm2 = float(e @ e)
    proj = float((ens[j] - ens[k]) @ e) / norm2
    y = x + g * proj * e
    new2 = float((y - ens[a]) @ (y - ens[a]))
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
