"""Awkward tables: each gives a report or a stochgen error that names the column or argument."""

import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import stochgen
from stochgen.exceptions import ValidationError
from stochgen.metrics import Report, column_pair_trends


def fidelity(real, synthetic, **kwargs):
    return stochgen.evaluate(real, synthetic, detection=False, privacy=False, **kwargs)


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 60
    return pd.DataFrame(
        {
            "x": rng.normal(size=n),
            "g": rng.choice(["a", "b", "c"], n),
            "flag": rng.random(n) > 0.5,
            "when": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 90, n), unit="D"),
            "k": rng.integers(0, 5, n),
        }
    )


@pytest.mark.parametrize("column", ["x", "g", "flag", "when", "k"])
def test_one_column_table(table, column):
    # Was KeyError: 'score' (an empty pair table lost its columns under a boolean mask).
    one = table[[column]]
    report = fidelity(one, one)
    assert report.score == 1.0
    assert np.isnan(report.column_pair_trends)
    assert len(report.details["column_pair_trends"]) == 0
    assert "Fidelity score" in report.summary()


@pytest.mark.parametrize("n_rows", [1, 2])
def test_one_or_two_row_synthetic_table(table, n_rows):
    # Was "Too many bins for data range" (one timestamp: numpy's +-0.5 range is lost in
    # float64 nanoseconds).
    report = fidelity(table, table.iloc[:n_rows])
    assert 0 < report.score < 1
    shapes = report.details["column_shapes"].set_index("column")["score"]
    # One synthetic row: KS is max(F_real(v), 1 - F_real(v-)) away from 1 for its value v.
    x = table["x"].to_numpy()
    v = x[0]
    expected = 1 - max(np.mean(x < v), np.mean(x >= v)) if n_rows == 1 else None
    if n_rows == 1:
        assert shapes["x"] == pytest.approx(expected)


def test_one_row_real_table(table):
    report = fidelity(table.iloc[:1], table)
    assert set(report.kinds.values()) == {"constant"}
    assert np.isfinite(report.score)


def test_constant_timestamp_bins_like_numpy():
    value = pd.Timestamp("2021-03-04 05:06:07").value
    x = np.array([value, value, np.nan])
    real = pd.DataFrame({"t": pd.to_datetime(x), "g": ["a", "b", "a"]})
    trends = column_pair_trends(real, real)
    assert trends.loc[0, "score"] == 1.0
    small = np.array([3.0, 3.0, np.nan])
    edges = np.histogram_bin_edges(small[:2], bins=10)
    # Same code as numpy's own binning where numpy can bin the value.
    assert np.digitize(small, edges).tolist() == [6, 6, 11]


@pytest.mark.parametrize("where", ["real", "synthetic"])
def test_inf_is_refused_naming_the_column_and_table(table, where):
    bad = table.assign(x=np.r_[np.inf, -np.inf, table["x"].to_numpy()[2:]])
    real, synthetic = (bad, table) if where == "real" else (table, bad)
    with pytest.raises(ValidationError, match=rf"column 'x': {where} has 2 inf values"):
        fidelity(real, synthetic)


def test_tiny_tables_with_detection_name_the_way_out(table):
    with pytest.raises(ValidationError, match=r"n_folds=3.*detection=False"):
        stochgen.evaluate(table, table.iloc[:2], privacy=False)


def test_kinds_must_be_a_mapping(table):
    with pytest.raises(TypeError, match="kinds must be a mapping"):
        fidelity(table, table, kinds=["x"])


def test_text_scored_as_number_is_refused(table):
    with pytest.raises(TypeError, match="column 'g': real has dtype .*kind 'continuous'"):
        fidelity(table, table, kinds={"g": "continuous"})


def test_date_objects_and_mixed_objects_are_scored():
    days = [datetime.date(2020, 1, d) for d in (1, 2, 3, 5, 8)]
    real = pd.DataFrame({"d": days, "m": [1, "a", None, 2.5, "a"]})
    synthetic = pd.DataFrame({"d": pd.to_datetime(days[::-1]), "m": ["a", "a", 1, 1, None]})
    report = fidelity(real, synthetic)
    assert report.kinds == {"d": "date", "m": "categorical"}
    assert report.details["column_shapes"].set_index("column").loc["d", "score"] == 1.0


# --- fuzzing ------------------------------------------------------------------------------

NAMES = ["a", "b", "c"]


