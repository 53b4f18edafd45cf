"""Torch plumbing shared by the bridge's synthesizers: layers, devices, weights as arrays.

torch is imported here, once, with an error that says how to install it. Weights are
initialised from a numpy Generator (torch's default initialisers draw from torch's
global random state, which a library must not touch) and leave as plain float arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stochgen.exceptions import ModelFileError, ValidationError

TORCH_MISSING = (
    "the torch bridge needs torch: pip install torch==2.13.0 (CPU build), "
    "then pip install 'stochgen[torch]'"
)

try:
    import torch
    from torch import nn
except ImportError as exc:  # only where torch is not installed
    raise ImportError(TORCH_MISSING) from exc

__all__ = [
    "TORCH_MISSING",
    "check_weights",
    "init_linear",
    "load_weights",
    "mlp",
    "resolve_device",
    "weights_of",
]


def resolve_device(device: Any) -> torch.device:
    """Return the torch device for a ``device`` setting ("cpu", "cuda" or "cuda:<n>").

    Raises
    ------
    TypeError
        If ``device`` is not a string.
    stochgen.exceptions.ValidationError
        For another device, or CUDA where ``torch.cuda.is_available()`` is False.
    """
    if not isinstance(device, str):
        raise TypeError(f"device must be a string; got {device!r} ({type(device).__name__})")
    if device == "cpu":
        return torch.device("cpu")
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ValidationError(
                f"device={device!r}, but torch.cuda.is_available() is False (a CPU build of "
                "torch, or no GPU); use device='cpu'"
            )
        return torch.device(device)
    raise ValidationError(f"device must be 'cpu' or 'cuda' (or 'cuda:<n>'); got {device!r}")


def mlp(n_in: int, hidden: Sequence[int], n_out: int, activation: type[nn.Module]) -> nn.Sequential:
    """Return an uninitialised multilayer perceptron (call `init_linear` before use)."""
    layers: list[nn.Module] = []
    width = n_in
    for size in hidden:
        # skip_init: no draw from torch's global random state.
        layers += [nn.utils.skip_init(nn.Linear, width, size), activation()]
        width = size
    layers.append(nn.utils.skip_init(nn.Linear, width, n_out))
    return nn.Sequential(*layers)


def init_linear(module: nn.Module, rng: np.random.Generator) -> None:
    """Fill each linear layer from ``rng`` as torch does by default: U(+-1 / sqrt(fan_in))."""
    with torch.no_grad():
        for layer in module.modules():
            if isinstance(layer, nn.Linear):
                bound = 1.0 / np.sqrt(layer.in_features)
                for tensor in (layer.weight, layer.bias):
                    values = rng.uniform(-bound, bound, size=tuple(tensor.shape))
                    tensor.copy_(torch.tensor(values, dtype=tensor.dtype))


def weights_of(module: nn.Module) -> dict[str, NDArray[np.float32]]:
    """Return a module's state as float32 numpy arrays, by state-dict name."""
    return {
        name: tensor.detach().cpu().numpy().astype(np.float32, copy=True)
        for name, tensor in module.state_dict().items()
    }


def check_weights(module: nn.Module, weights: Any, owner: str) -> None:
    """Raise `ModelFileError` unless ``weights`` has exactly ``module``'s names and shapes."""
    if not isinstance(weights, dict):
        raise ModelFileError(f"{owner}: weights_ must be a mapping of arrays")
    expected = {name: tuple(t.shape) for name, t in module.state_dict().items()}
    if set(weights) != set(expected):
        raise ModelFileError(
            f"{owner}: weights_ hold {sorted(weights)}; the network built from the saved "
            f"settings has {sorted(expected)}"
        )
    for name, shape in expected.items():
        array = weights[name]
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise ModelFileError(f"{owner}: weight {name!r} is not a float array")
        if array.shape != shape:
            raise ModelFileError(
                f"{owner}: weight {name!r} has shape {array.shape}; the network built from "
                f"the saved settings expects {shape}"
            )
        if not np.isfinite(array).all():
            raise ModelFileError(f"{owner}: weight {name!r} holds NaN or inf")


def load_weights(module: nn.Module, weights: dict[str, NDArray[np.floating]]) -> None:
    """Copy checked arrays into ``module`` (in place, keeping its dtype and device)."""
    state = module.state_dict()
    with torch.no_grad():
        for name, tensor in state.items():
            tensor.copy_(torch.tensor(weights[name], dtype=tensor.dtype))
