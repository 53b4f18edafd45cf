"""The one contract every fitted model follows.

`BaseModel` reads ``__init__``'s signature to provide ``get_params``,
``set_params``, ``clone`` and ``__repr__`` (scikit-learn's convention, without
depending on scikit-learn), and ``to_dict`` / ``from_dict`` for model files.
"""

from __future__ import annotations

import copy
import inspect
from typing import Any, ClassVar, Self

from stochgen.exceptions import ModelFileError, NotFittedError

__all__ = ["BaseModel", "check_is_fitted"]


class BaseModel:
    """Base class for distributions, copulas, samplers and synthesizers.

    Subclasses take keyword settings in ``__init__`` and store each unchanged
    under the same name. What ``fit`` learns is stored in public attributes
    ending in ``_``; those listed in ``_fitted_attributes`` are what a model
    file saves.

    Examples
    --------
    >>> class Scale(BaseModel):
    ...     _fitted_attributes = ("factor_",)
    ...     def __init__(self, *, factor=2.0):
    ...         self.factor = factor
    ...     def fit(self, x):
    ...         self.factor_ = float(self.factor)
    ...         return self
    >>> Scale(factor=3.0)
    Scale(factor=3.0)
    >>> Scale(factor=3.0).fit([1.0]).clone()
    Scale(factor=3.0)
    """

    #: Names of the attributes ``fit`` sets; saved and restored by model files.
    _fitted_attributes: ClassVar[tuple[str, ...]] = ()
    #: For models that build their state on first use (samplers: ``setup``): the
    #: attribute that marks it built, and the settings it is built from.
    #: `set_params` on one of those settings removes the mark, so the next use
    #: builds the state again instead of serving the old one.
    _built_mark: ClassVar[str | None] = None
    _built_from: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [
            name
            for name, p in signature.parameters.items()
            if name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]

    def get_params(self) -> dict[str, Any]:
        """Return the constructor settings as a dict.

        Returns
        -------
        dict
            Setting name to value, in the order of ``__init__``'s signature.
        """
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Self:
        """Set constructor settings; the fitted state is left as it is.

        A state built on first use (a sampler's ``setup``) is dropped when a
        setting it depends on changes, and built again on the next use.

        Parameters
        ----------
        **params
            Settings to change, by name.

        Returns
        -------
        Self
            This model.

        Raises
        ------
        ValueError
            If a name is not a setting of this class.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{type(self).__name__} has no setting {name!r}; valid settings: {valid}"
                )
            setattr(self, name, value)
        mark = self._built_mark
        if mark is not None and self._built_from & params.keys() and hasattr(self, mark):
            delattr(self, mark)
        return self

    def clone(self) -> Self:
        """Return an unfitted copy with equal settings.

        Returns
        -------
        Self
            A new, unfitted model.
        """
        return type(self)(**copy.deepcopy(self.get_params()))

    def __repr__(self) -> str:
        signature = inspect.signature(type(self).__init__)
        shown = []
        for name, value in self.get_params().items():
            default = signature.parameters[name].default
            if default is inspect.Parameter.empty or not _equal(value, default):
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def _get_state(self) -> dict[str, Any]:
        """Return the fitted attributes that a model file stores."""
        return {name: getattr(self, name) for name in self._fitted_attributes}

    def _set_state(self, state: dict[str, Any]) -> None:
        """Restore fitted attributes from a model file; subclasses validate more."""
        expected = set(self._fitted_attributes)
        got = set(state)
        if got != expected:
            raise ModelFileError(
                f"{type(self).__name__}: fitted fields {sorted(got)} do not match the "
                f"expected {sorted(expected)}"
            )
        for name, value in state.items():
            setattr(self, name, value)

    def _check_state(self) -> None:
        """Check the fitted state that `from_dict` restored; raise `ModelFileError` if invalid.

        Called after `_set_state` when a model file is loaded. The default
        checks nothing; a class overrides it to test its invariants (finite
        parameters, ``low <= high``, a positive-definite matrix) so that a
        loaded model either samples valid values or is refused.
        """

    def to_dict(self) -> dict[str, Any]:
        """Return settings and fitted state as plain data (arrays allowed).

        Returns
        -------
        dict
            ``{"class": name, "params": {...}, "state": {...} or None}``.
        """
        fitted = _is_fitted(self)
        return {
            "class": type(self).__name__,
            "params": self.get_params(),
            "state": self._get_state() if fitted else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Rebuild a model from the output of `to_dict`.

        Parameters
        ----------
        data : dict
            As returned by `to_dict` (after a JSON round trip).

        Returns
        -------
        Self
            The model, fitted if the state was saved.

        Raises
        ------
        ModelFileError
            If the class name, settings or state do not match this class.
        """
        if not isinstance(data, dict) or set(data) != {"class", "params", "state"}:
            raise ModelFileError(f"{cls.__name__}: expected keys class, params, state")
        if data["class"] != cls.__name__:
            raise ModelFileError(f"expected a {cls.__name__}, the data describes {data['class']!r}")
        params = data["params"]
        if isinstance(params, dict):
            # A file written before a setting existed holds the model that setting's default gives.
            params = {**cls._defaults_missing_from(params), **params}
        if not isinstance(params, dict) or set(params) != set(cls._param_names()):
            raise ModelFileError(
                f"{cls.__name__}: settings {sorted(params) if isinstance(params, dict) else params}"
                f" do not match the expected {sorted(cls._param_names())}"
            )
        try:
            model = cls(**params)
        except (TypeError, ValueError) as exc:
            raise ModelFileError(f"{cls.__name__}: invalid settings in model file: {exc}") from exc
        if data["state"] is not None:
            if not isinstance(data["state"], dict):
                raise ModelFileError(f"{cls.__name__}: fitted state must be a mapping")
            model._set_state(data["state"])
            model._check_state()
        return model

    @classmethod
    def _defaults_missing_from(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Return the defaults of the settings ``params`` lacks (those without one are left out)."""
        signature = inspect.signature(cls.__init__)
        return {
            name: copy.deepcopy(signature.parameters[name].default)
            for name in cls._param_names()
            if name not in params
            and signature.parameters[name].default is not inspect.Parameter.empty
        }


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _is_fitted(model: object) -> bool:
    return any(name.endswith("_") and not name.startswith("_") for name in vars(model))


def check_is_fitted(model: object) -> None:
    """Raise `NotFittedError` unless ``model`` has been fitted.

    A model counts as fitted when it has a public attribute ending in ``_``.

    Parameters
    ----------
    model : object
        The model to check.

    Raises
    ------
    NotFittedError
        If the model has no fitted attributes.

    Examples
    --------
    >>> class Thing(BaseModel):
    ...     def __init__(self):
    ...         pass
    >>> check_is_fitted(Thing())
    Traceback (most recent call last):
    ...
    stochgen.exceptions.NotFittedError: This Thing instance is not fitted yet. Call 'fit' first.
    """
    if not _is_fitted(model):
        raise NotFittedError(
            f"This {type(model).__name__} instance is not fitted yet. Call 'fit' first."
        )
