"""End to end with SDV's own metadata: SDV writes it, stochgen reads it; stochgen writes, SDV reads.

Run by ``make test-compat`` (SDV pins pandas < 3, so it lives in its own venv).
"""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from stochgen.cli import main
from stochgen.tabular.schema import Schema

sdv_metadata = pytest.importorskip("sdv.metadata")

pytestmark = pytest.mark.compat


def people(n=300, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "user_id": [f"U{i:05d}" for i in rng.permutation(n)],
            "age": rng.integers(18, 80, n),
            "income": rng.normal(5e4, 1e4, n).round(2),
            "plan": rng.choice(["free", "pro", "team"], n, p=[0.6, 0.3, 0.1]),
            "active": rng.choice([True, False], n),
            "signup": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "email": [f"person{i}@corp.com" for i in rng.permutation(n)],
            "first_name": rng.choice(["Ann", "Bob", "Cid", "Dee", "Eve"], n),
        }
    )


def sdv_detected(df, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SDV's own deprecation and detection notices
        metadata = sdv_metadata.Metadata.detect_from_dataframes({"people": df})
        metadata.save_to_json(str(path))
    return json.loads(path.read_text())


def test_metadata_written_by_sdv_gives_a_model_in_one_cli_call(tmp_path, capsys):
    df = people()
    data = tmp_path / "real.csv"
    df.to_csv(data, index=False)
    written = sdv_detected(df, tmp_path / "metadata.json")
    columns = written["tables"]["people"]["columns"]
    assert columns["email"]["sdtype"] == "email"  # SDV saw PII

    schema = Schema.from_sdv(tmp_path / "metadata.json")
    assert schema.kinds["user_id"] == "id"
    assert schema.kinds["email"] == schema.kinds["first_name"] == "id"
    assert schema.kinds["signup"] == "datetime"

    # The user's rules file: a rule in stochgen's language and one of SDV's constraint dicts.
    rules = tmp_path / "rules.json"
    rules.write_text(
        json.dumps(
            [
                "income >= 20000",
                {
                    "constraint_class": "ScalarInequality",
                    "constraint_parameters": {
                        "column_name": "age",
                        "relation": ">=",
                        "value": 21,
                    },
                },
            ]
        )
    )
    model = tmp_path / "model.json"
    argv = ["fit", str(data), "-o", str(model), "--metadata", str(tmp_path / "metadata.json")]
    argv += ["--constraints", str(rules)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the real rows under 21 are left out, with a warning
        assert main(argv) == 0, capsys.readouterr().err
    assert "PII columns" in capsys.readouterr().out
    out = tmp_path / "synthetic.csv"
    assert main(["sample", str(model), "-n", "500", "-o", str(out), "--seed", "0"]) == 0
    synthetic = pd.read_csv(out)
    assert list(synthetic.columns) == list(df.columns)
    for name in ("user_id", "email", "first_name"):
        assert not set(synthetic[name]) & set(df[name]), name
    assert set(synthetic["plan"]) <= {"free", "pro", "team"}
    assert (synthetic["income"] >= 20000).all() and (synthetic["age"] >= 21).all()
    assert pd.to_datetime(synthetic["signup"]).between("2020-01-01", "2020-10-27").all()


@pytest.mark.parametrize("version", ["V1", "V2", "SINGLE_TABLE_V1"])
def test_metadata_written_by_stochgen_is_read_by_sdv(version, tmp_path):
    df = people(120)
    df["signup"] = pd.to_datetime(df["signup"])
    written = Schema().fit(df).to_sdv(version, table="people")
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(written))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SDV 2 reading SDV 1 formats warns of deprecations
        metadata = sdv_metadata.Metadata.load_from_json(str(path))
        metadata.validate()
        (name,) = metadata.tables
        metadata.validate_data({name: df})
    columns = metadata.to_dict()["tables"][name]["columns"]
    assert columns["plan"]["sdtype"] == "categorical"
    assert columns["user_id"]["sdtype"] == "id"


def test_round_trip_through_sdv(tmp_path):
    df = people(120)
    written = sdv_detected(df, tmp_path / "metadata.json")
    back = Schema.from_sdv(written).to_sdv()
    assert back == written
