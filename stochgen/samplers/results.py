"""The result of an MCMC run: chains, acceptance and diagnostics."""

from __future__ import annotations

import dataclasses
import functools
import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen.exceptions import StochgenWarning
from stochgen.samplers.diagnostics import (
    MIN_DRAWS,
    autocorrelation,
    effective_sample_size,
    mcse,
    split_rhat,
)

__all__ = ["MCMCResult", "MCMCState"]

#: Below this effective sample size (in any dimension) a summary is not trusted.
MIN_ESS = 100


@dataclasses.dataclass(frozen=True)
class MCMCState:
    """Where a run stopped: enough to continue it with ``sample(initial_state=...)``.

    Parameters
    ----------
    proposal : str
        The proposal that ran (``"auto"`` resolved).
    x : numpy.ndarray
        ``(chains, dim)`` last positions.
    log_density : numpy.ndarray
        ``(chains,)`` log-density there.
    rng_states : tuple
        Per chain, the states of its generators (``bit_generator.state`` dicts),
        so that a run continued with ``seed=None`` draws what one long run would.
    tuning : dict
        What warm-up learned, by name (proposal factor and scale, step sizes,
        mass matrix), as arrays.

    Examples
    --------
    >>> import numpy as np
    >>> state = MCMCState("rw", np.zeros((2, 1)), np.zeros(2), (), {})
    >>> state.x.shape
    (2, 1)
    """

    proposal: str
    x: NDArray[np.float64]
    log_density: NDArray[np.float64]
    rng_states: tuple[tuple[dict[str, Any], ...], ...]
    tuning: dict[str, NDArray[Any]]


