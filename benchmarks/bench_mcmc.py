"""MCMC: ESS per second of stochgen.MetropolisHastings against emcee, side by side.

Targets:
- "AR(1) 10-d": Gaussian with correlation 0.9 ** |i - j|;
- "Rosenbrock 2-d": log p = -(100 (y - x^2)^2 + (1 - x)^2) / 20;
- "Gaussian 50-d": standard normal;
- "mixture 4-d": the hard target of our choice, an equal mixture of N(-m, I)
  and N(m, I) with m = (2.5, 2.5, 2.5, 2.5): modes 10 standard deviations
  apart, which a random walk never crosses.

ESS, as the issue defines it: steps x chains / max over dimensions of
``emcee.autocorr.integrated_time(chain, c=5, tol=0)`` on the draws after
warm-up, ``chain`` shaped (steps, chains, dim). Beside it, our own estimator
(``stochgen.samplers.diagnostics.effective_sample_size``: split chains,
Geyer's initial monotone sequence, equal to arviz's ``ess(method="mean")``),
minimum over dimensions. The two differ: emcee's averages each walker's
autocorrelation around its own mean, so chains stuck in different modes look
fine to it, while split chains with the between-chain variance do not.

Time: the wall time of all steps; a quarter of the steps are warm-up for every
sampler, and they count. Compilation (stochgen's first call) is done before
the clock starts and reported apart. emcee: ``EnsembleSampler(vectorize=True)``
with the numpy log-density, 32 walkers (2 dim + 2 = 102 in 50-d), its default
stretch move. stochgen, numba column: a numba log-density of one point; numpy
column: the same numpy batch function emcee gets (``vectorized=True``).
stochgen's ensemble runs 256 walkers and its default move mixture; its
adaptive random walk 8 chains (numba) or 64 (numpy, lockstep); its fitted
mixture proposal (``proposal="mixture"``) its default chains, max(32, 2 dim + 2)
(numba), or 256 (numpy), for 20,000 (numba) or 4,000 (numpy) steps on every
target.
Every cell is the best of two runs (seeds 1 and 2, for every tool alike).

Run:  .venv/bin/python benchmarks/bench_mcmc.py          (about 5 minutes)
      .venv/bin/python benchmarks/bench_mcmc.py --banana-seeds   (the mixture proposal
      on the banana over 8 seeds and three run lengths: R-hat and both ESS per second)
"""

from __future__ import annotations

import time
import warnings

import numba
import numpy as np

from stochgen.samplers.diagnostics import effective_sample_size
from stochgen.samplers.metropolis import MetropolisHastings

D_AR = 10
COV_AR = 0.9 ** np.abs(np.subtract.outer(np.arange(D_AR), np.arange(D_AR)))
PREC_AR = np.linalg.inv(COV_AR)
MIX_M = 2.5


@numba.njit
def ar1_point(x):
    # Loops, not ``x @ PREC_AR @ x``: numba sends a 10 x 10 product to BLAS,
    # whose call costs ten times the arithmetic.
    out = 0.0
    for i in range(x.shape[0]):
        row = 0.0
        for j in range(x.shape[0]):
            row += PREC_AR[i, j] * x[j]
        out += x[i] * row
    return -0.5 * out


def ar1_np(x):
    return -0.5 * np.einsum("ci,ij,cj->c", x, PREC_AR, x)


@numba.njit
def banana_point(x):
    return -(100.0 * (x[1] - x[0] ** 2) ** 2 + (1.0 - x[0]) ** 2) / 20.0


def banana_np(x):
    return -(100.0 * (x[:, 1] - x[:, 0] ** 2) ** 2 + (1.0 - x[:, 0]) ** 2) / 20.0


@numba.njit
def gauss_point(x):
    return -0.5 * np.sum(x * x)


@numba.njit
def gauss_grad(x):
    return -x


def gauss_np(x):
    return -0.5 * np.sum(x * x, axis=1)


@numba.njit
def mixture_point(x):
    a = 0.0
    b = 0.0
    for i in range(x.shape[0]):
        a += (x[i] - MIX_M) ** 2
        b += (x[i] + MIX_M) ** 2
    return np.logaddexp(-0.5 * a, -0.5 * b)


