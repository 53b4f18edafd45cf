"""Rejection sampling: stochgen.Rejection against scipy's TransformedDensityRejection.

Targets: standard normal, gamma(2.5), beta(2, 5) (T-concave: TDR's home ground)
and a bimodal mixture 0.3 N(-3, 1) + 0.7 N(4, 0.5) (not T-concave: TDR refuses
it or samples it wrongly). Both samplers get Python pdfs: TDR a scalar pdf and
its derivative (what it needs), stochgen the same density as a vectorized numpy
function; stochgen with a numba-jitted scalar pdf is shown as well.

Reported: set-up seconds, draws per second (1,000,000 draws, after one warm
call; the best of three calls, for each sampler alike) and the KS p-value of
200,000 draws against the exact CDF.

Run:  .venv/bin/python benchmarks/bench_rejection.py
"""

from __future__ import annotations

import math
import time
import warnings

import numba
import numpy as np
from scipy import stats
from scipy.stats.sampling import TransformedDensityRejection

from stochgen.samplers.ratio_of_uniforms import RatioOfUniforms
from stochgen.samplers.rejection import Rejection

N = 1_000_000


class Scalar:
    """A density for TDR: scalar pdf and dpdf in plain Python."""

    def __init__(self, pdf, dpdf):
        self.pdf = pdf
        self.dpdf = dpdf


@numba.njit
def normal_nb(x):
    return math.exp(-0.5 * x * x)


@numba.njit
def gamma_nb(x):
    return x**1.5 * math.exp(-x) if x > 0 else 0.0


@numba.njit
def beta_nb(x):
    return x * (1 - x) ** 4 if 0 < x < 1 else 0.0


@numba.njit
def bimodal_nb(x):
    return 0.3 * math.exp(-0.5 * (x + 3) ** 2) / math.sqrt(2 * math.pi) + 0.7 * math.exp(
        -2 * (x - 4) ** 2
    ) / (0.5 * math.sqrt(2 * math.pi))


def bimodal_np(x):
    return 0.3 * np.exp(-0.5 * (x + 3) ** 2) / np.sqrt(2 * np.pi) + 0.7 * np.exp(
        -2 * (x - 4) ** 2
    ) / (0.5 * np.sqrt(2 * np.pi))


def bimodal_cdf(x):
    return 0.3 * stats.norm.cdf(x, -3, 1) + 0.7 * stats.norm.cdf(x, 4, 0.5)


TARGETS = [
    (
        "normal",
        Scalar(lambda x: math.exp(-0.5 * x * x), lambda x: -x * math.exp(-0.5 * x * x)),
        lambda x: np.exp(-0.5 * x * x),
        normal_nb,
        (-np.inf, np.inf),
        stats.norm.cdf,
    ),
    (
        "gamma(2.5)",
        Scalar(
            lambda x: x**1.5 * math.exp(-x),
            lambda x: (1.5 * x**0.5 - x**1.5) * math.exp(-x),
        ),
        lambda x: x**1.5 * np.exp(-x),
        gamma_nb,
        (0.0, np.inf),
        stats.gamma(2.5).cdf,
    ),
    (
        "beta(2,5)",
        Scalar(lambda x: x * (1 - x) ** 4, lambda x: (1 - x) ** 4 - 4 * x * (1 - x) ** 3),
        lambda x: x * (1 - x) ** 4,
        beta_nb,
        (0.0, 1.0),
        stats.beta(2, 5).cdf,
    ),
    (
        "bimodal",
        Scalar(
            lambda x: float(bimodal_np(np.float64(x))),
            lambda x: float(
                -0.3 * (x + 3) * np.exp(-0.5 * (x + 3) ** 2) / np.sqrt(2 * np.pi)
                - 0.7 * 4 * (x - 4) * np.exp(-2 * (x - 4) ** 2) / (0.5 * np.sqrt(2 * np.pi))
            ),
        ),
        bimodal_np,
        bimodal_nb,
        (-np.inf, np.inf),
        bimodal_cdf,
    ),
]


def time_sampler(make, sample, repeat=3):
    """Set-up seconds (with one small warm call) and the best draws/s of ``repeat`` calls."""
    start = time.perf_counter()
    sampler = make()
    sample(sampler, 1000, 0)
    setup = time.perf_counter() - start
    rates = []
    for r in range(repeat):
        start = time.perf_counter()
        sample(sampler, N, 1 + r)
        rates.append(N / (time.perf_counter() - start))
    return sampler, setup, max(rates)


def main():
    rows = []
    for name, scalar, vectorized, jitted, support, cdf in TARGETS:
        entry = {"name": name}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                tdr, setup, rate = time_sampler(
                    lambda s=scalar, sup=support: TransformedDensityRejection(
                        s, domain=sup, random_state=0
                    ),
                    lambda s, n, seed: s.rvs(n, random_state=seed),
                )
            p = stats.kstest(tdr.rvs(200_000, random_state=2), cdf).pvalue
            entry["tdr"] = (setup, rate, p)
        except Exception as exc:  # noqa: BLE001 - report why TDR could not run
            entry["tdr"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:70]}"
        for label, pdf in (("numpy", vectorized), ("numba", jitted)):
            sampler, setup, rate = time_sampler(
                lambda f=pdf, sup=support: Rejection(f, support=sup).setup(),
                lambda s, n, seed: s.sample(n, seed=seed),
            )
            p = stats.kstest(sampler.sample(200_000, seed=2), cdf).pvalue
            entry[label] = (setup, rate, p, sampler.acceptance_rate_)
        rou, setup, rate = time_sampler(
            lambda f=vectorized, sup=support: RatioOfUniforms(f, support=sup).setup(),
            lambda s, n, seed: s.sample(n, seed=seed),
        )
        entry["rou"] = (setup, rate, stats.kstest(rou.sample(200_000, seed=2), cdf).pvalue)
        rows.append(entry)
        print(entry, flush=True)

    print()
    print(
        "| target | TDR draws/s (KS p) | Rejection numpy pdf draws/s (KS p, acceptance) "
        "| x TDR | Rejection numba pdf draws/s | x TDR | RatioOfUniforms numpy pdf draws/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for e in rows:
        np_setup, np_rate, np_p, acc = e["numpy"]
        nb_rate = e["numba"][1]
        if isinstance(e["tdr"], tuple):
            tdr = f"{e['tdr'][1]:,.0f} (p={e['tdr'][2]:.2f})"
            x_np = f"{np_rate / e['tdr'][1]:.1f}x"
            x_nb = f"{nb_rate / e['tdr'][1]:.1f}x"
        else:
            tdr, x_np, x_nb = f"fails: {e['tdr']}", "-", "-"
        print(
            f"| {e['name']} | {tdr} | {np_rate:,.0f} (p={np_p:.2f}, {acc:.3f}) | {x_np} "
            f"| {nb_rate:,.0f} | {x_nb} | {e['rou'][1]:,.0f} (p={e['rou'][2]:.2f}) |"
        )


if __name__ == "__main__":
    main()
