"""Formats of ID- and PII-like text columns: new values in the format, never a real one."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen.exceptions import ValidationError
from stochgen.tabular.formats import FormatColumn, value_shape
from stochgen.tabular.regex import parse_regex

N_ROWS = 3000
FIRST = "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth".split()
FIRST += "David Barbara Richard Susan Joseph Ana".split()
LAST = "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez".split()
LAST += "Lopez Wilson Moore Taylor Lee".split()
EMAIL = re.compile(r"[a-z0-9.]+@[a-z]+(\.[a-z]+)+")


@pytest.fixture(scope="module")
def people():
    rng = np.random.default_rng(11)
    first, last = rng.choice(FIRST, N_ROWS), rng.choice(LAST, N_ROWS)
    domains = rng.choice(["gmail.com", "yahoo.com", "corp.example.org"], N_ROWS, p=[0.5, 0.3, 0.2])
    return pd.DataFrame(
        {
            "customer": [f"C{i:07d}" for i in rng.permutation(N_ROWS)],
            "name": [f"{a} {b}" for a, b in zip(first, last, strict=True)],  # names repeat
            "email": [
                f"{a.lower()}.{b.lower()}{i}@{d}"
                for i, (a, b, d) in enumerate(zip(first, last, domains, strict=True))
            ],
            "phone": [
                f"+1-{a}-{b}-{c}"
                for a, b, c in zip(
                    rng.integers(200, 1000, N_ROWS),
                    rng.integers(100, 1000, N_ROWS),
                    rng.integers(1000, 10000, N_ROWS),
                    strict=True,
                )
            ],
            "spend": rng.gamma(2.0, 40.0, N_ROWS),
        }
    )


@pytest.fixture(scope="module")
def model(people):
    return stochgen.CopulaSynthesizer(
        formats={"name": "learn", "phone": "learn"}, progress=False
    ).fit(people)


def test_pii_columns_never_hold_a_real_value(model, people):
    rows = model.sample(20_000, seed=0)
    for column in ("name", "email", "phone"):
        assert isinstance(model.columns_[column], FormatColumn), column
        assert set(rows[column]).isdisjoint(people[column]), column
    assert model.columns_["name"].copy_rate_ <= 1e-8
    assert model.columns_["email"].copy_rate_ <= 1e-8


def test_dense_keys_get_a_longer_run_not_a_real_key(model, people):
    # 3,000 keys among the 10^7 of "C" + 7 digits: a key in that format would be a real
    # one with chance 3e-4, so generated keys get 8 digits, a shape no real key has.
    column = model.columns_["customer"]
    assert column.copy_rate_ == 0.0
    rows = model.sample(20_000, seed=0)
    assert rows["customer"].str.fullmatch(r"C[0-9]{8}").all()
    assert not rows["customer"].isin(people["customer"]).any()


def test_generated_values_look_real(model, people):
    rows = model.sample(5000, seed=1)
    assert rows["email"].str.fullmatch(EMAIL).all()
    # 3,000 phone numbers among 10^10: one in that format would be real with chance 3e-7,
    # above the 1e-8 bound, so the last group gets a fifth digit.
    assert model.columns_["phone"].lengthened_ == 1
    assert rows["phone"].str.fullmatch(r"\+1-[0-9]{3}-[0-9]{3}-[0-9]{5}").all()
    assert rows["name"].str.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+").all()
    # Shapes keep their shares: name lengths follow the real ones.
    real_lengths = people["name"].str.len().value_counts(normalize=True)
    synth_lengths = rows["name"].str.len().value_counts(normalize=True)
    assert (
        real_lengths - synth_lengths.reindex(real_lengths.index, fill_value=0)
    ).abs().max() < 0.03
    # Domains seen many times are kept (they identify no one).
    domains = rows["email"].str.split("@").str[1]
    assert domains.isin(["gmail.com", "yahoo.com", "corp.example.org"]).mean() > 0.5


def test_keys_are_unique_and_rows_do_not_depend_on_blocks(model):
    rows = model.sample(70_000, seed=2)
    assert rows["customer"].is_unique
    assert rows["email"].is_unique
    blocks = pd.concat(list(model.iter_sample(70_000, seed=2)))
    pd.testing.assert_frame_equal(rows, blocks)
    assert rows.equals(model.sample(70_000, seed=2))


def test_model_file_holds_no_real_value(model, people, tmp_path):
    path = stochgen.save(model, tmp_path / "people.json")
    text = path.read_text()
    document = json.loads(text)
    assert document  # a readable file
    for column in ("customer", "name", "email", "phone"):
        assert not any(value in text for value in people[column]), column
    loaded = stochgen.load(path)
    assert loaded.sample(100, seed=4).equals(model.sample(100, seed=4))


def test_regex_formats(people):
    model = stochgen.CopulaSynthesizer(
        formats={"customer": {"regex": r"CU-[A-F0-9]{6}(-(EU|US))?"}}, progress=False
    ).fit(people)
    rows = model.sample(2000, seed=0)
    assert rows["customer"].str.fullmatch(r"CU-[A-F0-9]{6}(-(EU|US))?").all()
    # Both branches of the optional group appear.
    assert 0.2 < rows["customer"].str.endswith(("EU", "US")).mean() < 0.8


@pytest.mark.parametrize(
    ("pattern", "match"),
    [
        ("[^a]", "negated"),
        ("(?=a)b", "look-around"),
        ("a{3,1}", "backwards"),
        ("(ab", r"'\)'"),
        (r"\p", "not supported"),
    ],  # fmt: skip
)
def test_bad_regex_is_refused_naming_the_column(people, pattern, match):
    with pytest.raises(ValidationError, match=f"'customer'.*{match}"):
        stochgen.CopulaSynthesizer(formats={"customer": {"regex": pattern}}, progress=False).fit(
            people.head(50)
        )


def test_bad_format_settings(people):
    with pytest.raises(ValidationError, match="formats"):
        stochgen.CopulaSynthesizer(formats={"nope": "learn"}, progress=False).fit(people)
    with pytest.raises(ValidationError, match="learn"):
        stochgen.CopulaSynthesizer(formats={"name": "faker"}, progress=False).fit(people)
    with pytest.raises(ValidationError, match="kind 'categorical'"):
        stochgen.CopulaSynthesizer(
            formats={"name": "learn"}, kinds={"name": "categorical"}, progress=False
        ).fit(people)
    with pytest.raises(ValidationError, match="cannot be conditioned"):
        stochgen.CopulaSynthesizer(formats={"name": "learn"}, progress=False).fit(people).sample(
            5, conditions={"name": "Ana Lee"}
        )


def test_short_pii_format_is_lengthened():
    codes = pd.Series([f"{i % 90:02d}" for i in range(400)], name="code")
    column = FormatColumn().fit(codes, "code")
    assert column.lengthened_ == 1 and column.copy_rate_ == 0.0
    new = pd.Series(column.from_normal(np.empty((5000, 0))))
    assert new.str.fullmatch(r"[0-9]{3}").all()
    assert set(new).isdisjoint(codes)


def test_value_shape_and_parser():
    assert value_shape("AB-12 x") == "[A-Z]{2}-[0-9]{2} [a-z]{1}"
    assert parse_regex("a|b") == ("alt", [("seq", [("chars", "a")]), ("seq", [("chars", "b")])])


def test_pseudonymize_is_keyed_consistent_and_keeps_joins(people):
    key = "a key of at least sixteen bytes"
    orders = pd.DataFrame({"customer": people["customer"].sample(500, random_state=1).values})
    customers = stochgen.pseudonymize(people["customer"], key)
    in_orders = stochgen.pseudonymize(orders["customer"], key)
    # The same customer gets the same pseudonym in both tables: the join survives.
    joined = orders.assign(p=in_orders.values).merge(
        people.assign(p=customers.values), on="customer"
    )
    assert (joined["p_x"] == joined["p_y"]).all() and len(joined) == 500
    assert customers.is_unique
    assert customers.str.fullmatch(r"[A-Z][0-9]{7}").all()
    assert (customers != people["customer"]).all()
    other = stochgen.pseudonymize(people["customer"], key + "!")
    assert (other != customers).mean() > 0.99
    with_missing = stochgen.pseudonymize(pd.Series(["a-1", None]), key)
    assert with_missing.isna().tolist() == [False, True]


def test_pseudonymize_refuses_weak_keys_and_collisions():
    with pytest.raises(ValidationError, match="16 bytes"):
        stochgen.pseudonymize(pd.Series(["x"]), "short")
    with pytest.raises(TypeError, match="key"):
        stochgen.pseudonymize(pd.Series(["x"]), 12345)
    digits = pd.Series([str(i) for i in range(10)], name="digit")
    with pytest.raises(ValidationError, match="'digit'"):
        stochgen.pseudonymize(digits, "a key of at least sixteen bytes")
