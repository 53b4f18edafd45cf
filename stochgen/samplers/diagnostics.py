"""Markov chain diagnostics: autocorrelation, effective sample size, split R-hat, MCSE.

Plain functions of an array of draws shaped ``(chains, draws)`` or
``(chains, draws, dim)``; the result of `stochgen.MetropolisHastings` calls
them. The estimators follow Vehtari, Gelman, Simpson, Carpenter and Bürkner
(2021), "Rank-normalization, folding, and localization: an improved R-hat",
without the rank normalization: split chains, FFT autocovariance and Geyer's
(1992) initial monotone sequence. They equal arviz's ``ess(method="mean")``,
``rhat(method="split")`` and ``mcse(method="mean")`` on the same draws.

None of them raises on short or constant chains: they return NaN (or the
number of draws for a constant chain, as arviz does) and warn with
`stochgen.exceptions.StochgenWarning` when a chain is too short to trust.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._validation import check_array
from stochgen.exceptions import StochgenWarning

__all__ = [
    "MIN_DRAWS",
    "autocorrelation",
    "autocovariance",
    "effective_sample_size",
    "mcse",
    "split_rhat",
]

#: Fewest draws per chain for which the split estimators are defined.
MIN_DRAWS = 4


def autocovariance(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """Autocovariance at every lag, by FFT, along ``axis``.

    Parameters
    ----------
    x : array_like
        Draws; the lag runs along ``axis``.
    axis : int
        The axis of time.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``; lag ``k`` at index ``k`` of ``axis``, normalised by
        the number of draws ``n`` (the biased estimator, positive semi-definite).

    Examples
    --------
    >>> autocovariance([1.0, -1.0, 1.0, -1.0])
    array([ 1.  , -0.75,  0.5 , -0.25])
    """
    arr = np.asarray(x, dtype=np.float64)
    arr = np.moveaxis(arr, axis, -1)
    n = arr.shape[-1]
    centered = arr - arr.mean(axis=-1, keepdims=True)
    size = 1 << int(np.ceil(np.log2(max(2 * n, 1))))
    spectrum = np.fft.rfft(centered, n=size, axis=-1)
    acov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=-1)[..., :n] / n
    return np.moveaxis(acov, -1, axis)


def autocorrelation(x: ArrayLike, axis: int = -1) -> NDArray[np.float64]:
    """Autocorrelation at every lag, by FFT, along ``axis``.

    Parameters
    ----------
    x : array_like
        Draws; the lag runs along ``axis``.
    axis : int
        The axis of time.

    Returns
    -------
    numpy.ndarray
        Same shape as ``x``, 1 at lag 0; NaN for a constant series.

    Examples
    --------
    >>> autocorrelation([1.0, -1.0, 1.0, -1.0])
    array([ 1.  , -0.75,  0.5 , -0.25])
    """
    acov = np.moveaxis(autocovariance(x, axis=axis), axis, -1)
    with np.errstate(invalid="ignore", divide="ignore"):
        acorr = acov / acov[..., :1]
    return np.moveaxis(acorr, -1, axis)


def _as_chains(draws: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return draws as (chains, draws, dim)."""
    arr = check_array(draws, name, ndim=(1, 2, 3), allow_nan=True, allow_inf=True)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim == 2:
        arr = arr[:, :, np.newaxis]
    return arr


def _split(arr: NDArray[np.float64]) -> NDArray[np.float64]:
    """Split each chain in two halves (the middle draw dropped when odd)."""
    half = arr.shape[1] // 2
    return np.concatenate([arr[:, :half], arr[:, arr.shape[1] - half :]], axis=0)


def _warn_short(n_draws: int, what: str) -> None:
    warnings.warn(
        f"{what}: chains of {n_draws} draws are too short (need at least {MIN_DRAWS}); "
        "returning NaN. Run longer chains.",
        StochgenWarning,
        stacklevel=3,
    )


