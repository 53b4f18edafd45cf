import copy
import json

import numpy as np
import pandas as pd
import pytest

from stochgen import CopulaSynthesizer
from stochgen.exceptions import NotFittedError, ValidationError
from stochgen.tabular.schema import Schema
from stochgen.tabular.sdv import SDV_VERSIONS, kind_from_sdv

# Every sdtype family SDV 1 writes, with its options.
SINGLE_V1 = {
    "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
    "primary_key": "user_id",
    "alternate_keys": ["mail"],
    "columns": {
        "user_id": {"sdtype": "id", "regex_format": "U[0-9]{5}"},
        "age": {"sdtype": "numerical", "computer_representation": "Int64"},
        "small": {"sdtype": "numerical", "computer_representation": "UInt8"},
        "income": {"sdtype": "numerical", "computer_representation": "Float"},
        "city": {"sdtype": "categorical"},
        "size": {"sdtype": "categorical", "order": ["S", "M", "L"]},
        "member": {"sdtype": "boolean"},
        "signup": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"},
        "mail": {"sdtype": "email", "pii": True},
        "name": {"sdtype": "name"},
        "phone": {"sdtype": "phone_number", "pii": True},
        "street": {"sdtype": "address", "pii": True},
        "town": {"sdtype": "city", "pii": False},
        "lat": {"sdtype": "latitude", "pii": False},
        "notes": {"sdtype": "unknown", "pii": True},
    },
}
KINDS_V1 = {
    "user_id": "id",
    "age": "integer",
    "small": "integer",
    "income": "continuous",
    "city": "categorical",
    "size": "ordinal",
    "member": "boolean",
    "signup": "datetime",
    "mail": "id",
    "name": "id",
    "phone": "id",
    "street": "id",
    "town": "categorical",
    "lat": "continuous",
    "notes": "id",
}


def as_multi(single, version, name="people"):
    table = {k: v for k, v in single.items() if k != "METADATA_SPEC_VERSION"}
    return {"tables": {name: table}, "relationships": [], "METADATA_SPEC_VERSION": version}


def people(n=120, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "user_id": [f"U{i:05d}" for i in range(n)],
            "age": rng.integers(18, 80, n),
            "small": rng.integers(0, 9, n).astype(np.uint8),
            "income": rng.normal(5e4, 1e4, n).round(2),
            "city": rng.choice(["Oslo", "Rome", "Lima"], n),
            "size": rng.choice(["S", "M", "L"], n),
            "member": rng.choice([True, False], n),
            "signup": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%d/%m/%Y"),
            "mail": [f"user{i}@corp.com" for i in range(n)],
            "name": rng.choice(["Ann Lee", "Bob Ray", "Cid Moe"], n),
            "phone": [f"+47 {v}" for v in rng.integers(10**7, 10**8, n)],
            "street": [f"{v} Main St" for v in rng.integers(1, 999, n)],
            "town": rng.choice(["Bergen", "Molde"], n),
            "lat": rng.uniform(58, 71, n).round(4),
            "notes": [f"note {i} (free text)" for i in range(n)],
        }
    )


def test_sdv1_kinds_cover_every_sdtype():
    assert Schema.from_sdv(SINGLE_V1).kinds == KINDS_V1


@pytest.mark.parametrize("version", ["SINGLE_TABLE_V1", "V1"])
def test_round_trip_as_read(version, tmp_path):
    meta = SINGLE_V1 if version == "SINGLE_TABLE_V1" else as_multi(SINGLE_V1, version)
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(meta))
    schema = Schema.from_sdv(path)
    assert schema.to_sdv() == meta
    assert Schema.from_sdv(schema.to_sdv()).kinds == KINDS_V1


def test_round_trip_keeps_input_unchanged():
    meta = copy.deepcopy(SINGLE_V1)
    Schema.from_sdv(meta).to_sdv("V2")
    assert meta == SINGLE_V1


@pytest.mark.parametrize("version", SDV_VERSIONS)
def test_round_trip_across_versions(version):
    written = Schema.from_sdv(SINGLE_V1).to_sdv(version)
    assert written["METADATA_SPEC_VERSION"] == version
    back = Schema.from_sdv(written)
    if version.endswith("V1"):
        assert back.kinds == KINDS_V1
        assert back.to_sdv("SINGLE_TABLE_V1") == SINGLE_V1
    else:
        # SDV 2 has no word for "float" (the data tells: a float column is 'continuous'),
        # nor for an integer's width (UInt8 comes back as Int64).
        assert back.kinds == {k: v for k, v in KINDS_V1.items() if k != "income"}
        again = copy.deepcopy(SINGLE_V1)
        del again["columns"]["income"]["computer_representation"]
        again["columns"]["small"]["computer_representation"] = "Int64"
        assert back.to_sdv("SINGLE_TABLE_V1") == again
        columns = written.get("columns") or written["tables"]["table"]["columns"]
        assert columns["size"] == {"sdtype": "ordinal", "range_values": ["S", "M", "L"]}
        assert columns["age"] == {"sdtype": "numerical", "decimal_places": 0}
        assert columns["income"] == {"sdtype": "numerical"}


