import json

import numpy as np
import pandas as pd
import pytest

from stochgen.cli import main


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=300).round(3),
            "c": rng.choice(["u", "v"], size=300),
            "d": pd.date_range("2021-01-01", periods=300, freq="D").astype(str),
        }
    )
    path = tmp_path / "real.csv"
    df.to_csv(path, index=False)
    return path


def test_fit_then_sample_is_reproducible(table, tmp_path, capsys):
    schema = tmp_path / "kinds.json"
    schema.write_text(json.dumps({"d": "datetime"}))
    assert main(["fit", str(table), "-o", str(tmp_path / "m.json"), "--schema", str(schema)]) == 0
    for name in ("a.csv", "b.csv"):
        args = ["sample", str(tmp_path / "m.json"), "-n", "50", "-o", str(tmp_path / name)]
        assert main([*args, "--seed", "3"]) == 0
    a, b = pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv")
    pd.testing.assert_frame_equal(a, b)
    assert list(a.columns) == ["x", "c", "d"] and len(a) == 50
    assert pd.to_datetime(a["d"]).between("2021-01-01", "2021-10-27").all()
    assert "wrote 50 rows" in capsys.readouterr().out


def test_parquet_output(table, tmp_path):
    assert main(["fit", str(table), "-o", str(tmp_path / "m.json")]) == 0
    out = tmp_path / "s.parquet"
    assert main(["sample", str(tmp_path / "m.json"), "-n", "20", "-o", str(out)]) == 0
    assert len(pd.read_parquet(out)) == 20


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fit", "missing.csv", "-o", "m.json"], "no such file"),
        (["sample", "missing.json", "-n", "3", "-o", "x.csv"], "no model file"),
    ],
)
def test_bad_input_exit_code_2_one_line(args, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_corrupt_model_exit_code_2(tmp_path, capsys):
    bad = tmp_path / "m.json"
    bad.write_text("{not json")
    assert main(["sample", str(bad), "-n", "3", "-o", str(tmp_path / "x.csv")]) == 2
    assert "not a valid model file" in capsys.readouterr().err


def test_empty_table_exit_code_2(tmp_path, capsys):
    path = tmp_path / "empty.csv"
    path.write_text("a,b\n")
    assert main(["fit", str(path), "-o", str(tmp_path / "m.json")]) == 2
    assert "no rows" in capsys.readouterr().err


def test_help_for_each_command(capsys):
    for command in ("fit", "sample", "evaluate", "demo", "balance"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        assert "usage: stochgen " + command in capsys.readouterr().out


def test_sample_with_conditions_and_balance(table, tmp_path):
    assert main(["fit", str(table), "-o", str(tmp_path / "m.json")]) == 0
    out = tmp_path / "c.csv"
    cond = '{"c": "u", "x": [-0.5, 0.5]}'
    assert (
        main(["sample", str(tmp_path / "m.json"), "-n", "40", "-o", str(out), "--conditions", cond])
        == 0
    )
    rows = pd.read_csv(out)
    assert (rows["c"] == "u").all()
    assert rows["x"].between(-0.5, 0.5).all()
    out2 = tmp_path / "b.csv"
    assert (
        main(
            [
                "sample",
                str(tmp_path / "m.json"),
                "-n",
                "41",
                "-o",
                str(out2),
                "--balance",
                "c",
                "--seed",
                "1",
            ]
        )
        == 0
    )
    assert sorted(pd.read_csv(out2)["c"].value_counts().tolist()) == [20, 21]


def test_balance_command(table, tmp_path):
    out = tmp_path / "bal.csv"
    assert main(["balance", str(table), "--target", "c", "-o", str(out), "--seed", "0"]) == 0
    counts = pd.read_csv(out)["c"].value_counts()
    assert counts["u"] == counts["v"]


def test_bad_conditions_exit_2(table, tmp_path, capsys):
    assert main(["fit", str(table), "-o", str(tmp_path / "m.json")]) == 0
    args = ["sample", str(tmp_path / "m.json"), "-n", "5", "-o", str(tmp_path / "x.csv")]
    assert main([*args, "--conditions", "{bad"]) == 2
    assert main([*args, "--conditions", '{"c": "zzz"}']) == 2
    assert "never appears" in capsys.readouterr().err


def test_evaluate_command_writes_html(table, tmp_path, capsys):
    assert main(["fit", str(table), "-o", str(tmp_path / "m.json")]) == 0
    synth = tmp_path / "s.csv"
    assert (
        main(["sample", str(tmp_path / "m.json"), "-n", "300", "-o", str(synth), "--seed", "0"])
        == 0
    )
    html = tmp_path / "r.html"
    assert main(["evaluate", str(table), str(synth), "--html", str(html)]) == 0
    assert "Fidelity score" in capsys.readouterr().out
    assert html.read_text().count("<img") >= 1
