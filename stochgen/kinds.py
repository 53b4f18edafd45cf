"""The one vocabulary of column kinds, shared by the table models and the metrics."""

from __future__ import annotations

__all__ = ["KINDS", "LABEL_KINDS", "NUMERIC_KINDS"]

#: Column kinds a schema can hold.
KINDS = (
    "continuous",
    "integer",
    "categorical",
    "ordinal",
    "boolean",
    "datetime",
    "date",
    "constant",
    "id",
)
#: Kinds modelled through a marginal of numbers (datetimes as time since 1970).
NUMERIC_KINDS = ("continuous", "integer", "datetime", "date")
#: Kinds modelled as labels with shares.
LABEL_KINDS = ("categorical", "ordinal", "boolean")