def mixture_np(x):
    a = np.sum((x - MIX_M) ** 2, axis=1)
    b = np.sum((x + MIX_M) ** 2, axis=1)
    return np.logaddexp(-0.5 * a, -0.5 * b)


# name, dim, numba point, numpy batch, steps for: emcee, stochgen numba (ensemble,
# adaptive), stochgen numpy (ensemble, adaptive)
TARGETS = [
    ("AR(1) 10-d", D_AR, ar1_point, ar1_np, 4_000, (10_000, 80_000), (4_000, 20_000)),
    ("Rosenbrock 2-d", 2, banana_point, banana_np, 4_000, (20_000, 200_000), (8_000, 20_000)),
    ("Gaussian 50-d", 50, gauss_point, gauss_np, 4_000, (4_000, 80_000), (2_000, 20_000)),
    ("mixture 4-d", 4, mixture_point, mixture_np, 4_000, (10_000, 80_000), (4_000, 20_000)),
]
#: Walkers of stochgen's ensemble: with a numpy log-density many walkers share one
#: call; with a numba one a walker-step costs the same, and a larger ensemble makes
#: the moves' differences span curved targets better (the banana's time drops 5x).
WALKERS = 256
#: Steps of the mixture proposal, the same on every target: (numba, numpy).
MIXTURE_STEPS = (20_000, 4_000)


