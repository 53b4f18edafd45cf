import json
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stochgen
from stochgen.cli import main
from stochgen.exceptions import StochgenWarning, ValidationError
from stochgen.tabular.constraints import Bounds, Constraint, FixedCombinations, Inequality, Unique
from stochgen.tabular.rule_parser import RuleSyntaxError
from stochgen.tabular.rules import LinearEquality, OneHot, Rule, parse_rule, register_constraint
from stochgen.tabular.synthesizer import CopulaSynthesizer


@pytest.fixture(scope="module")
def table():
    rng = np.random.default_rng(7)
    n = 3_000
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    plan = rng.choice(["free", "pro", "team"], n, p=[0.5, 0.3, 0.2])
    seats = rng.integers(1, 4, n) + np.where(plan == "free", 0, rng.integers(4, 10, n))
    animal = rng.choice(3, n, p=[0.5, 0.3, 0.2])
    a = rng.gamma(2.0, 10.0, n).round(2)
    b = rng.gamma(3.0, 5.0, n).round(2)
    return pd.DataFrame(
        {
            "start": start,
            "end": start + pd.to_timedelta(rng.integers(0, 30, n), unit="D"),
            "plan": plan,
            "seats": seats,
            "a": a,
            "b": b,
            "total": a + b,
            "x": rng.integers(0, 50, n),
            "y": rng.integers(0, 50, n),
            "is_cat": (animal == 0).astype(np.int64),
            "is_dog": (animal == 1).astype(np.int64),
            "is_bird": animal == 2,
            "age": rng.integers(0, 100, n),
        }
    ).assign(z=lambda d: 2 * d["x"] - d["y"] + 3)


RULES = [
    "start <= end",
    "end - start <= 21 days",
    'if plan == "pro" then seats >= 5',
    "if plan in ['pro', 'team'] and seats > 6 then b >= 3",
    "a + b == total",
    "2*x - y + 3 == z",
    "18 <= age <= 90",
    "one_hot(is_cat, is_dog, is_bird)",
    "a < total",
]


def _check_by_hand(rows):
    """The rules of RULES, written out in pandas (independent of the rule evaluator)."""
    gap = rows["end"] - rows["start"]
    paying = rows["plan"].isin(["pro", "team"]) & (rows["seats"] > 6)
    hot = rows[["is_cat", "is_dog"]].sum(axis=1) + rows["is_bird"].astype(int)
    return {
        "start <= end": (rows["start"] <= rows["end"]).all(),
        "gap": (gap <= pd.Timedelta(days=21)).all(),
        "pro": (rows.loc[rows["plan"] == "pro", "seats"] >= 5).all(),
        "paying": (rows.loc[paying, "b"] >= 3).all(),
        "sum": np.allclose(rows["a"] + rows["b"], rows["total"], rtol=1e-12, atol=0),
        "z": (2 * rows["x"] - rows["y"] + 3 == rows["z"]).all(),
        "age": rows["age"].between(18, 90).all(),
        "one hot": (hot == 1).all(),
        "a < total": (rows["a"] < rows["total"]).all(),
    }


def test_every_rule_holds_on_every_sampled_row(table):
    with pytest.warns(StochgenWarning, match="real rows break a constraint"):
        model = CopulaSynthesizer(constraints=RULES).fit(table)
    out = model.sample(6_000, seed=0)
    assert len(out) == 6_000
    pd.testing.assert_series_equal(out.dtypes, table.dtypes)
    assert all(_check_by_hand(out).values()), _check_by_hand(out)
    for constraint in model.constraints_:
        assert constraint.holds(out).all(), constraint.describe()
    # Under conditions too (a per-label model, a range), and streamed in blocks.
    pro = model.sample(2_000, seed=1, conditions={"plan": "pro", "a": (5.0, 40.0)})
    assert (pro["plan"] == "pro").all() and pro["a"].between(5.0, 40.0).all()
    assert all(_check_by_hand(pro).values()), _check_by_hand(pro)
    blocks = pd.concat(model.iter_sample(70_000, seed=2))
    assert all(_check_by_hand(blocks).values()), _check_by_hand(blocks)
    # Guard: without the rules, most of them break (they are not met by chance).
    free = CopulaSynthesizer(condition_columns=None).fit(table).sample(6_000, seed=0)
    broken = [name for name, ok in _check_by_hand(free).items() if not ok]
    assert {"sum", "z", "one hot", "paying"} <= set(broken)