class MCMCResult:
    """Draws of several Markov chains with their diagnostics.

    Diagnostics are computed on first use and kept. They never raise on short
    chains; they warn with `stochgen.exceptions.StochgenWarning` when the
    effective sample size is below 100 in some dimension.

    Parameters
    ----------
    draws : numpy.ndarray
        Shape ``(chains, draws, dim)``, after warm-up and thinning.
    acceptance_rate : numpy.ndarray
        Shape ``(chains,)``: accepted proposals after warm-up over steps after warm-up.
    warmup : int
        Warm-up steps run per chain (discarded).
    thin : int
        One draw kept every ``thin`` steps.
    elapsed : float
        Wall-clock seconds of sampling.
    last_state : MCMCState, optional
        Where the chains stopped, to continue the run.
    proposal : str, optional
        The proposal that produced the draws (what ``"auto"`` chose).

    Attributes
    ----------
    draws : numpy.ndarray
        Shape ``(chains, draws, dim)``.
    acceptance_rate : numpy.ndarray
        Per chain.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal((4, 500, 2))
    >>> result = MCMCResult(x, np.full(4, 0.3), warmup=0, thin=1, elapsed=0.0)
    >>> result.summary().columns.tolist()
    ['mean', 'sd', 'mcse', 'q5', 'q50', 'q95', 'ess', 'rhat']
    >>> bool(result.rhat.max() < 1.01)
    True
    """

    def __init__(
        self,
        draws: NDArray[np.float64],
        acceptance_rate: NDArray[np.float64],
        *,
        warmup: int,
        thin: int,
        elapsed: float,
        last_state: MCMCState | None = None,
        proposal: str | None = None,
    ) -> None:
        self.draws = draws
        self.acceptance_rate = acceptance_rate
        self.warmup = warmup
        self.thin = thin
        self.elapsed = elapsed
        self.last_state = last_state
        self.proposal = proposal

    @property
    def n_chains(self) -> int:
        """Number of chains."""
        return int(self.draws.shape[0])

    @property
    def n_draws(self) -> int:
        """Draws kept per chain."""
        return int(self.draws.shape[1])

    @property
    def dim(self) -> int:
        """Dimension of the target."""
        return int(self.draws.shape[2])

    @functools.cached_property
    def ess(self) -> NDArray[np.float64]:
        """Effective sample size of the mean, per dimension (all chains together)."""
        ess = effective_sample_size(self.draws)
        finite = ess[np.isfinite(ess)]
        if self.n_draws >= MIN_DRAWS and (finite.size < ess.size or np.min(finite) < MIN_ESS):
            warnings.warn(
                f"effective sample size is {np.nanmin(ess) if finite.size else 'NaN'}, below "
                f"{MIN_ESS}, in some dimension: the chains are too short to trust the "
                "estimates; run more draws",
                StochgenWarning,
                stacklevel=2,
            )
        return ess

    @functools.cached_property
    def rhat(self) -> NDArray[np.float64]:
        """Split R-hat per dimension."""
        return split_rhat(self.draws)

    @functools.cached_property
    def mcse(self) -> NDArray[np.float64]:
        """Monte Carlo standard error of the mean, per dimension."""
        self.ess  # noqa: B018 - computed first so that a short chain warns once
        return mcse(self.draws)

    def summary(self) -> pd.DataFrame:
        """Table of posterior mean, sd, MCSE, quantiles, ESS and R-hat per dimension.

        Returns
        -------
        pandas.DataFrame
            One row per dimension (``x0``, ``x1``, ...).
        """
        flat = self.draws.reshape(-1, self.dim)
        q = np.quantile(flat, [0.05, 0.5, 0.95], axis=0)
        return pd.DataFrame(
            {
                "mean": flat.mean(axis=0),
                "sd": flat.std(axis=0, ddof=1) if flat.shape[0] > 1 else np.nan,
                "mcse": self.mcse,
                "q5": q[0],
                "q50": q[1],
                "q95": q[2],
                "ess": self.ess,
                "rhat": self.rhat,
            },
            index=[f"x{j}" for j in range(self.dim)],
        )

    def to_arviz(self) -> Any:
        """Return the draws as an `arviz.InferenceData` (posterior group, one variable ``x``).

        Returns
        -------
        arviz.InferenceData
            ``posterior["x"]`` with dimensions ``(chain, draw, x_dim_0)``, and
            the acceptance rate per chain in ``sample_stats``.

        Raises
        ------
        ImportError
            If arviz is not installed.
        """
        try:
            import arviz
        except ImportError as exc:
            raise ImportError("to_arviz needs arviz: pip install arviz") from exc
        stats = {"acceptance_rate": np.repeat(self.acceptance_rate[:, None], self.n_draws, 1)}
        return arviz.from_dict(posterior={"x": self.draws}, sample_stats=stats)

    def plot_trace(self, dims: list[int] | None = None) -> Any:
        """Plot each chain's trace, one panel per dimension.

        Parameters
        ----------
        dims : list of int, optional
            Dimensions to show; the first four by default.

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        """
        plt = _pyplot()
        dims = list(range(min(self.dim, 4))) if dims is None else dims
        fig, axes = plt.subplots(len(dims), 1, figsize=(8, 2 * len(dims)), squeeze=False)
        for ax, j in zip(axes[:, 0], dims, strict=True):
            for c in range(self.n_chains):
                ax.plot(self.draws[c, :, j], lw=0.5)
            ax.set_ylabel(f"x{j}")
        axes[-1, 0].set_xlabel("draw")
        return fig

    def plot_autocorr(self, dims: list[int] | None = None, max_lag: int = 100) -> Any:
        """Plot the autocorrelation of each chain, one panel per dimension.

        Parameters
        ----------
        dims : list of int, optional
            Dimensions to show; the first four by default.
        max_lag : int
            Largest lag shown.

        Returns
        -------
        matplotlib.figure.Figure

        Raises
        ------
        ImportError
            If matplotlib is not installed.
        """
        plt = _pyplot()
        dims = list(range(min(self.dim, 4))) if dims is None else dims
        acf = autocorrelation(self.draws, axis=1)[:, : max_lag + 1]
        fig, axes = plt.subplots(len(dims), 1, figsize=(8, 2 * len(dims)), squeeze=False)
        for ax, j in zip(axes[:, 0], dims, strict=True):
            for c in range(self.n_chains):
                ax.plot(acf[c, :, j], lw=0.8)
            ax.axhline(0.0, color="k", lw=0.5)
            ax.set_ylabel(f"acf x{j}")
        axes[-1, 0].set_xlabel("lag")
        return fig

    def __repr__(self) -> str:
        return (
            f"MCMCResult(chains={self.n_chains}, draws={self.n_draws}, dim={self.dim}, "
            f"acceptance_rate={float(np.mean(self.acceptance_rate)):.3f})"
        )


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError("plotting needs matplotlib: pip install 'stochgen[plot]'") from exc
    return plt
