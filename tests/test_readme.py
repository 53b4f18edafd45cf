"""Every example of README.md runs as written.

Python blocks are executed; the command-line block runs each ``stochgen`` line
through the CLI, in order, in an empty folder (its first line runs the demo,
which writes the files the others use). ``make`` and ``pip install`` lines are
checked against the Makefile and pyproject.toml instead of run: they would
download packages.
"""

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from stochgen.cli import main

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, flags=re.M | re.S)


def lines_of(language):
    out = []
    for lang, body in BLOCKS:
        if lang == language:
            out.extend(argv for line in body.splitlines() if (argv := shlex.split(line, True)))
    return out


def test_readme_has_the_examples_this_file_runs():
    assert {lang for lang, _ in BLOCKS} == {"bash", "python"}
    assert sum(argv[0] == "stochgen" for argv in lines_of("bash")) >= 8
    programs = {argv[0] for argv in lines_of("bash")}
    assert programs <= {"stochgen", "make", "pip"}, programs


def test_make_and_pip_lines_name_real_targets_and_extras():
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(), flags=re.M))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = set(project["optional-dependencies"])
    for argv in lines_of("bash"):
        if argv[0] == "make":
            assert set(argv[1:]) <= targets, argv
        elif argv[0] == "pip":
            assert argv[1:3] == ["install", "-e"], argv
            named = re.fullmatch(r"\.(?:\[([\w,]+)\])?", argv[3])
            assert named, argv
            assert set((named.group(1) or "").split(",")) - {""} <= extras, argv
    listed = re.search(r"^Extras: (.*)\.$", README, flags=re.M).group(1)
    assert {e.strip("` ") for e in listed.split(",")} <= extras


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("readme")


@pytest.mark.slow
def test_command_line_examples_run_in_order(folder, monkeypatch, capsys):
    pytest.importorskip("pyarrow")
    monkeypatch.chdir(folder)
    commands = [argv for argv in lines_of("bash") if argv[0] == "stochgen"]
    assert commands[0][:2] == ["stochgen", "demo"]
    for argv in commands:
        try:
            code = main(argv[1:])
        except SystemExit as exit_info:  # --version and --help exit through argparse
            code = exit_info.code
        assert code == 0, (argv, capsys.readouterr().err)
    out = capsys.readouterr().out
    # The demo says why privacy agrees with the exact matches. Whether it names numba
    # depends on whether this process has used the kernels already (it says so only
    # when a step compiled or loaded them), so only the step that does it is checked.
    assert "Why " in out
    assert "the first sample compiles or loads the kernels" in out
    assert "wrote 500 rows to older.csv" in out
    for name in ("synthetic.csv", "synthetic.parquet", "older.csv", "even.csv", "report.html"):
        assert (folder / name).is_file(), name


@pytest.mark.slow
def test_python_examples_run(folder, monkeypatch, capsys):
    monkeypatch.chdir(folder)
    blocks = [body for lang, body in BLOCKS if lang == "python"]
    assert blocks
    for body in blocks:
        exec(compile(body, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102
    assert "Fidelity score" in capsys.readouterr().out
