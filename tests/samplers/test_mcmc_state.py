import builtins
import warnings

import numba
import numpy as np
import pytest

from stochgen.exceptions import ValidationError
from stochgen.samplers.metropolis import MetropolisHastings
from stochgen.samplers.schedule import run_chunks

DIM = 3
COV = 0.9 ** np.abs(np.subtract.outer(np.arange(DIM), np.arange(DIM)))
PREC = np.linalg.inv(COV)


# The same functions as the other MCMC tests, so the kernels compile once per session.
@numba.njit
def ar1_logpdf(x):
    return -0.5 * (x @ PREC @ x)


@numba.njit
def gauss_logpdf(x):
    return -0.5 * (x @ PREC @ x)


@numba.njit
def gauss_grad(x):
    return -(PREC @ x)


@pytest.mark.parametrize(
    ("proposal", "extra"),
    [("adaptive", {}), ("ensemble", {}), ("mixture", {}), ("hmc", {"grad_logpdf": gauss_grad})],
)
def test_resume_equals_one_long_run(proposal, extra):
    fn = gauss_logpdf if extra else ar1_logpdf
    sampler = MetropolisHastings(fn, DIM, proposal=proposal, progress=False, **extra)
    long = sampler.sample(500, warmup=300, seed=4)
    first = sampler.sample(200, warmup=300, seed=4)
    rest = sampler.sample(300, warmup=0, initial_state=first.last_state)
    np.testing.assert_array_equal(np.concatenate([first.draws, rest.draws], axis=1), long.draws)
    np.testing.assert_array_equal(rest.last_state.x, long.last_state.x)
    # A new seed continues from the same positions and tuning with fresh streams.
    other = sampler.sample(300, warmup=0, seed=9, initial_state=first.last_state)
    assert not np.array_equal(other.draws, rest.draws)


def test_resume_checks_the_state():
    sampler = MetropolisHastings(ar1_logpdf, DIM, proposal="adaptive", progress=False)
    state = sampler.sample(20, warmup=20, seed=0).last_state
    with pytest.raises(ValidationError, match="initial_state comes from proposal='adaptive'"):
        sampler.set_params(proposal="rw").sample(10, initial_state=state)
    with pytest.raises(TypeError, match="initial_state must be an MCMCState"):
        sampler.sample(10, initial_state={"x": 1})


def test_single_adaptive_chain():
    # Regression: chains=1 made the proposal factor a read-only view (numba TypingError).
    res = MetropolisHastings(ar1_logpdf, DIM, chains=1, progress=False).sample(
        4000, warmup=2000, seed=1
    )
    assert res.draws.shape == (1, 4000, DIM)
    assert 0.1 < res.acceptance_rate[0] < 0.5


def test_to_arviz():
    with warnings.catch_warnings():
        # arviz announces its refactor with a FutureWarning on import.
        warnings.simplefilter("ignore", FutureWarning)
        az = pytest.importorskip("arviz")
    res = MetropolisHastings(ar1_logpdf, DIM, chains=4, progress=False).sample(
        2000, warmup=1000, seed=2
    )
    data = res.to_arviz()
    assert isinstance(data, az.InferenceData)
    assert data.posterior["x"].shape == (4, 2000, DIM)
    np.testing.assert_allclose(az.ess(data, method="mean")["x"].values, res.ess, rtol=1e-6)


def test_progress_is_silent_when_off_and_without_tqdm(capsys, monkeypatch):
    MetropolisHastings(ar1_logpdf, DIM, chains=2, progress=False).sample(50, warmup=50, seed=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError("no tqdm")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    res = MetropolisHastings(ar1_logpdf, DIM, chains=2, progress=True).sample(50, warmup=50, seed=0)
    assert res.draws.shape == (2, 50, DIM)


def test_progress_bar_with_tqdm(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    from stochgen import _progress

    monkeypatch.setattr(_progress, "DELAY_SECONDS", 0.0)  # shown at once, not after a second
    run_chunks(lambda t0, k: None, 10, chunk=5, max_time=None, progress=True, label="bar")
    assert "bar" in capsys.readouterr().err


def test_max_time_stops_every_engine():
    engines = (("ensemble", {}), ("mixture", {}), ("hmc", {"grad_logpdf": gauss_grad}))
    for proposal, extra in engines:
        fn = gauss_logpdf if extra else ar1_logpdf
        sampler = MetropolisHastings(fn, DIM, proposal=proposal, progress=False,
                                     max_time=1e-9, **extra)  # fmt: skip
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = sampler.sample(100_000, warmup=200, seed=0)
        assert any("max_time" in str(w.message) for w in caught)
        assert res.n_draws < 100_000


def test_auto_runs_a_pilot_and_reports_its_choice():
    res = MetropolisHastings(ar1_logpdf, DIM, proposal="auto", progress=False).sample(
        2000, warmup=1000, seed=3
    )
    assert res.proposal in ("adaptive", "ensemble", "mixture")
    assert res.last_state.proposal == res.proposal
    assert np.all(res.rhat < 1.02)


def test_auto_keeps_to_proposals_the_chains_allow():
    # 3 chains cannot form an ensemble, so the pilot only tries the random walk.
    res = MetropolisHastings(ar1_logpdf, DIM, proposal="auto", chains=3, progress=False).sample(
        200, warmup=200, seed=0
    )
    assert res.proposal == "adaptive"
