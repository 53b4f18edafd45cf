import numba
import numpy as np
import pytest
from scipy import stats

from stochgen._kernels.ensemble import ensemble_kernel
from stochgen.exceptions import ValidationError
from stochgen.samplers.ensemble import move_probabilities
from stochgen.samplers.metropolis import MetropolisHastings
from tests.reference.ensemble import run_ensemble

DIM = 3
COV = 0.9 ** np.abs(np.subtract.outer(np.arange(DIM), np.arange(DIM)))
PREC = np.linalg.inv(COV)


@numba.njit
def ar1_logpdf(x):
    return -0.5 * (x @ PREC @ x)


def ar1_batch(x):
    return -0.5 * np.einsum("ci,ij,cj->c", x, PREC, x)


@numba.njit
def gamma_logpdf(x):
    # Product of gamma(3) densities on the positive orthant: skewed, bounded support.
    out = 0.0
    for i in range(x.shape[0]):
        if x[i] <= 0.0:
            return -np.inf
        out += 2.0 * np.log(x[i]) - x[i]
    return out


def _gens(seed, n):
    return [np.random.default_rng([seed, w]) for w in range(n)]


@pytest.mark.parametrize("moves", ["stretch", "walk", "de", "snooker", None])
def test_kernel_matches_numpy_reference(moves):
    walkers, steps, warmup, thin = 10, 60, 20, 2
    rng = np.random.default_rng(5)
    ens = rng.standard_normal((walkers, DIM))
    lp = np.array([ar1_logpdf(e) for e in ens])
    cum = move_probabilities(moves)
    ens_r, lp_r = ens.copy(), lp.copy()
    acc_k, acc_r = np.zeros(walkers, np.int64), np.zeros(walkers, np.int64)
    out_k = np.zeros((walkers, (steps - warmup) // thin, DIM))
    out_r = out_k.copy()
    gens_k = numba.typed.List(_gens(1, walkers))
    gens_r = _gens(1, walkers)
    run = ensemble_kernel(ar1_logpdf, False)
    for t0, t1 in ((0, 25), (25, steps)):
        run(ens, lp, gens_k, cum, acc_k, t0, t1 - t0, warmup, thin, out_k)
        py_logpdf = getattr(ar1_logpdf, "py_func", ar1_logpdf)  # plain with the JIT off
        run_ensemble(py_logpdf, ens_r, lp_r, gens_r, cum, acc_r, t0, t1 - t0, warmup,
                     thin, out_r)  # fmt: skip
    np.testing.assert_allclose(out_k, out_r, rtol=1e-12, atol=1e-14)
    np.testing.assert_array_equal(acc_k, acc_r)
    assert acc_k.sum() > 0


def test_numpy_path_equals_numba_path():
    kw = {"proposal": "ensemble", "chains": 12, "progress": False}
    a = MetropolisHastings(ar1_logpdf, DIM, **kw).sample(300, warmup=100, seed=3)
    b = MetropolisHastings(ar1_batch, DIM, vectorized=True, **kw).sample(300, warmup=100, seed=3)
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-10, atol=1e-12)
    np.testing.assert_array_equal(a.acceptance_rate, b.acceptance_rate)


def test_draws_match_target():
    # 32 walkers x 6000 draws of a correlated Gaussian, default move mixture.
    res = MetropolisHastings(ar1_logpdf, DIM, proposal="ensemble", progress=False).sample(
        6000, warmup=2000, seed=11
    )
    assert res.proposal == "ensemble"
    assert np.all(res.rhat < 1.01)
    flat = res.draws.reshape(-1, DIM)
    # Means within 4 MCSE of 0; variances within 10% (ESS in the thousands).
    assert np.all(np.abs(flat.mean(axis=0)) < 4 * res.mcse)
    np.testing.assert_allclose(flat.var(axis=0), 1.0, rtol=0.1)
    np.testing.assert_allclose(np.corrcoef(flat.T)[0, 1], 0.9, atol=0.02)
    # KS on each marginal, thinned to about one draw per autocorrelation time.
    step = int(np.ceil(flat.shape[0] / res.ess.min()))
    for j in range(DIM):
        thinned = res.draws[:, ::step, j].ravel()
        assert stats.kstest(thinned, "norm").pvalue > 1e-3


@pytest.mark.parametrize(
    ("moves", "dim"),
    [("stretch", 1), ("de", 1), ("walk", 1), ("snooker", 1), ("stretch", 3), ("snooker", 3)],
)
def test_moves_keep_the_target_exactly(moves, dim):
    # Exact invariance: walkers drawn exactly from the target stay exactly
    # distributed as the target after each step. Many independent ensembles of
    # 8 walkers take 3 steps each; walker 0's first coordinate is tested by KS
    # against gamma(3). The (d - 1) log z factors matter in 3-d only.
    reps, walkers = 4000, 8
    rng = np.random.default_rng(dim * 10 + len(moves))
    run = ensemble_kernel(gamma_logpdf, False)
    cum = move_probabilities(moves)
    gens = numba.typed.List(_gens(7, walkers))
    acc = np.zeros(walkers, np.int64)
    out = np.zeros((walkers, 1, dim))
    final = np.empty(reps)
    for r in range(reps):
        ens = rng.gamma(3.0, size=(walkers, dim))
        lp = np.array([gamma_logpdf(e) for e in ens])
        run(ens, lp, gens, cum, acc, 0, 3, 2, 1, out)
        final[r] = ens[0, 0]
    assert acc.sum() > reps  # the moves do move
    assert stats.kstest(final, stats.gamma(3.0).cdf).pvalue > 1e-3


def test_separated_modes_are_both_visited():
    m = 3.0

    def mixture(x):
        a = np.sum((x - m) ** 2, axis=1)
        b = np.sum((x + m) ** 2, axis=1)
        return np.logaddexp(-0.5 * a, -0.5 * b)

    res = MetropolisHastings(mixture, 2, proposal="ensemble", vectorized=True,
                             progress=False).sample(3000, warmup=1000, seed=2)  # fmt: skip
    upper = res.draws[..., 0] > 0
    # Every walker crosses between the modes (DE steps with g = 1 jump across).
    assert np.all(upper.any(axis=1) & (~upper).any(axis=1))
    assert abs(upper.mean() - 0.5) < 0.05


def test_ensemble_settings_are_checked():
    with pytest.raises(ValidationError, match="chains=7"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="ensemble", chains=7,
                           progress=False).sample(10, seed=0)  # fmt: skip
    with pytest.raises(ValidationError, match="chains=4"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="ensemble", chains=4,
                           progress=False).sample(10, seed=0)  # fmt: skip
    with pytest.raises(ValidationError, match="unknown move 'hop'"):
        MetropolisHastings(ar1_logpdf, DIM, proposal="ensemble", moves={"hop": 1.0},
                           progress=False).sample(10, seed=0)  # fmt: skip
    with pytest.raises(ValidationError, match="all weights are zero"):
        move_probabilities({"de": 0.0})
