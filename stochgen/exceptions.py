"""Exceptions and warnings raised by stochgen.

Every error stochgen raises on bad input is a subclass of a built-in exception
(`ValueError` or `TypeError`), so ``except ValueError`` keeps working for users
who do not know about these classes.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceWarning",
    "FitError",
    "ModelFileError",
    "NotFittedError",
    "StochgenWarning",
    "ValidationError",
]


class ValidationError(ValueError):
    """An input value is outside what the function accepts.

    Examples
    --------
    >>> from stochgen.exceptions import ValidationError
    >>> issubclass(ValidationError, ValueError)
    True
    """


class NotFittedError(ValueError):
    """A model was used (sampled, saved, scored) before ``fit`` was called.

    Examples
    --------
    >>> from stochgen.exceptions import NotFittedError
    >>> issubclass(NotFittedError, ValueError)
    True
    """


class ModelFileError(ValueError):
    """A model file is corrupt, truncated, tampered with or of an unknown kind.

    Examples
    --------
    >>> from stochgen.exceptions import ModelFileError
    >>> issubclass(ModelFileError, ValueError)
    True
    """


class FitError(ValueError):
    """A family could not be fitted to the data (no finite maximum likelihood).

    Examples
    --------
    >>> from stochgen.exceptions import FitError
    >>> issubclass(FitError, ValueError)
    True
    """


class StochgenWarning(UserWarning):
    """A result is valid but doubtful (short chain, poor fit, fallback used).

    Examples
    --------
    >>> from stochgen.exceptions import StochgenWarning
    >>> issubclass(StochgenWarning, UserWarning)
    True
    """


class ConvergenceWarning(StochgenWarning):
    """An optimizer or a Markov chain did not converge.

    Examples
    --------
    >>> from stochgen.exceptions import ConvergenceWarning
    >>> issubclass(ConvergenceWarning, UserWarning)
    True
    """
