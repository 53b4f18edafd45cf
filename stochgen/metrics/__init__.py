"""Scoring synthetic data against real data: fidelity, dependence, detection, utility, privacy.

`evaluate` runs everything and returns a `Report`; the metric functions are
here for use one at a time. Fidelity and dependence need only numpy, scipy and
pandas; detection, privacy and ML utility need scikit-learn, the figures
matplotlib (``pip install 'stochgen[evaluate]'``).

``stochgen.evaluate`` is `evaluate`, the function; this package is
``stochgen.metrics``.
"""

from stochgen.metrics.fidelity import (
    column_pair_trends,
    column_shapes,
    contingency_similarity,
    correlation_similarity,
    ks_complement,
    missing_similarity,
    quality_scores,
    tv_complement,
)
from stochgen.metrics.report import Report, evaluate, evaluate_files
from stochgen.metrics.tables import infer_kinds

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
