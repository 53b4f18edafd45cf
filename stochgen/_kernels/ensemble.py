"""Ensemble moves: affine-invariant stretch and walk, differential evolution and snooker.

The ensemble of ``W`` walkers (``W`` even) is split into a red half (walkers
``0 .. W/2 - 1``) and a blue half (the rest). A half-step moves every walker
of one half, each with a proposal built from the walkers of the other half,
which stay fixed meanwhile; so the walkers of a half move independently and in
parallel, and the chain of the whole ensemble keeps its target (Goodman and
Weare 2010, section 3; Foreman-Mackey et al. 2013).

Moves, chosen per walker and step at random with fixed probabilities:

- 0 stretch (Goodman and Weare 2010): ``y = x_j + z (x - x_j)``, ``z`` with
  density ``1/sqrt(z)`` on ``[1/a, a]``, ``a = 2``; log factor ``(d - 1) log z``.
- 1 walk (Goodman and Weare 2010): ``y = x + c sum_j z_j (x_j - mean)`` over
  ``S`` walkers of the other half, ``z_j`` standard normal; ``c`` makes the
  step's covariance ``2.38^2 / d`` times the ensemble's (Roberts, Gelman and
  Gilks 1997). Symmetric.
- 2 differential evolution (ter Braak 2006): ``y = x + g (x_j - x_k)``,
  ``g = 2.38 / sqrt(2 d)`` jittered by 1e-4 relative uniform noise, ``g = 1`` one
  time in ten (a jump between modes). Symmetric.
- 3 snooker (ter Braak and Vrugt 2008): along the line from a third walker
  ``x_z`` through ``x``, by ``g`` times the projected difference of two
  others, ``g`` uniform on ``[1.2, 2.2]``; log factor
  ``(d - 1) log(|y - x_z| / |x - x_z|)``.

Each walker draws its noise from its own generator (a ``numba.typed.List``),
so a walker's path does not depend on the thread schedule. Proposals with a
NaN log-density are rejected.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numba
import numpy as np

from stochgen._numba import jit

# The two per-walker steps are inlined into their loops at numba's IR level: as
# calls, passing nine arrays and a generator cost twice the step itself.
_inline_jit = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")

__all__ = [
    "DE",
    "SNOOKER",
    "STRETCH",
    "WALK",
    "WALK_SIZE",
    "accept_walker",
    "ensemble_half_step",
    "ensemble_kernel",
    "propose_walker",
]

STRETCH = 0
WALK = 1
DE = 2
SNOOKER = 3
#: Stretch scale ``a`` (Goodman and Weare 2010).
STRETCH_A = 2.0
#: Walkers of the other half combined by a walk move (fewer if the half is smaller).
WALK_SIZE = 16


#: Largest double below 1: recycled uniforms stay in [0, 1).
BELOW_ONE = 1.0 - 2.0**-53


@_inline_jit
def _split(r, n):
    """Return ``(i, rest)``: a uniform index in ``0 .. n - 1`` from ``r``, and ``r``'s remainder.

    The remainder ``r n - i`` is again uniform on [0, 1) and independent of
    ``i``; recycling it saves drawing a fresh uniform (each split spends
    ``log2 n`` of the 53 bits).
    """
    t = r * n
    i = min(int(t), n - 1)
    return i, min(max(t - i, 0.0), BELOW_ONE)


@_inline_jit
def _choose(move_cum, u):
    """Return ``(move, rest)``: the move whose cumulative band holds ``u``, and ``u`` rescaled."""
    m = 0
    while m < move_cum.shape[0] - 1 and u >= move_cum[m]:
        m += 1
    below = move_cum[m - 1] if m > 0 else 0.0
    return m, min(max((u - below) / (move_cum[m] - below), 0.0), BELOW_ONE)


@_inline_jit
def _stretch(rng, r, ens, w, comp_lo, n, ys, row):
    d = ens.shape[1]
    j, r = _split(r, n)
    j += comp_lo
    z = ((STRETCH_A - 1.0) * rng.random() + 1.0) ** 2 / STRETCH_A
    for i in range(d):
        ys[row, i] = ens[j, i] + z * (ens[w, i] - ens[j, i])
    return (d - 1.0) * np.log(z)


@_inline_jit
def _walk(rng, r, ens, w, comp_lo, n, ys, row, scratch):
    d = ens.shape[1]
    s = min(n, WALK_SIZE)
    first, r = _split(r, n)
    for i in range(d):
        scratch[row, i] = 0.0
    # A run of s consecutive walkers (cyclically) from a random start: a
    # random subset whose law does not depend on x, so the move is symmetric.
    for q in range(s):
        j = comp_lo + (first + q) % n
        for i in range(d):
            scratch[row, i] += ens[j, i] / s
    c = 2.38 / np.sqrt(d * max(s - 1.0, 1.0))
    for i in range(d):
        ys[row, i] = ens[w, i]
    for q in range(s):
        zq = c * rng.standard_normal()
        j = comp_lo + (first + q) % n
        for i in range(d):
            ys[row, i] += zq * (ens[j, i] - scratch[row, i])
    return 0.0


@_inline_jit
def _differential_evolution(rng, r, ens, w, comp_lo, n, ys, row):
    d = ens.shape[1]
    j, r = _split(r, n)
    k, r = _split(r, n - 1)
    if k >= j:
        k += 1
    j += comp_lo
    k += comp_lo
    u = rng.random()
    if u < 0.1:
        g = 1.0
    else:
        g = 2.38 / np.sqrt(2.0 * d) * (1.0 + 1e-4 * ((u - 0.1) / 0.9 - 0.5))
    for i in range(d):
        ys[row, i] = ens[w, i] + g * (ens[j, i] - ens[k, i])
    return 0.0


@_inline_jit
def _snooker(rng, r, ens, w, comp_lo, n, ys, row):
    d = ens.shape[1]
    # Three distinct walkers of the other half.
    a, r = _split(r, n)
    j, r = _split(r, n - 1)
    if j >= a:
        j += 1
    k, r = _split(r, n - 2)
    if k >= min(a, j):
        k += 1
    if k >= max(a, j):
        k += 1
    a += comp_lo
    j += comp_lo
    k += comp_lo
    g = 1.2 + rng.random()
    norm2 = 0.0
    proj = 0.0
    for i in range(d):
        e = ens[w, i] - ens[a, i]
        norm2 += e * e
        proj += (ens[j, i] - ens[k, i]) * e
    if not norm2 > 0.0:
        for i in range(d):
            ys[row, i] = ens[w, i]
        return -np.inf
    proj /= norm2
    new2 = 0.0
    for i in range(d):
        ys[row, i] = ens[w, i] + g * proj * (ens[w, i] - ens[a, i])
        new2 += (ys[row, i] - ens[a, i]) ** 2
    return 0.5 * (d - 1.0) * (np.log(new2) - np.log(norm2))


@_inline_jit
def propose_walker(rng, move_cum, ens, w, comp_lo, comp_hi, ys, row, scratch):
    """Write a proposal for walker ``w`` into ``ys[row]``; return the log proposal factor.

    ``ens`` holds all walkers; ``comp_lo .. comp_hi - 1`` is the other half.
    ``move_cum`` holds the cumulative move probabilities (stretch, walk, DE,
    snooker); ``scratch[row]`` is ``(d,)`` scratch. The factor is added to the
    log acceptance ratio (0 for the symmetric moves). Rows are indexed, not
    sliced, in this hot path: a view costs more than the arithmetic here.
    """
    n = comp_hi - comp_lo
    move, r = _choose(move_cum, rng.random())
    if move == DE:
        return _differential_evolution(rng, r, ens, w, comp_lo, n, ys, row)
    if move == STRETCH:
        return _stretch(rng, r, ens, w, comp_lo, n, ys, row)
    if move == WALK:
        return _walk(rng, r, ens, w, comp_lo, n, ys, row, scratch)
    return _snooker(rng, r, ens, w, comp_lo, n, ys, row)


@_inline_jit
def accept_walker(rng, ens, lp, w, ys, row, lp_y, log_factor):
    """Accept ``ys[row]`` for walker ``w`` with probability ``min(1, ratio)``; return whether.

    One uniform is drawn whatever the outcome, so the stream stays aligned.
    """
    log_u = np.log(rng.random())
    # A NaN log-density compares False, so such a proposal is rejected.
    if log_u < lp_y - lp[w] + log_factor:
        for i in range(ens.shape[1]):
            ens[w, i] = ys[row, i]
        lp[w] = lp_y
        return True
    return False


@jit
def ensemble_half_step(
    ens, lp, gens, move_cum, ys, log_factor, lp_y, scratch,
    accept_half, propose_half, count_accept, n_accept, record, draws, slot,
):  # fmt: skip
    """One step of the numpy-log-density path, around one batched log-density call.

    First, if ``accept_half`` is 0 or 1, finish that half: accept or reject
    the proposals in ``ys`` (rows of that half) given their log-densities
    ``lp_y`` (one per walker of the half), counting acceptances when
    ``count_accept``. Then, if ``record``, store the ensemble into
    ``draws[:, slot]``. Then, if ``propose_half`` is 0 or 1, write that
    half's proposals into ``ys`` and their factors into ``log_factor``. The
    caller evaluates the log-density of ``ys[:W/2]`` between calls.
    """
    walkers = ens.shape[0]
    h = walkers // 2
    if accept_half >= 0:
        lo = accept_half * h
        for r in range(h):
            w = lo + r
            if accept_walker(gens[w], ens, lp, w, ys, r, lp_y[r], log_factor[r]):
                if count_accept:
                    n_accept[w] += 1
    if record:
        draws[:, slot] = ens
    if propose_half >= 0:
        lo = propose_half * h
        comp = (1 - propose_half) * h
        for r in range(h):
            w = lo + r
            log_factor[r] = propose_walker(
                gens[w], move_cum, ens, w, comp, comp + h, ys, r, scratch
            )


# The loop calls the user's log-density, so it is built per function (memoised)
# and not cached on disk, like the Metropolis chain loop.
@functools.lru_cache(maxsize=64)
def ensemble_kernel(logpdf: Callable, parallel: bool) -> Callable:
    """Return the compiled ensemble loop for one numba-jitted ``logpdf``.

    Parameters
    ----------
    logpdf : numba dispatcher
        Log-density of one point, ``float64[:] -> float64``.
    parallel : bool
        Move the walkers of a half in parallel threads (``prange``); worth it
        when a half-step costs more than starting the threads.

    Returns
    -------
    callable
        ``run(ens, lp, gens, move_cum, n_accept, t0, steps, warmup, thin,
        draws)`` advancing the ensemble ``steps`` steps in place.
    """

    @numba.njit(parallel=parallel, nogil=True, error_model="numpy")
    def run(ens, lp, gens, move_cum, n_accept, t0, steps, warmup, thin, draws):
        walkers, d = ens.shape
        h = walkers // 2
        ys = np.empty((walkers, d))
        scratch = np.empty((walkers, d))
        for k in range(steps):
            t = t0 + k
            for half in range(2):
                lo = half * h
                comp = (1 - half) * h
                for r in numba.prange(h):
                    w = lo + r
                    rng = gens[np.int64(w)]
                    lf = propose_walker(rng, move_cum, ens, w, comp, comp + h, ys, w, scratch)
                    lp_y = logpdf(ys[w]) if lf > -np.inf else -np.inf
                    if accept_walker(rng, ens, lp, w, ys, w, lp_y, lf) and t >= warmup:
                        n_accept[w] += 1
            s = t - warmup + 1
            if s > 0 and s % thin == 0:
                draws[:, s // thin - 1] = ens
        return draws

    return run
