import json
import os
from pathlib import Path

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


# Regression tests for issue 11 (files written, sizes, silent wrong answers).


@pytest.fixture
def fitted_model(table, tmp_path):
    assert main(["fit", str(table), "-o", str(tmp_path / "m.json")]) == 0
    return tmp_path / "m.json"


def _err(capsys):
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    return err


def test_output_never_overwrites_an_input_without_force(table, fitted_model, tmp_path, capsys):
    before = table.read_bytes()
    assert main(["balance", str(table), "--target", "c", "-o", str(table)]) == 2
    assert "would overwrite the input" in _err(capsys) and table.read_bytes() == before
    model_text = fitted_model.read_text()
    args = ["sample", str(fitted_model), "-n", "5", "-o", str(fitted_model.with_suffix(".csv"))]
    assert main(args) == 0
    assert main(["sample", str(fitted_model), "-n", "5", "-o", str(fitted_model)]) == 2
    assert "not .json" in _err(capsys) and fitted_model.read_text() == model_text
    assert main(["fit", str(table), "-o", str(table.with_suffix(""))]) == 0
    assert main(["balance", str(table), "--target", "c", "-o", str(table), "--force"]) == 0


def test_fit_output_over_the_input_refused(tmp_path, capsys):
    data = tmp_path / "t.csv"
    pd.DataFrame({"x": np.arange(30) * 1.5}).to_csv(data, index=False)
    link = tmp_path / "t.json"
    link.symlink_to(data)
    assert main(["fit", str(data), "-o", str(link)]) == 2
    assert "would overwrite the input" in _err(capsys)


