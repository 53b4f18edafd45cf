"""Fuzzing fit, sample, conditions and constraints of CopulaSynthesizer with hypothesis.

Every outcome must be a correct result (the asked-for rows, the fitted
columns in order, NaN only where the real column had missing values, nothing
infinite) or a clear stochgen error naming the column or argument
(`tests.fuzz._outcomes.check_error`). Examples are derandomized so CI never
flakes; ``STOCHGEN_FUZZ_EXAMPLES`` multiplies the counts for longer local runs.
"""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stochgen.tabular.constraints import Bounds, FixedCombinations, Inequality, Unique
from stochgen.tabular.synthesizer import CopulaSynthesizer
from tests.fuzz._outcomes import check_error

_SCALE = float(os.environ.get("STOCHGEN_FUZZ_EXAMPLES", "1"))

# Days from 2000-01-01: beyond 2262 only where pandas holds dates in units coarser than
# nanoseconds (pandas >= 3 builds such Series; pandas 2 overflows building them).
_MAX_DAYS = 100_000 if int(pd.__version__.split(".")[0]) >= 3 else 80_000


def fuzz_settings(examples: int) -> settings:
    """Settings for a fuzz test: derandomized, no deadline, ``examples`` scaled by the env var."""
    return settings(
        max_examples=max(1, int(examples * _SCALE)),
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )


_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64)
_EXTREME = st.sampled_from([1e-300, -1e-300, 1e300, -1e300, 5e-324, 1.7e308, 0.0, -0.0])
_TEXT = st.text(alphabet="ab;é\t ,\"'\n", min_size=0, max_size=4)
_NAMES = st.one_of(
    st.sampled_from(["x", "y", "z", "age", "when", "k"]),
    st.text(alphabet="ab ;é.", min_size=0, max_size=3),
    st.integers(-2, 3),
)


@st.composite
def columns(draw: st.DrawFn, n: int) -> pd.Series:
    """One column of ``n`` rows, of a randomly chosen dtype family."""
    kind = draw(
        st.sampled_from(
            [
                "float",
                "float-extreme",
                "int",
                "bool",
                "cat",
                "many-cat",
                "datetime",
                "mixed-object",
                "Int64",
                "Float64",
                "boolean",
                "string",
                "arrow-float",
                "arrow-int",
                "arrow-string",
                "constant",
                "all-nan",
                "category",
            ]
        )
    )
    if kind == "float":
        values = draw(st.lists(_FLOATS, min_size=n, max_size=n))
        return pd.Series(values, dtype="float64")
    if kind == "float-extreme":
        return pd.Series(draw(st.lists(_EXTREME | _FLOATS, min_size=n, max_size=n)), dtype=float)
    if kind in ("int", "Int64", "arrow-int"):
        values = draw(
            st.lists(st.integers(-(2**62), 2**62) | st.integers(-3, 3), min_size=n, max_size=n)
        )
        if kind == "Int64":
            mask = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            return pd.Series(
                pd.array(
                    [None if m else v for v, m in zip(values, mask, strict=True)], dtype="Int64"
                )
            )
        return pd.Series(values, dtype="int64" if kind == "int" else "int64[pyarrow]")
    if kind in ("bool", "boolean"):
        values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        if kind == "boolean":
            values = [None if i % 5 == 4 else v for i, v in enumerate(values)]
        return pd.Series(values, dtype="bool" if kind == "bool" else "boolean")
    if kind in ("cat", "string", "arrow-string", "category"):
        labels = draw(st.lists(_TEXT, min_size=1, max_size=4))
        values = [draw(st.sampled_from([*labels, None])) for _ in range(n)]
        dtype = {"cat": object, "string": "string", "arrow-string": "string[pyarrow]"}.get(
            kind, "category"
        )
        return pd.Series(values, dtype=dtype)
    if kind == "many-cat":
        return pd.Series([f"id{i}-{draw(st.integers(0, 9))}" for i in range(n)])
    if kind == "datetime":
        days = draw(st.lists(st.integers(-_MAX_DAYS, _MAX_DAYS), min_size=n, max_size=n))
        values = pd.Timestamp("2000-01-01") + pd.to_timedelta(days, unit="D")
        return pd.Series(values).where(pd.Series(days) % 7 != 3)
    if kind == "mixed-object":
        pool = st.one_of(st.integers(-5, 5), _TEXT, st.booleans(), st.none(), _FLOATS)
        return pd.Series(draw(st.lists(pool, min_size=n, max_size=n)), dtype=object)
    if kind in ("Float64", "arrow-float"):
        values = draw(st.lists(st.floats(-1e6, 1e6) | st.none(), min_size=n, max_size=n))
        return pd.Series(
            pd.array(values, dtype="Float64" if kind == "Float64" else "float64[pyarrow]")
        )
    if kind == "constant":
        return pd.Series([draw(st.sampled_from([1.5, "a", True, 0]))] * n)
    return pd.Series([np.nan] * n, dtype=float)


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 40) -> pd.DataFrame:
    """A random DataFrame: 0-40 rows, 0-5 columns, awkward names and dtypes."""
    n = draw(st.integers(0, max_rows) | st.sampled_from([0, 1, 2]))
    n_cols = draw(st.integers(0, 5))
    names = [draw(_NAMES) for _ in range(n_cols)]
    data = {}
    frame = pd.DataFrame(index=range(n))
    for i in range(len(names)):
        data[i] = draw(columns(n)).reset_index(drop=True)
    if data:
        frame = pd.concat(list(data.values()), axis=1)
        frame.columns = names
    return frame


