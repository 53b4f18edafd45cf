import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.tabular.constraints import (
    Bounds,
    FixedCombinations,
    Inequality,
    Negative,
    Positive,
    Predicate,
    Unique,
)
from stochgen.tabular.synthesizer import CopulaSynthesizer


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(0)
    n = 2_000
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    country = rng.choice(["NO", "IT"], n)
    city = np.where(
        country == "NO", rng.choice(["Oslo", "Bergen"], n), rng.choice(["Rome", "Pisa"], n)
    )
    low = rng.normal(10, 3, n).round(2)
    return pd.DataFrame(
        {
            "low": low,
            "high": (low + rng.exponential(2.0, n)).round(2),
            "start": start,
            "end": start + pd.to_timedelta(rng.integers(1, 30, n), unit="D"),
            "country": country,
            "city": city,
            "amount": rng.gamma(2.0, 50.0, n).round(2),
            "code": rng.integers(0, 10**6, n),
        }
    )


@pytest.mark.parametrize("zone", [None, "Europe/Oslo"])
def test_inequality_keeps_the_high_value_where_low_is_missing(zone):
    # Found by the fuzz tests: the high column was rebuilt as low + gap, so every row
    # with a missing low value came back with a missing high value it never had.
    rng = np.random.default_rng(1)
    n = 600
    low = rng.normal(0.0, 1.0, n)
    low[::4] = np.nan
    start = pd.Timestamp("2024-01-01", tz=zone) + pd.to_timedelta(rng.integers(0, 99, n), "D")
    table = pd.DataFrame(
        {
            "low": low,
            "high": np.where(np.isnan(low), 5.0, low) + rng.exponential(1.0, n),
            "start": start.where(~np.isnan(low)),
            "end": start + pd.to_timedelta(rng.integers(1, 9, n), unit="D"),
        }
    )
    model = CopulaSynthesizer(constraints=[Inequality("low", "high"), Inequality("start", "end")])
    out = model.fit(table).sample(2_000, seed=0)
    pd.testing.assert_series_equal(out.dtypes, table.dtypes)
    assert out["high"].notna().all() and out["end"].notna().all()
    assert out["low"].isna().mean() == pytest.approx(0.25, abs=0.04)
    both = out["low"].notna()
    assert (out.loc[both, "low"] <= out.loc[both, "high"]).all()
    assert (out["start"].dropna() <= out.loc[out["start"].notna(), "end"]).all()
    # Where low is missing, high keeps its own distribution (about 5 + Exp(1) here).
    alone = out.loc[~both, "high"]
    assert alone.median() == pytest.approx(5.0 + np.log(2.0), abs=0.25)


def test_fixed_combinations_of_numbers_with_missing_values():
    # Found by the fuzz tests: a missing number was None in the joined label but NaN in
    # the learned combinations, so sampling that combination raised KeyError.
    x = np.tile([1.5, np.nan, 2.0], 40)
    table = pd.DataFrame({"x": x, "k": np.tile(["a", "b", "c"], 40)})
    model = CopulaSynthesizer(constraints=[FixedCombinations(["x", "k"])]).fit(table)
    out = model.sample(300, seed=0)
    assert out["x"].isna().any()
    seen = {(None if np.isnan(v) else v, k) for v, k in zip(x, table["k"], strict=True)}
    got = {(None if np.isnan(v) else v, k) for v, k in zip(out["x"], out["k"], strict=True)}
    assert got == seen


def test_inequality_with_an_integer_high_column_holds_after_rounding():
    rng = np.random.default_rng(2)
    low = rng.normal(0.0, 1.0, 400).round(3)
    table = pd.DataFrame({"low": low, "high": np.ceil(low).astype(int) + rng.integers(0, 3, 400)})
    out = (
        CopulaSynthesizer(constraints=[Inequality("low", "high")]).fit(table).sample(3_000, seed=1)
    )
    assert out["high"].dtype == table["high"].dtype
    assert (out["low"] <= out["high"]).all()


def test_inequality_and_combinations_hold_by_construction(table):
    constraints = [
        Inequality("low", "high"),
        Inequality("start", "end"),
        FixedCombinations(["country", "city"]),
    ]
    model = CopulaSynthesizer(constraints=constraints).fit(table)
    out = model.sample(5_000, seed=0)
    assert list(out.columns) == list(table.columns)
    pd.testing.assert_series_equal(out.dtypes, table.dtypes)
    assert (out["low"] <= out["high"]).all()
    assert (out["start"] <= out["end"]).all()
    seen = set(zip(table["country"], table["city"], strict=True))
    assert set(zip(out["country"], out["city"], strict=True)) <= seen
    # The gap keeps its distribution: mean within 5 standard errors.
    gap_real, gap_out = table["high"] - table["low"], out["high"] - out["low"]
    assert abs(gap_out.mean() - gap_real.mean()) < 5 * gap_real.std() / np.sqrt(len(table))