def test_rules_compile_to_the_built_in_constraints():
    assert parse_rule("end >= start").get_params() == {"low_column": "start", "high_column": "end"}
    assert parse_rule("b <= a").get_params() == {"low_column": "b", "high_column": "a"}
    assert parse_rule("0 <= age <= 120").get_params() == {"column": "age", "low": 0, "high": 120}
    assert parse_rule("2 * price >= 3").get_params() == {
        "column": "price",
        "low": 1.5,
        "high": None,
    }
    assert parse_rule("-x >= -4").get_params() == {"column": "x", "low": None, "high": 4}
    assert isinstance(parse_rule("fixed_combinations(country, city)"), FixedCombinations)
    assert isinstance(parse_rule("unique(`customer id`)"), Unique)
    assert parse_rule("unique(`customer id`)").column == "customer id"
    assert isinstance(parse_rule("one_hot(a, b)"), OneHot)
    assert isinstance(parse_rule("a + b == total"), LinearEquality)
    for text in ["a < b", "end - start <= 30 days", "x != 3", "plan in ['a']", "a <= b <= c"]:
        assert type(parse_rule(text)) is Rule, text
    # The built-ins give their rule back, and it compiles to the same constraint.
    for constraint in [Inequality("s", "e"), Bounds("age", 0, 120), Bounds("p", low=2.5)]:
        assert parse_rule(constraint.describe()).get_params() == constraint.get_params()
    assert FixedCombinations(["a", "b c"]).describe() == "fixed_combinations(a, `b c`)"


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("a +", 3, "expected a column, a number or '('; found the end of the rule"),
        ("a = b", 2, "unexpected character '='"),
        ("a <= b c", 7, "expected the end of the rule"),
        ("if plan == 'pro' seats > 5", 17, "expected 'and' or 'then'"),
        ("a * b <= 3", 2, "a product of two columns is not linear"),
        ("3 <= 4", 0, "names no column"),
        ("plan == 'pro' + 1", 8, "take no arithmetic"),
        ("plan < 'pro'", 5, "compared with one '==' or '!='"),
        ("unique(a, b)", 0, "unique() takes 1 column(s); got 2"),
        ("one_hot(a)", 0, "takes at least 2"),
        ("x in 3", 5, "expected a list of values"),
        ("a / 0 <= 1", 2, "division by zero"),
        ("`` <= 1", 0, "empty column name"),
        ("__import__('os').system('true') == 0", 16, "unexpected character '.'"),
        ("a <= b; b <= c", 6, "unexpected character ';'"),
    ],
)
def test_malformed_rules_fail_at_parse_time_naming_the_position(text, position, message):
    with pytest.raises(RuleSyntaxError, match=rf"position {position}: .*{re.escape(message)}"):
        parse_rule(text)


_PIECES = st.sampled_from(
    [
        "a",
        "b",
        "`c d`",
        "plan",
        "1",
        "2.5",
        "-",
        "+",
        "*",
        "/",
        "(",
        ")",
        "<=",
        "<",
        "==",
        "!=",
        ">=",
        "if",
        "then",
        "and",
        "in",
        "not",
        "[",
        "]",
        ",",
        "'x'",
        '"y"',
        "days",
        "true",
        "one_hot",
        "unique",
        "fixed_combinations",
        "=",
        ";",
        "`",
        "'",
        "0",
    ]
)


