import numba
import numpy as np
import pytest
from scipy import stats

from stochgen._kernels.metropolis import chain_kernel, draw_noise
from stochgen.exceptions import ConvergenceWarning, StochgenWarning, ValidationError
from stochgen.samplers.diagnostics import mcse
from stochgen.samplers.metropolis import MetropolisHastings
from tests.reference.metropolis import run_chains

DIM = 3
RHO = 0.9
COV = RHO ** np.abs(np.subtract.outer(np.arange(DIM), np.arange(DIM)))
PREC = np.linalg.inv(COV)


@numba.njit
def ar1_logpdf(x):
    return -0.5 * (x @ PREC @ x)


PY_LOGPDF = getattr(ar1_logpdf, "py_func", ar1_logpdf)


def ar1_batch(x):
    return -0.5 * np.einsum("ci,ij,cj->c", x, PREC, x)


def _state(chains, kind, seed, cov=1.5 * COV):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, (chains, DIM))
    center = np.full((chains, DIM), 0.3)
    chol = np.ascontiguousarray(np.broadcast_to(np.linalg.cholesky(cov), (chains, DIM, DIM)))
    lq = np.array([-0.5 * np.sum(np.linalg.solve(chol[0], xc - center[0]) ** 2) for xc in x])
    return [
        x,
        np.array([PY_LOGPDF(xc) for xc in x]),
        lq if kind == 2 else np.zeros(chains),
        chol,
        np.full(chains, np.log(0.8)),
        np.zeros((chains, DIM)),
        np.zeros((chains, DIM, DIM)),
        np.zeros(chains, dtype=np.int64),
        np.zeros(chains, dtype=np.int64),
        center,
    ]


def _generators(seed, chains):
    return [np.random.default_rng([seed, c]) for c in range(chains)]


@pytest.mark.parametrize(("kind", "cov"), [(0, 1.5 * COV), (0, np.diag([0.5, 1.0, 2.0])),
                                          (1, 1.5 * COV), (2, 1.5 * COV)])  # fmt: skip
