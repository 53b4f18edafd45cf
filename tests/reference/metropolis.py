"""Plain-numpy twin of the Metropolis-Hastings chain kernel: one chain at a time.

Same arguments as stochgen._kernels.metropolis.chain_kernel(logpdf)(...), with the
log-density of one point passed first as a plain Python function, and the noise the
kernel draws step by step from its per-chain generators passed pre-drawn: ``z``
``(chains, steps, dim)`` from ``standard_normal((steps, dim))`` and ``u``
``(chains, steps)`` from ``random(steps)`` of the same generators.
"""

from __future__ import annotations

import numpy as np


def run_chains(
    logpdf, x, lp, lq, chol, log_scale, mean, m2, n_seen, n_accept, center,
    z, u, t0, warmup, kind, adapt_start, adapt_interval, thin, draws,
):  # fmt: skip
    chains, steps, d = z.shape
    for c in range(chains):
        for k in range(steps):
            t = t0 + k
            lz = np.tril(chol[c]) @ z[c, k]
            y = center[c] + lz if kind == 2 else x[c] + np.exp(log_scale[c]) * lz
            lq_y = -0.5 * float(z[c, k] @ z[c, k])
            lp_y = float(logpdf(y))
            if np.isnan(lp_y):
                lp_y = -np.inf
            log_alpha = lp_y - lp[c]
            if kind == 2:
                log_alpha += lq[c] - lq_y
            if np.log(u[c, k]) < log_alpha:
                x[c] = y
                lp[c], lq[c] = lp_y, lq_y
                if t >= warmup:
                    n_accept[c] += 1
            if kind == 1 and t < warmup:
                alpha = 1.0 if log_alpha >= 0 else np.exp(log_alpha)
                log_scale[c] += (t + 1.0) ** -0.6 * (alpha - 0.234)
                if t >= adapt_start:
                    n_seen[c] += 1
                    n = n_seen[c]
                    delta = x[c] - mean[c]
                    mean[c] += delta / n
                    m2[c] += np.outer(delta, x[c] - mean[c])
                    if (t + 1 - adapt_start) % adapt_interval == 0 and n > d + 1:
                        trace = np.trace(m2[c])
                        if trace > 0 and np.isfinite(trace):
                            cov = 0.5 * (m2[c] + m2[c].T) / (n - 1.0)
                            corr = cov / np.sqrt(np.outer(np.diag(cov), np.diag(cov)))
                            total = np.sum(corr**2) - d
                            noise = d * (d - 1.0) * d / (0.33 * n)
                            weight = 1.0 - noise / total if total > 2.0 * noise else 0.0
                            v = np.diag(cov)
                            spread = np.sum((v / v.mean() - 1.0) ** 2)
                            noise_v = 2.0 * d * d / (0.33 * n)
                            w_v = 1.0 - noise_v / spread if spread > 2.0 * noise_v else 0.0
                            pooled = v.mean() + w_v * (v - v.mean())
                            cov *= weight * np.sqrt(np.outer(pooled, pooled) / np.outer(v, v))
                            ridge = 1e-3 * 5.0 / (n + 5.0) * trace / (n - 1.0) / d
                            cov[np.diag_indices(d)] = pooled + ridge
                            chol[c] = np.linalg.cholesky(cov)
            s = t - warmup + 1
            if s > 0 and s % thin == 0:
                draws[c, s // thin - 1] = x[c]
    return draws