_TABLE_ARGS = [
    "data",
    "kinds",
    "n",
    "copula",
    "marginals",
    "constraints",
    "condition_columns",
    "Bounds",
    "Inequality",
    "FixedCombinations",
    "Unique",
]


def _check_rows(real: pd.DataFrame, rows: pd.DataFrame, n: int) -> None:
    assert len(rows) == n
    assert list(rows.columns) == list(real.columns)
    for name in real.columns:
        real_col, col = real[name], rows[name]
        if not real_col.isna().any():
            assert not col.isna().any(), f"column {name!r} sampled missing values it never had"
        if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            values = col.to_numpy(dtype=float, na_value=np.nan)
            assert not np.isinf(values).any(), f"column {name!r} sampled inf"


def _fit(model: CopulaSynthesizer, frame: pd.DataFrame) -> CopulaSynthesizer | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return model.fit(frame)
    except Exception as exc:  # noqa: BLE001 - every escape is judged by check_error
        check_error(exc, frame.columns, _TABLE_ARGS)
        return None


@fuzz_settings(450)
@given(frame=tables(), n=st.integers(0, 60), seed=st.integers(0, 2**32))
def test_fit_and_sample_random_tables(frame, n, seed):
    model = _fit(CopulaSynthesizer(n_jobs=1), frame)
    if model is None:
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = model.sample(n, seed=seed)
    _check_rows(frame, rows, n)


_KINDS = st.sampled_from(
    [
        "continuous",
        "integer",
        "categorical",
        "ordinal",
        "boolean",
        "datetime",
        "date",
        "constant",
        "id",
        "g",
        "",
    ]
)


@fuzz_settings(250)
@given(
    frame=tables(max_rows=25),
    kinds=st.one_of(
        st.none(),
        _KINDS,
        st.lists(_NAMES, max_size=2),
        st.dictionaries(_NAMES, _KINDS | st.integers(), max_size=3),
    ),
    n=st.one_of(
        st.integers(-3, 30), st.none(), st.booleans(), st.floats(-1, 3), st.text(max_size=2)
    ),
)
def test_kinds_and_n_arguments(frame, kinds, n):
    model = _fit(CopulaSynthesizer(kinds=kinds, n_jobs=1), frame)
    if model is None:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = model.sample(n, seed=0)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["n"])
        return
    assert isinstance(n, int) and not isinstance(n, bool), f"sample({n!r}) returned rows"
    _check_rows(frame, rows, n)


def _fixed_table() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 120
    low = rng.normal(size=n).round(3)
    x = rng.gamma(2.0, size=n)
    x[::9] = np.nan
    return pd.DataFrame(
        {
            "low": low,
            "high": low + rng.gamma(1.0, size=n),
            "x": x,
            "k": rng.choice(["a", "b", "c"], size=n),
            "j": rng.choice(["u", "v"], size=n),
            "i": rng.integers(0, 5, size=n),
            "id": [f"r{i}" for i in range(n)],
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
        }
    )


_MODEL: dict[str, CopulaSynthesizer] = {}


def _model() -> CopulaSynthesizer:
    if "m" not in _MODEL:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _MODEL["m"] = CopulaSynthesizer(n_jobs=1).fit(_fixed_table())
    return _MODEL["m"]


