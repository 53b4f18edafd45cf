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


# Regression tests for issue 11: counts, kinds and columns a model file cannot hold.

import datetime  # noqa: E402
import decimal  # noqa: E402

from stochgen._validation import MAX_N_SAMPLES, check_kinds, check_memory  # noqa: E402
from stochgen.tabular.balance import balance  # noqa: E402
from stochgen.tabular.schema import KINDS, Schema  # noqa: E402
from stochgen.tabular.synthesizer import CopulaSynthesizer  # noqa: E402


@pytest.mark.parametrize("n", [None, False, True, 0.0, 2.5, "", "3", np.float64(1.0), np.bool_(1)])
def test_check_n_samples_refuses_non_integers(n):
    with pytest.raises(TypeError, match="n must be an integer"):
        check_n_samples(n)


def test_check_n_samples_limits():
    assert check_n_samples(0) == 0 and check_n_samples(np.int64(7)) == 7
    assert check_n_samples(MAX_N_SAMPLES) == MAX_N_SAMPLES
    with pytest.raises(ValidationError, match="above the limit"):
        check_n_samples(MAX_N_SAMPLES + 1)
    with pytest.raises(ValidationError, match="non-negative"):
        check_n_samples(-3)


def test_check_memory_refuses_before_work():
    assert check_memory(10, 8.0, limit=80) == 80
    with pytest.raises(ValidationError, match=r"n = 11 rows need about 88 bytes .*80 bytes"):
        check_memory(11, 8.0, limit=80)
    with pytest.raises(ValidationError, match="PiB"):
        check_memory(10**12, 8000.0)


def test_check_kinds_shapes():
    with pytest.raises(TypeError, match="must be a dict"):
        check_kinds("continuous", ["a"], KINDS)
    with pytest.raises(TypeError, match="must be a dict"):
        check_kinds(["a"], ["a"], KINDS)
    with pytest.raises(TypeError, match=r"kinds\['a'\] must be a string"):
        check_kinds({"a": 3}, ["a"], KINDS)
    with pytest.raises(ValidationError, match=r"kinds\['a'\] must be one of"):
        check_kinds({"a": "g"}, ["a"], KINDS)


def _frame(column):
    return pd.DataFrame({"x": np.arange(30) * 1.5, "d": column})


@pytest.mark.parametrize(
    ("column", "message"),
    [
        (pd.Series([pd.Timestamp(2020, 1, 1 + i % 9) for i in range(30)], dtype=object), "to_dat"),
        (pd.to_timedelta(np.arange(30), unit="D"), "total_seconds"),
        (pd.period_range("2020-01", periods=30, freq="M"), "to_timestamp"),
        (pd.Series([decimal.Decimal(i % 3) for i in range(30)], dtype=object), "astype\\(float\\)"),
        (pd.Series([b"a", b"b"] * 15, dtype=object), "decode"),
        (
            pd.Series([datetime.datetime(2020, 1, 1 + i % 5) for i in range(30)], dtype=object),
            "to_",
        ),
    ],
)
def test_columns_a_model_file_cannot_hold_are_refused_at_fit(column, message):
    with pytest.raises(ValidationError, match=f"column 'd' .*{message}"):
        CopulaSynthesizer().fit(_frame(column))


def test_complex_columns_refused_naming_the_column():
    with pytest.raises(TypeError, match="column 'd' holds complex numbers"):
        CopulaSynthesizer().fit(_frame(np.arange(30) * (1 + 1j)))


def test_kinds_mismatches_name_the_column():
    data = _frame(["a", "b", "c"] * 10)
    with pytest.raises(TypeError, match="got str 'continuous'"):
        CopulaSynthesizer(kinds="continuous").fit(data)
    with pytest.raises(ValidationError, match=r"kinds\['d'\] is 'continuous' but .*'a'"):
        CopulaSynthesizer(kinds={"d": "continuous"}).fit(data)
    with pytest.raises(ValidationError, match=r"kinds\['d'\] is 'datetime'"):
        Schema(kinds={"d": "datetime"}).fit(data)
    with pytest.raises(ValidationError, match=r"kinds\['x'\] must be one of"):
        CopulaSynthesizer(kinds={"x": "g"}).fit(data)
    with pytest.raises(TypeError, match="kinds must be a dict"):
        Schema(kinds=["x"]).fit(data)


def test_kinds_as_a_list_of_columns():
    with pytest.raises(TypeError, match="kinds must be a dict"):
        CopulaSynthesizer(kinds=["x"]).fit(_frame(["a", "b", "c"] * 10))


@pytest.mark.parametrize("n", [None, False, 0.0, ""])
def test_sample_refuses_falsy_non_integer_n(n):
    model = CopulaSynthesizer().fit(_frame(["a", "b", "c"] * 10))
    with pytest.raises(TypeError, match="n must be an integer"):
        model.sample(n)


def test_balance_refuses_continuous_target_but_accepts_declared_kind():
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"x": rng.normal(size=200), "y": rng.gamma(1.0, size=200)})
    with pytest.raises(ValidationError, match="target 'y' looks continuous"):
        balance(data, "y")
    ints = pd.DataFrame({"x": rng.normal(size=400), "y": rng.integers(0, 150, 400)})
    with pytest.raises(ValidationError, match="more than 100"):
        balance(ints, "y")
