import warnings

import numba
import numpy as np
import pytest
from scipy import stats

from stochgen._kernels import mixture as kernels
from stochgen.exceptions import ConvergenceWarning, ValidationError
from stochgen.samplers.metropolis import MetropolisHastings
from stochgen.samplers.mixture import MIN_WARMUP, fit_mixture, proposal_arrays
from tests.reference import mixture as ref

DIM = 3
COV = 0.9 ** np.abs(np.subtract.outer(np.arange(DIM), np.arange(DIM)))
PREC = np.linalg.inv(COV)


# The same function as the other MCMC tests, so its kernels compile once per session.
@numba.njit
def ar1_logpdf(x):
    return -0.5 * (x @ PREC @ x)


def ar1_batch(x):
    return -0.5 * np.einsum("ci,ij,cj->c", x, PREC, x)


@numba.njit
def banana_logpdf(x):
    return -(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2) / 20.0


@numba.njit
def gamma_logpdf(x):
    out = 0.0
    for i in range(x.shape[0]):
        if x[i] <= 0.0:
            return -np.inf
        out += 2.0 * np.log(x[i]) - x[i]
    return out


def _gens(seed, n):
    return [np.random.default_rng([seed, c]) for c in range(n)]


def _arrays(rng, k, d):
    """A proposal of k random components in d dimensions, as the kernels take it."""
    means = rng.normal(0, 2, (k, d))
    a = rng.normal(size=(k, d, d))
    covs = a @ np.swapaxes(a, 1, 2) + 0.5 * np.eye(d)
    weights = rng.dirichlet(np.ones(k))
    return proposal_arrays((weights, means, covs))


KEYS = ("means", "chols", "cum_w", "log_c", "scales", "cum_v", "log_v")


@pytest.mark.parametrize("k", [1, 3])
def test_log_density_matches_scipy(k):
    rng = np.random.default_rng(k)
    arr = _arrays(rng, k, DIM)
    pts = rng.normal(0, 3, (50, DIM))
    got = kernels.log_density_all(pts, *(arr[n] for n in ("means", "chols", "log_c", "scales",
                                                          "log_v")))  # fmt: skip
    want = [ref.log_density(p, *(arr[n] for n in ("means", "chols", "log_c", "scales", "log_v")))
            for p in pts]  # fmt: skip
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # ... and the mixture is a density: it is that of scipy's components, less d/2 log 2 pi.
    weights = np.diff(np.concatenate([[0.0], arr["cum_w"]]))
    v = np.diff(np.concatenate([[0.0], arr["cum_v"]]))
    covs = arr["chols"] @ np.swapaxes(arr["chols"], 1, 2)
    dens = sum(weights[i] * v[j] * stats.multivariate_normal(arr["means"][i], s * covs[i]).pdf(pts)
               for i in range(k) for j, s in enumerate(arr["scales"]))  # fmt: skip
    np.testing.assert_allclose(np.exp(got - 0.5 * DIM * np.log(2 * np.pi)), dens, rtol=1e-10)


