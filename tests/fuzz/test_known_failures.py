"""Deterministic reproducers of the failures the fuzz tests found, all fixed.

The fuzz harness (``_outcomes.check_error``) tolerates none of them any more;
these tests pin each case down so a regression names itself.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from stochgen.exceptions import ValidationError

_ROOT = Path(__file__).resolve().parents[2]


def _table() -> pd.DataFrame:
    return pd.DataFrame({"x": np.arange(30) * 1.5, "k": ["a", "b", "c"] * 10})


def _model():
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    return CopulaSynthesizer(n_jobs=1).fit(_table())


def test_sample_none_is_refused():
    with pytest.raises(TypeError, match="n must be an integer"):
        _model().sample(None)


def test_sample_zero_checks_conditions():
    with pytest.raises(TypeError, match="conditions must be a dict"):
        _model().sample(0, conditions="k")


def test_huge_n_fails_before_any_work():
    with pytest.raises(ValidationError, match="of memory available"):
        _model().sample(10**12, seed=0)


def test_inequality_between_number_and_datetime_is_refused_clearly():
    from stochgen.tabular.constraints import Inequality
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    data = _table().assign(when=pd.date_range("2020-01-01", periods=30))
    with pytest.raises(ValidationError, match="'when'"):
        CopulaSynthesizer(constraints=[Inequality("x", "when")]).fit(data)


@pytest.mark.parametrize("column", ["x", "when"])
def test_inequality_of_a_column_with_itself_is_refused(column):
    from stochgen.tabular.constraints import Inequality
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    data = _table().assign(when=pd.date_range("2020-01-01", periods=30))
    with pytest.raises(ValidationError, match=f"'{column}' with itself"):
        CopulaSynthesizer(constraints=[Inequality(column, column)]).fit(data)


def test_bounds_constraint_samples():
    from stochgen.exceptions import StochgenWarning
    from stochgen.tabular.constraints import Bounds
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    with pytest.warns(StochgenWarning, match="left out of the fit"):
        model = CopulaSynthesizer(constraints=[Bounds("x", 0.0, 20.0)], n_jobs=1).fit(_table())
    rows = model.sample(50, seed=0)
    assert rows["x"].between(0.0, 20.0).all()


def test_inequality_on_text_columns_is_refused_clearly():
    from stochgen.tabular.constraints import Inequality
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    data = _table().assign(j=["u", "v", "w"] * 10)
    with pytest.raises(ValidationError, match="'k'"):
        CopulaSynthesizer(constraints=[Inequality("k", "j")]).fit(data)


@pytest.mark.parametrize(
    ("family", "x"),
    [
        ("Gamma", [1.1800127728511554, 1.1800127728511554, 1.0470004801911361, 48.98, 31.36]),
        ("Poisson", [5.657485998969302e16, 533, 6.20365798786805e16, 11061, 0.0]),
        # p = 1: a point mass at 0, where scipy's geom.ppf falls below the support.
        ("Geometric", [0.0]),
    ],
)
def test_degenerate_fits_sample_or_are_refused_at_fit(family, x):
    import stochgen.distributions as dist
    from stochgen.exceptions import FitError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model = getattr(dist, family)().fit(np.array(x))
        except FitError as exc:
            error = str(exc)
        else:
            error = None
    if error is None:
        assert np.isfinite(model.sample(5, seed=0)).all()
    else:
        assert family in error
        assert "cannot be sampled" in error


def test_fit_distribution_refuses_fractional_max_samples():
    from stochgen.distributions.selection import fit_distribution

    with pytest.raises((TypeError, ValueError), match="max_samples"):
        fit_distribution(np.linspace(0, 1, 50) ** 2, ["normal"], max_samples=2.5)


def test_fit_distribution_refuses_non_list_families():
    from stochgen.distributions.selection import fit_distribution

    with pytest.raises(TypeError, match="families"):
        fit_distribution(np.linspace(0, 1, 50) ** 2, 3)


def test_evaluate_on_one_column_table():
    from stochgen.metrics.report import evaluate

    real = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluate(real, real, detection=False, privacy=False).summary()


@pytest.mark.parametrize("settings", [{"max_intervals": 0}, {"target_efficiency": 2.0}])
def test_rejection_refuses_bad_settings(settings):
    from stochgen.samplers import Rejection

    with pytest.raises((TypeError, ValueError)):
        Rejection(lambda x: np.ones_like(x), support=(0.0, 1.0), **settings).sample(5, seed=0)


_HANG = """
import numpy as np
from stochgen.samplers import Rejection
pdf, support = {case}
try:
    Rejection(pdf, support=support).sample(100, seed=0)
except (ValueError, TypeError) as exc:
    print("refused:", exc)
"""
_HANGS = {
    "huge-support": "(lambda x: np.exp(-0.5 * x * x), (0.0, 1e300))",
    "huge-symmetric-support": "(lambda x: np.exp(-0.5 * x * x), (-1e300, 1e300))",
}


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(_HANGS))
def test_rejection_returns_or_refuses_in_time(case):
    subprocess.run(
        [sys.executable, "-c", _HANG.format(case=_HANGS[case])],
        cwd=_ROOT,
        timeout=10,
        check=True,
        capture_output=True,
    )


def test_rejection_refuses_the_integrable_pole_in_time():
    pole = "(lambda x: np.exp(-np.abs(x)) / np.sqrt(np.abs(x)), (-1.0, 1.0))"
    done = subprocess.run(
        [sys.executable, "-c", _HANG.format(case=pole)],
        cwd=_ROOT,
        timeout=120,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "refused: pdf is inf" in done.stdout
