"""Checks of a SequenceSynthesizer's settings (at fit) and of its fitted state (at load)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._validation import check_choice, check_columns, check_kinds
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.kinds import KINDS
from stochgen.sequences.dynamics import LatentVAR
from stochgen.sequences.timeline import check_timeline
from stochgen.tabular.columns import IdColumn
from stochgen.tabular.latent import LatentTable
from stochgen.tabular.synthesizer import CopulaSynthesizer

__all__ = ["check_fitted_state", "check_settings", "context_columns"]


def check_settings(model: Any, data: pd.DataFrame) -> None:
    """Check a SequenceSynthesizer's settings against the table it is fitted to."""
    for name, value in (("entity", model.entity), ("order", model.order)):
        if value is None:
            continue
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a column name (str) or None; got {value!r}")
        if value not in data.columns:
            raise ValidationError(
                f"{name}: unknown column {value!r}; the table has {list(data.columns)!r}"
            )
    if model.entity is not None and model.entity == model.order:
        raise ValidationError(f"entity and order are the same column {model.entity!r}")
    if model.entity is not None and data[model.entity].isna().any():
        raise ValidationError(
            f"entity: column {model.entity!r} has {int(data[model.entity].isna().sum())} "
            "missing values; every row must name its sequence"
        )
    lags = model.max_lags
    if isinstance(lags, bool) or not isinstance(lags, int | np.integer) or lags < 0:
        raise ValidationError(f"max_lags must be a non-negative integer; got {lags!r}")
    for name in ("calibrate", "fit_seed"):
        value = getattr(model, name)
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValidationError(f"{name} must be a non-negative integer; got {value!r}")
    for name in ("trend", "entity_effects"):
        if not isinstance(getattr(model, name), bool):
            raise TypeError(f"{name} must be True or False; got {getattr(model, name)!r}")
    check_choice(model.criterion, "criterion", ("aic", "aicc", "bic"))
    check_kinds(model.kinds, data.columns, KINDS)


def context_columns(model: Any, data: pd.DataFrame, codes: NDArray[np.intp]) -> list[str]:
    """Return the columns constant within every entity (given ones checked)."""
    keys = {model.entity, model.order}
    candidates = [c for c in data.columns if c not in keys]
    if model.context is not None:
        if model.entity is None and list(model.context):
            raise ValidationError(
                f"context={model.context!r} needs entity: a single series has no context"
            )
        given = check_columns(model.context, candidates, "context")
    if model.entity is None:
        return []
    per_entity = data[candidates].groupby(codes, sort=False).nunique(dropna=False).max()
    constant = [c for c in candidates if per_entity[c] <= 1]
    if model.context is None:
        return constant
    varying = [c for c in given if c not in constant]
    if varying:
        raise ValidationError(
            f"context: columns {varying!r} change within an entity; context columns "
            "must be constant within each entity"
        )
    return [c for c in candidates if c in given]


def check_fitted_state(model: Any) -> None:
    """Raise `ModelFileError` unless a loaded SequenceSynthesizer's fitted state is coherent."""
    columns = model.output_columns_
    if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
        raise ModelFileError("SequenceSynthesizer: output_columns_ must be a list of names")
    keys = [c for c in (model.entity, model.order) if c is not None]
    roles = [*keys, *model.context_columns_, *model.varying_columns_, *model.integrated_columns_]
    if sorted(roles) != sorted(columns):
        raise ModelFileError("SequenceSynthesizer: the column roles do not cover the columns")
    if (model.entity is None) != (model.context_model_ is None) or (model.entity is None) != (
        model.entity_model_ is None
    ):
        raise ModelFileError("SequenceSynthesizer: entity and context models do not match")
    if model.context_model_ is not None:
        if not isinstance(model.context_model_, CopulaSynthesizer) or not isinstance(
            model.entity_model_, IdColumn
        ):
            raise ModelFileError("SequenceSynthesizer: context or entity model has wrong type")
    for name in ("values_", "changes_"):
        table = getattr(model, name)
        if table is not None and not isinstance(table, LatentTable):
            raise ModelFileError(f"SequenceSynthesizer: {name} must be a LatentTable")
    if (model.values_ is None) != (not model.varying_columns_):
        raise ModelFileError("SequenceSynthesizer: values_ does not match varying_columns_")
    if model.values_ is not None and list(model.values_.columns_) != model.varying_columns_:
        raise ModelFileError("SequenceSynthesizer: values_ columns do not match")
    if not isinstance(model.integrated_columns_, list) or not isinstance(model.levels_, dict):
        raise ModelFileError("SequenceSynthesizer: integrated_columns_ or levels_ malformed")
    if sorted(model.levels_) != sorted(model.integrated_columns_):
        raise ModelFileError("SequenceSynthesizer: levels_ must cover integrated_columns_")
    cumulated = model.cumulated_columns()
    if model.changes_ is not None and list(model.changes_.columns_) != cumulated:
        raise ModelFileError("SequenceSynthesizer: changes_ columns do not match")
    expected_first = [] if model.entity is not None else cumulated
    if not isinstance(model.first_, dict) or sorted(model.first_) != sorted(expected_first):
        raise ModelFileError("SequenceSynthesizer: first_ must hold the first values")
    if (model.order is None) != (model.timeline_ is None):
        raise ModelFileError("SequenceSynthesizer: timeline_ does not match order")
    if model.timeline_ is not None:
        check_timeline(model.timeline_)
    _check_dynamics(model)


def _check_dynamics(model: Any) -> None:
    fields = set(LatentVAR._fields)
    if not isinstance(model.dynamics_, dict) or set(model.dynamics_) != fields:
        raise ModelFileError(f"SequenceSynthesizer: dynamics_ must hold {sorted(fields)}")
    p = model.dynamics_["order"]
    if isinstance(p, bool) or not isinstance(p, int) or p < 0:
        raise ModelFileError("SequenceSynthesizer: the VAR order must be a whole number")
    d = (model.values_.n_latent if model.values_ is not None else 0) + (
        model.changes_.n_latent if model.changes_ is not None else 0
    )
    m = 1 + int(model.trend)
    if model.context_model_ is not None:
        m += model.context_model_.latent_.n_latent
    shapes = {
        "exog_coef": (p + 1, m, d),
        "lag_coef": (p + 1, p, d, d),
        "noise_chol": (p + 1, d, d),
    }
    for name, shape in shapes.items():
        array = np.asarray(model.dynamics_[name], dtype=float)
        if array.shape != shape or not np.isfinite(array).all():
            raise ModelFileError(
                f"SequenceSynthesizer: dynamics_[{name!r}] must be finite with shape {shape}"
            )
        model.dynamics_[name] = array
    model.dynamics_["aic"] = np.asarray(model.dynamics_["aic"], dtype=float)
    for key in ("n_steps_",):
        value = getattr(model, key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ModelFileError(f"SequenceSynthesizer: {key} must be a positive integer")
    if not all(isinstance(v, float) and np.isfinite(v) for v in model.first_.values()):
        raise ModelFileError("SequenceSynthesizer: first_ values must be finite numbers")
