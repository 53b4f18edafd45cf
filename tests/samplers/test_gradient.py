import numba
import numpy as np
import pytest

from stochgen._kernels.hmc import gradient_kernel
from stochgen.exceptions import ValidationError
from stochgen.samplers.gradient import GradientError, check_gradient
from stochgen.samplers.metropolis import MetropolisHastings
from tests.reference.hmc import run_chains

DIM = 3
SD = np.array([1.0, 2.0, 0.5])
COV = 0.5 ** np.abs(np.subtract.outer(np.arange(DIM), np.arange(DIM))) * np.outer(SD, SD)
PREC = np.linalg.inv(COV)


@numba.njit
def gauss_logpdf(x):
    return -0.5 * (x @ PREC @ x)


@numba.njit
def gauss_grad(x):
    return -(PREC @ x)


def gauss_batch(x):
    return -0.5 * np.einsum("ci,ij,cj->c", x, PREC, x)


def gauss_batch_grad(x):
    return -(x @ PREC)


def _gens(seed, n):
    return [np.random.default_rng([seed, c]) for c in range(n)]


@pytest.mark.parametrize("mala", [False, True])
def test_kernel_matches_numpy_reference(mala):
    chains, steps, warmup, thin = 3, 120, 80, 1
    rng = np.random.default_rng(4)
    x = rng.standard_normal((chains, DIM))
    lp = np.array([gauss_logpdf(v) for v in x])
    g = np.array([gauss_grad(v) for v in x])
    da = np.zeros((chains, 5))
    da[:, :2] = np.log(0.4)
    da[:, 4] = np.log(4.0)
    zeros = np.zeros((chains, DIM))
    counts = np.zeros(chains, np.int64)
    state = [x, lp, g, da, np.ones((chains, DIM)), zeros, zeros.copy(), counts, counts.copy()]
    ref = [a.copy() for a in state]
    out_k = np.zeros((chains, steps - warmup, DIM))
    out_r = out_k.copy()
    run = gradient_kernel(gauss_logpdf, gauss_grad)
    kz, ku = numba.typed.List(_gens(1, chains)), numba.typed.List(_gens(2, chains))
    rz, ru = _gens(1, chains), _gens(2, chains)
    target = 0.574 if mala else 0.8
    for t0, t1 in ((0, 70), (70, steps)):
        run(*state, kz, ku, t0, t1 - t0, warmup, target, 1.5, mala, thin, out_k)
        py_logpdf = getattr(gauss_logpdf, "py_func", gauss_logpdf)  # plain with the JIT off
        py_grad = getattr(gauss_grad, "py_func", gauss_grad)
        run_chains(py_logpdf, py_grad, *ref, rz, ru, t0, t1 - t0, warmup,
                   target, 1.5, mala, thin, out_r)  # fmt: skip
    np.testing.assert_allclose(out_k, out_r, rtol=1e-12, atol=1e-14)
    for a, b in zip(state, ref, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert not np.allclose(state[4], 1.0)  # the mass matrix was adapted


@pytest.mark.parametrize("proposal", ["hmc", "mala"])
def test_draws_match_target(proposal):
    res = MetropolisHastings(gauss_logpdf, DIM, proposal=proposal, grad_logpdf=gauss_grad,
                             progress=False).sample(3000, warmup=1000, seed=5)  # fmt: skip
    assert np.all(res.rhat < 1.01)
    flat = res.draws.reshape(-1, DIM)
    assert np.all(np.abs(flat.mean(axis=0)) < 4 * res.mcse * 1.0 * SD / SD)
    np.testing.assert_allclose(flat.std(axis=0), SD, rtol=0.06)
    target = 0.8 if proposal == "hmc" else 0.574
    assert abs(res.acceptance_rate.mean() - target) < 0.1


@numba.njit
def diag_logpdf(x):
    return -0.5 * np.sum((x / SD) ** 2)


@numba.njit
def diag_grad(x):
    return -x / SD**2


def test_numpy_path_equals_numba_path():
    # A target whose point and batch functions round alike (a matrix product
    # would not), so that the two paths agree to the last bits.
    kw = {"proposal": "hmc", "chains": 4, "progress": False}
    a = MetropolisHastings(diag_logpdf, DIM, grad_logpdf=diag_grad, **kw).sample(
        200, warmup=100, seed=8
    )
    b = MetropolisHastings(
        lambda x: -0.5 * np.sum((x / SD) ** 2, axis=1), DIM, grad_logpdf=lambda x: -x / SD**2,
        vectorized=True, **kw,
    ).sample(200, warmup=100, seed=8)  # fmt: skip
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-9, atol=1e-12)


def test_wrong_gradient_raises_naming_the_dimension():
    def wrong(x):
        out = -(x @ PREC)
        out[:, 2] *= 1.5
        return out

    sampler = MetropolisHastings(gauss_batch, DIM, proposal="hmc", grad_logpdf=wrong,
                                 vectorized=True, progress=False)  # fmt: skip
    with pytest.raises(GradientError, match="in dimension 2 "):
        sampler.sample(10, seed=0)
    # The check can be turned off (the run then samples the wrong law, silently).
    sampler.set_params(check_gradient=False).sample(5, warmup=5, seed=0)
    with pytest.raises(ValidationError, match="needs grad_logpdf"):
        MetropolisHastings(gauss_batch, DIM, proposal="mala", vectorized=True,
                           progress=False).sample(10, seed=0)  # fmt: skip
    with pytest.raises(ValidationError, match="grad_logpdf must map"):
        check_gradient(gauss_batch, gauss_batch, np.ones((2, DIM)))


def test_auto_uses_the_gradient():
    res = MetropolisHastings(gauss_logpdf, DIM, proposal="auto", grad_logpdf=gauss_grad,
                             progress=False).sample(50, warmup=50, seed=0)  # fmt: skip
    assert res.proposal == "hmc"
