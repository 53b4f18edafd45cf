"""The machinery shared by parametric families: scipy densities, MLE, model files.

Each family is a small class naming a `scipy.stats` distribution and its
shape parameters; densities, CDFs and quantiles are scipy's. Fitting is
maximum likelihood through scipy's ``fit`` (closed forms where scipy has them,
Nelder-Mead otherwise) started from moment estimates, with any parameter the
user set held fixed.
"""

from __future__ import annotations

import warnings
from typing import Any, ClassVar, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from stochgen._base import check_is_fitted
from stochgen._validation import check_array
from stochgen.distributions._base import Distribution, FitError
from stochgen.exceptions import ModelFileError, ValidationError

__all__ = ["ParametricDistribution"]

#: Errors a numerical fit may raise; turned into `FitError`.
_FIT_ERRORS = (ValueError, RuntimeError, FloatingPointError, OverflowError, ZeroDivisionError)


class ParametricDistribution(Distribution):
    """Base of the parametric families: a scipy distribution with fitted parameters.

    Settings are the family's parameters under scipy's names (shapes, then
    ``loc`` and ``scale``); a setting left at None is estimated by ``fit``,
    one given a number is held fixed at it.

    Attributes
    ----------
    params_ : dict of str to float
        All parameters, fitted and fixed, by scipy name.
    """

    _fitted_attributes = ("params_",)
    _sample_by_table = True
    #: Name of the scipy.stats distribution.
    _scipy_name: ClassVar[str] = ""
    #: Its shape parameters, in scipy's order.
    _shapes: ClassVar[tuple[str, ...]] = ()

    # ----------------------------------------------------------- construction
    @classmethod
    def _all_names(cls) -> tuple[str, ...]:
        return (*cls._shapes, "loc", "scale")

    @classmethod
    def from_params(cls, **params: float) -> Self:
        """Build a fitted distribution from parameter values, every one fixed.

        Parameters
        ----------
        **params : float
            Values by scipy name; ``loc`` defaults to 0 and ``scale`` to 1.

        Returns
        -------
        Self

        Raises
        ------
        ValueError
            If a shape is missing, a name is unknown or a value is invalid.

        Examples
        --------
        >>> from stochgen.distributions import Gamma
        >>> Gamma.from_params(a=2.0, scale=3.0).params_
        {'a': 2.0, 'loc': 0.0, 'scale': 3.0}
        """
        values = {"loc": 0.0, "scale": 1.0, **params}
        names = cls._param_names()
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValidationError(f"{cls.__name__} has no parameter {unknown}; parameters: {names}")
        missing = [n for n in names if n not in values]
        if missing:
            raise ValidationError(f"{cls.__name__}.from_params: missing {missing}")
        model = cls(**{n: float(values[n]) for n in names})
        model.params_ = model._check_params({n: float(values[n]) for n in names})
        return model

    def _fixed(self) -> dict[str, float]:
        fixed = {}
        for name in self._param_names():
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(
                    value, int | float | np.integer | np.floating
                ):
                    raise TypeError(f"{name} must be None or a number; got {value!r}")
                if not np.isfinite(value):
                    raise ValidationError(f"{name} must be finite; got {value}")
                fixed[name] = float(value)
        if "scale" in fixed and fixed["scale"] <= 0:
            raise ValidationError(f"scale must be > 0; got {fixed['scale']}")
        return fixed

    def _check_params(self, params: dict[str, float]) -> dict[str, float]:
        if not all(np.isfinite(v) for v in params.values()):
            raise ValidationError(f"{type(self).__name__}: parameters must be finite; got {params}")
        if params.get("scale", 1.0) <= 0:
            raise ValidationError(
                f"{type(self).__name__}: scale must be > 0; got {params['scale']}"
            )
        with np.errstate(all="ignore"):
            valid = getattr(stats, self._scipy_name)._argcheck(*[params[s] for s in self._shapes])
        if not np.all(valid):
            raise ValidationError(
                f"{type(self).__name__}: invalid shape parameters {params} for scipy.stats."
                f"{self._scipy_name}"
            )
        return params

    def _loglik(self, params: dict[str, float], data: NDArray[np.float64]) -> float:
        """Log-likelihood, without building a frozen scipy object (slow: ~1 ms each)."""
        with np.errstate(all="ignore"):
            return float(np.sum(getattr(stats, self._scipy_name).logpdf(data, **params)))

    def _freeze(self, params: dict[str, float]) -> Any:
        return getattr(stats, self._scipy_name)(**params)

    @property
    def frozen_(self) -> Any:
        """The fitted distribution as a frozen `scipy.stats` object."""
        check_is_fitted(self)
        cached = self.__dict__.get("_frozen_cache")
        key = tuple(sorted(self.params_.items()))
        if cached is None or cached[0] != key:
            cached = (key, self._freeze(self.params_))
            self.__dict__["_frozen_cache"] = cached
        return cached[1]

    # ------------------------------------------------------------------ fitting
    def _start(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        """Moment-based starting values (scipy's ``_fitstart`` where not given)."""
        return {}

    def _data_checks(self, data: NDArray[np.float64], fixed: dict[str, float]) -> None:
        """Refuse data outside the family's support (given the fixed parameters)."""

    def fit(self, x: ArrayLike) -> Self:
        """Fit by maximum likelihood, holding fixed any parameter set in the constructor.

        Parameters
        ----------
        x : array_like
            One-dimensional finite data, at least 2 values.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On NaN, inf, too few values, or data outside the family's support.
        FitError
            If no finite maximum of the likelihood was found.
        """
        data = check_array(x, "x", ndim=1, min_size=2)
        fixed = self._fixed()
        if np.ptp(data) == 0:
            raise ValidationError(
                f"x: all {data.size} values equal {data[0]!r}; a {type(self).__name__} needs "
                "spread (use a point mass)"
            )
        self._data_checks(data, fixed)
        params = self._mle(data, fixed)
        try:
            params = self._check_params(params)
        except ValidationError as exc:
            raise FitError(f"{type(self).__name__}: fit gave invalid parameters: {exc}") from exc
        loglik = self._loglik(params, data)
        if not np.isfinite(loglik):
            raise FitError(
                f"{type(self).__name__}: fitted parameters {params} give a log-likelihood of "
                f"{loglik} on the data (data outside the support?)"
            )
        if "scale" in params and "loc" in params:
            z = (data - params["loc"]) / params["scale"]
            if np.ptp(z) < 1e-6 * np.max(np.abs(z)):
                # e.g. a Pareto drifting towards an exponential: b, loc, scale -> inf
                raise FitError(
                    f"{type(self).__name__}: degenerate fit {params}: the data span a relative "
                    f"width of {np.ptp(z) / np.max(np.abs(z)):.2g} of the standardised scale "
                    "(the family's limit case fits better)"
                )
        self.params_ = params
        self._refuse_unsampleable()
        return self

    def _refuse_unsampleable(self) -> None:
        """Raise `FitError` (and forget the fit) if the fitted law cannot be tabulated.

        A degenerate fit is refused at ``fit``, not at the first ``sample``.
        """
        if not self._sample_by_table:
            return
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.inverse_transform()
            if caught:
                # A doubtful table warns when sampling asks for it, as before, not at fit.
                self.__dict__.pop("_inverse_cache", None)
        except ValidationError as exc:
            params = self.params_
            del self.params_
            raise FitError(
                f"{type(self).__name__}: fitted parameters {params} give a law that cannot be "
                f"sampled: {exc}"
            ) from exc

    def _mle(self, data: NDArray[np.float64], fixed: dict[str, float]) -> dict[str, float]:
        """Maximum likelihood by scipy's ``fit``, from moment-based starting values.

        Nelder-Mead on a free location can stop where part of the data lies
        outside the support (a -inf log-likelihood). The fit is then started
        again with the location just below the data's minimum and, failing
        that, profiled with the location held there; the best finite result
        is kept.
        """
        names = self._all_names()
        if len(fixed) == len(names):
            return dict(fixed)
        start = self._start(data, fixed)
        kwargs: dict[str, float] = {f"f{name}": value for name, value in fixed.items()}
        for name in ("loc", "scale"):
            if name not in fixed and name in start:
                kwargs[name] = start[name]
        args = [start[s] for s in self._shapes if s in start]
        if len(args) != len(self._shapes):
            args = []
        attempts = [(args, kwargs)]
        if "loc" not in fixed:
            below = float(data.min() - np.ptp(data) / np.sqrt(data.size))
            attempts.append((args, {**kwargs, "loc": below}))
            profiled = {k: v for k, v in kwargs.items() if k != "loc"}
            attempts.append((args, {**profiled, "floc": below}))
        best: tuple[float, dict[str, float]] | None = None
        errors = []
        for attempt_args, attempt_kwargs in attempts:
            try:
                params = self._scipy_fit(data, attempt_args, attempt_kwargs)
            except _FIT_ERRORS as exc:
                errors.append(str(exc))
                continue
            loglik = self._loglik(params, data)
            if np.isfinite(loglik):
                if best is None or loglik > best[0]:
                    best = (loglik, params)
                if best is not None and attempt_args is args and attempt_kwargs is kwargs:
                    break
        if best is None:
            reason = errors[-1] if errors else "no start gave a finite log-likelihood"
            raise FitError(f"{type(self).__name__}: maximum likelihood failed: {reason}")
        return best[1]

    def _profile_location(
        self, data: NDArray[np.float64], fixed: dict[str, float]
    ) -> dict[str, float]:
        """MLE for a family whose support starts at ``loc``: profile the location.

        For each trial location below the data's minimum the other parameters
        have scipy's fast fixed-location MLE; Brent's method searches the
        offset ``min(x) - loc`` on a log scale from 1e-6 to 100 times the
        data's range. Several times faster than Nelder-Mead over all
        parameters, and the location can never pass the data.
        """
        dist = getattr(stats, self._scipy_name)
        lowest, width = float(data.min()), float(np.ptp(data))
        other = {f"f{k}": v for k, v in fixed.items()}

        def negloglik(log_offset: float) -> float:
            loc = lowest - width * np.exp(log_offset)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                theta = dist.fit(data, floc=loc, **other)
                value = dist.nnlf(theta, data)
            return float(value) if np.isfinite(value) else 1e300

        result = optimize.minimize_scalar(
            negloglik,
            bounds=(np.log(1e-6), np.log(100.0)),
            method="bounded",
            options={"xatol": 1e-4},
        )
        loc = lowest - width * float(np.exp(result.x))
        return self._scipy_fit(data, [], {**other, "floc": loc})

    def _scipy_fit(
        self, data: NDArray[np.float64], args: list[float], kwargs: dict[str, float]
    ) -> dict[str, float]:
        dist = getattr(stats, self._scipy_name)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = dist.fit(data, *args, **kwargs)
        return {name: float(v) for name, v in zip(self._all_names(), result, strict=True)}

    @property
    def n_params(self) -> int:
        """Number of parameters estimated from data (fixed ones do not count)."""
        return len(self._all_names()) - len(self._fixed())

    # -------------------------------------------------------------- evaluation
    def _points(self, x: ArrayLike) -> NDArray[np.float64]:
        check_is_fitted(self)
        return np.asarray(x, dtype=np.float64)

    def logpdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Log density.

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        with np.errstate(divide="ignore"):
            return np.asarray(self.frozen_.logpdf(self._points(x)), dtype=np.float64)

    def cdf(self, x: ArrayLike) -> NDArray[np.float64]:
        """Cumulative distribution function.

        Parameters
        ----------
        x : array_like
            Points.

        Returns
        -------
        numpy.ndarray
        """
        return np.asarray(self.frozen_.cdf(self._points(x)), dtype=np.float64)

    def ppf(self, q: ArrayLike) -> NDArray[np.float64]:
        """Quantile function (scipy's, exact); NaN outside [0, 1].

        Parameters
        ----------
        q : array_like
            Probabilities.

        Returns
        -------
        numpy.ndarray
        """
        return np.asarray(self.frozen_.ppf(self._points(q)), dtype=np.float64)

    def support(self) -> tuple[float, float]:
        """Smallest and largest possible values.

        Returns
        -------
        tuple of float
        """
        lo, hi = self.frozen_.support()
        return float(lo), float(hi)

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        params = state["params_"]
        if not isinstance(params, dict) or set(params) != set(self._all_names()):
            raise ModelFileError(
                f"{type(self).__name__}: params_ must hold {list(self._all_names())}; "
                f"got {params!r}"
            )
        try:
            self.params_ = self._check_params({k: float(v) for k, v in params.items()})
        except (TypeError, ValueError) as exc:
            raise ModelFileError(
                f"{type(self).__name__}: invalid params_ in model file: {exc}"
            ) from exc


def _moments(data: NDArray[np.float64]) -> tuple[float, float, float]:
    mean = float(np.mean(data))
    sd = float(np.std(data))
    skew = float(np.mean(((data - mean) / sd) ** 3)) if sd > 0 else 0.0
    return mean, sd, skew
