"""GANSynthesizer: a Wasserstein GAN with gradient penalty as the joint law of the latent scores."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from stochgen._progress import track
from stochgen._validation import check_positive
from stochgen.bridges.torch._network import init_linear, mlp, nn, torch
from stochgen.bridges.torch._synthesizer import LatentNetworkSynthesizer, check_count

__all__ = ["GANSynthesizer"]

# Adam's moment decays for WGAN-GP (Gulrajani et al., 2017, Algorithm 1).
_BETAS = (0.5, 0.9)
_LEAKY_SLOPE = 0.2


class _LeakyReLU(nn.LeakyReLU):
    def __init__(self) -> None:
        super().__init__(_LEAKY_SLOPE)


class GANSynthesizer(LatentNetworkSynthesizer):
    """Synthetic tables from per-column models and a Wasserstein GAN.

    Each column is mapped to latent normal scores by the same column models as
    `stochgen.CopulaSynthesizer`. Where that class fits a Gaussian
    copula to the scores, this one trains a WGAN-GP (Gulrajani et al., 2017):
    a generator from normal noise to scores against a critic whose gradient
    norm is kept near 1 by a penalty. Each generator output is then mapped
    through its own distribution function to a standard normal score, so the
    network carries the dependence and every column keeps its fitted marginal.

    Parameters
    ----------
    kinds : dict of str to str, optional
        Column kinds to use instead of the inferred ones (see `Schema`).
    noise_dim : int
        Normal noise dimensions the generator reads.
    hidden : tuple of int
        Widths of the generator's hidden layers (the critic uses the same).
    epochs : int
        Passes of the critic over the table; the generator takes one step
        every ``n_critic`` critic steps.
    batch_size : int
        Rows per step.
    learning_rate : float
        Adam's step size for both networks.
    n_critic : int
        Critic steps per generator step.
    gradient_penalty : float
        Weight of the gradient penalty.
    device : str
        "cpu", or "cuda" / "cuda:<n>" where ``torch.cuda.is_available()``.
    progress : bool or None
        A progress bar over the epochs (None: see `stochgen.set_progress`).

    Attributes
    ----------
    schema_ : Schema
        Inferred column kinds.
    columns_ : dict of str to column model
        Fitted model of each column, in table order.
    weights_ : dict of str to numpy.ndarray
        The generator's weights (float32), by torch state-dict name.
    quantiles_ : numpy.ndarray
        Quantiles of each generator output at ``quantile_levels_``.
    quantile_levels_ : numpy.ndarray
        Probability levels of ``quantiles_``.
    loss_history_ : numpy.ndarray
        The critic's estimate of the Wasserstein distance between real and
        generated scores, averaged over each epoch.
    n_rows_ : int
        Rows seen in ``fit``.
    output_columns_ : list of str
        Columns of the real table, in order.

    See Also
    --------
    VAESynthesizer : the same with a variational autoencoder (trains faster).

    Examples
    --------
    >>> import pandas as pd
    >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5], "g": ["a", "b", "a", "b"]})
    >>> model = GANSynthesizer(hidden=(16,), epochs=10).fit(real, seed=0)
    >>> model.sample(3, seed=1).shape
    (3, 2)
    """

    def __init__(
        self,
        kinds: dict[str, str] | None = None,
        *,
        noise_dim: int = 32,
        hidden: Sequence[int] = (128, 128),
        epochs: int = 300,
        batch_size: int = 500,
        learning_rate: float = 1e-4,
        n_critic: int = 5,
        gradient_penalty: float = 10.0,
        device: str = "cpu",
        progress: bool | None = None,
    ) -> None:
        self.kinds = kinds
        self.noise_dim = noise_dim
        self.hidden = hidden
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.n_critic = n_critic
        self.gradient_penalty = gradient_penalty
        self.device = device
        self.progress = progress

    def _check_settings(self) -> None:
        super()._check_settings()
        check_count(self.noise_dim, "noise_dim")
        check_count(self.n_critic, "n_critic")
        check_positive(self.gradient_penalty, "gradient_penalty", allow_zero=True)

    def _build_sampler(self, n_dims: int) -> nn.Sequential:
        return mlp(int(self.noise_dim), tuple(self.hidden), n_dims, _LeakyReLU)

    def _noise_dims(self, n_dims: int) -> int:
        return int(self.noise_dim)

    def _train(
        self, scores: NDArray[np.float64], rng: np.random.Generator, device: torch.device
    ) -> tuple[nn.Sequential, NDArray[np.float64]]:
        n_rows, n_dims = scores.shape
        noise_dim = int(self.noise_dim)
        generator = self._build_sampler(n_dims)
        critic = mlp(n_dims, tuple(self.hidden), 1, _LeakyReLU)
        init_linear(generator, rng)
        init_linear(critic, rng)
        generator.to(device)
        critic.to(device)
        lr = float(self.learning_rate)
        g_optimizer = torch.optim.Adam(generator.parameters(), lr=lr, betas=_BETAS)
        c_optimizer = torch.optim.Adam(critic.parameters(), lr=lr, betas=_BETAS)
        penalty = float(self.gradient_penalty)
        n_critic = int(self.n_critic)

        def normal(*shape: int) -> torch.Tensor:
            return torch.tensor(rng.standard_normal(shape), dtype=torch.float32, device=device)

        data = torch.tensor(scores, dtype=torch.float32, device=device)
        batch = min(int(self.batch_size), n_rows)
        history = np.empty(int(self.epochs))
        step = 0
        epochs = int(self.epochs)
        for epoch in track(range(epochs), epochs, "training GAN", "epoch"):
            order = torch.tensor(rng.permutation(n_rows), device=device)
            total = 0.0
            for start in range(0, n_rows, batch):
                real = data[order[start : start + batch]]
                m = real.shape[0]
                with torch.no_grad():
                    fake = generator(normal(m, noise_dim))
                mix_weight = torch.tensor(rng.random((m, 1)), dtype=torch.float32, device=device)
                mix = (mix_weight * real + (1.0 - mix_weight) * fake).requires_grad_(True)
                (grad,) = torch.autograd.grad(critic(mix).sum(), mix, create_graph=True)
                distance = critic(real).mean() - critic(fake).mean()
                c_loss = -distance + penalty * ((grad.norm(dim=1) - 1.0) ** 2).mean()
                c_optimizer.zero_grad()
                c_loss.backward()
                c_optimizer.step()
                total += float(distance.detach()) * m
                step += 1
                if step % n_critic == 0:
                    g_loss = -critic(generator(normal(m, noise_dim))).mean()
                    g_optimizer.zero_grad()
                    g_loss.backward()
                    g_optimizer.step()
            history[epoch] = total / n_rows
        generator.eval()
        return generator, history
