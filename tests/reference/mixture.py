"""Plain-numpy twins of the mixture-proposal kernels (stochgen._kernels.mixture).

`run_chains` takes the same arguments as ``chain_kernel(logpdf)(...)``, with
the log-density of one point passed first as a plain Python function and the
chains' noise pre-drawn in the order the kernel draws it: per step one uniform
``u_pick`` and ``d`` normals ``z`` and one uniform ``u_accept``.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import logsumexp


def log_density(y, means, chols, log_c, scales, log_v):
    """Mixture log-density of one point up to ``-d/2 log 2 pi``, by scipy."""
    terms = []
    for k in range(len(means)):
        r = solve_triangular(chols[k], y - means[k], lower=True)
        terms.append(log_c[k] + log_v - 0.5 * float(r @ r) / scales)
    return float(logsumexp(np.concatenate(terms)))


def pick(u, cum):
    i = int(np.searchsorted(cum, u, side="right"))
    i = min(i, len(cum) - 1)
    lo = cum[i - 1] if i else 0.0
    return i, (u - lo) / (cum[i] - lo)


def draw_noise(gen_z, gen_u, steps, d):
    """Pre-draw ``(u_pick, z, u_accept)`` per chain as the kernel does, step by step."""
    out = []
    for rz, ru in zip(gen_z, gen_u, strict=True):
        u_pick, z, u_acc = np.empty(steps), np.empty((steps, d)), np.empty(steps)
        for k in range(steps):
            u_pick[k] = ru.random()
            z[k] = rz.standard_normal(d)
            u_acc[k] = ru.random()
        out.append((u_pick, z, u_acc))
    return out


def run_chains(
    logpdf, x, lp, lq, means, chols, cum_w, log_c, scales, cum_v, log_v, noise, t0, warmup,
    record_from, thin, n_accept, out, props, prop_lw,
):  # fmt: skip
    for c, (u_pick, z, u_acc) in enumerate(noise):
        for k in range(len(u_pick)):
            t = t0 + k
            j, rest = pick(u_pick[k], cum_v)
            comp, _ = pick(rest, cum_w)
            y = means[comp] + np.sqrt(scales[j]) * (np.tril(chols[comp]) @ z[k])
            lq_y = log_density(y, means, chols, log_c, scales, log_v)
            lp_y = float(logpdf(y))
            if np.isnan(lp_y):
                lp_y = -np.inf
            if np.log(u_acc[k]) < lp_y - lq_y - lp[c] + lq[c]:
                x[c], lp[c], lq[c] = y, lp_y, lq_y
                if t >= warmup:
                    n_accept[c] += 1
            s = t - record_from + 1
            if s > 0 and s % thin == 0:
                row = s // thin - 1
                if row < out.shape[1]:
                    out[c, row] = x[c]
                if row < props.shape[1]:
                    props[c, row] = y
                    prop_lw[c, row] = lp_y - lq_y


def e_step(points, point_w, means, chols, log_c, resp):
    n, d = points.shape
    logp = np.empty((n, len(means)))
    for k in range(len(means)):
        r = solve_triangular(chols[k], (points - means[k]).T, lower=True)
        logp[:, k] = log_c[k] - 0.5 * np.sum(r * r, axis=0)
    ll = logsumexp(logp, axis=1)
    resp[:] = np.exp(logp - ll[:, None])
    return float(point_w @ ll - 0.5 * point_w.sum() * d * np.log(2 * np.pi))


def m_step(points, point_w, resp, ridge, means, covs):
    g = resp * point_w[:, None]
    nk = g.sum(axis=0)
    means[:] = g.T @ points / nk[:, None]
    for k in range(len(nk)):
        diff = points - means[k]
        covs[k] = (g[:, k, None] * diff).T @ diff / nk[k] + ridge * np.eye(points.shape[1])
    return nk / nk.sum()