def ess_both(draws):
    """ESS of (chains, n, dim) draws: (emcee's integrated_time definition, Geyer)."""
    import emcee

    chains, n, _ = draws.shape
    tau = emcee.autocorr.integrated_time(np.swapaxes(draws, 0, 1), c=5, tol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geyer = float(np.nanmin(effective_sample_size(draws)))
    return n * chains / float(np.max(tau)), geyer


def run_stochgen(logpdf, dim, steps, seed, **settings):
    sampler = MetropolisHastings(logpdf, dim, progress=False, **settings)
    start = time.perf_counter()
    sampler.sample(8, warmup=100 if settings.get("proposal") == "mixture" else 8, seed=0)
    first = time.perf_counter() - start
    start = time.perf_counter()
    result = sampler.sample(steps - steps // 4, warmup=steps // 4, seed=seed)
    seconds = time.perf_counter() - start
    return (*ess_both(result.draws), seconds, first)


def run_emcee(batch, dim, steps, seed):
    import emcee

    walkers = 2 * dim + 2 if 2 * dim + 2 > 32 else 32
    p0 = np.random.default_rng(100 + seed).uniform(-2, 2, (walkers, dim))
    sampler = emcee.EnsembleSampler(walkers, dim, batch, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()  # noqa: NPY002 - emcee's API
    start = time.perf_counter()
    sampler.run_mcmc(p0, steps, progress=False)
    seconds = time.perf_counter() - start
    chain = sampler.get_chain()[steps // 4 :]  # (steps, walkers, dim)
    return (*ess_both(np.swapaxes(chain, 0, 1)), seconds, 0.0)


def best_of(runs, fn, *args, **kwargs):
    """Best (by emcee-definition ESS/s) of ``runs`` runs with seeds 1, 2, ..."""
    outs = [fn(*args, seed=r + 1, **kwargs) for r in range(runs)]
    return max(outs, key=lambda o: o[0] / o[2])


def cell(out):
    ess, geyer, seconds, _ = out
    return ess / seconds, geyer / seconds


def main(runs=2):
    rows = []
    for name, dim, point, batch, emcee_steps, nb_steps, np_steps in TARGETS:
        theirs = cell(best_of(runs, run_emcee, batch, dim, emcee_steps))
        cand = {
            ("numba", "ensemble"): best_of(
                runs, run_stochgen, point, dim, nb_steps[0], proposal="ensemble", chains=WALKERS
            ),
            ("numba", "adaptive"): best_of(
                runs, run_stochgen, point, dim, nb_steps[1], proposal="adaptive"
            ),
            ("numba", "mixture"): best_of(
                runs, run_stochgen, point, dim, MIXTURE_STEPS[0], proposal="mixture"
            ),
            ("numpy", "ensemble"): best_of(
                runs, run_stochgen, batch, dim, np_steps[0], proposal="ensemble",
                vectorized=True, chains=WALKERS,
            ),
            ("numpy", "adaptive"): best_of(
                runs, run_stochgen, batch, dim, np_steps[1], proposal="adaptive",
                vectorized=True, chains=64,
            ),
            ("numpy", "mixture"): best_of(
                runs, run_stochgen, batch, dim, MIXTURE_STEPS[1], proposal="mixture",
                vectorized=True, chains=WALKERS,
            ),
        }  # fmt: skip
        for (kind, proposal), out in cand.items():
            ours = cell(out)
            rows.append((name, kind, proposal, ours, theirs, out[3]))
            print(
                f"{name:15s} {kind:5s} {proposal:9s} stochgen {ours[0]:10.0f} ESS/s "
                f"(Geyer {ours[1]:10.0f}; {out[2]:5.2f} s, first call {out[3]:4.1f} s) | emcee "
                f"{theirs[0]:8.1f} (Geyer {theirs[1]:8.1f}) | x emcee {ours[0] / theirs[0]:7.1f} "
                f"(Geyer {ours[1] / theirs[1]:7.1f})",
                flush=True,
            )
    print()
    print("| target | log-density | proposal | stochgen ESS/s | emcee ESS/s | x emcee "
          "| stochgen Geyer ESS/s | emcee Geyer ESS/s | x emcee (Geyer) |")  # fmt: skip
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for name, kind, proposal, ours, theirs, _ in rows:
        print(
            f"| {name} | {kind} | {proposal} | {ours[0]:,.0f} | {theirs[0]:,.1f} "
            f"| {ours[0] / theirs[0]:,.1f}x | {ours[1]:,.0f} | {theirs[1]:,.1f} "
            f"| {ours[1] / theirs[1]:,.1f}x |"
        )
    gradient(runs)


def gradient(runs):
    """HMC and MALA against the best gradient-free move on the 50-d Gaussian (numba)."""
    print()
    print("| 50-d Gaussian, numba | ESS/s (emcee def.) | Geyer ESS/s | seconds |")
    print("|---|---:|---:|---:|")
    for proposal, steps, extra in (
        ("hmc", 20_000, {"grad_logpdf": gauss_grad}),
        ("mala", 40_000, {"grad_logpdf": gauss_grad}),
        ("adaptive", 80_000, {}),
        ("ensemble", 4_000, {"chains": WALKERS}),
        ("mixture", MIXTURE_STEPS[0], {}),
    ):
        out = best_of(runs, run_stochgen, gauss_point, 50, steps, proposal=proposal, **extra)
        ess, geyer = cell(out)
        print(f"| {proposal} | {ess:,.0f} | {geyer:,.0f} | {out[2]:.2f} |", flush=True)


def banana_seeds(seeds=range(1, 9)):
    """``proposal="mixture"`` on the banana over many seeds: R-hat and both ESS per second."""
    MetropolisHastings(banana_point, 2, proposal="mixture", progress=False).sample(
        100, warmup=100, seed=0
    )
    for warmup, n in ((8_000, 20_000), (20_000, 20_000), (20_000, 60_000)):
        rows = []
        for seed in seeds:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sampler = MetropolisHastings(banana_point, 2, proposal="mixture", progress=False)
                res = sampler.sample(n, warmup=warmup, seed=seed)
            ess, geyer = ess_both(res.draws)
            rows.append((res.rhat.max(), ess / res.elapsed, geyer / res.elapsed))
        r = np.array(rows)
        print(f"warmup {warmup}, draws {n}: max R-hat {r[:, 0].max():.4f}; ESS/s (emcee def.) "
              f"{r[:, 1].min():,.0f}-{r[:, 1].max():,.0f}; Geyer ESS/s "
              f"{r[:, 2].min():,.0f}-{r[:, 2].max():,.0f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    import sys

    if "--banana-seeds" in sys.argv:
        banana_seeds()
    else:
        main()
