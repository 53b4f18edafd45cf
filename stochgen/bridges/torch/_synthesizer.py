"""What the VAE and GAN synthesizers share: column models, latent scores, blocks, files.

A subclass says how to build its sampling network, how many noise dimensions it reads,
and how to train it on the latent-score matrix; everything else is here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel, check_is_fitted
from stochgen._progress import progress_setting
from stochgen._rng import SeedLike, as_generator
from stochgen._validation import check_columns, check_dataframe, check_positive
from stochgen.bridges.torch._latent import (
    calibration_levels,
    dequantize,
    to_normal_scores,
)
from stochgen.bridges.torch._network import (
    check_weights,
    load_weights,
    resolve_device,
    torch,
    weights_of,
)
from stochgen.copulas.gaussian import gaussian_fill
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.tabular.latent import LatentTable
from stochgen.tabular.plan import SamplingPlan

__all__ = ["LatentNetworkSynthesizer", "check_count", "check_hidden"]

# Draws and stored quantile levels of the output calibration (see _latent).
_CALIBRATION_DRAWS = 65_536
_CALIBRATION_LEVELS = 1_025


def check_count(value: Any, name: str) -> int:
    """Return ``value`` as an int, or raise unless it is a positive integer.

    Raises
    ------
    TypeError
        If ``value`` is not a real number.
    stochgen.exceptions.ValidationError
        If it is not a positive integer (NaN, 0, negative, 2.5).
    """
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise TypeError(
            f"{name} must be a positive integer; got {value!r} ({type(value).__name__})"
        )
    if not isinstance(value, int | np.integer) or value < 1:
        raise ValidationError(f"{name} must be a positive integer; got {value!r}")
    return int(value)


def check_hidden(value: Any) -> tuple[int, ...]:
    """Return the hidden-layer widths as a tuple of positive ints, or raise."""
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise TypeError(f"hidden must be a tuple of layer widths; got {value!r}")
    return tuple(check_count(width, f"hidden[{i}]") for i, width in enumerate(value))


class LatentNetworkSynthesizer(BaseModel):
    """Base of the torch synthesizers: a network as the joint law of the latent scores.

    Subclasses implement `_check_settings`, `_build_sampler`, `_noise_dims` and
    `_train`; see `VAESynthesizer`.
    """

    _fitted_attributes: ClassVar[tuple[str, ...]] = (
        "latent_",
        "weights_",
        "quantiles_",
        "quantile_levels_",
        "loss_history_",
        "n_rows_",
        "output_columns_",
    )

    # Settings every subclass has (read by the shared checks).
    kinds: dict[str, str] | None
    hidden: Sequence[int]
    epochs: int
    batch_size: int
    learning_rate: float
    device: str
    progress: bool | None

    def _check_settings(self) -> None:
        check_hidden(self.hidden)
        check_count(self.epochs, "epochs")
        check_count(self.batch_size, "batch_size")
        check_positive(self.learning_rate, "learning_rate")
        resolve_device(self.device)

    def _build_sampler(self, n_dims: int) -> torch.nn.Module:
        """Return the uninitialised network mapping noise to ``n_dims`` latent scores."""
        raise NotImplementedError

    def _noise_dims(self, n_dims: int) -> int:
        """Return how many standard normal draws the sampler reads per row."""
        raise NotImplementedError

    def _train(
        self, scores: NDArray[np.float64], rng: np.random.Generator, device: torch.device
    ) -> tuple[torch.nn.Module, NDArray[np.float64]]:
        """Train on the latent scores; return the sampling network and the loss per epoch."""
        raise NotImplementedError

    def fit(self, data: pd.DataFrame, seed: SeedLike = None) -> Self:
        """Learn column models, then train the network on their latent scores.

        Parameters
        ----------
        data : pandas.DataFrame
            The real table (not changed).
        seed : None, int, SeedSequence, BitGenerator or Generator
            Seeds everything random in training (initial weights, batches,
            noise); on CPU the same seed and data give the same weights. None
            draws fresh entropy.

        Returns
        -------
        Self

        Raises
        ------
        TypeError
            If ``data`` is not a DataFrame, or a setting has the wrong type.
        stochgen.exceptions.ValidationError
            On an empty table, an unknown column or kind in ``kinds``, a bad
            setting, or training that diverged.

        Examples
        --------
        >>> import pandas as pd
        >>> from stochgen.bridges.torch import VAESynthesizer
        >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5], "g": ["a", "b", "a", "b"]})
        >>> first = VAESynthesizer(hidden=(8,), epochs=5).fit(real, seed=0)
        >>> second = VAESynthesizer(hidden=(8,), epochs=5).fit(real, seed=0)
        >>> all((first.weights_[k] == second.weights_[k]).all() for k in first.weights_)
        True
        """
        check_dataframe(data)
        self._check_settings()
        device = resolve_device(self.device)
        check_columns(self.kinds or {}, data.columns, "kinds")
        rng = as_generator(seed)
        # Empirical marginals, as CopulaSynthesizer's default.
        table = LatentTable(kinds=self.kinds)
        with progress_setting(self.progress):
            latent = table.fit_transform(data)
        corr = table.corr_
        n_dims = latent.shape[1]
        levels = calibration_levels(_CALIBRATION_DRAWS, _CALIBRATION_LEVELS)
        sampler, history = None, np.empty(0)
        quantiles, weights = np.empty((levels.size, 0)), {}
        # Without latent scores (only constant and ID columns) there is nothing to learn.
        if n_dims:
            # Undefined scores drawn from their Gaussian conditional law given the row's others.
            scores = gaussian_fill(dequantize(latent, rng), corr, seed=rng)
            with progress_setting(self.progress):
                sampler, history = self._train(scores, rng, device)
            noise = rng.standard_normal((_CALIBRATION_DRAWS, self._noise_dims(n_dims)))
            output = self._run(sampler, noise, device)
            if not (np.isfinite(history).all() and np.isfinite(output).all()):
                raise ValidationError(
                    f"training diverged (the loss became NaN or inf) with learning_rate="
                    f"{self.learning_rate!r}; lower it"
                )
            quantiles = np.quantile(output, levels, axis=0)
            weights = weights_of(sampler)
        self.latent_ = table
        self.weights_ = weights
        self.quantiles_ = quantiles
        self.quantile_levels_ = levels
        self.loss_history_ = np.asarray(history, dtype=np.float64)
        self.n_rows_ = int(len(data))
        self.output_columns_ = list(data.columns)
        self._network = (device, sampler)
        return self

    @staticmethod
    def _run(
        sampler: torch.nn.Module, noise: NDArray[np.float64], device: torch.device
    ) -> NDArray[np.float64]:
        with torch.inference_mode():
            inputs = torch.tensor(noise, dtype=torch.float32, device=device)
            return sampler(inputs).cpu().numpy().astype(np.float64)

    def _sampler_on(self, device: torch.device) -> torch.nn.Module:
        """Return the sampling network on ``device``, built from ``weights_`` once per device."""
        cached = getattr(self, "_network", None)
        if cached is not None and cached[0] == device and cached[1] is not None:
            return cached[1]
        sampler = self._build_sampler(self.quantiles_.shape[1]).to(device)
        load_weights(sampler, self.weights_)
        sampler.eval()
        self._network = (device, sampler)
        return sampler

    @property
    def columns_(self) -> dict[str, BaseModel]:
        """Fitted model of each column, in order (the latent layer's)."""
        check_is_fitted(self)
        return self.latent_.columns_

    def _draw_latent(
        self, n_rows: int, rng: np.random.Generator, row_offset: int = 0
    ) -> NDArray[np.float64]:
        """Latent rows: the network's output mapped to exact normal scores."""
        n_dims = self.quantiles_.shape[1]
        if not (n_dims and n_rows):
            return np.empty((n_rows, n_dims))
        device = resolve_device(self.device)
        noise = rng.standard_normal((n_rows, self._noise_dims(n_dims)))
        output = self._run(self._sampler_on(device), noise, device)
        return to_normal_scores(output, self.quantiles_, self.quantile_levels_)

    def plan(self, conditions: dict[str, Any] | None = None) -> SamplingPlan:
        """Return the sampling plan: the network's latent rows through the latent layer.

        Parameters
        ----------
        conditions : None
            Conditions are not supported by the network synthesizers.

        Returns
        -------
        SamplingPlan

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.
        stochgen.exceptions.ValidationError
            If conditions are given.
        """
        check_is_fitted(self)
        if conditions:
            raise ValidationError(
                f"{type(self).__name__} does not support conditions; use CopulaSynthesizer"
            )
        # One thread: torch runs its own pool inside the network.
        return SamplingPlan(self.latent_, self._draw_latent, n_jobs=1, progress=self.progress)

    def iter_sample(self, n: int, seed: SeedLike = None) -> Iterator[pd.DataFrame]:
        """Yield the rows of ``sample(n, seed)`` in blocks of 65,536 rows.

        Block *i* draws its noise from stream *i* of the seed, so the blocks,
        concatenated, equal ``sample(n, seed)`` exactly.

        Parameters
        ----------
        n : int
            Total rows.
        seed : None, int, SeedSequence, BitGenerator or Generator

        Yields
        ------
        pandas.DataFrame
            Consecutive blocks, indexed by global row number.

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.

        Examples
        --------
        >>> import pandas as pd
        >>> from stochgen.bridges.torch import GANSynthesizer
        >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5]})
        >>> model = GANSynthesizer(hidden=(8,), epochs=5).fit(real, seed=0)
        >>> blocks = list(model.iter_sample(70_000, seed=1))
        >>> [len(block) for block in blocks]
        [65536, 4464]
        >>> pd.concat(blocks).equals(model.sample(70_000, seed=1))
        True
        """
        return self.plan().iter_blocks(n, seed)

    def sample(self, n: int, seed: SeedLike = None) -> pd.DataFrame:
        """Generate ``n`` synthetic rows.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
            The same seed gives the same rows, however they are split (and,
            up to float rounding, on whatever device).

        Returns
        -------
        pandas.DataFrame
            Same columns, order and dtypes as the fitted table.

        Raises
        ------
        stochgen.exceptions.NotFittedError
            If called before ``fit``.

        Examples
        --------
        >>> import pandas as pd
        >>> from stochgen.bridges.torch import VAESynthesizer
        >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5], "n": [1, 3, 2, 4]})
        >>> model = VAESynthesizer(hidden=(8,), epochs=5).fit(real, seed=0)
        >>> rows = model.sample(5, seed=2)
        >>> rows.dtypes.astype(str).tolist()
        ['float64', 'int64']
        >>> rows.equals(model.sample(5, seed=2))
        True
        """
        return self.plan().sample(n, seed)

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        owner = type(self).__name__
        try:
            self._check_settings()
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{owner}: invalid settings: {exc}") from exc
        if not isinstance(self.latent_, LatentTable):
            raise ModelFileError(f"{owner}: latent_ must be a LatentTable")
        if self.output_columns_ != list(self.latent_.columns_):
            raise ModelFileError(f"{owner}: output_columns_ do not match the latent columns")
        n_dims = self.latent_.n_latent
        levels, quantiles = self.quantile_levels_, self.quantiles_
        if not (
            isinstance(levels, np.ndarray)
            and isinstance(quantiles, np.ndarray)
            and levels.ndim == 1
            and levels.size >= 2
            and quantiles.shape == (levels.size, n_dims)
        ):
            raise ModelFileError(
                f"{owner}: quantiles_ must have shape (len(quantile_levels_), {n_dims}) for "
                f"these columns; got {np.shape(quantiles)} and {np.shape(levels)}"
            )
        if not (
            np.all(np.diff(levels) > 0)
            and 0 < levels[0]
            and levels[-1] < 1
            and np.isfinite(quantiles).all()
            and np.all(np.diff(quantiles, axis=0) >= 0)
        ):
            raise ModelFileError(
                f"{owner}: quantile_levels_ must increase inside (0, 1) and quantiles_ be "
                "finite and non-decreasing"
            )
        if n_dims:
            check_weights(self._build_sampler(n_dims), self.weights_, owner)
        elif self.weights_ != {}:
            raise ModelFileError(
                f"{owner}: weights_ must be empty for a table without latent scores"
            )
        self._network = None
