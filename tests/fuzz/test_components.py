"""Fuzzing distributions, copulas, samplers, evaluate and the CLI with hypothesis.

Same rule as `test_tables`: a correct result (finite draws inside the
support, copula draws in [0, 1], a report with finite scores, exit code 0 or
2 with one line on stderr), or a clear stochgen error naming the argument.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from stochgen.copulas import (
    ClaytonCopula,
    FrankCopula,
    GaussianCopula,
    GumbelCopula,
    StudentTCopula,
    VineCopula,
)
from stochgen.distributions import EmpiricalDistribution
from stochgen.distributions.selection import FAMILIES, fit_distribution
from tests.fuzz._outcomes import check_error
from tests.fuzz.test_tables import fuzz_settings, tables

_NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, 1e-300, 1e300, -1e300, 5e-324, 1.0, -1.0]),
    st.integers(-(10**6), 10**6),
)
_SAMPLES = st.one_of(
    st.lists(_NUMBERS, max_size=60),
    st.lists(st.floats(0.1, 50), min_size=5, max_size=60),
    st.lists(st.integers(0, 20), min_size=5, max_size=60),
    st.just([]),
    st.lists(st.just(2.5), min_size=1, max_size=10),
)
_N = st.one_of(st.integers(0, 50), st.sampled_from([-1, None, 2.5, True, "3"]))


def _quiet():
    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    return stack


@fuzz_settings(300)
@given(
    family=st.sampled_from(sorted(FAMILIES) + ["empirical"]),
    x=_SAMPLES,
    n=_N,
    q=st.lists(
        st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, 1.0]), max_size=8
    ),
)
def test_distributions(family, x, n, q):
    model = EmpiricalDistribution() if family == "empirical" else FAMILIES[family]()
    try:
        with _quiet():
            model.fit(np.asarray(x, dtype=float))
    except Exception as exc:  # noqa: BLE001 - every escape is judged by check_error
        check_error(exc, args=["x", "data", family, type(model).__name__])
        return
    try:
        with _quiet():
            draws = model.sample(n, seed=0)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["n"])
        return
    assert len(draws) == n
    assert np.isfinite(np.asarray(draws, dtype=float)).all(), f"{family} drew non-finite values"
    try:
        with _quiet():
            values = np.asarray(model.ppf(np.asarray(q, dtype=float)), dtype=float)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["q"])
        return
    inside = (np.asarray(q) > 0) & (np.asarray(q) < 1)
    assert not np.isnan(values[inside]).any(), f"{family}.ppf gave NaN inside (0, 1)"


@fuzz_settings(150)
@given(
    x=_SAMPLES,
    max_samples=st.one_of(st.none(), st.integers(-2, 100), st.sampled_from([2.5, True, "10"])),
    # "auto" fits some twenty families: slow, and no different at the boundary checked here.
    families=st.sampled_from(["fast", ["normal", "gamma"], "nope", [], ["poisson"], 3]),
)
def test_fit_distribution(x, max_samples, families):
    try:
        with _quiet():
            best, table = fit_distribution(x, families, max_samples=max_samples)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["x", "families", "family", "max_samples", "criterion"])
        return
    assert isinstance(table, pd.DataFrame)
    assert isinstance(max_samples, int | None), f"max_samples={max_samples!r} accepted"


_COPULAS = {
    "gaussian": GaussianCopula,
    "student_t": StudentTCopula,
    "clayton": ClaytonCopula,
    "frank": FrankCopula,
    "gumbel": GumbelCopula,
    "vine": VineCopula,
}
_U = st.one_of(
    st.integers(0, 60).flatmap(
        lambda n: st.lists(
            st.lists(
                st.floats(0, 1) | st.sampled_from([0.0, 1.0, np.nan, 1e-300, 1 - 1e-16]),
                min_size=2,
                max_size=2,
            ),
            min_size=n,
            max_size=n,
        )
    ),
    st.tuples(st.integers(5, 60), st.floats(-1, 1), st.integers(2, 4)).map(
        lambda t: _correlated(*t).tolist()
    ),
)


def _correlated(n: int, rho: float, d: int) -> np.ndarray:
    rng = np.random.default_rng(n)
    z = rng.normal(size=(n, d))
    z[:, 1] = rho * z[:, 0] + np.sqrt(max(1 - rho * rho, 0.0)) * z[:, 1]
    ranks = z.argsort(axis=0).argsort(axis=0)
    return (ranks + 1) / (n + 1)


@fuzz_settings(300)
@given(name=st.sampled_from(sorted(_COPULAS)), u=_U, n=_N)
def test_copulas(name, u, n):
    model = _COPULAS[name]()
    try:
        with _quiet():
            model.fit(np.asarray(u, dtype=float))
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["u", "data", "dimension", type(model).__name__])
        return
    try:
        with _quiet():
            draws = np.asarray(model.sample(n, seed=0), dtype=float)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["n"])
        return
    assert draws.shape[0] == n
    assert np.isfinite(draws).all() and ((draws >= 0) & (draws <= 1)).all()


def _pdf_kinds():
    return st.sampled_from(
        [
            ("normal", lambda x: np.exp(-0.5 * x * x), (-np.inf, np.inf)),
            ("uniform", lambda x: np.ones_like(x), (0.0, 1.0)),
            # The integrable pole exp(-|x|)/sqrt(|x|) hangs Rejection (no iteration cap yet):
            # it runs in a subprocess with a timeout in test_known_failures.py.
            ("zero", lambda x: np.zeros_like(x), (0.0, 1.0)),
            ("negative", lambda x: -np.ones_like(x), (0.0, 1.0)),
            ("nan", lambda x: np.full_like(x, np.nan), (0.0, 1.0)),
            ("tiny", lambda x: 1e-300 * np.exp(-x * x), (-5.0, 5.0)),
        ]
    )


@fuzz_settings(120)
@given(
    pdf=_pdf_kinds(),
    # Supports as wide as (0, 1e300) hang Rejection today (test_known_failures.py).
    support=st.one_of(
        st.none(),
        st.tuples(st.floats(-1e6, 1e6) | st.just(np.nan), st.floats(-1e6, 1e6) | st.just(np.inf)),
    ),
    max_intervals=st.one_of(st.integers(-1, 64), st.sampled_from([4096, 2.5, None])),
    target_efficiency=st.one_of(st.floats(-1, 2), st.sampled_from([0.9, np.nan])),
    n=st.integers(0, 40),
)
def test_rejection(pdf, support, max_intervals, target_efficiency, n):
    from stochgen.samplers import Rejection

    _, fn, default_support = pdf
    bounds = default_support if support is None else support
    try:
        with _quiet():
            sampler = Rejection(
                fn, support=bounds, max_intervals=max_intervals, target_efficiency=target_efficiency
            )
            draws = sampler.sample(n, seed=0)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["pdf", "support", "max_intervals", "target_efficiency", "n", "hat"])
        return
    assert len(draws) == n and np.isfinite(draws).all()
    bad_settings = not (isinstance(max_intervals, int) and max_intervals >= 1) or not (
        0 < target_efficiency < 1
    )
    assert not bad_settings, (
        f"max_intervals={max_intervals!r}, target_efficiency={target_efficiency!r} accepted"
    )
    lo, hi = bounds
    assert ((draws >= lo) & (draws <= hi)).all()


@fuzz_settings(80)
@given(
    dim=st.one_of(st.integers(0, 3), st.sampled_from([-1, 2.5, None])),
    chains=st.one_of(st.integers(0, 3), st.sampled_from([-1, 2.5])),
    proposal=st.sampled_from(["adaptive", "rw", "nope"]),
    n=st.integers(0, 30),
    warmup=st.integers(0, 40),
)
def test_metropolis(dim, chains, proposal, n, warmup):
    from stochgen.samplers import MetropolisHastings

    try:
        with _quiet():
            sampler = MetropolisHastings(
                lambda x: -0.5 * float(np.sum(np.square(x))), dim, proposal=proposal, chains=chains
            )
            result = sampler.sample(n, warmup=warmup, seed=0)
    except Exception as exc:  # noqa: BLE001
        check_error(exc, args=["dim", "chains", "proposal", "n_draws", "warmup", "n"])
        return
    assert np.isfinite(
        np.asarray(result.draws if hasattr(result, "draws") else result.samples)
    ).all()


@fuzz_settings(150)
@given(real=tables(max_rows=30), synthetic=tables(max_rows=30), same=st.booleans())
def test_evaluate(real, synthetic, same):
    from stochgen.metrics.report import evaluate

    if same and len(real.columns) == len(set(map(str, real.columns))):
        synthetic = real.sample(frac=1.0, random_state=0).reset_index(drop=True)
    try:
        with _quiet():
            report = evaluate(real, synthetic, detection=False, privacy=False)
            text = report.summary()
    except Exception as exc:  # noqa: BLE001
        check_error(
            exc, list(real.columns) + list(synthetic.columns), ["real", "synthetic", "data"]
        )
        return
    assert isinstance(text, str) and "nan" not in text.lower().split()


_ARGS = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "fit",
                "sample",
                "balance",
                "evaluate",
                "-n",
                "-o",
                "--seed",
                "--format",
                "parquet",
                "csv",
                "--balance",
                "--conditions",
                "--strategy",
                "--target",
                "--schema",
                "--force",
                "--max-rows",
                "--sep",
                "real.csv",
                "model.json",
                "out.csv",
                "out.parquet",
                "nope/x.csv",
                "k",
                "x",
                "10",
                "-5",
                "1e20",
                "{}",
                '{"k": "a"}',
                '{"x": [0, 1]}',
                "{bad",
                ";",
            ]
        ),
        st.text(alphabet='ab-{}[]":0,', max_size=6),
    ),
    max_size=9,
)


_OUT = st.sampled_from(
    ["out.csv", "out.parquet", "out.json", "real.csv", "model.json", "nope/o.csv"]
)
_FLAGS = st.lists(
    st.sampled_from(
        [
            ["--seed", "1"],
            ["--format", "parquet"],
            ["--format", "csv"],
            ["--balance", "k"],
            ["--balance", "x"],
            ["--conditions", '{"k": "a"}'],
            ["--conditions", '{"x": [0, 1]}'],
            ["--conditions", '{"x": [1, 0]}'],
            ["--conditions", '{"zz": 1}'],
            ["--max-rows", "5"],
            ["--force"],
        ]
    ),
    max_size=3,
).map(lambda parts: [a for part in parts for a in part])
_COMMANDS = (
    st.one_of(
        st.tuples(st.just(["sample", "model.json", "-n"]), st.sampled_from(["0", "7", "-1", "10"])),
        st.tuples(
            st.just(["fit", "real.csv", "-o"]), st.sampled_from(["m2.json", "real.csv", "x/m.json"])
        ),
        st.tuples(st.just(["balance", "real.csv", "--target"]), st.sampled_from(["k", "x", "zz"])),
    )
    .flatmap(
        lambda head: st.tuples(
            st.just([*head[0], head[1]]), st.just(["-o"]), _OUT.map(lambda o: [o]), _FLAGS
        )
    )
    .map(lambda parts: [a for part in parts for a in part])
)


@pytest.fixture(scope="module")
def cli_folder(tmp_path_factory):
    from stochgen.cli import main

    folder = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(0)
    pd.DataFrame({"x": rng.normal(size=80).round(3), "k": rng.choice(["a", "b"], size=80)}).to_csv(
        folder / "real.csv", index=False
    )
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["fit", str(folder / "real.csv"), "-o", str(folder / "model.json")]) == 0
    return folder


@fuzz_settings(300)
@given(argv=_ARGS | _COMMANDS)
def test_cli(argv, cli_folder, monkeypatch):
    from stochgen.cli import main

    monkeypatch.chdir(cli_folder)
    before = {p: p.read_bytes() for p in cli_folder.iterdir() if p.is_file()}
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _quiet():
        try:
            code = main(argv)
        except SystemExit as exit_info:  # argparse: usage errors and --help
            code = exit_info.code
    assert code in (0, 2), f"exit code {code}: {err.getvalue()}"
    assert "Traceback" not in err.getvalue()
    if code == 2 and err.getvalue().startswith("stochgen "):
        assert err.getvalue().count("\n") == 1
    command_inputs = {
        "sample": ["model.json", "model.npz"],
        "fit": ["real.csv"],
        "balance": ["real.csv"],
    }.get(argv[0] if argv else "", [])
    if "--force" not in argv:
        for name in command_inputs:
            path = cli_folder / name
            assert path.read_bytes() == before[path], f"{name} was overwritten"
    leftovers = [p.name for p in cli_folder.iterdir() if p.name.endswith(".partial")]
    for path in cli_folder.iterdir():
        if path.is_file() and path not in before:
            path.unlink()
    for path, data in before.items():
        path.write_bytes(data)
    assert not leftovers
