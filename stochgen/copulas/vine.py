"""Vine copulas (pair-copula constructions): R-, C- and D-vines.

A d-dimensional vine is a sequence of trees; edge ``(a, b | D)`` of tree
``k`` holds a pair copula of ``F(a | D)`` and ``F(b | D)`` with ``|D| = k - 1``
(Aas et al. 2009). Structures are chosen by Dissmann et al.'s (2013) greedy
algorithm: each tree is a maximum spanning tree on ``|Kendall's tau|`` among
the edges the proximity condition allows (R-vine), a star around the node of
largest total ``|tau|`` (C-vine) or a path (D-vine). Each edge's family is
chosen by AIC or BIC among ``family_set``. Trees beyond ``truncation_level``
hold independence copulas.

The log-density is the sum of the edges' log pair densities; sampling and
conditional sampling invert the Rosenblatt transform edge by edge with
inverse h-functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Self

import numpy as np
from numpy.typing import ArrayLike, NDArray

from stochgen._kernels.copulas import kendall_tau_matrix
from stochgen._rng import SeedLike, iter_blocks
from stochgen._validation import check_choice, check_n_samples, check_unit_interval
from stochgen.copulas import bivariate as bv
from stochgen.copulas._base import Copula, check_copula_data, check_given
from stochgen.copulas.selection import select_pair
from stochgen.exceptions import ModelFileError, NotFittedError, ValidationError

__all__ = ["DEFAULT_VINE_FAMILIES", "VineCopula"]

#: Families tried per edge by default (Student-t is opt-in: its quantile function is slow).
DEFAULT_VINE_FAMILIES = ("independence", "gaussian", "clayton", "gumbel", "frank", "joe")


class _Evaluator:
    """Conditional distribution values ``F(var | D)`` computed through the vine, cached."""

    def __init__(self, edges: list[dict], u: NDArray[np.float64]) -> None:
        self.by_set = {frozenset((*e["conditioned"], *e["conditioning"])): e for e in edges}
        self.u = u
        self.cache: dict[tuple[int, frozenset], NDArray[np.float64]] = {}

    def edge_args(self, edge: dict) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        a, b = edge["conditioned"]
        given = frozenset(edge["conditioning"])
        return self.value(a, given), self.value(b, given)

    def value(self, var: int, given: frozenset) -> NDArray[np.float64]:
        if not given:
            return self.u[:, var]
        key = (var, given)
        if key not in self.cache:
            edge = self.by_set[given | {var}]
            a, b = edge["conditioned"]
            u1, u2 = self.edge_args(edge)
            args = (edge["family"], edge["rotation"], tuple(edge["params"]), u1, u2)
            self.cache[key] = bv.pair_hfunc2(*args) if var == a else bv.pair_hfunc1(*args)
        return self.cache[key]


def _tau(x: NDArray[np.float64], y: NDArray[np.float64]) -> float:
    return float(kendall_tau_matrix(np.column_stack([x, y]))[0, 1])


def _max_spanning_tree(n_nodes: int, candidates: list[tuple[float, int, int]]) -> list[tuple]:
    # Kruskal on weights |tau|, largest first; ties keep candidate order.
    parent = list(range(n_nodes))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    chosen = []
    for weight, i, j in sorted(candidates, key=lambda c: -c[0]):
        ri, rj = find(i), find(j)
        if ri != rj:
            parent[ri] = rj
            chosen.append((weight, i, j))
    return chosen


class VineCopula(Copula):
    """Vine copula with pair copulas chosen per edge (Dissmann et al. 2013).

    Parameters
    ----------
    structure : {"rvine", "cvine", "dvine"}
        Vine class; R-vines use maximum spanning trees on ``|tau|``.
    family_set : sequence of str or None
        Pair-copula families tried per edge (`DEFAULT_VINE_FAMILIES` when
        None); Archimedean families are tried in the rotations matching the
        sign of tau. Add ``"student"`` for t pair copulas (slower).
    truncation_level : int or None
        Trees after this level hold independence copulas; None fits all.
    criterion : {"aic", "bic"}
        Family selection criterion.
    method : {"itau", "mle"}
        Pair-copula estimator: Kendall's-tau inversion (default, fast) or
        maximum likelihood.

    Attributes
    ----------
    edges_ : list of dict
        One entry per edge: ``tree`` (1-based), ``conditioned`` (a, b),
        ``conditioning`` (sorted tuple), ``family``, ``rotation``, ``params``.
    dim_ : int
        Number of variables.
    loglik_ : float
        Log-likelihood of the fitted vine on the training data.

    Examples
    --------
    >>> from stochgen.copulas import GaussianCopula
    >>> corr = [[1.0, 0.7, 0.3], [0.7, 1.0, 0.5], [0.3, 0.5, 1.0]]
    >>> u = GaussianCopula.from_params(corr=corr).sample(2000, seed=0)
    >>> vine = VineCopula().fit(u)
    >>> len(vine.edges_), vine.sample(5, seed=1).shape
    (3, (5, 3))
    """

    _fitted_attributes = ("edges_", "dim_", "loglik_")

    def __init__(
        self,
        *,
        structure: str = "rvine",
        family_set: Sequence[str] | None = None,
        truncation_level: int | None = None,
        criterion: str = "aic",
        method: str = "itau",
    ) -> None:
        self.structure = structure
        self.family_set = family_set
        self.truncation_level = truncation_level
        self.criterion = criterion
        self.method = method

    def _fitted(self) -> tuple[list[dict], int]:
        if not hasattr(self, "edges_"):
            raise NotFittedError("This VineCopula instance is not fitted yet. Call 'fit' first.")
        return self.edges_, self.dim_

    @property
    def n_params(self) -> int:
        """Number of fitted pair-copula parameters."""
        edges, _ = self._fitted()
        return sum(bv.pair_n_params(e["family"]) for e in edges)

    # -- fitting ------------------------------------------------------------------------
    def fit(self, u: ArrayLike) -> Self:
        """Select the structure and the pair copulas, tree by tree.

        Parameters
        ----------
        u : array_like
            Pseudo-observations, shape (n, d) with d >= 2, strictly inside (0, 1).

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            On invalid data or settings.
        """
        data = check_copula_data(u)
        check_choice(self.structure, "structure", ("rvine", "cvine", "dvine"))
        check_choice(self.criterion, "criterion", ("aic", "bic"))
        check_choice(self.method, "method", ("itau", "mle"))
        families = tuple(DEFAULT_VINE_FAMILIES if self.family_set is None else self.family_set)
        unknown = [f for f in families if f not in bv.FAMILIES]
        if unknown or not families:
            raise ValidationError(
                f"family_set must be among {list(bv.FAMILIES)}; got {list(families)}"
            )
        level = self.truncation_level
        if level is not None and (
            isinstance(level, bool) or not isinstance(level, int | np.integer) or level < 1
        ):
            raise ValidationError(f"truncation_level must be None or an int >= 1; got {level!r}")
        n, d = data.shape
        # A node of tree k: (full variable set, conditioned pair, {var: F(var | rest)}).
        nodes: list[tuple[frozenset, tuple, dict]] = [
            (frozenset([j]), (j,), {j: data[:, j]}) for j in range(d)
        ]
        edges: list[dict] = []
        loglik = 0.0
        tau1 = kendall_tau_matrix(data)
        for tree in range(1, d):
            fitted_tree = level is None or tree <= level
            candidates = []
            for i in range(len(nodes)):
                for j in range(i + 1, len(nodes)):
                    s1, s2 = nodes[i][0], nodes[j][0]
                    if len(s1 & s2) != tree - 1:
                        continue
                    candidates.append((i, j))
            weights = {}
            if fitted_tree or self.structure != "rvine":
                for i, j in candidates:
                    a, b = self._pair_vars(nodes[i][0], nodes[j][0])
                    if tree == 1:
                        weights[i, j] = abs(tau1[a, b])
                    else:
                        weights[i, j] = abs(_tau(nodes[i][2][a], nodes[j][2][b]))
            else:
                weights = dict.fromkeys(candidates, 0.0)
            chosen = self._choose_tree(tree, len(nodes), candidates, weights)
            new_nodes = []
            for i, j in chosen:
                s1, s2 = nodes[i][0], nodes[j][0]
                a, b = self._pair_vars(s1, s2)
                x, y = nodes[i][2][a], nodes[j][2][b]
                if fitted_tree:
                    tau = float(tau1[a, b]) if tree == 1 else _tau(x, y)
                    best = select_pair(
                        x,
                        y,
                        families=families,
                        criterion=self.criterion,
                        method=self.method,
                        tau=tau,
                    )[0]
                    family, rotation, params = best["family"], best["rotation"], best["params"]
                    loglik += best["loglik"]
                else:
                    family, rotation, params = "independence", 0, ()
                edge = {
                    "tree": tree,
                    "conditioned": (a, b),
                    "conditioning": tuple(sorted(s1 & s2)),
                    "family": family,
                    "rotation": rotation,
                    "params": tuple(float(p) for p in params),
                }
                edges.append(edge)
                if tree < d - 1:
                    args = (family, rotation, edge["params"], x, y)
                    new_nodes.append(
                        (s1 | s2, (a, b), {a: bv.pair_hfunc2(*args), b: bv.pair_hfunc1(*args)})
                    )
            nodes = new_nodes
        self.edges_ = edges
        self.dim_ = int(d)
        self.loglik_ = float(loglik)
        return self

    @staticmethod
    def _pair_vars(s1: frozenset, s2: frozenset) -> tuple[int, int]:
        (a,) = s1 - s2
        (b,) = s2 - s1
        return int(a), int(b)

    def _choose_tree(
        self, tree: int, n_nodes: int, candidates: list, weights: dict
    ) -> list[tuple[int, int]]:
        if self.structure == "rvine" or n_nodes <= 2:
            mst = _max_spanning_tree(n_nodes, [(weights[c], *c) for c in candidates])
            return [(i, j) for _, i, j in mst]
        if self.structure == "cvine":
            totals = np.zeros(n_nodes)
            for (i, j), w in weights.items():
                totals[i] += w
                totals[j] += w
            root = int(np.argmax(totals))
            return [(min(root, j), max(root, j)) for j in range(n_nodes) if j != root]
        # D-vine: tree 1 is a greedy path; later trees are forced by proximity.
        if tree == 1:
            return self._greedy_path(n_nodes, weights)
        mst = _max_spanning_tree(n_nodes, [(weights[c], *c) for c in candidates])
        return [(i, j) for _, i, j in mst]

    @staticmethod
    def _greedy_path(n_nodes: int, weights: dict) -> list[tuple[int, int]]:
        def w(i: int, j: int) -> float:
            return weights[(min(i, j), max(i, j))]

        i0, j0 = max(weights, key=weights.get)
        path = [i0, j0]
        left = set(range(n_nodes)) - {i0, j0}
        while left:
            head = max(left, key=lambda k: w(k, path[0]))
            tail = max(left, key=lambda k: w(k, path[-1]))
            if w(head, path[0]) >= w(tail, path[-1]):
                path.insert(0, head)
                left.remove(head)
            else:
                path.append(tail)
                left.remove(tail)
        return [(min(a, b), max(a, b)) for a, b in zip(path[:-1], path[1:], strict=True)]

    # -- evaluation ---------------------------------------------------------------------
    def _points(self, u: ArrayLike, d: int) -> NDArray[np.float64]:
        data = check_unit_interval(u, "u")
        if data.shape[1] != d:
            raise ValidationError(f"u must have {d} columns; got {data.shape[1]}")
        return data

    def logpdf(self, u: ArrayLike) -> NDArray[np.float64]:
        """Log copula density: the sum of the edges' log pair densities.

        Parameters
        ----------
        u : array_like
            Points, shape (n, d), strictly inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n,).
        """
        edges, d = self._fitted()
        data = self._points(u, d)
        ev = _Evaluator(edges, data)
        out = np.zeros(data.shape[0])
        for edge in edges:
            if edge["family"] == "independence":
                continue
            u1, u2 = ev.edge_args(edge)
            out += bv.pair_logpdf(edge["family"], edge["rotation"], tuple(edge["params"]), u1, u2)
        return out

    def loglik(self, u: ArrayLike) -> float:
        """Log-likelihood of ``u``: the sum of `logpdf`.

        Parameters
        ----------
        u : array_like
            Points, shape (n, d).

        Returns
        -------
        float
        """
        return float(self.logpdf(u).sum())

    def _sampling_order(self, first: set[int]) -> list[int]:
        # Peel a variable of the top edge of the remaining sub-vine, preferring
        # variables not in `first`, so that those come first in the sampling order.
        edges, d = self._fitted()
        by_set = {frozenset((*e["conditioned"], *e["conditioning"])): e for e in edges}
        remaining = set(range(d))
        peeled = []
        while len(remaining) > 1:
            a, b = by_set[frozenset(remaining)]["conditioned"]
            if a in first and b in first and not first >= remaining:
                free = sorted(remaining - first)
                raise ValidationError(
                    f"given: this vine cannot condition on {sorted(first)} exactly; variables "
                    f"{free} depend on them through pair copulas that would need integration. "
                    "Condition on a set the structure allows (for a C-vine, its first roots; "
                    "for a D-vine, an end of the path) or fit a structure=... that puts these "
                    "variables first"
                )
            x = b if (a in first and b not in first) else a
            peeled.append(x)
            remaining.remove(x)
        peeled.append(remaining.pop())
        return peeled[::-1]

    def _inverse_rosenblatt(
        self, w: NDArray[np.float64], order: list[int], fixed: dict[int, float]
    ) -> NDArray[np.float64]:
        edges, d = self._fitted()
        m = w.shape[0]
        out = np.empty((m, d))
        ev = _Evaluator(edges, out)
        for k, x in enumerate(order):
            if x in fixed:
                out[:, x] = fixed[x]
                continue
            value = w[:, x]
            rest = frozenset(order[:k])
            while rest:
                edge = ev.by_set[rest | {x}]
                a, b = edge["conditioned"]
                other = b if x == a else a
                given = frozenset(edge["conditioning"])
                cond = ev.value(other, given)
                args = (edge["family"], edge["rotation"], tuple(edge["params"]))
                value = (
                    bv.pair_hinv2(*args, cond, value)
                    if x == a
                    else bv.pair_hinv1(*args, cond, value)
                )
                if given:
                    ev.cache[(x, given)] = value
                rest = given
            out[:, x] = value
        return out

    def sample(self, n: int, seed: SeedLike = None, method: str = "random") -> NDArray[np.float64]:
        """Draw ``n`` points by inverse Rosenblatt transform.

        Parameters
        ----------
        n : int
            Number of rows.
        seed : None, int, SeedSequence, BitGenerator or Generator
        method : {"random", "sobol", "halton", "lhs", "lhs_maximin", "antithetic"}
            Point set: ``"random"`` keeps the block streams; the others
            transform a randomized point set through `from_uniforms`.

        Returns
        -------
        numpy.ndarray
            Shape (n, d).
        """
        if method != "random":
            return self._sample_qmc(check_n_samples(n), seed, method)
        return self.conditional_sample(n, {}, seed)

    @property
    def n_uniforms(self) -> int:
        """Independent uniforms per point: d."""
        return self._fitted()[1]

    def from_uniforms(self, w: ArrayLike) -> NDArray[np.float64]:
        """Map independent uniforms to vine points (inverse Rosenblatt transform).

        Parameters
        ----------
        w : array_like
            Shape (n, d), inside (0, 1).

        Returns
        -------
        numpy.ndarray
            Shape (n, d).
        """
        _, d = self._fitted()
        data = check_unit_interval(w, "w")
        if data.shape[1] != d:
            raise ValidationError(f"w must have {d} columns; got {data.shape[1]}")
        out = self._inverse_rosenblatt(data, self._sampling_order(set()), {})
        return np.clip(out, np.finfo(float).tiny, 1.0 - np.finfo(float).epsneg)

    def conditional_sample(
        self, n: int, given: dict[int, Any], seed: SeedLike = None
    ) -> NDArray[np.float64]:
        """Draw ``n`` points given some coordinates, exactly, by h-function inversion.

        The given variables are placed first in a sampling order of the vine;
        the others are drawn from their exact conditional distribution. A set
        of given variables that no sampling order of this vine starts with
        raises a `ValidationError` (it would need numerical integration).

        Parameters
        ----------
        n : int
            Number of rows.
        given : dict of int to float
            Coordinate index to its value in (0, 1).
        seed : None, int, SeedSequence, BitGenerator or Generator

        Returns
        -------
        numpy.ndarray
            Shape (n, d); given coordinates hold their values.

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the vine cannot condition on the given set exactly.
        """
        _, d = self._fitted()
        n = check_n_samples(n)
        idx, values = check_given(given, d)
        fixed = {int(i): float(v) for i, v in zip(idx, values, strict=True)}
        order = self._sampling_order(set(fixed))
        out = np.empty((n, d))
        for start, stop, rng in iter_blocks(n, seed):
            w = rng.random((stop - start, d))
            out[start:stop] = self._inverse_rosenblatt(w, order, fixed)
        tiny = np.finfo(float).tiny
        return np.clip(out, tiny, 1.0 - np.finfo(float).epsneg)

    def _set_state(self, state: dict) -> None:
        super()._set_state(state)
        try:
            d = int(state["dim_"])
            edges = [
                {
                    "tree": int(e["tree"]),
                    "conditioned": tuple(int(v) for v in e["conditioned"]),
                    "conditioning": tuple(int(v) for v in e["conditioning"]),
                    "family": str(e["family"]),
                    "rotation": int(e["rotation"]),
                    "params": bv.check_pair(e["family"], int(e["rotation"]), tuple(e["params"])),
                }
                for e in state["edges_"]
            ]
            loglik = float(state["loglik_"])
        except (TypeError, ValueError, KeyError) as exc:
            raise ModelFileError(f"VineCopula: invalid fitted state: {exc}") from exc
        sets = {frozenset((*e["conditioned"], *e["conditioning"])) for e in edges}
        if len(edges) != d * (d - 1) // 2 or len(sets) != len(edges):
            raise ModelFileError(
                f"VineCopula: expected {d * (d - 1) // 2} distinct edges for d={d}"
            )
        for e in edges:
            variables = (*e["conditioned"], *e["conditioning"])
            if min(variables) < 0 or max(variables) >= d or len(e["conditioning"]) != e["tree"] - 1:
                raise ModelFileError(f"VineCopula: malformed edge {e}")
        self.edges_, self.dim_, self.loglik_ = edges, d, loglik
