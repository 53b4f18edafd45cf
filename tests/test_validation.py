import numpy as np
import pandas as pd
import pytest

from stochgen._validation import (
    check_array,
    check_choice,
    check_columns,
    check_dataframe,
    check_n_samples,
    check_positive,
    check_unit_interval,
)
from stochgen.exceptions import ValidationError


def test_check_array_converts_and_rejects():
    out = check_array([1, 2], "x")
    assert out.dtype == np.float64 and out.flags.c_contiguous
    with pytest.raises(ValidationError, match=r"x: 1 values are inf"):
        check_array([1.0, np.inf], "x")
    with pytest.raises(TypeError, match="dtype"):
        check_array(["a"], "x")
    with pytest.raises(ValidationError, match="at least 1"):
        check_array([], "x")
    with pytest.raises(ValidationError, match="dimension"):
        check_array([[1.0]], "x", ndim=1)
    assert np.isnan(check_array([np.nan], "x", allow_nan=True)[0])


def test_check_positive_names_argument():
    with pytest.raises(ValidationError, match=r"scale must be a finite number > 0; got -2"):
        check_positive(-2, "scale")
    with pytest.raises(TypeError, match="scale"):
        check_positive("1", "scale")
    assert check_positive(0, "scale", allow_zero=True) == 0.0


def test_check_n_samples():
    assert check_n_samples(np.int64(4)) == 4
    with pytest.raises(TypeError):
        check_n_samples(2.0)
    with pytest.raises(TypeError):
        check_n_samples(True)


def test_unit_interval():
    with pytest.raises(ValidationError, match="outside the open interval"):
        check_unit_interval([[0.5, 1.0]])


def test_dataframe_checks():
    with pytest.raises(TypeError, match="DataFrame"):
        check_dataframe(np.zeros((2, 2)))
    with pytest.raises(ValidationError, match="no columns"):
        check_dataframe(pd.DataFrame())
    with pytest.raises(TypeError, match="column names must be strings"):
        check_dataframe(pd.DataFrame({0: [1]}))
    dup = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(ValidationError, match="duplicate"):
        check_dataframe(dup)


def test_choice_and_columns():
    with pytest.raises(ValidationError, match=r"criterion must be one of"):
        check_choice("x", "criterion", ("aic", "bic"))
    with pytest.raises(ValidationError, match=r"unknown column\(s\) \['z'\]"):
        check_columns(["z"], ["a", "b"])
