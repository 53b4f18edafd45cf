"""Scoring synthetic data against real data: fidelity, detection, utility, privacy.

`evaluate` runs everything and returns a `Report`; the metric functions are
here for use one at a time. Fidelity needs only numpy, scipy and pandas;
detection, privacy and ML utility need scikit-learn, the figures matplotlib
(``pip install 'stochgen[evaluate]'``).

``stochgen.evaluate(real, synthetic)`` calls `evaluate`: the package is callable.
"""

import sys
import types
from typing import Any

from stochgen.evaluate._kinds import infer_kinds
from stochgen.evaluate.fidelity import (
    column_pair_trends,
    column_shapes,
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    missing_similarity,
    quality_scores,
    tv_complement,
)
from stochgen.evaluate.report import Report, evaluate, evaluate_files

__all__ = [
    "Report",
    "column_pair_trends",
    "column_shapes",
    "contingency_similarity",
    "correlation_similarity",
    "evaluate",
    "evaluate_files",
    "infer_kinds",
    "ks_complement",
    "missing_similarity",
    "quality_scores",
    "tv_complement",
]


class _CallableModule(types.ModuleType):
    # `stochgen.evaluate` names both this package and the function `evaluate`; once the
    # package is imported, Python binds the package to that name, so the package itself
    # must be callable for `stochgen.evaluate(real, synthetic)` to keep working.
    def __call__(self, *args: Any, **kwargs: Any) -> Report:
        return evaluate(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
