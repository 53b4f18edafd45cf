"""Plain-numpy twin of the HMC / MALA chain kernel: one chain at a time.

Same arguments as stochgen._kernels.hmc.gradient_kernel(logpdf, grad)(...), with
the log-density and gradient of one point passed first as plain Python functions
and lists of numpy Generators for the streams.
"""

from __future__ import annotations

import numpy as np

MAX_LEAPFROG = 1024


def _dual_averaging(state, alpha, target):
    m = state[3] + 1.0
    w = 1.0 / (m + 10.0)
    state[2] = (1.0 - w) * state[2] + w * (target - alpha)
    state[0] = state[4] - np.sqrt(m) / 0.05 * state[2]
    eta = m**-0.75
    state[1] = eta * state[0] + (1.0 - eta) * state[1]
    state[3] = m


def run_chains(
    logpdf, grad, x, lp, g, da, inv_mass, mean, m2, n_seen, n_accept, gen_z, gen_u,
    t0, steps, warmup, target, path_length, mala, thin, draws,
):  # fmt: skip
    chains, d = x.shape
    for c in range(chains):
        im = inv_mass[c]
        for t in range(t0, t0 + steps):
            eps = np.exp(da[c, 0] if t < warmup else da[c, 1])
            p = np.array([gen_z[c].standard_normal() / np.sqrt(im[i]) for i in range(d)])
            kinetic0 = sum(0.5 * p[i] * p[i] * im[i] for i in range(d))
            if mala:
                n = 1
            else:
                mean_n = max(1, min(MAX_LEAPFROG // 2, int(round(path_length / eps))))
                n = 1 + int(gen_u[c].integers(0, 2 * mean_n - 1))
            xn, gn = x[c].copy(), g[c].copy()
            p = p + 0.5 * eps * gn
            for step in range(n):
                xn = xn + eps * im * p
                gn = np.asarray(grad(xn), dtype=float)
                p = p + (eps if step < n - 1 else 0.5 * eps) * gn
            lp_n = logpdf(xn)
            kinetic = sum(0.5 * p[i] * p[i] * im[i] for i in range(d))
            log_alpha = lp_n - kinetic - lp[c] + kinetic0
            if np.isnan(log_alpha):
                log_alpha = -np.inf
            if np.log(gen_u[c].random()) < log_alpha:
                x[c], g[c], lp[c] = xn, gn, lp_n
                if t >= warmup:
                    n_accept[c] += 1
            if t < warmup:
                _dual_averaging(da[c], 1.0 if log_alpha >= 0 else np.exp(log_alpha), target)
                if warmup // 4 <= t < 3 * warmup // 4:
                    n_seen[c] += 1
                    delta = x[c] - mean[c]
                    mean[c] += delta / n_seen[c]
                    m2[c] += delta * (x[c] - mean[c])
                if t == 3 * warmup // 4 - 1 and n_seen[c] >= 3:
                    nn = float(n_seen[c])
                    var = m2[c] / (nn - 1.0)
                    ok = np.isfinite(var) & (var > 0)
                    im[ok] = nn / (nn + 5.0) * var[ok] + 1e-3 * 5.0 / (nn + 5.0)
                    da[c, 4] = np.log(10.0) + da[c, 0]
                    da[c, 1:4] = 0.0
            s = t - warmup + 1
            if s > 0 and s % thin == 0:
                draws[c, s // thin - 1] = x[c]
    return draws