def test_without_constraints_the_rules_break(table):
    # Guards the test above: the rules are not met by chance.
    out = CopulaSynthesizer(condition_columns=None).fit(table).sample(5_000, seed=0)
    combos = set(zip(table["country"], table["city"], strict=True))
    assert not set(zip(out["country"], out["city"], strict=True)) <= combos


def test_bounds_as_exact_latent_ranges(table):
    outside = int((~table["amount"].between(50, 150)).sum()) + int((table["low"] < 0).sum())
    model = CopulaSynthesizer(constraints=[Bounds("amount", 50, 150), Positive("low")])
    with pytest.warns(StochgenWarning, match=rf"^{outside} of 2000 real rows break a constraint"):
        model.fit(table)
    out = model.sample(3_000, seed=1)
    assert out["amount"].between(50, 150).all()
    assert (out["low"] >= 0).all()
    real = table.loc[table["amount"].between(50, 150), "amount"]
    assert abs(out["amount"].median() - real.median()) < 5


def test_bounds_intersect_with_conditions(table):
    with pytest.warns(StochgenWarning, match="amount <= 100"):
        model = CopulaSynthesizer(constraints=[Bounds("amount", high=100)]).fit(table)
    out = model.sample(500, seed=2, conditions={"amount": (80, None)})
    assert out["amount"].between(80, 100).all()
    with pytest.raises(ValidationError, match="breaks the constraint"):
        model.sample(10, seed=0, conditions={"amount": 150.0})


def test_unique_across_blocks(table):
    model = CopulaSynthesizer(constraints=[Unique("code")]).fit(table)
    out = model.sample(70_000, seed=3)
    assert out["code"].is_unique
    assert len(out) == 70_000


def test_predicate_by_rejection_and_exact_row_count(table):
    rule = Predicate(
        lambda rows: (rows["amount"] > rows["low"] * 10).to_numpy(), name="amount > 10 low"
    )
    broken = int((table["amount"] <= table["low"] * 10).sum())
    with pytest.warns(StochgenWarning, match=rf"^{broken} of 2000 real rows"):
        model = CopulaSynthesizer(constraints=[rule]).fit(table)
    out = model.sample(2_000, seed=4)
    assert len(out) == 2_000
    assert (out["amount"] > out["low"] * 10).all()


def test_hopeless_predicate_fails_fast_naming_it(table):
    # Every real row meets it; the copula, which knows no exact link, almost never does.
    real = table.assign(frac=(table["amount"] * 7) % 1)
    rule = Predicate(lambda rows: (rows["frac"] == (rows["amount"] * 7) % 1).to_numpy(), name="f")
    model = CopulaSynthesizer(constraints=[rule]).fit(real)
    with pytest.raises(ValidationError, match=r"Predicate\('f'\) held for 0\.0"):
        model.sample(100, seed=0)


def test_constraint_broken_by_every_real_row_is_refused(table):
    with pytest.raises(ValidationError, match="every one of the 2000 real rows breaks a rule"):
        CopulaSynthesizer(constraints=["amount >= 1e6"]).fit(table)
    with pytest.raises(ValidationError, match="does not hold on"):
        Inequality("high", "low").fit(table)  # a constraint alone still refuses
    with pytest.raises(ValidationError, match="unknown column"):
        CopulaSynthesizer(constraints=[Negative("nope")]).fit(table)
    with pytest.raises(TypeError, match="neither a rule"):
        CopulaSynthesizer(constraints=[3]).fit(table)


def test_conditions_on_generated_columns_refused(table):
    model = CopulaSynthesizer(constraints=[Inequality("low", "high")]).fit(table)
    with pytest.raises(ValidationError, match="generated through"):
        model.sample(5, seed=0, conditions={"high": 12.0})


def test_constraints_round_trip_and_predicates_refuse_to_save(table, tmp_path):
    model = CopulaSynthesizer(
        constraints=[Inequality("low", "high"), FixedCombinations(["country", "city"])]
    ).fit(table)
    loaded = stochgen.load(stochgen.save(model, tmp_path / "m.json"))
    pd.testing.assert_frame_equal(loaded.sample(300, seed=5), model.sample(300, seed=5))
    with_code = CopulaSynthesizer(constraints=[Predicate(lambda r: r["low"] > 0, name="p")])
    with pytest.raises(TypeError, match="holds Python code and cannot be saved"):
        stochgen.save(with_code.fit(table), tmp_path / "p.json")