def _column(draw, n, dtype):
    if dtype in ("float", "Float64", "double[pyarrow]"):
        values = draw(st.lists(st.floats(-1e6, 1e6), min_size=n, max_size=n))
        if n and draw(st.integers(0, 3)) == 0:
            special = [np.nan, np.nan, np.inf, -np.inf, 0.0, 1e15, -1e-300]
            values[draw(st.integers(0, n - 1))] = draw(st.sampled_from(special))
        series = pd.Series(values, dtype="float64")
        return series if dtype == "float" else series.astype(dtype)
    if dtype in ("int", "Int64", "int64[pyarrow]"):
        values = draw(st.lists(st.integers(-5, 5), min_size=n, max_size=n))
        series = pd.Series(values, dtype="int64")
        if dtype == "Int64" and n:
            series = series.astype("Int64")
            series[draw(st.integers(0, n - 1))] = pd.NA
        return series if dtype == "int" else series.astype(dtype)
    if dtype in ("bool", "boolean", "bool[pyarrow]"):
        values = draw(st.lists(st.booleans(), min_size=n, max_size=n))
        return pd.Series(values, dtype="bool").astype(dtype)
    if dtype in ("str", "category", "string[pyarrow]", "object"):
        values = draw(st.lists(st.sampled_from(["u", "v", "w", None]), min_size=n, max_size=n))
        return pd.Series(values, dtype="object").astype(dtype)
    if dtype == "mixed":
        atoms = st.one_of(
            st.integers(-3, 3),
            st.sampled_from(["u", "1", None, True, 2.5, datetime.date(2020, 1, 1)]),
        )
        return pd.Series(draw(st.lists(atoms, min_size=n, max_size=n)), dtype=object)
    # datetimes: naive, tz-aware, Arrow
    offsets = draw(st.lists(st.one_of(st.integers(0, 10**6), st.none()), min_size=n, max_size=n))
    series = pd.Series(
        [
            pd.NaT if o is None else pd.Timestamp("2000-01-01") + pd.Timedelta(o, "s")
            for o in offsets
        ],
        dtype="datetime64[ns]",
    )
    if dtype == "datetime_tz":
        return series.dt.tz_localize("Europe/Paris", nonexistent="NaT", ambiguous="NaT")
    if dtype == "timestamp[ns][pyarrow]":
        return series.astype(dtype)
    return series


DTYPES = [
    "float",
    "Float64",
    "double[pyarrow]",
    "int",
    "Int64",
    "int64[pyarrow]",
    "bool",
    "boolean",
    "bool[pyarrow]",
    "str",
    "category",
    "string[pyarrow]",
    "object",
    "mixed",
    "datetime",
    "datetime_tz",
    "timestamp[ns][pyarrow]",
]


@st.composite
def table_pairs(draw):
    if draw(st.integers(0, 9)) == 0:
        # Empty, duplicate or non-string names now and then.
        names = draw(
            st.lists(st.one_of(st.sampled_from(NAMES), st.integers(0, 2)), min_size=0, max_size=3)
        )
    else:
        names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    dtypes = [draw(st.sampled_from(DTYPES)) for _ in names]
    tables = []
    for _ in range(2):
        n = 0 if draw(st.integers(0, 19)) == 0 else draw(st.integers(1, 8))
        columns = {}
        for i, dtype in enumerate(dtypes):
            # The synthetic side keeps the real dtype most of the time, not always.
            if tables and draw(st.integers(0, 4)) == 0:
                dtype = draw(st.sampled_from(DTYPES))
            columns[i] = _column(draw, n, dtype)
        frame = pd.DataFrame(columns) if columns else pd.DataFrame(index=range(n))
        frame.columns = list(names)
        tables.append(frame)
    return tables


def _raised_by_stochgen(error):
    frame = error.__traceback__
    while frame.tb_next is not None:
        frame = frame.tb_next
    return "/stochgen/" in frame.tb_frame.f_code.co_filename


def _names_something(message, real, synthetic):
    named = {f"column {c!r}" for c in real.columns} | {f"column {c!r}" for c in synthetic.columns}
    arguments = ("real", "synthetic", "kinds", "privacy")
    return any(n in message for n in named) or message.startswith(arguments)


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(table_pairs(), st.booleans())
def test_fuzz_evaluate_gives_a_report_or_a_clear_error(pair, privacy):
    real, synthetic = pair
    error = None
    try:
        report = stochgen.evaluate(real, synthetic, detection=False, privacy=privacy)
    except (ValidationError, TypeError) as caught:
        error = caught
    if error is not None:
        event(f"{type(error).__name__}: {str(error)[:40]}")
        assert _raised_by_stochgen(error), repr(error)
        assert _names_something(str(error), real, synthetic), str(error)
        return
    event("report")
    assert isinstance(report, Report)
    assert np.isnan(report.score) or 0.0 <= report.score <= 1.0
    scores = report.details["column_shapes"]["score"].dropna()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert report.summary()


def test_ks_rounding_keeps_huge_values():
    # np.round(1e300, 14) overflows to inf; values above 1e15 are left as they are.
    real = pd.Series([0.0, 1e300, 2e300])
    assert stochgen.metrics.ks_complement(real, real.copy()) == 1.0