def _ess_one(chains: NDArray[np.float64]) -> float:
    """ESS of one scalar quantity, chains already split: shape (m, n)."""
    m, n = chains.shape
    if not np.all(np.isfinite(chains)):
        return float("nan")
    if np.ptp(chains) < np.finfo(np.float64).resolution:
        return float(m * n)
    acov = autocovariance(chains, axis=1)
    mean_var = acov[:, 0].mean() * n / (n - 1.0)
    var_plus = mean_var * (n - 1.0) / n
    if m > 1:
        var_plus += chains.mean(axis=1).var(ddof=1)
    rho = 1.0 - (mean_var - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    # Geyer's initial positive sequence: sum pairs while they stay positive.
    rho_hat = np.zeros(n)
    rho_hat[0] = 1.0
    rho_hat[1] = rho[1]
    rho_even, rho_odd = 1.0, rho[1]
    t = 1
    while t < n - 3 and rho_even + rho_odd > 0.0:
        rho_even, rho_odd = rho[t + 1], rho[t + 2]
        if rho_even + rho_odd >= 0.0:
            rho_hat[t + 1] = rho_even
            rho_hat[t + 2] = rho_odd
        t += 2
    max_t = t - 2
    if rho_even > 0:
        rho_hat[max_t + 1] = rho_even
    # Geyer's initial monotone sequence: pair sums may not increase.
    t = 1
    while t <= max_t - 2:
        if rho_hat[t + 1] + rho_hat[t + 2] > rho_hat[t - 1] + rho_hat[t]:
            rho_hat[t + 1] = rho_hat[t + 2] = (rho_hat[t - 1] + rho_hat[t]) / 2.0
        t += 2
    tau = -1.0 + 2.0 * rho_hat[: max_t + 1].sum() + rho_hat[max_t + 1 : max_t + 2].sum()
    total = m * n
    tau = max(tau, 1.0 / np.log10(total))
    return float(total / tau)


def effective_sample_size(draws: ArrayLike) -> NDArray[np.float64]:
    """Effective sample size of the mean, per dimension (split chains, Geyer).

    Parameters
    ----------
    draws : array_like
        Shape ``(draws,)``, ``(chains, draws)`` or ``(chains, draws, dim)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(dim,)`` (``(1,)`` for scalar chains). NaN where the chains
        are shorter than `MIN_DRAWS` or hold non-finite values.

    Warns
    -----
    StochgenWarning
        If the chains are shorter than `MIN_DRAWS`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((4, 1000, 2))
    >>> ess = effective_sample_size(x)
    >>> ess.shape, bool(np.all((ess > 3000) & (ess < 5000)))
    ((2,), True)
    """
    arr = _as_chains(draws, "draws")
    if arr.shape[1] < MIN_DRAWS:
        _warn_short(arr.shape[1], "effective_sample_size")
        return np.full(arr.shape[2], np.nan)
    split = _split(arr)
    return np.array([_ess_one(split[:, :, j]) for j in range(arr.shape[2])])


def _rhat_one(chains: NDArray[np.float64]) -> float:
    if not np.all(np.isfinite(chains)):
        return float("nan")
    n = chains.shape[1]
    within = chains.var(axis=1, ddof=1).mean()
    between = n * chains.mean(axis=1).var(ddof=1)
    if within == 0.0:
        return float("nan")
    return float(np.sqrt((between / within + n - 1.0) / n))


def split_rhat(draws: ArrayLike) -> NDArray[np.float64]:
    """Split R-hat (Gelman et al. 2013; Vehtari et al. 2021, without ranks), per dimension.

    Parameters
    ----------
    draws : array_like
        Shape ``(chains, draws)`` or ``(chains, draws, dim)``; a single chain
        is split in two as well.

    Returns
    -------
    numpy.ndarray
        Shape ``(dim,)``. Values near 1 (below 1.01) suggest the chains agree;
        NaN for chains shorter than `MIN_DRAWS`, constant or non-finite chains.

    Warns
    -----
    StochgenWarning
        If the chains are shorter than `MIN_DRAWS`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((4, 1000))
    >>> bool(split_rhat(x)[0] < 1.01)
    True
    """
    arr = _as_chains(draws, "draws")
    if arr.shape[1] < MIN_DRAWS:
        _warn_short(arr.shape[1], "split_rhat")
        return np.full(arr.shape[2], np.nan)
    split = _split(arr)
    return np.array([_rhat_one(split[:, :, j]) for j in range(arr.shape[2])])


def mcse(draws: ArrayLike) -> NDArray[np.float64]:
    """Monte Carlo standard error of the mean, per dimension: ``sd / sqrt(ess)``.

    Parameters
    ----------
    draws : array_like
        Shape ``(draws,)``, ``(chains, draws)`` or ``(chains, draws, dim)``.

    Returns
    -------
    numpy.ndarray
        Shape ``(dim,)``; NaN where the ESS is undefined.

    Warns
    -----
    StochgenWarning
        If the chains are shorter than `MIN_DRAWS`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((4, 2500))
    >>> bool(abs(mcse(x)[0] - 0.01) < 0.002)
    True
    """
    arr = _as_chains(draws, "draws")
    ess = effective_sample_size(arr)
    flat = arr.reshape(-1, arr.shape[2])
    sd = flat.std(axis=0, ddof=1) if flat.shape[0] > 1 else np.full(arr.shape[2], np.nan)
    return sd / np.sqrt(ess)
