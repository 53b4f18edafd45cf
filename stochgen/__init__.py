"""stochgen: classical statistical sampling and synthetic data.

Fast samplers (inverse transform, rejection, Metropolis-Hastings), fitted
univariate marginals, copulas, and table synthesizers that share one
interface: ``fit(data) -> self``, ``sample(n, seed=...)``, and
`stochgen.save` / `stochgen.load`.

Public names are imported on first use, so ``import stochgen`` stays quick
and optional dependencies are needed only by what uses them.

Examples
--------
>>> import pandas as pd
>>> import stochgen
>>> real = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "b", "a", "b"]})
>>> synthetic = stochgen.CopulaSynthesizer().fit(real).sample(10, seed=0)
>>> list(synthetic.columns)
['x', 'g']
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> module defining it.
_LAZY: dict[str, str] = {
    "save": "stochgen.io",
    "load": "stochgen.io",
    "NotFittedError": "stochgen.exceptions",
    "ValidationError": "stochgen.exceptions",
    "ModelFileError": "stochgen.exceptions",
    "StochgenWarning": "stochgen.exceptions",
    "ConvergenceWarning": "stochgen.exceptions",
    "CopulaSynthesizer": "stochgen.tabular.synthesizer",
    "SequenceSynthesizer": "stochgen.sequences.synthesizer",
    "Schema": "stochgen.tabular.schema",
    "balance": "stochgen.tabular.balance",
    "detect_constraints": "stochgen.tabular.detect",
    "parse_rule": "stochgen.tabular.rules",
    "read_rules": "stochgen.tabular.rule_files",
    "register_constraint": "stochgen.tabular.rules",
    "quality_filter": "stochgen.tabular.quality_filter",
    "fit_distribution": "stochgen.distributions.selection",
    "from_quantiles": "stochgen.distributions.elicitation",
    "from_moments": "stochgen.distributions.elicitation",
    "InverseTransform": "stochgen.samplers.inverse",
    "Rejection": "stochgen.samplers.rejection",
    "RatioOfUniforms": "stochgen.samplers.ratio_of_uniforms",
    "MetropolisHastings": "stochgen.samplers.metropolis",
    "select_copula": "stochgen.copulas.selection",
    "JointDistribution": "stochgen.montecarlo.joint",
    "simulate": "stochgen.montecarlo.simulate",
    "sobol_indices": "stochgen.montecarlo.sensitivity",
    "evaluate": "stochgen.metrics.report",
    "evaluate_sequences": "stochgen.metrics.sequence_report",
    "set_progress": "stochgen._progress",
    "pseudonymize": "stochgen.tabular.formats",
    "progress_enabled": "stochgen._progress",
    "Report": "stochgen.metrics.report",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stochgen' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
