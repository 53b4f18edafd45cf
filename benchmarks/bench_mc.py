"""Monte Carlo studies side by side: stochgen vs scipy.stats.qmc, OpenTURNS, chaospy and SALib.

Run: ``.venv/bin/python benchmarks/bench_mc.py`` (``--quick`` for a smoke run).

1. Sampling speed: 2**20 rows of an 8-d law (normal, lognormal and uniform marginals, a
   Gaussian copula with three non-zero correlations) by scrambled Sobol'. scipy: qmc.Sobol,
   normal scores, Cholesky, ``ndtr`` and each column's ``ppf``; OpenTURNS:
   ``LowDiscrepancyExperiment`` on a ``JointDistribution`` with a ``NormalCopula``; chaospy:
   ``J(...).sample(rule="sobol")`` (independent inputs only: it has no copula). Runs are
   interleaved and the best of ``REPEATS`` is kept; stochgen's first (compiling) call apart.
2. RQMC gain: RMSE of plain MC over RMSE of each randomized QMC, for the mean of a smooth
   8-d function at n = 4,096 over 40 replications.
3. Sobol' indices of the Ishigami function at base n = 8,192: max absolute error of the
   first-order and total indices against the analytic values, and time with confidence
   intervals (SALib: Saltelli sampling, ``sobol.analyze`` with its bootstrap).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from scipy import special, stats
from scipy.stats import qmc

from stochgen.copulas import GaussianCopula
from stochgen.distributions import LogNormal, Normal, Uniform
from stochgen.montecarlo import JointDistribution, sobol_indices
from stochgen.samplers.qmc import uniform_points

REPEATS = 3
D = 8
PAIRS = [(0, 1, 0.5), (2, 3, -0.3), (4, 5, 0.4)]


def law():
    corr = np.eye(D)
    for i, j, r in PAIRS:
        corr[i, j] = corr[j, i] = r
    specs = []
    for j in range(D):
        kind = ("normal", "lognormal", "uniform")[j % 3]
        specs.append(kind)
    return corr, specs


def stochgen_joint(corr, specs):
    marg = {
        "normal": Normal.from_params(loc=1.0, scale=2.0),
        "lognormal": LogNormal.from_params(s=0.5, scale=3.0),
        "uniform": Uniform.from_params(loc=-1.0, scale=2.0),
    }
    return JointDistribution([marg[k] for k in specs], GaussianCopula.from_params(corr=corr))


def scipy_sample(n, corr, specs, seed):
    frozen = {
        "normal": stats.norm(1.0, 2.0),
        "lognormal": stats.lognorm(0.5, scale=3.0),
        "uniform": stats.uniform(-1.0, 2.0),
    }
    u = qmc.Sobol(D, scramble=True, seed=seed).random(n)
    u = special.ndtr(special.ndtri(u) @ np.linalg.cholesky(corr).T)
    return np.column_stack([frozen[k].ppf(u[:, j]) for j, k in enumerate(specs)])


def openturns_setup(corr, specs):
    import openturns as ot

    marg = {
        "normal": ot.Normal(1.0, 2.0),
        "lognormal": ot.LogNormal(np.log(3.0), 0.5, 0.0),
        "uniform": ot.Uniform(-1.0, 1.0),
    }
    r = ot.CorrelationMatrix(D)
    for i, j, rho in PAIRS:
        # OpenTURNS' NormalCopula takes the correlation of the normal scores.
        r[i, j] = rho
    return ot.JointDistribution([marg[k] for k in specs], ot.NormalCopula(r))


def openturns_sample(n, dist, seed):
    import openturns as ot

    ot.RandomGenerator.SetSeed(seed)
    experiment = ot.LowDiscrepancyExperiment(ot.SobolSequence(D), dist, n, True)
    experiment.setRandomize(True)
    return np.asarray(experiment.generate())


def chaospy_sample(n, specs, seed):
    import chaospy

    # One object per column (chaospy treats a repeated object as one variable).
    make = {
        "normal": lambda: chaospy.Normal(1.0, 2.0),
        "lognormal": lambda: chaospy.LogNormal(np.log(3.0), 0.5),
        "uniform": lambda: chaospy.Uniform(-1.0, 1.0),
    }
    return chaospy.J(*[make[k]() for k in specs]).sample(n, rule="sobol").T


def speed(n):
    corr, specs = law()
    joint = stochgen_joint(corr, specs)
    start = time.perf_counter()
    joint.sample(1024, seed=0, method="sobol")
    print(f"first stochgen call (numba compile or cache load): {time.perf_counter() - start:.2f} s")
    runners = {
        "stochgen": lambda s: joint.sample(n, seed=s, method="sobol"),
        "scipy": lambda s: scipy_sample(n, corr, specs, s),
    }
    try:
        dist = openturns_setup(corr, specs)
        runners["OpenTURNS"] = lambda s: openturns_sample(n, dist, s)
    except ImportError:
        print("OpenTURNS not installed: skipped")
    try:
        import chaospy  # noqa: F401

        runners["chaospy (independent)"] = lambda s: chaospy_sample(n, specs, s)
    except ImportError:
        print("chaospy not installed: skipped")
    best = dict.fromkeys(runners, np.inf)
    outputs = {}
    for rep in range(REPEATS):
        for name, run in runners.items():
            t0 = time.perf_counter()
            outputs[name] = run(rep + 1)
            best[name] = min(best[name], time.perf_counter() - t0)
    print(f"\n## Sampling {n:,} rows x {D} (scrambled Sobol', Gaussian copula), best of {REPEATS}")
    print("| tool | seconds | M rows/s | stochgen speed-up | median of col 1 |")
    print("|---|---|---|---|---|")
    for name in runners:
        ratio = best[name] / best["stochgen"]
        median = float(np.median(outputs[name][:, 1]))
        print(
            f"| {name} | {best[name]:.3f} | {n / best[name] / 1e6:.2f} | {ratio:.1f}x | "
            f"{median:.4f} |"
        )


A = 1.0 / np.arange(1, D + 1)
TRUTH = float(np.prod(np.expm1(A) / A))


def smooth(u):
    return np.exp(u @ A)


def rqmc_gain(n, reps):
    def rmse(draw):
        errors = [smooth(draw(r)).mean() - TRUTH for r in range(reps)]
        return float(np.sqrt(np.mean(np.square(errors))))

    results = {
        "plain MC": rmse(lambda r: np.random.default_rng(1000 + r).random((n, D))),
        "stochgen sobol (LMS + shift)": rmse(lambda r: uniform_points(n, D, seed=r)),
        "stochgen halton (scrambled)": rmse(
            lambda r: uniform_points(n, D, seed=r, method="halton")
        ),
        "scipy Sobol (LMS + shift)": rmse(lambda r: qmc.Sobol(D, scramble=True, seed=r).random(n)),
    }
    try:
        import openturns as ot

        uniform = ot.JointDistribution([ot.Uniform(0.0, 1.0)] * D)

        def ot_draw(r):
            ot.RandomGenerator.SetSeed(r + 1)
            experiment = ot.LowDiscrepancyExperiment(ot.SobolSequence(D), uniform, n, True)
            experiment.setRandomize(True)
            return np.asarray(experiment.generate())

        results["OpenTURNS randomized Sobol (random shift)"] = rmse(ot_draw)
    except ImportError:
        pass
    print(
        f"\n## RQMC gain: mean of exp(sum u_j / j) over [0,1]^{D}, n = {n:,}, {reps} replications"
    )
    print("| point set | RMSE | gain over plain MC |")
    print("|---|---|---|")
    for name, value in results.items():
        print(f"| {name} | {value:.3e} | {results['plain MC'] / value:.0f}x |")


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_truth(a=7.0, b=0.1):
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


def indices(n):
    first, total = ishigami_truth()
    joint = JointDistribution([Uniform.from_params(loc=-np.pi, scale=2 * np.pi)] * 3)
    sobol_indices(ishigami, joint, 64, seed=0)

    def ours(seed):
        return sobol_indices(ishigami, joint, n, seed=seed)

    runners = {"stochgen": ours}
    try:
        from SALib.analyze import sobol as salib_sobol
        from SALib.sample import sobol as salib_sample

        problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}

        def salib(seed):
            x = salib_sample.sample(problem, n, calc_second_order=False, seed=seed)
            return salib_sobol.analyze(
                problem, ishigami(x), calc_second_order=False, seed=seed, print_to_console=False
            )

        runners["SALib"] = salib
    except ImportError:
        print("SALib not installed: skipped")
    best = dict.fromkeys(runners, np.inf)
    errors = {name: [] for name in runners}
    for rep in range(REPEATS):
        for name, run in runners.items():
            t0 = time.perf_counter()
            res = run(rep + 1)
            best[name] = min(best[name], time.perf_counter() - t0)
            s1, st = (res.first, res.total) if name == "stochgen" else (res["S1"], res["ST"])
            errors[name].append(max(np.abs(s1 - first).max(), np.abs(st - total).max()))
    print(f"\n## Sobol' indices, Ishigami, base n = {n:,} (first order + total, with CIs)")
    print("| tool | seconds (best) | stochgen speed-up | max abs error (mean of runs) |")
    print("|---|---|---|---|")
    for name in runners:
        print(
            f"| {name} | {best[name]:.3f} | {best[name] / best['stochgen']:.1f}x | "
            f"{np.mean(errors[name]):.4f} |"
        )


def borehole_joint():
    """The borehole function's inputs (Harper & Gupta 1983; Surjanovic & Bingham's library)."""
    marginals = {
        "rw": Normal.from_params(loc=0.10, scale=0.0161812),
        "r": LogNormal.from_params(s=1.0056, scale=float(np.exp(7.71))),
        "Tu": Uniform.from_params(loc=63_070.0, scale=52_530.0),
        "Hu": Uniform.from_params(loc=990.0, scale=120.0),
        "Tl": Uniform.from_params(loc=63.1, scale=52.9),
        "Hl": Uniform.from_params(loc=700.0, scale=120.0),
        "L": Uniform.from_params(loc=1_120.0, scale=560.0),
        "Kw": Uniform.from_params(loc=9_855.0, scale=2_190.0),
    }
    return JointDistribution(marginals)


def borehole(x):
    log_ratio = np.log(x["r"] / x["rw"])
    flow = 2 * np.pi * x["Tu"] * (x["Hu"] - x["Hl"])
    return flow / (
        log_ratio
        * (1 + 2 * x["L"] * x["Tu"] / (log_ratio * x["rw"] ** 2 * x["Kw"]) + x["Tu"] / x["Tl"])
    )


def error_plot(path, reps=20):
    """RMSE of the borehole mean against n, plain MC and RQMC (scrambled Sobol')."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from stochgen.montecarlo import simulate

    joint = borehole_joint()
    truth = simulate(borehole, joint, 2**18, seed=123, replications=16).estimate
    sizes = 2 ** np.arange(6, 15)
    curves = {}
    for method in ("random", "sobol"):
        rmse = []
        for n in sizes:
            estimates = [
                simulate(borehole, joint, int(n), seed=r, method=method, replications=2).estimate
                for r in range(reps)
            ]
            rmse.append(np.sqrt(np.mean((np.array(estimates) - truth) ** 2)))
        curves[method] = np.array(rmse)
    fig, ax = plt.subplots(figsize=(5, 3.5))
    for method, label in (("random", "plain MC"), ("sobol", "RQMC (scrambled Sobol')")):
        ax.loglog(2 * sizes, curves[method], "o-", label=label)
    ax.loglog(2 * sizes, curves["random"][0] * np.sqrt(2 * sizes[0] / (2 * sizes)), "k:", lw=1)
    ax.set_xlabel("evaluations of f (2 replications of n)")
    ax.set_ylabel("RMSE of the mean")
    ax.set_title("Borehole function, mean water flow")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"\n## Error against n (borehole mean, {reps} runs each), figure: {path}")
    print("| n | MC RMSE | RQMC RMSE | gain |")
    print("|---|---|---|---|")
    for n, a, b in zip(sizes, curves["random"], curves["sobol"], strict=True):
        print(f"| {n:,} | {a:.3g} | {b:.3g} | {a / b:.0f}x |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--plot", help="write the error-against-n figure to this path")
    args = parser.parse_args()
    if args.plot:
        error_plot(args.plot)
        return
    speed(2**14 if args.quick else 2**20)
    rqmc_gain(1024 if args.quick else 4096, 8 if args.quick else 40)
    indices(1024 if args.quick else 8192)


if __name__ == "__main__":
    main()
