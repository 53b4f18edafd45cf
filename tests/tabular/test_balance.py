import numpy as np
import pandas as pd
import pytest
from scipy import stats

import stochgen
from stochgen.exceptions import ValidationError


@pytest.fixture(scope="module")
def imbalanced():
    rng = np.random.default_rng(0)
    n_major, n_minor = 1_500, 60
    major = pd.DataFrame({"x": rng.normal(0, 1, n_major), "y": rng.exponential(1, n_major)})
    minor = pd.DataFrame({"x": rng.normal(3, 0.5, n_minor), "y": rng.uniform(5, 6, n_minor)})
    major["label"], minor["label"] = "major", "minor"
    return pd.concat([major, minor], ignore_index=True).round(4)


def test_equalize_tops_up_with_rows_of_the_minority_distribution(imbalanced):
    out = stochgen.balance(imbalanced, "label", seed=0)
    assert out["label"].value_counts().to_dict() == {"major": 1_500, "minor": 1_500}
    pd.testing.assert_frame_equal(out.iloc[: len(imbalanced)], imbalanced)
    pd.testing.assert_series_equal(out.dtypes, imbalanced.dtypes)
    new = out.iloc[len(imbalanced) :]
    real = imbalanced[imbalanced["label"] == "minor"]
    for column in ("x", "y"):
        # Critical value of the two-sample KS test at alpha = 1e-3.
        critical = 1.95 * np.sqrt((len(real) + len(new)) / (len(real) * len(new)))
        assert stats.ks_2samp(real[column], new[column]).statistic < critical


def test_dict_strategy_and_reproducibility(imbalanced):
    a = stochgen.balance(imbalanced, "label", {"minor": 200}, seed=3)
    b = stochgen.balance(imbalanced, "label", {"minor": 200}, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["label"].value_counts().to_dict() == {"major": 1_500, "minor": 200}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": "nope"}, "unknown column"),
        ({"target": "label", "strategy": "double"}, "must be 'equalize' or a dict"),
        ({"target": "label", "strategy": {"other": 5}}, "not in the target column"),
        ({"target": "label", "strategy": {"minor": 10}}, "below the 60 real rows"),
    ],
)
def test_bad_arguments(imbalanced, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        stochgen.balance(imbalanced, **kwargs)


def test_missing_labels_refused(imbalanced):
    broken = imbalanced.copy()
    broken.loc[0, "label"] = None
    with pytest.raises(ValidationError, match="missing labels"):
        stochgen.balance(broken, "label")