@pytest.mark.parametrize("version", SDV_VERSIONS)
def test_fitted_schema_round_trip(version):
    df = pd.DataFrame(
        {
            "key": [f"k{i}" for i in range(30)],
            "x": np.linspace(0.5, 9.5, 30),
            "n": np.arange(30, dtype=np.int32) % 7,
            "g": ["a", "b", "c"] * 10,
            "flag": [True, False] * 15,
            "when": pd.date_range("2021-01-01", periods=30, freq="h"),
        }
    )
    fitted = Schema().fit(df)
    written = fitted.to_sdv(version)
    assert written["METADATA_SPEC_VERSION"] == version
    back = Schema.from_sdv(written)
    kinds = {name: spec["kind"] for name, spec in fitted.columns_.items()}
    if version.endswith("V2"):
        del kinds["x"]  # SDV 2 has no word for "float": the data tells
    assert back.kinds == kinds
    described = written if version.startswith("SINGLE") else written["tables"]["table"]
    assert described["primary_key"] == "key"


def test_fitted_schema_keeps_sdv_entries_of_unchanged_kinds():
    df = people().drop(columns=["size", "signup"])
    meta = copy.deepcopy(SINGLE_V1)
    for name in ("size", "signup"):
        del meta["columns"][name]
    read = Schema.from_sdv(meta)
    fitted = Schema(kinds={**read.kinds, "town": "id"}, metadata=read.metadata).fit(df)
    columns = fitted.to_sdv()["columns"]
    assert columns["mail"] == {"sdtype": "email", "pii": True}
    assert columns["user_id"]["regex_format"] == "U[0-9]{5}"
    assert columns["small"]["computer_representation"] == "UInt8"
    assert columns["town"] == {"sdtype": "id"}  # the kind changed: its entry follows the kind


def test_unfitted_schema_without_metadata_is_not_fitted():
    with pytest.raises(NotFittedError):
        Schema(kinds={"a": "integer"}).to_sdv()


def test_multi_table_file_needs_a_table_name():
    meta = as_multi(SINGLE_V1, "V1")
    meta["tables"]["orders"] = {"columns": {"o": {"sdtype": "id"}}}
    with pytest.raises(ValidationError, match=r"tables \['orders', 'people'\]; pass table="):
        Schema.from_sdv(meta)
    assert Schema.from_sdv(meta, table="orders").kinds == {"o": "id"}
    assert Schema.from_sdv(meta, table="people").to_sdv()["tables"].keys() == {"people"}
    with pytest.raises(ValidationError, match="no table 'nope'"):
        Schema.from_sdv(meta, table="nope")


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ({"columns": {"a": {"sdtype": "id"}}}, "METADATA_SPEC_VERSION is None"),
        (
            {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V9", "columns": {"a": {"sdtype": "id"}}},
            "'SINGLE_TABLE_V9'",
        ),
        ({"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "columns": {}}, "non-empty"),
        (
            {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "columns": {"a": {"type": "id"}}},
            "column 'a' needs an 'sdtype'",
        ),
        (
            {
                "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
                "columns": {"a": {"sdtype": "numerical", "computer_representation": "Int128"}},
            },
            "column 'a': computer_representation 'Int128'",
        ),
        (
            {
                "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
                "columns": {"a": {"sdtype": "email", "pii": "yes"}},
            },
            "'pii' must be true or false",
        ),
        (
            {
                "METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
                "primary_key": "b",
                "columns": {"a": {"sdtype": "id"}},
            },
            "key column 'b'",
        ),
        ({"METADATA_SPEC_VERSION": "V1", "tables": {}}, "non-empty 'tables'"),
    ],
)
def test_malformed_metadata_is_refused_naming_it(meta, message):
    with pytest.raises(ValidationError, match=f"^metadata: .*{message}"):
        Schema.from_sdv(meta)


def test_bad_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such metadata file"):
        Schema.from_sdv(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ValidationError, match="not valid JSON"):
        Schema.from_sdv(bad)
    with pytest.raises(TypeError, match="metadata must be a path"):
        Schema.from_sdv(["columns"])
    with pytest.raises(ValidationError, match="version must be one of"):
        Schema.from_sdv(SINGLE_V1).to_sdv("V3")


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ({"sdtype": "numerical"}, None),
        ({"sdtype": "numerical", "decimal_places": 0}, "integer"),
        ({"sdtype": "numerical", "decimal_places": 2}, "continuous"),
        ({"sdtype": "categorical", "order_by": "alphabetical"}, "ordinal"),
        ({"sdtype": "ordinal", "range_values": ["lo", "hi"]}, "ordinal"),
        ({"sdtype": "ipv4_address"}, "id"),
        ({"sdtype": "unknown", "pii": False}, "categorical"),
        ({"sdtype": "longitude", "pii": True}, "id"),
    ],
)
def test_kind_from_sdv(entry, kind):
    assert kind_from_sdv("c", entry) == kind