def test_chain_kernel_matches_numpy_reference():
    chains, steps, d = 4, 40, DIM
    rng = np.random.default_rng(0)
    arr = _arrays(rng, 3, d)
    x = rng.normal(size=(chains, d))
    lp = np.array([ar1_logpdf(p) for p in x])
    lq = kernels.log_density_all(x, *(arr[n] for n in ("means", "chols", "log_c", "scales",
                                                        "log_v")))  # fmt: skip
    x_r, lp_r, lq_r = x.copy(), lp.copy(), lq.copy()
    acc_k, acc_r = np.zeros(chains, np.int64), np.zeros(chains, np.int64)
    out_k, props_k = np.zeros((chains, 15, d)), np.zeros((chains, 15, d))
    lw_k = np.zeros((chains, 15))
    out_r, props_r, lw_r = out_k.copy(), props_k.copy(), lw_k.copy()
    run = kernels.chain_kernel(ar1_logpdf)
    gens_z, gens_u = numba.typed.List(_gens(1, chains)), numba.typed.List(_gens(2, chains))
    run(x, lp, lq, *(arr[n] for n in KEYS), gens_z, gens_u, 0, steps, 10, 10, 2, acc_k, out_k,
        props_k, lw_k)  # fmt: skip
    noise = ref.draw_noise(_gens(1, chains), _gens(2, chains), steps, d)
    py_logpdf = getattr(ar1_logpdf, "py_func", ar1_logpdf)
    ref.run_chains(py_logpdf, x_r, lp_r, lq_r, *(arr[n] for n in KEYS), noise, 0, 10, 10, 2,
                   acc_r, out_r, props_r, lw_r)  # fmt: skip
    np.testing.assert_allclose(out_k, out_r, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(props_k, props_r, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(lw_k, lw_r, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(acc_k, acc_r)
    assert 0 < acc_k.sum() < chains * 30


def test_em_steps_match_numpy_reference():
    rng = np.random.default_rng(3)
    pts = rng.normal(size=(200, DIM))
    point_w = rng.uniform(0.1, 2.0, 200)
    arr = _arrays(rng, 3, DIM)
    resp_k, resp_r = np.empty((200, 3)), np.empty((200, 3))
    args = (arr["means"], arr["chols"], arr["log_c"])
    ll_k = kernels.e_step(pts, point_w, *args, resp_k)
    ll_r = ref.e_step(pts, point_w, *args, resp_r)
    np.testing.assert_allclose(resp_k, resp_r, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ll_k, ll_r, rtol=1e-12)
    m_k, m_r = np.empty((3, DIM)), np.empty((3, DIM))
    c_k, c_r = np.empty((3, DIM, DIM)), np.empty((3, DIM, DIM))
    w_k = kernels.m_step(pts, point_w, resp_k, 1e-6, m_k, c_k)
    w_r = ref.m_step(pts, point_w, resp_r, 1e-6, m_r, c_r)
    np.testing.assert_allclose(w_k, w_r, rtol=1e-12)
    np.testing.assert_allclose(m_k, m_r, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(c_k, c_r, rtol=1e-10, atol=1e-14)


def test_fit_recovers_a_known_mixture():
    rng = np.random.default_rng(7)
    n = 6000
    comp = rng.random(n) < 0.3
    pts = np.where(comp[:, None], rng.normal([-4.0, 0.0], [1.0, 0.5], (n, 2)),
                   rng.normal([3.0, 2.0], [0.5, 2.0], (n, 2)))  # fmt: skip
    weights, means, covs = fit_mixture(pts, rng)
    assert len(weights) == 2  # BIC stops at the right number
    order = np.argsort(means[:, 0])
    # Standard errors at n = 6000 are about 0.01-0.03: tolerances of several of them.
    np.testing.assert_allclose(weights[order], [0.3, 0.7], atol=0.02)
    np.testing.assert_allclose(means[order], [[-4.0, 0.0], [3.0, 2.0]], atol=0.1)
    np.testing.assert_allclose(np.sqrt(np.diagonal(covs[order], axis1=1, axis2=2)),
                               [[1.0, 0.5], [0.5, 2.0]], rtol=0.05)  # fmt: skip
    # One Gaussian stays one component.
    assert len(fit_mixture(rng.normal(size=(4000, 3)), rng)[0]) == 1


def test_weighted_fit_equals_the_fit_to_repeated_points():
    # Integer weights are the same as repeating the points: EM's fixed point is the same.
    rng = np.random.default_rng(8)
    pts = rng.normal(size=(500, 2)) * [1.0, 3.0]
    counts = rng.integers(1, 4, 500)
    _, m_w, c_w = fit_mixture(pts, rng, weights=counts.astype(float),
                              start=(np.ones(1), np.zeros((1, 2)), np.eye(2)[None]))  # fmt: skip
    rep = np.repeat(pts, counts, axis=0)
    np.testing.assert_allclose(m_w[0], rep.mean(axis=0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(c_w[0], np.cov(rep.T, bias=True), rtol=1e-5)


def test_fit_refuses_too_few_or_constant_points():
    rng = np.random.default_rng(0)
    with pytest.raises(ValidationError, match="needs more than 4 points"):
        fit_mixture(rng.normal(size=(4, 3)), rng)
    with pytest.raises(ValidationError, match="needs more than 3 points"):
        fit_mixture(rng.normal(size=(50, 2)), rng, weights=np.zeros(50))
    with pytest.raises(ValidationError, match="do not vary"):
        fit_mixture(np.ones((50, 2)), rng)


def test_numpy_path_equals_numba_path():
    kw = {"proposal": "mixture", "progress": False}
    a = MetropolisHastings(ar1_logpdf, DIM, **kw).sample(300, warmup=200, seed=3)
    b = MetropolisHastings(ar1_batch, DIM, vectorized=True, **kw).sample(300, warmup=200, seed=3)
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(a.acceptance_rate, b.acceptance_rate)
    assert a.proposal == "mixture" and a.draws.shape == (32, 300, DIM)


def test_draws_match_a_correlated_gaussian():
    res = MetropolisHastings(ar1_logpdf, DIM, proposal="mixture", progress=False).sample(
        4000, warmup=2000, seed=11
    )
    assert np.all(res.rhat < 1.01)
    assert res.acceptance_rate.mean() > 0.5  # a fitted Gaussian proposal for a Gaussian
    flat = res.draws.reshape(-1, DIM)
    assert np.all(np.abs(flat.mean(axis=0)) < 4 * res.mcse)
    np.testing.assert_allclose(np.cov(flat.T), COV, atol=0.03)
    step = int(np.ceil(flat.shape[0] / res.ess.min()))
    for j in range(DIM):
        assert stats.kstest(res.draws[:, ::step, j].ravel(), "norm").pvalue > 1e-3


def test_draws_match_the_banana():
    # x ~ N(1, 10); y | x ~ N(x^2, 0.1): a curved ridge a random walk crawls along.
    res = MetropolisHastings(banana_logpdf, 2, proposal="mixture", progress=False).sample(
        20_000, warmup=8000, seed=2
    )
    assert np.all(res.rhat < 1.01)
    step = int(np.ceil(res.draws[..., 0].size / res.ess.min()))
    x = res.draws[:, ::step, 0].ravel()
    y = res.draws[:, ::step, 1].ravel()
    assert x.size > 2000
    assert stats.kstest(x, stats.norm(1.0, np.sqrt(10.0)).cdf).pvalue > 1e-3
    assert stats.kstest((y - x**2) / np.sqrt(0.1), "norm").pvalue > 1e-3


def test_independence_steps_keep_the_target_exactly():
    # Points drawn exactly from the target stay so after steps with a fixed proposal
    # (here deliberately unlike the target: shifted, and too narrow in one direction).
    rng = np.random.default_rng(5)
    arr = proposal_arrays((np.array([0.6, 0.4]), np.array([[2.0, 2.0], [4.0, 3.0]]),
                           np.array([np.diag([1.0, 0.3]), np.eye(2)])))  # fmt: skip
    chains = 4000
    x = rng.gamma(3.0, size=(chains, 2))
    lp = np.array([gamma_logpdf(p) for p in x])
    lq = kernels.log_density_all(x, *(arr[n] for n in ("means", "chols", "log_c", "scales",
                                                        "log_v")))  # fmt: skip
    run = kernels.chain_kernel(gamma_logpdf)
    acc = np.zeros(chains, np.int64)
    none, no_w = np.zeros((chains, 0, 2)), np.zeros((chains, 0))
    gens_z, gens_u = numba.typed.List(_gens(3, chains)), numba.typed.List(_gens(4, chains))
    run(x, lp, lq, *(arr[n] for n in KEYS), gens_z, gens_u, 0, 3, 0, 0, 1, acc, none, none, no_w)
    assert acc.sum() > chains  # the chains do move
    for j in range(2):
        assert stats.kstest(x[:, j], stats.gamma(3.0).cdf).pvalue > 1e-3


@numba.njit
def two_modes(x):
    a = np.sum((x - 4.0) ** 2)
    b = np.sum((x + 4.0) ** 2)
    return np.logaddexp(-0.5 * a, -0.5 * b)


def test_separated_modes_are_both_visited():
    res = MetropolisHastings(two_modes, 2, proposal="mixture", progress=False).sample(
        3000, warmup=1000, seed=2
    )
    upper = res.draws[..., 0] > 0
    assert np.all(upper.any(axis=1) & (~upper).any(axis=1))  # every chain jumps
    assert abs(upper.mean() - 0.5) < 0.02
    assert np.all(res.rhat < 1.01)


def test_resume_equals_one_long_run():
    sampler = MetropolisHastings(ar1_logpdf, DIM, proposal="mixture", progress=False)
    long = sampler.sample(500, warmup=400, seed=4)
    first = sampler.sample(200, warmup=400, seed=4)
    rest = sampler.sample(300, warmup=0, initial_state=first.last_state)
    np.testing.assert_array_equal(np.concatenate([first.draws, rest.draws], axis=1), long.draws)
    assert set(first.last_state.tuning) == set(KEYS)


def test_low_acceptance_warns():
    sampler = MetropolisHastings(ar1_logpdf, DIM, proposal="mixture", progress=False)
    state = sampler.sample(50, warmup=200, seed=0).last_state
    state.tuning["means"][:] += 30.0  # a proposal far from the mass
    with pytest.warns(ConvergenceWarning, match="accepted 0.0% of its proposals"):
        sampler.sample(200, warmup=0, initial_state=state)


def test_settings_are_checked():
    with pytest.raises(ValidationError, match=f"needs warmup >= {MIN_WARMUP}; got 50"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="mixture", progress=False).sample(
            10, warmup=50, seed=0
        )
    with pytest.raises(ValidationError, match="chains=7"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="mixture", chains=7,
                           progress=False).sample(10, warmup=200, seed=0)  # fmt: skip

    # A log-density that never moves the walkers: the fit says so.
    @numba.njit
    def spike(x):
        return 0.0 if np.all(np.abs(x - 1.0) < 1e-300) else -np.inf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValidationError, match="do not vary"):
            MetropolisHastings(spike, 2, proposal="mixture", initial=np.ones(2),
                               progress=False).sample(10, warmup=200, seed=0)  # fmt: skip


def test_auto_picks_the_mixture_where_it_wins():
    # Modes 11 standard deviations apart: random-walk chains never cross (their split-chain
    # ESS is a handful), the ensemble crosses now and then, the mixture at most steps; the
    # pilot's choice is timed, but the gap is orders of magnitude.
    res = MetropolisHastings(two_modes, 2, proposal="auto", progress=False).sample(
        1000, warmup=1000, seed=1
    )
    assert res.proposal == "mixture"


def test_time_cap_before_the_first_fit():
    # Stopped inside the ensemble phase: no mixture yet, so none in the state; a resumed
    # run then fits one in its own warm-up.
    sampler = MetropolisHastings(ar1_logpdf, DIM, proposal="mixture", progress=False,
                                 max_time=1e-9)  # fmt: skip
    with pytest.warns(ConvergenceWarning, match="max_time"):
        res = sampler.sample(100, warmup=20_000, seed=0)
    assert res.n_draws == 0 and "means" not in res.last_state.tuning
    more = sampler.set_params(max_time=None).sample(
        200, warmup=400, initial_state=res.last_state, seed=1
    )
    assert set(more.last_state.tuning) == set(KEYS) and np.all(more.rhat < 1.05)
