"""Table synthesizers on torch (optional ``torch`` extra): a VAE and a Wasserstein GAN.

`VAESynthesizer` and `GANSynthesizer` keep `CopulaSynthesizer`'s column models
and interface (``fit``, ``sample``, ``iter_sample``, `stochgen.save` /
`stochgen.load`) and replace only its Gaussian copula by a neural network
trained on the columns' latent normal scores. torch is imported when one of
them is first used, never by ``import stochgen``; without torch that raises an
ImportError saying how to install it.
"""

from __future__ import annotations

import importlib
from typing import Any

# Public name -> module defining it (imported, with torch, on first use).
_LAZY: dict[str, str] = {
    "GANSynthesizer": "stochgen.bridges.torch.gan",
    "VAESynthesizer": "stochgen.bridges.torch.vae",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stochgen.bridges.torch' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
