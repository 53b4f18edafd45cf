"""Scoring synthetic data against real data: fidelity, dependence, detection, utility, privacy.

`evaluate` runs everything and returns a `Report`; the metric functions are
here for use one at a time. Fidelity and dependence need only numpy, scipy and
pandas; detection, privacy and ML utility need scikit-learn, the figures
matplotlib (``pip install 'stochgen[evaluate]'``).

``stochgen.evaluate`` is `evaluate`, the function; this package is
``stochgen.metrics``. Sequence metrics (panels, series) are in
`stochgen.metrics.sequences`; `evaluate_sequences` runs them all.
"""

from stochgen.metrics.classes import fidelity_by_class
from stochgen.metrics.dependence import kendall_tau_distance, kendall_tau_matrix, tail_dependence
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
from stochgen.metrics.sequence_report import SequenceReport, evaluate_sequences
from stochgen.metrics.tables import infer_kinds

__all__ = [
    "Report",
    "SequenceReport",
    "column_pair_trends",
    "column_shapes",
    "contingency_similarity",
    "correlation_similarity",
    "evaluate",
    "evaluate_files",
    "evaluate_sequences",
    "fidelity_by_class",
    "infer_kinds",
    "kendall_tau_distance",
    "kendall_tau_matrix",
    "ks_complement",
    "missing_similarity",
    "quality_scores",
    "tail_dependence",
    "tv_complement",
]
