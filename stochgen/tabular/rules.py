"""Constraints written as rules: ``"start <= end"``, ``"a + b == total"``, ``"if ... then ..."``.

`parse_rule` compiles one rule (see `stochgen.tabular.rule_parser` for the
language) into the constraint that meets it best: a range of one column
becomes `Bounds` (an exact latent range), ``a <= b`` an `Inequality` and a
linear equality a `LinearEquality` (both met by construction),
``fixed_combinations(...)`` and ``one_hot(...)`` transforms, ``unique(...)``
`Unique`, and everything else a `Rule` met by rejection. Every constraint
gives its rule back with ``describe()``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from stochgen._validation import check_columns
from stochgen.exceptions import ValidationError
from stochgen.tabular.constraints import (
    Bounds,
    Constraint,
    FixedCombinations,
    GroupAsLabel,
    Inequality,
    Predicate,
    Unique,
)
from stochgen.tabular.rule_parser import (
    Comparison,
    Group,
    Implication,
    Linear,
    Membership,
    parse,
    quote_column,
)

__all__ = [
    "LinearEquality",
    "OneHot",
    "Rule",
    "as_constraint",
    "order_constraints",
    "parse_rule",
    "register_constraint",
    "rule_holds",
]

# Comparisons allow this relative rounding error (of the sum of the terms' sizes).
_RTOL = 1e-12
_TICKS_PER_SECOND = {"s": 1.0, "ms": 1e3, "us": 1e6, "ns": 1e9}


def _as_numbers(series: pd.Series) -> np.ndarray:
    """Return a column as float64 (datetimes and durations in seconds; missing: NaN)."""
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_timedelta64_dtype(series):
        # Integer ticks since the epoch (UTC for tz-aware values) in the column's own unit.
        seconds = series.array.asi8 / _TICKS_PER_SECOND[series.dt.unit]
        seconds[series.isna().to_numpy()] = np.nan
        return seconds
    return series.astype("float64").to_numpy(dtype=float, na_value=np.nan)


def _linear(expr: Linear, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the expression's value per row and the size of its terms (for rounding)."""
    value = np.full(len(rows), expr.constant)
    size = np.full(len(rows), abs(expr.constant))
    for name, coef in expr.terms.items():
        term = coef * _as_numbers(rows[name])
        value = value + term
        size = size + np.abs(term)
    return value, size