@settings(
    max_examples=400,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(pieces=st.lists(_PIECES, max_size=9), rows=st.integers(0, 3))
def test_any_text_parses_or_fails_with_a_positioned_syntax_error(pieces, rows):
    text = " ".join(pieces)
    try:
        constraint = parse_rule(text)
    except RuleSyntaxError as exc:
        message = str(exc)
        constraint = None
    if constraint is None:
        assert re.search(r"position \d+: |is empty", message), message
        return
    # A rule that parses names its columns and gives its text back.
    assert isinstance(constraint, Constraint)
    assert constraint.required_columns() or isinstance(constraint, Bounds)
    assert parse_rule(constraint.describe()).get_params() == constraint.get_params()
    frame = pd.DataFrame(
        {name: np.arange(rows, dtype=float) for name in ["a", "b", "c d", "plan", "days"]}
    )
    if type(constraint) is Rule:
        assert constraint.holds(frame).shape == (rows,)


def test_bad_rules_are_refused_before_any_fit(table):
    with pytest.raises(RuleSyntaxError, match=r"rule 'a <=', position 4"):
        CopulaSynthesizer(constraints=["a <="]).fit(table)
    with pytest.raises(ValidationError, match="unknown column"):
        CopulaSynthesizer(constraints=["nope <= a"]).fit(table)
    with pytest.raises(ValidationError, match="'plan' holds"):
        CopulaSynthesizer(constraints=["plan <= 3 + a"]).fit(table)
    with pytest.raises(ValidationError, match="only as differences"):
        CopulaSynthesizer(constraints=["end <= 30 days"]).fit(table)
    with pytest.raises(ValidationError, match="give the constant"):
        CopulaSynthesizer(constraints=["end - start <= 30"]).fit(table)
    with pytest.raises(ValidationError, match="a time unit needs"):
        CopulaSynthesizer(constraints=["a - b <= 3 days"]).fit(table)
    with pytest.raises(TypeError, match=r"constraints\[0\]: 3 is neither a rule"):
        CopulaSynthesizer(constraints=[3]).fit(table)


def test_real_rows_breaking_a_rule_are_counted_and_left_out(table):
    real = table.copy()
    real.loc[:9, "plan"] = "pro"
    real.loc[:9, "seats"] = 1  # ten rows break the rule below
    rules = ['if plan == "pro" then seats >= 5', "a + b == total"]
    with pytest.warns(StochgenWarning, match=r"^10 of 3000 real rows break a constraint") as got:
        model = CopulaSynthesizer(constraints=rules).fit(real)
    assert "seats >= 5 (10 rows)" in str(got[0].message)
    assert model.n_rows_ == 2_990
    # Left out of the fit: the pro label's own model never saw a pro row with one seat.
    assert model.class_models_["plan"]["pro"].columns_["seats"].minimum_ >= 5


def test_transforms_chain_and_clashes_fall_back_to_rejection(table):
    rules = ["b <= total", "a <= b", "0 <= total <= 150", "a + b == total", "a <= total"]
    with pytest.warns(StochgenWarning):
        model = CopulaSynthesizer(constraints=rules, condition_columns=None).fit(table)
    how = {c.describe(): c.met_by for c in model.constraints_}
    # The equality keeps its transform; the inequality on the same column gives way.
    assert how["a + b == total"] == "transform" and how["a <= b"] == "transform"
    assert how["b <= total"] == "rejection" and how["a <= total"] == "rejection"
    assert how["0 <= total <= 150"] == "rejection"  # total is generated by a transform
    out = model.sample(3_000, seed=1)
    assert (out["a"] <= out["b"]).all() and (out["b"] <= out["total"]).all()
    assert np.allclose(out["a"] + out["b"], out["total"], rtol=1e-12, atol=0)
    assert out["total"].between(0, 150).all()
    with pytest.raises(ValidationError, match="drop one of the two"):
        CopulaSynthesizer(
            constraints=["one_hot(is_cat, is_dog)", "fixed_combinations(is_cat, plan)"]
        ).fit(table)


def test_linear_equality_keeps_integer_columns_exact_and_marginals(table):
    model = CopulaSynthesizer(constraints=["2*x - y + 3 == z"]).fit(table)
    assert model.constraints_[0].target_ == "z"
    out = model.sample(4_000, seed=2)
    assert out["z"].dtype == np.int64
    assert (2 * out["x"] - out["y"] + 3 == out["z"]).all()
    # x and y are learned as usual: their means within 5 standard errors.
    for name in ("x", "y"):
        se = table[name].std() * np.sqrt(1 / len(table) + 1 / len(out))
        assert abs(out[name].mean() - table[name].mean()) < 5 * se


def test_linear_equality_computes_a_column_it_can_fill():
    real = pd.DataFrame({"a": [1, 2, 3, 4] * 10, "b": [2, 2, 5, 1] * 10})
    real["c"] = real["a"] + real["b"]
    real["d"] = (real["a"] * 0.5).astype(float)
    rule = LinearEquality("a + b == c").fit(real)
    assert rule.target_ == "c"
    # A float column is computed in preference to integer ones.
    assert LinearEquality("c == a + b + 2*d - a").fit(real).target_ == "d"
    # An integer column is never computed from a column with missing values.
    holey = real.assign(a=real["a"].astype("Int64").where(real.index > 0))
    rule = LinearEquality("a + b == c").fit(holey)
    assert rule.target_ == "a"
    assert rule.reverse(rule.forward(holey))["a"].equals(real["a"].astype("Int64"))
    with pytest.raises(ValidationError, match="integer combination"):
        LinearEquality("2*a == c - b + a + 0.5").fit(real)


def test_one_hot_group_keeps_shares(table):
    model = CopulaSynthesizer(constraints=["one_hot(is_cat, is_dog, is_bird)"]).fit(table)
    out = model.sample(5_000, seed=3)
    assert out["is_bird"].dtype == bool and out["is_cat"].dtype == np.int64
    for name in ("is_cat", "is_dog", "is_bird"):
        p = table[name].mean()
        assert abs(out[name].mean() - p) < 5 * np.sqrt(p * (1 - p) / len(out))


def test_rules_saved_as_text_and_described(table, tmp_path):
    rules = ["start <= end", "end - start <= 21 days", 'if plan == "pro" then seats >= 5']
    with pytest.warns(StochgenWarning):
        model = CopulaSynthesizer(constraints=rules).fit(table)
    path = stochgen.save(model, tmp_path / "m.json")
    document = json.loads(path.read_text())
    assert document["model"]["__model__"]["params"]["constraints"] == rules
    assert "end - start <= 21 days" in path.read_text()
    loaded = stochgen.load(path)
    pd.testing.assert_frame_equal(loaded.sample(500, seed=4), model.sample(500, seed=4))
    text = loaded.describe()
    assert "start <= end  (by construction)" in text
    assert 'if plan == "pro" then seats >= 5  (rejection)' in text


class _Unregistered(Constraint):
    def __init__(self, column: str = "") -> None:
        self.column = column

    def required_columns(self):
        return [self.column]

    def _learn(self, data):
        self.seen_ = int(len(data))

    def holds(self, rows):
        return (rows[self.column] % 2 == 0).to_numpy()


@register_constraint
class EvenValues(_Unregistered):
    """Values of ``column`` are even (a custom constraint that saves: data-only state)."""


def test_custom_constraints_save_only_when_registered(table, tmp_path, monkeypatch):
    real = table.assign(x=table["x"] * 2)
    model = CopulaSynthesizer(constraints=[EvenValues("x")]).fit(real)
    out = model.sample(1_000, seed=5)
    assert (out["x"] % 2 == 0).all()
    loaded = stochgen.load(stochgen.save(model, tmp_path / "even.json"))
    assert isinstance(loaded.constraints_[0], EvenValues)
    pd.testing.assert_frame_equal(loaded.sample(200, seed=6), model.sample(200, seed=6))
    # A process that has not registered the class cannot load the file, and says why.
    monkeypatch.delitem(stochgen.io._REGISTERED, "EvenValues")
    with pytest.raises(stochgen.ModelFileError, match="register_constraint"):
        stochgen.load(tmp_path / "even.json")
    refused = CopulaSynthesizer(constraints=[_Unregistered("x")]).fit(real)
    with pytest.raises(TypeError, match=r"_Unregistered cannot be saved.*register_constraint"):
        stochgen.save(refused, tmp_path / "refused.json")
    assert not (tmp_path / "refused.json").exists()
    with pytest.raises(TypeError, match="another class is saved under the name 'Bounds'"):
        register_constraint(type("Bounds", (Constraint,), {}))
    with pytest.raises(TypeError, match="Constraint subclass"):
        register_constraint(dict)


def test_rules_files_read_rules_and_sdv_constraints(tmp_path):
    sdv = [
        {
            "constraint_class": "Inequality",
            "constraint_parameters": {"low_column_name": "start", "high_column_name": "end"},
        },
        {
            "constraint_class": "ScalarRange",
            "constraint_parameters": {
                "column_name": "age",
                "low_value": 18,
                "high_value": 90,
                "strict_boundaries": True,
            },
        },
        {"constraint_class": "Positive", "constraint_parameters": {"column_name": "unit price"}},
        {
            "constraint_class": "ScalarInequality",
            "constraint_parameters": {"column_name": "x", "relation": "<", "value": 2.5},
        },
        {
            "constraint_class": "Range",
            "constraint_parameters": {
                "low_column_name": "a",
                "middle_column_name": "b",
                "high_column_name": "c",
            },
        },
        {
            "constraint_class": "FixedCombinations",
            "constraint_parameters": {"column_names": ["country", "city"]},
        },
        {
            "constraint_class": "OneHotEncoding",
            "constraint_parameters": {"column_names": ["is_cat", "is_dog"]},
        },
        {"constraint_class": "Unique", "constraint_parameters": {"column_names": ["id"]}},
        "if plan == 'pro' then seats >= 5",
    ]
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"constraints": sdv}))
    assert stochgen.read_rules(path) == [
        "start <= end",
        "18 < age < 90",
        "`unit price` >= 0",
        "x < 2.5",
        "a <= b <= c",
        "fixed_combinations(country, city)",
        "one_hot(is_cat, is_dog)",
        "unique(id)",
        "if plan == 'pro' then seats >= 5",
    ]
    bad = [
        ([{"constraint_class": "CustomCons"}], r"rules\[0\] \(CustomCons\): no rule for SDV's"),
        (
            [
                {
                    "constraint_class": "ScalarInequality",
                    "constraint_parameters": {
                        "column_name": "d",
                        "relation": ">=",
                        "value": "2019-01-01",
                    },
                }
            ],
            "is not a number",
        ),
        (["a <= b", "a <="], r"rules\[1\]: rule 'a <=', position 4"),
        ([3], r"rules\[0\]: expected a rule"),
    ]
    for items, message in bad:
        with pytest.raises(ValidationError, match=message):
            stochgen.read_rules(items)
    path.write_text("[not json")
    with pytest.raises(ValidationError, match="not a JSON rules file"):
        stochgen.read_rules(path)


