"""Copulas side by side: stochgen vs the `copulas` package, statsmodels and pyvinecopulib.

Run: ``.venv/bin/python benchmarks/bench_copulas.py`` (add ``--quick`` for a smoke run).
Each timing is the best of ``REPEATS`` warm runs (bivariate: stochgen, `copulas` and
statsmodels interleaved, so that load from other users of the machine hits all alike); the
first (compiling) call of stochgen's kernels is reported apart. Log-likelihoods are on the same
data; stochgen uses its default estimators (maximum likelihood for the Archimedean families),
`copulas` and statsmodels invert Kendall's tau.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from stochgen.copulas import (
    ClaytonCopula,
    FrankCopula,
    GaussianCopula,
    GumbelCopula,
    VineCopula,
)

REPEATS = 3


def best_time(func, repeats=REPEATS):
    times = []
    out = None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - start)
    return min(times), out


def bivariate(n_values):
    import copulas.bivariate as cb
    from statsmodels.distributions.copula import api as smc

    print("\n## Bivariate Archimedean: fit + sample n rows (seconds), log-likelihood on the data")
    print(
        "| family | n | stochgen | copulas | statsmodels | copulas / stochgen | "
        "loglik stochgen | loglik copulas | loglik statsmodels |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    ratios = {n: [] for n in n_values}
    cases = [
        ("clayton", ClaytonCopula, cb.Clayton, smc.ClaytonCopula, 2.0),
        ("frank", FrankCopula, cb.Frank, smc.FrankCopula, 5.0),
        ("gumbel", GumbelCopula, cb.Gumbel, smc.GumbelCopula, 2.0),
    ]
    for name, ours, theirs, sm, theta in cases:
        for n in n_values:
            u = ours(theta=theta).sample(n, seed=1)

            def run_ours(ours=ours, u=u, n=n):
                cop = ours().fit(u)
                cop.sample(n, seed=2)
                return cop

            def run_copulas(theirs=theirs, u=u, n=n):
                cop = theirs()
                cop.fit(u)
                cop.sample(n)
                return cop

            def run_sm(sm=sm, u=u, n=n):
                cop = sm()
                cop = sm(cop.fit_corr_param(u))
                cop.rvs(n, rng=np.random.default_rng(2))
                return cop

            # Interleaved repeats: load from other users of the machine hits all three alike.
            times = {run_ours: [], run_copulas: [], run_sm: []}
            fitted = {}
            for _ in range(REPEATS):
                for run, runs in times.items():
                    start = time.perf_counter()
                    fitted[run] = run()
                    runs.append(time.perf_counter() - start)
            t_ours, t_theirs, t_sm = (min(runs) for runs in times.values())
            ll_ours = float(fitted[run_ours].logpdf(u).sum())
            ll_theirs = float(np.sum(np.log(fitted[run_copulas].probability_density(u))))
            ll_sm = float(np.sum(fitted[run_sm].logpdf(u)))
            ratios[n].append(t_theirs / t_ours)
            print(
                f"| {name} | {n:.0e} | {t_ours:.4f} | {t_theirs:.4f} | {t_sm:.4f} | "
                f"{t_theirs / t_ours:.1f}x | {ll_ours:.1f} | {ll_theirs:.1f} | {ll_sm:.1f} |"
            )
    print()
    for n, values in ratios.items():
        geo = math.exp(np.mean(np.log(values)))
        print(
            f"n = {n:.0e}: geometric mean speed-up over `copulas` {geo:.1f}x "
            f"(min {min(values):.1f}x)"
        )


def gaussian(dims, n_values):
    from statsmodels.distributions.copula import api as smc

    print("\n## Gaussian copula: fit + sample n rows (seconds)")
    print(
        "| d | n | stochgen | statsmodels | statsmodels / stochgen | loglik stochgen | "
        "loglik statsmodels |"
    )
    print("|---|---|---|---|---|---|---|")
    for d in dims:
        rng = np.random.default_rng(d)
        a = rng.standard_normal((d, 3))
        cov = a @ a.T + np.eye(d)
        s = np.sqrt(np.diag(cov))
        corr = cov / s[:, None] / s[None, :]
        for n in n_values:
            u = GaussianCopula.from_params(corr=corr).sample(n, seed=1)

            def run_ours(u=u, n=n):
                cop = GaussianCopula().fit(u)
                cop.sample(n, seed=2)
                return cop

            def run_sm(u=u, n=n, d=d):
                # statsmodels fits a Gaussian copula by Kendall's-tau inversion.
                cop = smc.GaussianCopula(k_dim=d)
                c = np.asarray(cop.fit_corr_param(u))
                corr_sm = np.array([[1.0, c], [c, 1.0]]) if c.ndim == 0 else c
                cop = smc.GaussianCopula(corr=corr_sm, k_dim=d)
                cop.rvs(n, rng=np.random.default_rng(2))
                return cop

            t_ours, cop = best_time(run_ours)
            t_sm, cop_sm = best_time(run_sm, repeats=1)
            ll_ours = float(cop.logpdf(u).sum())
            ll_sm = float(np.sum(cop_sm.logpdf(u)))
            print(
                f"| {d} | {n:.0e} | {t_ours:.4f} | {t_sm:.4f} | {t_sm / t_ours:.1f}x | "
                f"{ll_ours:.1f} | {ll_sm:.1f} |"
            )


def vines(cases):
    import pyvinecopulib as pv

    print("\n## Vines (R-vine, Dissmann; same family set, itau): fit and sample (seconds)")
    print(
        "| d | n | stochgen fit | pyvinecopulib fit | stochgen sample | pyvinecopulib sample | "
        "fit ratio | loglik stochgen | loglik pyvinecopulib |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    fam = pv.BicopFamily
    for d, n in cases:
        rng = np.random.default_rng(d)
        a = rng.standard_normal((d, 2))
        cov = a @ a.T + np.eye(d)
        s = np.sqrt(np.diag(cov))
        corr = cov / s[:, None] / s[None, :]
        u = GaussianCopula.from_params(corr=corr).sample(n, seed=1)
        controls = pv.FitControlsVinecop(
            family_set=[fam.indep, fam.gaussian, fam.clayton, fam.gumbel, fam.frank, fam.joe],
            parametric_method="itau",
            num_threads=1,
        )
        t_ours, vine = best_time(lambda u=u: VineCopula().fit(u), repeats=1)
        t_pv, pvine = best_time(
            lambda u=u, c=controls: pv.Vinecop.from_data(u, controls=c), repeats=1
        )
        ts_ours, _ = best_time(lambda v=vine, n=n: v.sample(n, seed=2), repeats=1)
        ts_pv, _ = best_time(lambda v=pvine, n=n: v.sample(n, seeds=[2]), repeats=1)
        print(
            f"| {d} | {n:.0e} | {t_ours:.3f} | {t_pv:.3f} | {ts_ours:.3f} | {ts_pv:.3f} | "
            f"{t_ours / t_pv:.1f}x | {vine.loglik(u):.1f} | {pvine.loglik(u):.1f} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    start = time.perf_counter()
    ClaytonCopula.from_params(theta=2.0).fit(
        ClaytonCopula.from_params(theta=2.0).sample(100, seed=0)
    )
    VineCopula().fit(GaussianCopula.from_params(corr=np.eye(3) * 0.5 + 0.5).sample(100, seed=0))
    print(f"first calls (numba compile or cache load): {time.perf_counter() - start:.2f} s")
    if args.quick:
        bivariate([10_000])
        gaussian([2, 10], [10_000])
        vines([(5, 2_000)])
        return
    bivariate([10_000, 100_000])
    gaussian([2, 10, 30], [10_000, 100_000])
    vines([(10, 10_000), (30, 10_000)])
    print(f"\ntotal {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
