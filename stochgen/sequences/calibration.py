"""Persistence of the number columns matched by simulation (indirect inference).

The VAR runs on normal scores, and a Gaussian process pushed through a skewed
marginal loses lag-1 autocorrelation: a few large values become short spikes
that weigh heavily in the sums of squares. Real series often do the opposite
(high inflation, a large firm's investment persist longer than middling
values), so the fitted dynamics reproduce the autocorrelation of the scores
but fall short on the values, by 0.05-0.1 on statsmodels' grunfeld and
macrodata. `calibrate_persistence` simulates counterparts of the real
sequences (same context scores and lengths) with fixed noise, compares each
number column's mean per-sequence lag-1 autocorrelation with the real one
and moves that column's own lag-1 coefficient by the gap, rescaling the noise
so that every latent dimension keeps its spread, for a few rounds: the ARTA idea of Cario
and Nelson (1996), fitted by indirect inference (Gourieroux, Monfort and
Renault 1993), which also removes the short-series bias of least squares on
the coefficient (Nickell 1981). A round is kept only if no column's
within-sequence changes move further from the real ones (KS distance) by
more than 0.02: where a Gaussian VAR cannot match both, the fit stays.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from stochgen.metrics.fidelity import ks_statistic
from stochgen.sequences.dynamics import LatentVAR, simulate_var, spectral_radius

# As in `fit_var`: the largest amplification over the longest sequence a fit may imply.
_MAX_GROWTH = 2.0

__all__ = ["calibrate_persistence", "mean_autocorrelation", "within_changes"]

#: Gaps below this are left alone: the noise of the simulated and real means.
GAP_TOLERANCE = 0.04
# Own coefficients are not pushed beyond this (nor moved if already beyond it): near
# a unit root the sample autocorrelation of short sequences hardly moves, while
# the spread kept by the noise drains the changes.
_MAX_OWN = 0.9
# Rows simulated per round, about; at least this many copies of each real sequence.
_ROWS = 20_000
_MIN_COPIES = 4
# How much further (KS distance) a column's within-sequence changes may move from
# the real ones in a kept round.
_KS_SLACK = 0.02
_MAX_COPIES = 50
# Most cells (sequences x steps x latent dimensions) simulated at once.
_MAX_CELLS = 4_000_000


def mean_autocorrelation(values: NDArray[np.float64], codes: NDArray[np.intp]) -> float:
    """Return the mean over sequences of the lag-1 autocorrelation, as the metrics define it.

    For one sequence with values ``x[0..T-1]`` and mean ``m`` it is
    ``sum((x[t] - m) (x[t+1] - m)) / sum((x[t] - m)^2)`` (missing values left
    out of every sum; see `stochgen.metrics.sequences.autocorrelation`);
    sequences with fewer than two values or no variation are left out.

    Parameters
    ----------
    values : numpy.ndarray
        (n_rows,) values, NaN where missing, rows sorted by sequence and step.
    codes : numpy.ndarray
        (n_rows,) the sequence of each row, 0, 1, ... (non-decreasing).

    Returns
    -------
    float
        NaN when no sequence counts.

    Examples
    --------
    >>> x = np.array([1.0, -1.0, 1.0, -1.0, 1.0, -1.0])
    >>> round(mean_autocorrelation(x, np.zeros(6, dtype=np.intp)), 3)
    -0.833
    """
    n = int(codes.max(initial=-1)) + 1
    valid = ~np.isnan(values)
    counts = np.bincount(codes, weights=valid, minlength=n)
    sums = np.bincount(codes, weights=np.where(valid, values, 0.0), minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        centered = values - (sums / counts)[codes]
    squares = np.bincount(codes, weights=np.nan_to_num(centered**2), minlength=n)
    same = codes[1:] == codes[:-1]
    products = np.nan_to_num(centered[1:] * centered[:-1])[same]
    numerator = np.bincount(codes[1:][same], weights=products, minlength=n)
    usable = (counts > 1) & (squares > 0)
    if not usable.any():
        return float("nan")
    return float(np.mean(numerator[usable] / squares[usable]))


def within_changes(values: NDArray[np.float64], codes: NDArray[np.intp]) -> NDArray[np.float64]:
    """Return the finite changes between consecutive rows of the same sequence.

    Parameters
    ----------
    values, codes : numpy.ndarray
        As in `mean_autocorrelation`.

    Returns
    -------
    numpy.ndarray

    Examples
    --------
    >>> within_changes(np.array([1.0, 3.0, 0.0, 5.0]), np.array([0, 0, 1, 1])).tolist()
    [2.0, 5.0]
    """
    change = np.diff(values)[codes[1:] == codes[:-1]]
    return change[np.isfinite(change)]


def calibrate_persistence(
    dynamics: LatentVAR,
    regressors_of: Callable[[NDArray[np.intp]], NDArray[np.float64]],
    lengths: NDArray[np.int64],
    real: dict[int, NDArray[np.float64]],
    to_values: Callable[[NDArray[np.float64]], dict[int, NDArray[np.float64]]],
    rng: np.random.Generator,
    rounds: int,
) -> LatentVAR:
    """Return the VAR with own lag-1 coefficients moved to match real autocorrelations.

    Parameters
    ----------
    dynamics : LatentVAR
        The least-squares fit.
    regressors_of : callable
        Maps real sequence numbers (k,) to their regressors (k, T, m) over
        ``T = max(lengths)`` steps.
    lengths : numpy.ndarray
        (n,) the real sequences' lengths.
    real : dict of int to numpy.ndarray
        Latent dimension of a number column's value to that column's real
        values (n_rows,), rows sorted by sequence and step, NaN where missing.
    to_values : callable
        Maps latent rows (k, d) to each target dimension's column values (k,).
    rng : numpy.random.Generator
        Draws which sequences are simulated and the noise, once; every round
        reuses them.
    rounds : int
        Most rounds of corrections.

    Returns
    -------
    LatentVAR
        The round with the smallest largest gap (the input if no round helps).
    """
    if not real or dynamics.order == 0 or rounds < 1:
        return dynamics
    real_codes = np.repeat(np.arange(len(lengths)), lengths)
    targets = {j: mean_autocorrelation(v, real_codes) for j, v in real.items()}
    targets = {j: t for j, t in targets.items() if np.isfinite(t)}
    real_changes = {j: within_changes(v, real_codes) for j, v in real.items()}
    d = dynamics.noise_chol.shape[-1]
    steps = int(lengths.max())
    copies = int(np.clip(np.ceil(_ROWS / max(int(lengths.sum()), 1)), _MIN_COPIES, _MAX_COPIES))
    chosen = np.repeat(np.arange(len(lengths)), copies)
    largest = max(_MAX_CELLS // (steps * max(d, 1)), 1)
    if chosen.size > largest:
        # A large panel: a random subset of its sequences, once each.
        chosen = np.sort(rng.choice(len(lengths), size=min(largest, len(lengths)), replace=False))
    exog = regressors_of(chosen)
    lengths = lengths[chosen]
    present = np.arange(steps)[None, :] < lengths[:, None]
    codes = np.repeat(np.arange(len(lengths)), lengths)
    noise = rng.standard_normal((len(lengths), steps, d))
    horizon = steps + 1

    def simulate(model: LatentVAR) -> NDArray[np.float64]:
        return simulate_var(model, exog, noise)[present]

    def gaps(z: NDArray[np.float64]) -> tuple[dict[int, float], dict[int, float]]:
        values = to_values(z)
        acf, ks = {}, {}
        for j, target in targets.items():
            acf[j] = target - mean_autocorrelation(values[j], codes)
            ks[j] = ks_statistic(within_changes(values[j], codes), real_changes[j])
        return acf, ks

    first = simulate(dynamics)
    # The spread of each latent dimension, kept through every round: the
    # marginals (and the scale of the changes) stay those of the least-squares fit.
    spread = first.std(axis=0)
    best_gap, first_ks = gaps(first)
    best, current, current_gap = dynamics, dynamics, best_gap
    for _ in range(rounds):
        lag_coef = current.lag_coef.copy()
        moved = False
        for j, gap in current_gap.items():
            if not abs(gap) > GAP_TOLERANCE:
                continue
            for k in range(1, current.order + 1):
                own = lag_coef[k, 0, j, j]
                new = float(np.clip(own + gap, -_MAX_OWN, _MAX_OWN))
                if (new - own) * gap > 0:
                    moved = True
                    lag_coef[k, 0, j, j] = new
        if not moved or spectral_radius(lag_coef[-1]) ** horizon > _MAX_GROWTH:
            break
        candidate = current._replace(lag_coef=lag_coef)
        # Rescale each dimension's noise so that its spread is the fit's again.
        ratio = np.clip(spread / np.maximum(simulate(candidate).std(axis=0), 1e-12), 0.5, 2.0)
        candidate = candidate._replace(noise_chol=candidate.noise_chol * ratio[None, :, None])
        current_gap, ks = gaps(simulate(candidate))
        current = candidate
        # Kept only if the changes stay as close to the real ones: a Gaussian VAR
        # cannot always match both, and the changes are the dynamics too.
        kept_changes = all(ks[j] <= first_ks[j] + _KS_SLACK for j in ks if np.isfinite(ks[j]))
        if kept_changes and _worst(current_gap) < _worst(best_gap):
            best, best_gap = current, current_gap
    return best


def _worst(gaps: dict[int, float]) -> float:
    return max((abs(g) for g in gaps.values() if np.isfinite(g)), default=0.0)