def test_prepare_reads_formats_and_order():
    schema = Schema.from_sdv(SINGLE_V1)
    df = people(10)
    prepared = schema.prepare(df)
    assert prepared["signup"].iloc[0] == pd.Timestamp("2020-01-01")
    assert prepared["signup"].iloc[9] == pd.Timestamp("2020-01-10")
    assert list(prepared["size"].cat.categories) == ["S", "M", "L"]
    assert prepared["size"].cat.ordered
    assert df["signup"].dtype != prepared["signup"].dtype  # the input is not changed
    assert Schema().prepare(df) is df


def test_prepare_errors_name_the_column():
    schema = Schema.from_sdv(SINGLE_V1)
    df = people(10)
    bad = df.assign(signup="2020-01-31")
    with pytest.raises(ValidationError, match="column 'signup' does not match its datetime_format"):
        schema.prepare(bad)
    with pytest.raises(ValidationError, match=r"column 'size' holds labels \['XL'\]"):
        schema.prepare(df.assign(size="XL"))


def test_model_from_sdv_metadata_never_copies_pii():
    schema = Schema.from_sdv(SINGLE_V1)
    real = schema.prepare(people())
    model = CopulaSynthesizer(kinds=schema.kinds, condition_columns=None).fit(real)
    synthetic = model.sample(300, seed=1)
    assert list(synthetic.columns) == list(real.columns)
    for name, kind in schema.kinds.items():
        assert model.schema_.columns_[name]["kind"] == kind
        if kind == "id":
            assert not set(synthetic[name].dropna()) & set(real[name].dropna()), name
    assert synthetic["signup"].dtype.kind == "M"
    assert set(synthetic["size"].unique()) <= {"S", "M", "L"}
    assert synthetic["user_id"].is_unique


def test_schema_with_metadata_saves_and_loads(tmp_path):
    from stochgen import load, save

    schema = Schema.from_sdv(SINGLE_V1)
    fitted = Schema(kinds=schema.kinds, metadata=schema.metadata).fit(schema.prepare(people(40)))
    loaded = load(save(fitted, tmp_path / "schema.json"))
    assert loaded.metadata == schema.metadata
    assert loaded.to_sdv() == fitted.to_sdv() == SINGLE_V1


def test_from_sdv_doc_examples_run(tmp_path, monkeypatch, capsys):
    # docs/from-sdv.md: the stochgen blocks run as written on a table and SDV 2-style metadata.
    import re
    import shlex
    from pathlib import Path

    from stochgen.cli import main

    text = (Path(__file__).parents[2] / "docs" / "from-sdv.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```(\w+)\n(.*?)^```", text, flags=re.M | re.S)
    monkeypatch.chdir(tmp_path)
    real = people().drop(columns=["size", "signup"])
    real.to_csv("real.csv", index=False)
    meta = copy.deepcopy(as_multi(SINGLE_V1, "V2"))
    for name in ("size", "signup"):
        del meta["tables"]["people"]["columns"][name]
    Path("metadata.json").write_text(json.dumps(meta))
    ran = 0
    for lang, body in blocks:
        if lang == "python" and "from sdv" not in body:
            exec(compile(body, "from-sdv.md", "exec"), {})  # noqa: S102
            ran += 1
        elif lang == "bash":
            for line in body.splitlines():
                assert main(shlex.split(line)[1:]) == 0, line
                ran += 1
    assert ran == 4
    out = capsys.readouterr().out
    assert "{'sdtype': 'numerical', 'computer_representation': 'Int64'}" in out