def test_kernel_matches_numpy_reference(kind, cov):
    chains, steps, warmup, thin = 3, 400, 240, 2
    # The kernel draws from these generators step by step; the reference is
    # given the same streams pre-drawn in chunks, as the lockstep runner does.
    gen_z, gen_u = (
        numba.typed.List(_generators(kind, chains)),
        numba.typed.List(_generators(kind + 10, chains)),
    )
    ref_z, ref_u = _generators(kind, chains), _generators(kind + 10, chains)
    settings = [warmup, kind, 40, 50, thin]
    kernel_state = _state(chains, kind, 1, cov)
    ref_state = [a.copy() for a in kernel_state]
    n_out = (steps - warmup) // thin
    out_k = np.zeros((chains, n_out, DIM))
    out_r = np.zeros((chains, n_out, DIM))
    # Two chunks, as the sampler runs them, to exercise the carried state.
    for t0, t1 in ((0, 250), (250, steps)):
        chain_kernel(ar1_logpdf)(*kernel_state, gen_z, gen_u, t0, t1 - t0, *settings, out_k)
        zc = np.stack([g.standard_normal((t1 - t0, DIM)) for g in ref_z])
        uc = np.stack([g.random(t1 - t0) for g in ref_u])
        run_chains(PY_LOGPDF, *ref_state, zc, uc, t0, *settings, out_r)
    np.testing.assert_allclose(out_k, out_r, rtol=1e-12, atol=1e-14)
    for a, b in zip(kernel_state, ref_state, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    assert kernel_state[8].sum() > 0  # some proposals accepted after warm-up
    if kind == 1:
        assert kernel_state[7].min() > 0  # the covariance adapted


def test_draw_noise_equals_numpy_streams():
    z, u = np.empty((3, 7, 4)), np.empty((3, 7))
    draw_noise(numba.typed.List(_generators(0, 3)), numba.typed.List(_generators(1, 3)), z, u)
    np.testing.assert_array_equal(z, [g.standard_normal((7, 4)) for g in _generators(0, 3)])
    np.testing.assert_array_equal(u, [g.random(7) for g in _generators(1, 3)])


@pytest.mark.parametrize("proposal", ["rw", "adaptive", "independence"])
def test_vectorized_path_equals_kernel_path(proposal):
    kwargs = {"proposal": proposal, "chains": 3, "step_size": 0.9}
    if proposal == "independence":
        kwargs.update(proposal_mean=np.zeros(DIM), proposal_cov=1.5 * COV)
    a = MetropolisHastings(ar1_logpdf, DIM, **kwargs).sample(600, warmup=500, seed=3)
    b = MetropolisHastings(ar1_batch, DIM, vectorized=True, **kwargs).sample(
        600, warmup=500, seed=3
    )
    # Values are O(1); einsum and the kernel sum in different orders.
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(a.acceptance_rate, b.acceptance_rate)


def test_determinism_across_runs_chain_counts_and_lengths():
    sampler = MetropolisHastings(ar1_logpdf, DIM, chains=4)
    a = sampler.sample(300, warmup=200, seed=11).draws
    b = sampler.sample(300, warmup=200, seed=11).draws
    np.testing.assert_array_equal(a, b)
    two = MetropolisHastings(ar1_logpdf, DIM, chains=2).sample(300, warmup=200, seed=11).draws
    np.testing.assert_array_equal(a[:2], two)
    shorter = sampler.sample(100, warmup=200, seed=11).draws
    np.testing.assert_array_equal(a[:, :100], shorter)
    other = sampler.sample(300, warmup=200, seed=12).draws
    assert not np.allclose(a, other)
    # Chains are distinct streams, not copies.
    assert not np.allclose(a[0], a[1])


@pytest.fixture(scope="module")
def adaptive_result():
    sampler = MetropolisHastings(ar1_logpdf, DIM, proposal="adaptive", chains=4)
    return sampler.sample(6000, warmup=3000, seed=2024)


def test_adaptive_matches_target_moments(adaptive_result):
    draws = adaptive_result.draws
    flat = draws.reshape(-1, DIM)
    assert np.all(adaptive_result.rhat < 1.01)
    err = mcse(draws)
    assert np.all(np.abs(flat.mean(axis=0)) < 4 * err)
    for i in range(DIM):
        for j in range(i, DIM):
            prod = draws[:, :, i] * draws[:, :, j]
            tol = 4 * mcse(prod)[0] + 4 * err[i] * err[j]
            assert abs(prod.mean() - COV[i, j]) < tol, (i, j)
    rate = adaptive_result.acceptance_rate
    assert np.all((rate > 0.15) & (rate < 0.4))


def test_adaptive_marginals_pass_ks(adaptive_result):
    draws = adaptive_result.draws
    ess = adaptive_result.ess
    step = int(np.ceil(draws.shape[1] * draws.shape[0] / ess.min()))
    for j in range(DIM):
        thinned = draws[:, ::step, j].ravel()
        assert stats.kstest(thinned, stats.norm.cdf).pvalue > 1e-3


def test_summary_and_acceptance(adaptive_result):
    table = adaptive_result.summary()
    assert list(table.index) == ["x0", "x1", "x2"]
    assert np.all(table["ess"] > 500)
    assert adaptive_result.acceptance_rate.shape == (4,)
    assert "chains=4" in repr(adaptive_result)


def test_random_walk_and_independence_sample_the_target():
    rw = MetropolisHastings(
        ar1_logpdf, DIM, proposal="rw", chains=4, proposal_cov=COV, step_size=1.4
    ).sample(5000, warmup=1000, seed=5)
    ind = MetropolisHastings(
        ar1_logpdf, DIM, proposal="independence", chains=4,
        proposal_mean=np.zeros(DIM), proposal_cov=1.5 * COV,
    ).sample(3000, warmup=200, seed=5)  # fmt: skip
    for res in (rw, ind):
        assert np.all(res.rhat < 1.01)
        flat = res.draws.reshape(-1, DIM)
        assert np.all(np.abs(flat.mean(axis=0)) < 4 * res.mcse)
        np.testing.assert_allclose(np.cov(flat.T), COV, atol=0.1)
    assert ind.acceptance_rate.mean() > 0.5


def test_thinning_keeps_every_kth_step():
    full = MetropolisHastings(ar1_logpdf, DIM, chains=2).sample(400, warmup=100, seed=1)
    thin = MetropolisHastings(ar1_logpdf, DIM, chains=2, thin=4).sample(100, warmup=100, seed=1)
    np.testing.assert_array_equal(thin.draws, full.draws[:, 3::4])


def test_initial_points_are_used_and_checked():
    start = np.array([1.0, -1.0, 0.5])
    res = MetropolisHastings(ar1_logpdf, DIM, chains=2, initial=start, proposal="rw").sample(
        0, warmup=0, seed=0
    )
    assert res.draws.shape == (2, 0, DIM)

    @numba.njit
    def half_space(x):
        return -0.5 * np.sum(x * x) if x[0] > 0 else -np.inf

    with pytest.raises(ValidationError, match="initial: the log-density is -inf"):
        MetropolisHastings(half_space, 2, initial=[-1.0, 0.0]).sample(10, seed=0)
    res = MetropolisHastings(half_space, 2, chains=2, proposal="rw").sample(200, warmup=50, seed=0)
    assert np.all(res.draws[:, :, 0] > 0)


def test_errors_are_clear():
    if not numba.config.DISABLE_JIT:
        with pytest.raises(TypeError, match="numba-jitted"):
            MetropolisHastings(lambda x: -0.5 * x @ x, 2).sample(10, seed=0)
    with pytest.raises(ValidationError, match="proposal must be one of"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="nuts").sample(10, seed=0)
    with pytest.raises(ValidationError, match="needs proposal_mean and proposal_cov"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="independence").sample(10, seed=0)
    with pytest.raises(ValidationError, match="exceeds max_steps=50"):
        MetropolisHastings(ar1_logpdf, DIM, max_steps=50).sample(10, warmup=100, seed=0)
    with pytest.raises(ValidationError, match="positive definite"):
        MetropolisHastings(ar1_logpdf, DIM, proposal_cov=-np.eye(DIM)).sample(10, seed=0)
    with pytest.raises(ValidationError, match=r"must map a \(8, 3\) batch"):
        MetropolisHastings(lambda x: x, DIM, vectorized=True).sample(10, seed=0)
    with pytest.raises(ValidationError, match="no starting point"):
        MetropolisHastings(lambda x: np.full(len(x), -np.inf), 2, vectorized=True).sample(
            10, seed=0
        )


def test_max_time_stops_with_warning():
    sampler = MetropolisHastings(ar1_batch, DIM, vectorized=True, chains=2, max_time=1e-6)
    with pytest.warns(ConvergenceWarning, match="max_time"):
        res = sampler.sample(20_000, warmup=0, seed=0)
    assert res.draws.shape == (2, 4096, DIM)


def test_short_chains_warn_and_do_not_crash():
    res = MetropolisHastings(ar1_logpdf, DIM, chains=2).sample(30, warmup=10, seed=0)
    with pytest.warns(StochgenWarning, match="too short to trust"):
        ess = res.ess
    assert ess.shape == (DIM,)
    tiny = MetropolisHastings(ar1_logpdf, DIM, chains=2).sample(2, warmup=10, seed=0)
    with pytest.warns(StochgenWarning, match="too short"):
        table = tiny.summary()
    assert table["rhat"].isna().all()


def test_plots_draw_with_matplotlib(adaptive_result):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = adaptive_result.plot_trace()
    assert len(fig.axes) == DIM
    fig2 = adaptive_result.plot_autocorr(max_lag=20)
    assert len(fig2.axes[0].lines) == 4 + 1
    plt.close("all")