_VALUES = st.one_of(
    _FLOATS,
    st.integers(-10, 10),
    _TEXT,
    st.sampled_from(["a", "b", "u", "2020-03-01", None, "r1"]),
    st.just(pd.Timestamp("2020-05-01")),
    st.just(pd.Timestamp("2020-05-01", tz="UTC")),
    st.booleans(),
)
_CONDITION = st.one_of(
    _VALUES,
    st.tuples(_VALUES, _VALUES),
    st.lists(_VALUES, max_size=3),
    st.sets(st.sampled_from(["a", "b", "zz"]), max_size=2),
    st.tuples(_VALUES),
)
_COLUMNS = st.sampled_from(["low", "high", "x", "k", "j", "i", "id", "when", "nope", ""])


@fuzz_settings(400)
@given(
    conditions=st.one_of(
        st.dictionaries(_COLUMNS, _CONDITION, max_size=3),
        st.none(),
        st.lists(_COLUMNS, max_size=2),
        st.text(max_size=3),
    ),
    n=st.integers(0, 40),
)
def test_conditions(conditions, n):
    model = _model()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = model.sample(n, seed=1, conditions=conditions)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, _fixed_table().columns, ["conditions", "condition"])
        return
    assert isinstance(conditions, dict | None), f"conditions={conditions!r} accepted"
    _check_rows(_fixed_table(), rows, n)
    for column, value in (conditions or {}).items():
        if (
            isinstance(value, str | int)
            and not isinstance(value, bool)
            and column in ("k", "j", "i")
        ):
            assert (rows[column] == value).all(), f"condition {column}={value!r} not met"
        if isinstance(value, tuple) and len(value) == 2 and column in ("low", "x", "i"):
            lo, hi = value
            present = rows[column].dropna()
            if isinstance(lo, int | float) and not isinstance(lo, bool) and np.isfinite(lo):
                assert (present >= lo).all()
            if isinstance(hi, int | float) and not isinstance(hi, bool) and np.isfinite(hi):
                assert (present <= hi).all()


_CONSTRAINTS = st.one_of(
    st.builds(Bounds, column=_COLUMNS, low=_VALUES, high=_VALUES),
    st.builds(Inequality, low_column=_COLUMNS, high_column=_COLUMNS),
    st.builds(FixedCombinations, columns=st.lists(_COLUMNS, max_size=3) | st.none()),
    st.builds(Unique, column=_COLUMNS),
    st.sampled_from(["low", None, 3]),
)


@fuzz_settings(200)
@given(constraints=st.lists(_CONSTRAINTS, max_size=2) | st.none() | _COLUMNS, n=st.integers(0, 30))
def test_constraints(constraints, n):
    table = _fixed_table()
    model = _fit(CopulaSynthesizer(constraints=constraints, n_jobs=1), table)
    if model is None:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = model.sample(n, seed=2)
    except Exception as exc:  # noqa: BLE001
        names = ["constraints", "Bounds", "Inequality", "Unique", "FixedCombinations", "unique"]
        check_error(exc, table.columns, names)
        return
    _check_rows(table, rows, n)
    for constraint in constraints if isinstance(constraints, list) else []:
        if isinstance(constraint, Inequality):
            ok = rows[constraint.low_column] <= rows[constraint.high_column]
            assert ok[
                rows[[constraint.low_column, constraint.high_column]].notna().all(axis=1)
            ].all()
        if isinstance(constraint, Unique):
            assert not rows[constraint.column].dropna().duplicated().any()


def test_hundred_thousand_categories():
    rng = np.random.default_rng(0)
    n = 100_000
    frame = pd.DataFrame({"k": [f"c{i}" for i in rng.permutation(n)], "x": rng.normal(size=n)})
    frame.loc[::2, "k"] = frame["k"][1::2].to_numpy()[: len(frame.loc[::2])]
    model = CopulaSynthesizer(n_jobs=1).fit(frame)
    rows = model.sample(1000, seed=0)
    _check_rows(frame, rows, 1000)
    assert rows["k"].isin(set(frame["k"])).all()


@pytest.mark.parametrize("names", [["a", "a"], [1, "b"], [None, "b"], [("t",), "b"]])
def test_duplicate_and_non_string_names(names):
    frame = pd.DataFrame([[1.0, 2.0], [3.0, 4.5], [2.0, 1.0]], columns=names)
    with pytest.raises((TypeError, ValueError)) as info:
        CopulaSynthesizer().fit(frame)
    check_error(info.value, args=["column names"])