def test_parquet_format_with_csv_name_refused(fitted_model, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert (
        main(["sample", str(fitted_model), "-n", "5", "-o", str(out), "--format", "parquet"]) == 2
    )
    assert "does not match the file name x.csv" in _err(capsys) and not out.exists()


def test_fit_into_missing_folder_names_the_folder(table, tmp_path, capsys):
    assert main(["fit", str(table), "-o", str(tmp_path / "nope" / "m.json")]) == 2
    err = _err(capsys)
    assert "folder" in err and "nope does not exist" in err and ".partial" not in err


@pytest.mark.parametrize("extra", [[], ["--balance", "c"]])
def test_huge_n_refused_before_any_work(fitted_model, tmp_path, capsys, extra):
    out = tmp_path / "x.csv"
    args = ["sample", str(fitted_model), "-n", "1000000000000", "-o", str(out), *extra]
    assert main(args) == 2
    assert "above the limit of 100,000,000 rows" in _err(capsys)
    assert main([*args, "--max-rows", str(10**13)]) == 2
    assert "free on its disk" in _err(capsys) and not out.exists()


def test_balance_beyond_memory_is_one_line(fitted_model, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("stochgen._validation.available_memory", lambda: 10**6)
    args = ["sample", str(fitted_model), "-n", "100000", "-o", str(tmp_path / "x.csv")]
    assert main([*args, "--balance", "c"]) == 2
    assert "of memory available" in _err(capsys)


def test_balance_and_conditions_on_one_column_refused(fitted_model, tmp_path, capsys):
    args = ["sample", str(fitted_model), "-n", "5", "-o", str(tmp_path / "x.csv")]
    assert main([*args, "--balance", "c", "--conditions", '{"c": "u"}']) == 2
    assert "both set column 'c'" in _err(capsys)


def test_strategy_keys_match_numeric_labels(tmp_path):
    rng = np.random.default_rng(1)
    data = tmp_path / "t.csv"
    y = rng.choice([0, 1], size=300, p=[0.8, 0.2])
    pd.DataFrame({"x": rng.normal(size=300) + y, "y": y}).to_csv(data, index=False)
    out = tmp_path / "b.csv"
    wanted = int((y == 1).sum()) + 40
    args = ["balance", str(data), "--target", "y", "-o", str(out), "--seed", "0"]
    assert main([*args, "--strategy", json.dumps({"1": wanted})]) == 0
    assert pd.read_csv(out)["y"].value_counts()[1] == wanted


def test_balance_on_continuous_target_refused(tmp_path, capsys):
    data = tmp_path / "t.csv"
    rng = np.random.default_rng(2)
    pd.DataFrame({"x": rng.normal(size=200), "a": rng.gamma(1.0, size=200)}).to_csv(data)
    assert main(["balance", str(data), "--target", "a", "-o", str(tmp_path / "b.csv")]) == 2
    assert "looks continuous" in _err(capsys)


def test_misseparated_and_duplicate_headers_refused(tmp_path, capsys):
    (tmp_path / "s.csv").write_text("a;b\n1;2\n3;4\n")
    assert main(["fit", str(tmp_path / "s.csv"), "-o", str(tmp_path / "m.json")]) == 2
    assert "--sep ';'" in _err(capsys)
    (tmp_path / "d.csv").write_text("a,a\n1,2\n3,4\n")
    assert main(["fit", str(tmp_path / "d.csv"), "-o", str(tmp_path / "m.json")]) == 2
    assert "duplicate column names ['a']" in _err(capsys)


def test_constant_date_column_fits_and_saves(tmp_path):
    data = tmp_path / "t.csv"
    pd.DataFrame({"x": np.arange(40) * 0.5, "d": "2021-05-01"}).to_csv(data, index=False)
    assert main(["fit", str(data), "-o", str(tmp_path / "m.json")]) == 0
    out = tmp_path / "s.csv"
    assert main(["sample", str(tmp_path / "m.json"), "-n", "5", "-o", str(out)]) == 0
    assert (pd.read_csv(out)["d"] == "2021-05-01").all()


_FSIZE_SCRIPT = """
import resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))
from stochgen.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("command", ["sample", "balance", "sample-balance"])
def test_file_size_limit_leaves_no_complete_looking_file(table, fitted_model, tmp_path, command):
    import subprocess
    import sys

    out = tmp_path / "out.csv"
    if command == "balance":
        args = ["balance", str(table), "--target", "c", "-o", str(out)]
    else:
        args = ["sample", str(fitted_model), "-n", "5000", "-o", str(out)]
        args += ["--balance", "c"] if command == "sample-balance" else []
    root = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-c", _FSIZE_SCRIPT, *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=root,
        env={**os.environ, "PYTHONPATH": root},
    )
    assert done.returncode == 2, done.stderr
    assert "the disk is full or the file size limit was reached" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.glob("*out.csv*")) == []


def test_help_imports_neither_numpy_nor_pandas():
    # Import time is what a user waits for at each call: `--help` must not load the stack.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from stochgen.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = sorted(m for m in ('numpy', 'pandas', 'scipy', 'numba') if m in sys.modules)\n"
        "print('heavy:', heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[1],
    ).stdout
    assert "heavy: []" in out


def test_version(capsys):
    import stochgen

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"stochgen {stochgen.__version__}"


def test_schema_help_lists_every_kind_and_the_format(capsys):
    from stochgen.kinds import KINDS

    with pytest.raises(SystemExit):
        main(["fit", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert '{"age": "integer", "city": "categorical"}' in text
    assert all(kind in text.split("Kinds:")[1] for kind in KINDS)


SDV_METADATA = {
    "METADATA_SPEC_VERSION": "V1",
    "tables": {
        "users": {
            "primary_key": "uid",
            "columns": {
                "uid": {"sdtype": "id"},
                "x": {"sdtype": "numerical", "computer_representation": "Float"},
                "c": {"sdtype": "categorical"},
                "d": {"sdtype": "datetime", "datetime_format": "%d/%m/%Y"},
                "mail": {"sdtype": "email", "pii": True},
            },
        }
    },
    "relationships": [],
}


@pytest.fixture
def sdv_table(tmp_path):
    rng = np.random.default_rng(1)
    n = 200
    df = pd.DataFrame(
        {
            "uid": [f"u-{i}-x" for i in range(n)],
            "x": rng.normal(size=n).round(3),
            "c": rng.choice(["u", "v"], size=n),
            "d": pd.date_range("2021-01-01", periods=n, freq="D").strftime("%d/%m/%Y"),
            "mail": [f"person{i}@corp.com" for i in rng.permutation(n)],
        }
    )
    path = tmp_path / "real.csv"
    df.to_csv(path, index=False)
    meta = tmp_path / "metadata.json"
    meta.write_text(json.dumps(SDV_METADATA))
    return path, meta, df


def test_fit_with_sdv_metadata(sdv_table, tmp_path, capsys):
    path, meta, df = sdv_table
    model = tmp_path / "m.json"
    assert main(["fit", str(path), "-o", str(model), "--metadata", str(meta)]) == 0
    assert "PII columns, generated anew (never a real value): mail" in capsys.readouterr().out
    out = tmp_path / "s.csv"
    assert main(["sample", str(model), "-n", "300", "-o", str(out), "--seed", "0"]) == 0
    synthetic = pd.read_csv(out)
    assert list(synthetic.columns) == list(df.columns)
    # Day-first dates were read with the metadata's format: 2021-01-01 .. 2021-07-19.
    days = pd.to_datetime(synthetic["d"])
    assert days.between("2021-01-01", "2021-07-19").all() and days.dt.month.nunique() == 7
    assert not set(synthetic["mail"]) & set(df["mail"])
    assert synthetic["uid"].is_unique


def test_fit_metadata_errors(sdv_table, tmp_path, capsys):
    path, meta, df = sdv_table
    model = str(tmp_path / "m.json")
    df.drop(columns="mail").to_csv(path, index=False)
    assert main(["fit", str(path), "-o", model, "--metadata", str(meta)]) == 2
    assert "describes columns ['mail'] that" in capsys.readouterr().err
    assert main(["fit", str(path), "-o", model, "--table", "users"]) == 2
    assert "--table names a table of --metadata" in capsys.readouterr().err
    args = ["fit", str(path), "-o", model, "--metadata", str(meta), "--table", "orders"]
    assert main(args) == 2
    assert "no table 'orders'" in capsys.readouterr().err
