"""Rejection sampling: stochgen.Rejection against scipy's TransformedDensityRejection.

Targets: standard normal, gamma(2.5), beta(2, 5) (T-concave: TDR's home ground)
and a bimodal mixture 0.3 N(-3, 1) + 0.7 N(4, 0.5) (not T-concave: TDR refuses
it or samples it wrongly). Both samplers get Python pdfs: TDR a scalar pdf and
its derivative (what it needs), stochgen the same density as a vectorized numpy
function; stochgen with a numba-jitted scalar pdf is shown as well.

Reported: draws per second (1,000,000 draws, after one warm call; the best of
five rounds in which the samplers take turns, so that the machine's load
changes hit them alike), the KS p-value of 200,000 draws against the exact CDF,
and which hat stochgen's Rejection built (TDR or piecewise).

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
REPEAT = 5


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


def setup(make, sample):
    """Build a sampler and make one small warm call; return it and the seconds taken."""
    start = time.perf_counter()
    sampler = make()
    sample(sampler, 1000, 0)
    return sampler, time.perf_counter() - start


def best_rates(runs, repeat=REPEAT):
    """Best draws/s of each ``(sampler, sample)`` over ``repeat`` rounds, the samplers taking
    turns within each round, so that a change in the machine's load hits them alike."""
    best = [0.0] * len(runs)
    for r in range(repeat):
        for k, (sampler, sample) in enumerate(runs):
            start = time.perf_counter()
            sample(sampler, N, 1 + r)
            best[k] = max(best[k], N / (time.perf_counter() - start))
    return best


def main():
    rows = []
    for name, scalar, vectorized, jitted, support, cdf in TARGETS:
        entry = {"name": name}
        runs, labels = [], []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                tdr_sample = lambda s, n, seed: s.rvs(n, random_state=seed)  # noqa: E731
                tdr, tdr_setup = setup(
                    lambda s=scalar, sup=support: TransformedDensityRejection(
                        s, domain=sup, random_state=0
                    ),
                    tdr_sample,
                )
            entry["tdr"] = (tdr_setup, stats.kstest(tdr.rvs(200_000, random_state=2), cdf).pvalue)
            runs.append((tdr, tdr_sample))
            labels.append("tdr")
        except Exception as exc:  # noqa: BLE001 - report why TDR could not run
            entry["tdr"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:70]}"
        ours_sample = lambda s, n, seed: s.sample(n, seed=seed)  # noqa: E731
        for label, pdf in (("numpy", vectorized), ("numba", jitted)):
            sampler, t_setup = setup(
                lambda f=pdf, sup=support: Rejection(f, support=sup).setup(), ours_sample
            )
            p = stats.kstest(sampler.sample(200_000, seed=2), cdf).pvalue
            entry[label] = (t_setup, p, sampler.acceptance_rate_, sampler.hat_kind_)
            runs.append((sampler, ours_sample))
            labels.append(label)
        rou, rou_setup = setup(
            lambda f=vectorized, sup=support: RatioOfUniforms(f, support=sup).setup(),
            ours_sample,
        )
        entry["rou"] = (rou_setup, stats.kstest(rou.sample(200_000, seed=2), cdf).pvalue)
        runs.append((rou, ours_sample))
        labels.append("rou")
        entry["rate"] = dict(zip(labels, best_rates(runs), strict=True))
        rows.append(entry)
        print(entry, flush=True)

    print()
    print(
        "| target | TDR draws/s (KS p) | Rejection numpy pdf draws/s (KS p, acceptance, hat) "
        "| x TDR | Rejection numba pdf draws/s | x TDR | RatioOfUniforms numpy pdf draws/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for e in rows:
        _, np_p, acc, kind = e["numpy"]
        rate = e["rate"]
        if isinstance(e["tdr"], tuple):
            tdr = f"{rate['tdr']:,.0f} (p={e['tdr'][1]:.2f})"
            x_np = f"{rate['numpy'] / rate['tdr']:.1f}x"
            x_nb = f"{rate['numba'] / rate['tdr']:.1f}x"
        else:
            tdr, x_np, x_nb = f"fails: {e['tdr']}", "-", "-"
        print(
            f"| {e['name']} | {tdr} | {rate['numpy']:,.0f} (p={np_p:.2f}, {acc:.3f}, {kind}) "
            f"| {x_np} | {rate['numba']:,.0f} | {x_nb} | {rate['rou']:,.0f} (p={e['rou'][1]:.2f}) |"
        )


if __name__ == "__main__":
    main()
