"""VAESynthesizer: a variational autoencoder as the joint law of the latent scores."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from stochgen._progress import track
from stochgen.bridges.torch._network import init_linear, mlp, nn, torch
from stochgen.bridges.torch._synthesizer import LatentNetworkSynthesizer, check_count

__all__ = ["VAESynthesizer"]

# Floor of the decoder's log standard deviation, and bounds of the encoder's log variance:
# without them a dimension the decoder fits exactly drives the likelihood to infinity.
_MIN_LOG_SCALE = -5.0
_LOG_VAR_BOUND = 10.0


class _Decoder(nn.Module):
    """Latent code -> mean of the scores, plus Gaussian noise of a learned scale per score."""

    def __init__(self, latent_dim: int, hidden: Sequence[int], n_dims: int) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.layers = mlp(latent_dim, list(reversed(hidden)), n_dims, nn.ReLU)
        self.log_scale = nn.Parameter(torch.zeros(n_dims))

    def scale(self) -> torch.Tensor:
        return self.log_scale.clamp(min=_MIN_LOG_SCALE).exp()

    def forward(self, noise: torch.Tensor) -> torch.Tensor:
        code, eps = noise[:, : self.latent_dim], noise[:, self.latent_dim :]
        return self.layers(code) + self.scale() * eps


class VAESynthesizer(LatentNetworkSynthesizer):
    """Synthetic tables from per-column models and a variational autoencoder.

    Each column is mapped to latent normal scores by the same column models as
    `stochgen.CopulaSynthesizer` (empirical marginals, labels by
    frequency intervals, missingness as a dimension of its own). Where that
    class fits a Gaussian copula to the scores, this one trains a VAE
    (Kingma and Welling, 2014) with a Gaussian decoder: code ~ N(0, I), scores
    = decoder(code) + scale * noise. Each output dimension is then mapped
    through its own distribution function to a standard normal score, so the
    network carries the dependence and every column keeps its fitted marginal.

    Parameters
    ----------
    kinds : dict of str to str, optional
        Column kinds to use instead of the inferred ones (see `Schema`).
    latent_dim : int
        Dimensions of the VAE's code.
    hidden : tuple of int
        Widths of the encoder's hidden layers (the decoder mirrors them).
    epochs : int
        Passes over the table.
    batch_size : int
        Rows per optimisation step (Adam).
    learning_rate : float
        Adam's step size.
    device : str
        "cpu", or "cuda" / "cuda:<n>" where ``torch.cuda.is_available()``.
        On CPU the same fit seed gives the same weights bit for bit; on a GPU,
        only up to rounding.
    progress : bool or None
        A progress bar over the epochs (None: see `stochgen.set_progress`).

    Attributes
    ----------
    schema_ : Schema
        Inferred column kinds.
    columns_ : dict of str to column model
        Fitted model of each column, in table order.
    weights_ : dict of str to numpy.ndarray
        The decoder's weights (float32), by torch state-dict name.
    quantiles_ : numpy.ndarray
        Quantiles of each decoder output at ``quantile_levels_``, shape
        (levels, latent scores): the output calibration.
    quantile_levels_ : numpy.ndarray
        Probability levels of ``quantiles_``.
    loss_history_ : numpy.ndarray
        Negative evidence lower bound per row, averaged over each epoch.
    n_rows_ : int
        Rows seen in ``fit``.
    output_columns_ : list of str
        Columns of the real table, in order.

    See Also
    --------
    GANSynthesizer : the same with a Wasserstein GAN.
    stochgen.CopulaSynthesizer : faster, and better on small tables.

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({
    ...     "height": [160.5, 172.0, 181.2, 158.3, 175.9, 169.4],
    ...     "sex": ["f", "m", "m", "f", "m", "f"],
    ... })
    >>> model = VAESynthesizer(hidden=(16,), epochs=20).fit(real, seed=0)
    >>> synthetic = model.sample(4, seed=0)
    >>> synthetic.dtypes.equals(real.dtypes)
    True
    >>> synthetic.equals(model.sample(4, seed=0))
    True
    """

    def __init__(
        self,
        kinds: dict[str, str] | None = None,
        *,
        latent_dim: int = 8,
        hidden: Sequence[int] = (128, 128),
        epochs: int = 300,
        batch_size: int = 500,
        learning_rate: float = 1e-3,
        device: str = "cpu",
        progress: bool | None = None,
    ) -> None:
        self.kinds = kinds
        self.latent_dim = latent_dim
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.device = device
        self.progress = progress

    def _check_settings(self) -> None:
        super()._check_settings()
        check_count(self.latent_dim, "latent_dim")

    def _build_sampler(self, n_dims: int) -> _Decoder:
        return _Decoder(int(self.latent_dim), tuple(self.hidden), n_dims)

    def _noise_dims(self, n_dims: int) -> int:
        return int(self.latent_dim) + n_dims

    def _train(
        self, scores: NDArray[np.float64], rng: np.random.Generator, device: torch.device
    ) -> tuple[_Decoder, NDArray[np.float64]]:
        n_rows, n_dims = scores.shape
        latent_dim = int(self.latent_dim)
        encoder = mlp(n_dims, tuple(self.hidden), 2 * latent_dim, nn.ReLU)
        decoder = self._build_sampler(n_dims)
        init_linear(encoder, rng)
        init_linear(decoder, rng)
        encoder.to(device)
        decoder.to(device)
        parameters = [*encoder.parameters(), *decoder.parameters()]
        optimizer = torch.optim.Adam(parameters, lr=float(self.learning_rate))
        data = torch.tensor(scores, dtype=torch.float32, device=device)
        batch = min(int(self.batch_size), n_rows)
        history = np.empty(int(self.epochs))
        epochs = int(self.epochs)
        for epoch in track(range(epochs), epochs, "training VAE", "epoch"):
            order = torch.tensor(rng.permutation(n_rows), device=device)
            total = 0.0
            for start in range(0, n_rows, batch):
                rows = data[order[start : start + batch]]
                eps = rng.standard_normal((rows.shape[0], latent_dim))
                mean, log_var = encoder(rows).chunk(2, dim=1)
                log_var = log_var.clamp(-_LOG_VAR_BOUND, _LOG_VAR_BOUND)
                code = mean + (0.5 * log_var).exp() * torch.tensor(
                    eps, dtype=torch.float32, device=device
                )
                scale = decoder.scale()
                nll = (((rows - decoder.layers(code)) / scale) ** 2 / 2 + scale.log()).sum(1)
                kl = 0.5 * (mean**2 + log_var.exp() - 1.0 - log_var).sum(1)
                loss = (nll + kl).mean()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                total += float(loss.detach()) * rows.shape[0]
            history[epoch] = total / n_rows
        decoder.eval()
        return decoder, history