def _atom(atom: Comparison | Membership, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (holds, known): whether each row meets the atom, and whether it could be judged."""
    if isinstance(atom, Membership):
        series = rows[atom.column]
        known = series.notna().to_numpy(dtype=bool)
        inside = series.isin(atom.values).to_numpy(dtype=bool)
        return (~inside if atom.negated else inside) & known, known
    values = [_linear(operand, rows) for operand in atom.operands]
    ok = np.ones(len(rows), dtype=bool)
    known = np.ones(len(rows), dtype=bool)
    for op, (left, left_size), (right, right_size) in zip(
        atom.ops, values[:-1], values[1:], strict=True
    ):
        diff = left - right
        tol = _RTOL * (left_size + right_size)
        known &= ~np.isnan(diff)
        with np.errstate(invalid="ignore"):
            if op == "<=":
                ok &= diff <= tol
            elif op == "<":
                ok &= diff < -tol
            elif op == ">=":
                ok &= diff >= -tol
            elif op == ">":
                ok &= diff > tol
            elif op == "==":
                ok &= np.abs(diff) <= tol
            else:
                ok &= np.abs(diff) > tol
    return ok & known, known


def rule_holds(parsed: Implication, rows: pd.DataFrame) -> np.ndarray:
    """Return which rows meet a parsed rule (a row missing a value the rule needs passes).

    ``if A then B``: a row passes when A is not known to hold, or B holds or
    cannot be judged.
    """
    given = np.ones(len(rows), dtype=bool)
    for atom in parsed.given:
        given &= _atom(atom, rows)[0]
    then = np.ones(len(rows), dtype=bool)
    for atom in parsed.then:
        ok, known = _atom(atom, rows)
        then &= ok | ~known
    return ~given | then


def _order_kind(series: pd.Series) -> str | None:
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datetime"
    if pd.api.types.is_timedelta64_dtype(series):
        return "duration"
    if pd.api.types.is_numeric_dtype(series):
        return "number"
    return None


def _check_comparison(text: str, atom: Comparison, data: pd.DataFrame) -> None:
    """Refuse arithmetic on text columns, and datetimes used other than as differences."""
    kinds = {name: _order_kind(data[name]) for name in atom.columns()}
    for name, kind in kinds.items():
        if kind is None:
            raise ValidationError(
                f"rule {text!r}: column {name!r} holds {data[name].dtype} values, not numbers "
                "or dates; compare it with ==, != or in"
            )
    for left, right in zip(atom.operands[:-1], atom.operands[1:], strict=True):
        diff = left.plus(right, -1.0)
        timed = [n for n in diff.terms if kinds[n] in ("datetime", "duration")]
        dates = sum(c for n, c in diff.terms.items() if kinds[n] == "datetime")
        if abs(dates) > 1e-12:
            raise ValidationError(
                f"rule {text!r}: datetime columns ({', '.join(map(repr, timed))}) enter only as "
                "differences, e.g. 'end - start <= 30 days'"
            )
        if diff.timed and not timed:
            raise ValidationError(
                f"rule {text!r}: a time unit needs datetime or duration columns to compare with"
            )
        if timed and diff.constant != 0 and not diff.timed:
            raise ValidationError(
                f"rule {text!r}: give the constant compared with {timed[0]!r} a unit "
                "(seconds, minutes, hours, days, weeks)"
            )
        if timed and len(timed) != len(diff.terms):
            raise ValidationError(
                f"rule {text!r}: datetime or duration columns ({', '.join(map(repr, timed))}) "
                "cannot be added to plain numbers"
            )


class Rule(Constraint):
    """A rule in the rule language, met by rejection.

    Used for the rules no transform or latent range meets exactly: strict and
    general linear inequalities, differences with units, categories, and
    ``if ... then ...``. A row missing a value the rule reads passes.

    Parameters
    ----------
    text : str
        The rule, e.g. ``"if plan == 'pro' then seats >= 5"``.

    Attributes
    ----------
    real_share_ : float
        Share of the fitted rows meeting the rule (1 unless rows were kept
        that break it).

    Examples
    --------
    >>> rule = Rule("end - start <= 30 days")
    >>> rows = pd.DataFrame({"start": pd.to_datetime(["2024-01-01", "2024-01-01"]),
    ...                      "end": pd.to_datetime(["2024-01-20", "2024-03-01"])})
    >>> rule.holds(rows).tolist()
    [True, False]
    """

    _fitted_attributes = ("real_share_",)

    def __init__(self, text: str = "") -> None:
        self.text = text

    def _parsed(self) -> Implication:
        parsed = parse(self.text)
        if not isinstance(parsed, Implication):
            raise ValidationError(
                f"Rule {self.text!r}: {parsed.function}() is its own constraint; use parse_rule"
            )
        return parsed

    def required_columns(self) -> list[str]:
        """Return the columns the rule names."""
        return self._parsed().columns()

    def describe(self) -> str:
        """Return the rule's text."""
        return self.text

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check the columns exist and fit the comparisons (numbers, dates as differences)."""
        parsed = self._parsed()
        check_columns(parsed.columns(), data.columns, f"rule {self.text!r}")
        for atom in [*parsed.given, *parsed.then]:
            if isinstance(atom, Comparison):
                _check_comparison(self.text, atom, data)

    def _learn(self, data: pd.DataFrame) -> None:
        self.real_share_ = float(self.holds(data).mean()) if len(data) else 1.0

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows meet the rule."""
        return rule_holds(self._parsed(), rows)


class LinearEquality(Constraint):
    """``sum(coef * column) == constant`` on numeric columns, met by construction.

    The model does not learn one column (``target_``: the last float column,
    else the last integer column the others determine as integers) and
    computes it from the others, so every generated row meets the rule up to
    floating-point rounding.

    Parameters
    ----------
    text : str
        The rule, e.g. ``"a + b == total"``.

    Attributes
    ----------
    target_ : str
        The column computed from the others.
    dtype_ : str
        Its dtype.

    Examples
    --------
    >>> real = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6], "total": [5, 7, 9]})
    >>> rule = LinearEquality("a + b == total").fit(real)
    >>> rule.target_
    'total'
    >>> rule.reverse(rule.forward(real)).equals(real)
    True
    """

    met_by = "transform"
    rejection_feasible = False
    _fitted_attributes = ("target_", "dtype_")

    def __init__(self, text: str = "") -> None:
        self.text = text

    def _form(self) -> Linear:
        """Return the rule as ``expression == 0``."""
        parsed = parse(self.text)
        atoms = parsed.then if isinstance(parsed, Implication) else []
        if (
            not isinstance(parsed, Implication)
            or parsed.given
            or len(atoms) != 1
            or not isinstance(atoms[0], Comparison)
            or atoms[0].ops != ["=="]
        ):
            raise ValidationError(f"LinearEquality {self.text!r}: expected one 'left == right'")
        left, right = atoms[0].operands
        return left.plus(right, -1.0)

    def required_columns(self) -> list[str]:
        """Return the columns of the equality."""
        return list(self._form().terms)

    def describe(self) -> str:
        """Return the rule's text."""
        return self.text

    def replaced_columns(self) -> list[str]:
        """Return ``[target_]``, computed from the other columns."""
        return [self.target_]

    def learned_columns(self, names: list[str]) -> list[str]:
        """Return ``names`` without ``target_``."""
        return [n for n in names if n != self.target_]

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check the columns are numeric and choose the column to compute (``target_``)."""
        form = self._form()
        check_columns(list(form.terms), data.columns, f"rule {self.text!r}")
        kinds = {}
        for name in form.terms:
            series = data[name]
            if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
                raise ValidationError(
                    f"rule {self.text!r}: column {name!r} holds {series.dtype} values; an "
                    "equality met by construction needs numeric columns"
                )
            kinds[name] = "f" if pd.api.types.is_float_dtype(series) else "i"
        if len(form.terms) < 2 or form.timed:
            raise ValidationError(
                f"rule {self.text!r}: an equality met by construction links two or more "
                "numeric columns"
            )
        floats = [n for n in form.terms if kinds[n] == "f"]
        if floats:
            self.target_ = floats[-1]
        else:
            # An integer column computed from the others must come out whole, and present
            # (a numpy integer column cannot hold a missing value).
            whole = [
                n
                for n, coef in form.terms.items()
                if all(float(c / coef).is_integer() for c in form.terms.values())
                and float(form.constant / coef).is_integer()
                and not data[[m for m in form.terms if m != n]].isna().any().any()
            ]
            if not whole:
                raise ValidationError(
                    f"rule {self.text!r}: no integer column is an integer combination of the "
                    "others (with no missing values); make one of them a float column"
                )
            self.target_ = whole[-1]
        self.dtype_ = str(data[self.target_].dtype)

    def _learn(self, data: pd.DataFrame) -> None:
        self.validate_table(data)

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows meet the equality (rows missing a value pass)."""
        return rule_holds(Implication([], [Comparison([self._form(), Linear()], ["=="])]), rows)

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Drop ``target_``: the model learns the other columns."""
        return data.drop(columns=[self.target_])

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Compute ``target_`` from the other columns."""
        form = self._form()
        coef = form.terms[self.target_]
        rest = Linear({n: c for n, c in form.terms.items() if n != self.target_}, form.constant)
        value = -_linear(rest, rows)[0] / coef
        if pd.api.types.is_integer_dtype(pd.api.types.pandas_dtype(self.dtype_)):
            value = np.round(value)
        rows[self.target_] = pd.Series(value, index=rows.index).astype(self.dtype_)
        return rows


class OneHot(GroupAsLabel):
    """Exactly one of ``columns`` is 1 and the others 0 in every row, met by construction.

    The model learns which column is hot as one categorical column. Rows with a
    missing value in the group break the rule.

    Parameters
    ----------
    columns : list of str
        Two or more 0/1 (or boolean) columns.

    Attributes
    ----------
    dtypes_ : dict of str to str
    key_ : str
        Name of the categorical column the model learns.

    Examples
    --------
    >>> real = pd.DataFrame({"cat": [1, 0, 0], "dog": [0, 1, 0], "bird": [0, 0, 1]})
    >>> rule = OneHot(["cat", "dog", "bird"]).fit(real)
    >>> rule.reverse(rule.forward(real))[["cat", "dog", "bird"]].equals(real)
    True
    """

    _fitted_attributes = ("dtypes_", "key_")

    def describe(self) -> str:
        """Return the rule as text: ``one_hot(a, b, c)``."""
        return f"one_hot({', '.join(map(quote_column, self.required_columns()))})"

    def validate_table(self, data: pd.DataFrame) -> None:
        """Check two or more numeric or boolean columns."""
        names = self.required_columns()
        if len(names) < 2 or len(set(names)) != len(names):
            raise ValidationError(f"OneHot needs two or more distinct columns; got {names!r}")
        check_columns(names, data.columns, "OneHot")
        for name in names:
            if not pd.api.types.is_numeric_dtype(data[name]):
                raise ValidationError(
                    f"{self.describe()}: column {name!r} holds {data[name].dtype} values; "
                    "expected 0/1 or booleans"
                )

    def _learn(self, data: pd.DataFrame) -> None:
        self.dtypes_ = {c: str(data[c].dtype) for c in self.required_columns()}
        self._learn_key(data)

    def _key_name(self) -> str:
        return "one_hot(" + ",".join(self.required_columns()) + ")"

    def holds(self, rows: pd.DataFrame) -> np.ndarray:
        """Return which rows have exactly one 1 and 0 elsewhere in the group."""
        values = np.column_stack([_as_numbers(rows[c]) for c in self.required_columns()])
        binary = ((values == 0) | (values == 1)).all(axis=1)  # missing (NaN) is neither
        return binary & (values.sum(axis=1) == 1)

    def forward(self, data: pd.DataFrame) -> pd.DataFrame:
        """Replace the columns by the name of the hot one."""
        names = self.required_columns()
        values = np.column_stack([_as_numbers(data[c]) for c in names])
        out = data.drop(columns=names)
        out[self.key_] = np.asarray(names, dtype=object)[np.argmax(values == 1, axis=1)]
        return out

    def reverse(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Set the hot column to 1 and the others to 0, with their dtypes."""
        hot = rows[self.key_].to_numpy()
        rows = rows.drop(columns=[self.key_])
        for name in self.required_columns():
            rows[name] = pd.Series(hot == name, index=rows.index).astype(self.dtypes_[name])
        return rows


def _comparison_only(parsed: Implication) -> Comparison | None:
    if parsed.given or len(parsed.then) != 1 or not isinstance(parsed.then[0], Comparison):
        return None
    return parsed.then[0]


def parse_rule(text: Any, name: str = "rule") -> Constraint:
    """Compile a rule into the constraint that meets it best.

    Parameters
    ----------
    text : str
        One rule (see `stochgen.tabular.rule_parser`).
    name : str
        What the rule is, for the message when it is malformed.

    Returns
    -------
    Constraint
        `Bounds`, `Inequality`, `LinearEquality`, `FixedCombinations`,
        `OneHot`, `Unique` or, for anything else, `Rule`.

    Raises
    ------
    stochgen.tabular.rule_parser.RuleSyntaxError
        On a malformed rule, naming the position.

    Examples
    --------
    >>> parse_rule("start <= end")
    Inequality(low_column='start', high_column='end')
    >>> parse_rule("0 <= age <= 120")
    Bounds(column='age', low=0, high=120)
    >>> parse_rule("a + b == total")
    LinearEquality(text='a + b == total')
    >>> parse_rule("if plan == 'pro' then seats >= 5")
    Rule(text="if plan == 'pro' then seats >= 5")
    """
    parsed = parse(text, name)
    if isinstance(parsed, Group):
        if parsed.function == "unique":
            return Unique(parsed.names[0])
        if parsed.function == "one_hot":
            return OneHot(parsed.names)
        return FixedCombinations(parsed.names)
    atom = _comparison_only(parsed)
    if atom is None or any(operand.timed for operand in atom.operands):
        return Rule(text)
    columns = atom.columns()
    if len(columns) == 1 and all(op in ("<=", ">=") for op in atom.ops):
        bounds = _single_column_bounds(atom, columns[0])
        if bounds is not None:
            return Bounds(columns[0], *bounds)
    if len(atom.ops) == 1:
        form = atom.operands[0].plus(atom.operands[1], -1.0)
        op = atom.ops[0]
        if op == "==" and len(form.terms) >= 2:
            return LinearEquality(text)
        if op in ("<=", ">=") and form.constant == 0 and sorted(form.terms.values()) == [-1, 1]:
            low, high = sorted(form.terms, key=lambda n: form.terms[n] * (-1 if op == "<=" else 1))
            return Inequality(low, high)
    return Rule(text)


def _single_column_bounds(atom: Comparison, column: str) -> tuple[Any, Any] | None:
    """Return (low, high) of a chain of <= or >= on one column, None if it is not one."""
    low: float | None = None
    high: float | None = None
    for op, left, right in zip(atom.ops, atom.operands[:-1], atom.operands[1:], strict=True):
        form = left.plus(right, -1.0) if op == "<=" else right.plus(left, -1.0)
        if not form.terms:  # a comparison of two constants: left to a Rule
            return None
        coef = form.terms[column]
        bound = -form.constant / coef  # coef * x + c <= 0
        if coef > 0:
            high = bound if high is None else min(high, bound)
        else:
            low = bound if low is None else max(low, bound)
    return _plain(low), _plain(high)


def _plain(value: float | None) -> Any:
    return int(value) if value is not None and float(value).is_integer() else value


def as_constraint(value: Any, name: str = "constraints") -> Constraint:
    """Return a fresh constraint from a rule's text or a constraint (cloned).

    Examples
    --------
    >>> as_constraint("x >= 0")
    Bounds(column='x', low=0)
    """
    if isinstance(value, str):
        return parse_rule(value, name)
    if isinstance(value, Constraint):
        return value.clone()
    raise TypeError(f"{name}: {value!r} is neither a rule (text) nor a stochgen constraint")


def _demoted(constraint: Constraint, reason: str) -> Constraint:
    """Return a `Rule` meeting the same rule by rejection, or raise naming ``reason``."""
    text = constraint.describe()
    try:
        rule = parse_rule(text)
    except ValidationError:
        rule = None
    if rule is None or isinstance(rule, FixedCombinations | OneHot | Unique):
        raise ValidationError(f"constraints: {text} {reason}; drop one of the two")
    return Rule(text)


def order_constraints(constraints: list[Constraint]) -> list[Constraint]:
    """Order transforms so each reads columns before another replaces them; demote conflicts.

    A transform whose columns another transform already replaces, or that
    would close a cycle, is met by rejection instead (as a `Rule`); so is a
    latent range on a replaced column. Equalities and combinations
    (``rejection_feasible`` False) are placed before inequalities, so that an
    inequality gives way to them. Transforms come first, in an order in which
    every transform reads real values; the rest keep their order.
    `validate_table` must have run on each.

    Examples
    --------
    >>> rules = [parse_rule(t) for t in ["b <= c", "a <= b", "0 <= c <= 5"]]
    >>> [c.describe() for c in order_constraints(rules)]
    ['b <= c', 'a <= b', '0 <= c <= 5']
    >>> type(order_constraints(rules)[2]).__name__
    'Rule'
    """
    kept: list[Constraint] = []
    others = [c for c in constraints if c.met_by != "transform"]
    transforms = [c for c in constraints if c.met_by == "transform"]
    # Equalities and combinations first: rejection could almost never meet them.
    transforms.sort(key=lambda c: c.rejection_feasible)
    for constraint in transforms:
        replaced = {n for c in kept for n in c.replaced_columns()}
        clash = replaced.intersection(constraint.replaced_columns())
        if clash:
            reason = f"generates {sorted(clash)}, which another constraint already generates"
            others.append(_demoted(constraint, reason))
        elif _order([*kept, constraint]) is None:
            others.append(_demoted(constraint, "forms a cycle with the other constraints"))
        else:
            kept.append(constraint)
    replaced = {n for c in kept for n in c.replaced_columns()}
    out = []
    for constraint in others:
        if constraint.met_by == "latent" and replaced.intersection(constraint.required_columns()):
            constraint = _demoted(constraint, "reads a column another constraint generates")
        out.append(constraint)
    return [*(_order(kept) or []), *out]


def _order(transforms: list[Constraint]) -> list[Constraint] | None:
    """Return the transforms so that readers of a column precede its replacer; None on a cycle.

    A transform whose replaced columns no other remaining transform reads can
    run first: its forward sees real values, and no later forward needs them.
    """
    left = list(transforms)
    out: list[Constraint] = []
    while left:
        for candidate in left:
            mine = set(candidate.replaced_columns())
            if not any(
                mine.intersection(other.required_columns())
                for other in left
                if other is not candidate
            ):
                out.append(candidate)
                left.remove(candidate)
                break
        else:
            return None
    return out


def register_constraint(cls: type) -> type:
    """Let model files hold a custom constraint class (settings and state must be plain data).

    An explicit opt-in: `stochgen.load` then rebuilds instances of ``cls``
    from their settings and fitted state in this process; no code is ever
    stored in the file. Use as a decorator or call it once before loading.

    Parameters
    ----------
    cls : type
        A subclass of `Constraint` (not of `Predicate`, which holds code).

    Returns
    -------
    type
        ``cls``, unchanged.

    Raises
    ------
    TypeError
        If ``cls`` is not a constraint class, is a `Predicate`, or its name
        is already taken by another class.

    Examples
    --------
    >>> @register_constraint
    ... class EvenRows(Constraint):
    ...     def __init__(self, column: str = ""):
    ...         self.column = column
    ...     def required_columns(self):
    ...         return [self.column]
    ...     def _learn(self, data):
    ...         self.seen_ = int(len(data))
    ...     def holds(self, rows):
    ...         return (rows[self.column] % 2 == 0).to_numpy()
    >>> EvenRows("n")
    EvenRows(column='n')
    """
    from stochgen.io import register_model_class

    if not (isinstance(cls, type) and issubclass(cls, Constraint)):
        raise TypeError(f"register_constraint expects a Constraint subclass; got {cls!r}")
    if issubclass(cls, Predicate):
        raise TypeError(f"{cls.__name__} is a Predicate: it holds code, which model files never do")
    register_model_class(cls)
    return cls