def test_detect_constraints_proposes_rules_that_hold(table):
    real = table.assign(
        country=np.where(table["plan"] == "free", "NO", "IT"),
        city=np.where(table["plan"] == "free", "Oslo", table["plan"].map({"pro": "Rome"})),
    )
    real["city"] = real["city"].fillna("Pisa")
    rules = stochgen.detect_constraints(real)
    assert "fixed_combinations(plan, country, city)" in rules
    assert "one_hot(is_cat, is_dog, is_bird)" in rules
    assert "a + b == total" in rules
    assert "start <= end" in rules
    assert not any(r.startswith("x") or "<= x" in r for r in rules)  # independent columns
    for rule in rules:
        assert parse_rule(rule).holds(real).all(), rule
    model = CopulaSynthesizer(constraints=rules).fit(real)
    out = model.sample(2_000, seed=7)
    for constraint in model.constraints_:
        assert constraint.holds(out).all(), constraint.describe()
    with pytest.raises(ValidationError, match="min_rows"):
        stochgen.detect_constraints(real, min_rows=0)


def test_cli_fit_with_rules_copula_marginals_and_condition_columns(table, tmp_path, capsys):
    data = tmp_path / "real.csv"
    table.drop(columns=["start", "end"]).to_csv(data, index=False)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(["a + b == total", 'if plan == "pro" then seats >= 5']))
    model = tmp_path / "model.json"
    code = main(
        [
            "fit",
            str(data),
            "-o",
            str(model),
            "--constraints",
            str(rules),
            "--copula",
            "student_t",
            "--marginals",
            '{"a": "gamma"}',
            "--conditions-columns",
            "plan",
        ]
    )
    assert code == 0, capsys.readouterr().err
    fitted = stochgen.load(model)
    assert fitted.copula == "student_t" and fitted.condition_columns == ["plan"]
    assert type(fitted.latent_.columns_["a"].marginal_).__name__ == "Gamma"
    rows = tmp_path / "rows.csv"
    assert main(["sample", str(model), "-n", "800", "-o", str(rows), "--seed", "0"]) == 0
    out = pd.read_csv(rows)
    assert np.allclose(out["a"] + out["b"], out["total"], rtol=1e-9)
    assert (out.loc[out["plan"] == "pro", "seats"] >= 5).all()
    rules.write_text(json.dumps(["a +"]))
    assert main(["fit", str(data), "-o", str(model), "--constraints", str(rules), "--force"]) == 2
    assert "rule 'a +', position 3" in capsys.readouterr().err
    rules.write_text(json.dumps({"a": 1}))
    assert main(["fit", str(data), "-o", str(model), "--constraints", str(rules)]) == 2
    assert "expected a JSON list of rules" in capsys.readouterr().err


def test_differences_with_units_on_any_datetime_resolution_and_zone():
    start = pd.Series(pd.to_datetime(["2024-03-30 12:00", "2024-03-30 12:00", None]))
    for zone in (None, "Europe/Oslo"):  # Oslo moves its clocks on 2024-03-31
        for unit in ("s", "us", "ns"):
            begin = start.dt.tz_localize(zone).astype(
                f"datetime64[{unit}]" if zone is None else f"datetime64[{unit}, {zone}]"
            )
            end = begin + pd.to_timedelta(["24h", "25h", "1h"])
            rows = pd.DataFrame({"start": begin, "end": end})
            assert Rule("end - start <= 1 days").holds(rows).tolist() == [True, False, True]
            assert Rule("end - start > 24.5 hours").holds(rows).tolist() == [False, True, True]
