"""The rule language: a tokenizer and a recursive-descent parser. Nothing is ever evaluated as code.

A rule is one of::

    a + b == total                 linear equality between columns
    2*x - y >= 3                   linear inequality
    start <= end                   order of two numeric or datetime columns
    end - start <= 30 days         differences with units (seconds ... weeks)
    0 <= age <= 120                a range (comparisons may be chained)
    plan in ["pro", "team"]        categories (also ``==``, ``!=``, ``not in``)
    if plan == "pro" then seats >= 5
    if country == "NO" and tier != "free" then 0 <= discount <= 0.3
    fixed_combinations(country, city)
    one_hot(is_cat, is_dog, is_bird)
    unique(customer_id)

Column names are bare words (letters, digits, ``_``) or written between
backquotes: ```unit price` >= 0``. Text is quoted with ``"`` or ``'``. The
keywords ``if``, ``then``, ``and``, ``in``, ``not``, ``true`` and ``false``
name a column only between backquotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from stochgen.exceptions import ValidationError

__all__ = [
    "FUNCTIONS",
    "UNITS",
    "Comparison",
    "Group",
    "Implication",
    "Linear",
    "Membership",
    "RuleSyntaxError",
    "parse",
    "quote_column",
]

#: Time units after a number, in seconds.
UNITS: dict[str, float] = {
    "second": 1.0,
    "seconds": 1.0,
    "minute": 60.0,
    "minutes": 60.0,
    "hour": 3600.0,
    "hours": 3600.0,
    "day": 86400.0,
    "days": 86400.0,
    "week": 604800.0,
    "weeks": 604800.0,
}
#: Rules written as a function of columns: name -> (fewest, most) columns.
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "fixed_combinations": (2, None),
    "one_hot": (2, None),
    "unique": (1, 1),
}
_KEYWORDS = frozenset({"if", "then", "and", "in", "not", "true", "false"})
_COMPARE = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(
    r"""(?P<space>\s+)
    |(?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<quoted>`[^`]*`)
    |(?P<text>"[^"]*"|'[^']*')
    |(?P<op><=|>=|==|!=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_BARE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class RuleSyntaxError(ValidationError):
    """A rule that cannot be parsed; the message names the position.

    Examples
    --------
    >>> issubclass(RuleSyntaxError, ValueError)
    True
    """


@dataclass(frozen=True)
class _Token:
    kind: str  # "number", "name", "column", "text", "op", "end"
    value: Any
    pos: int


@dataclass
class Linear:
    """``sum(terms[c] * c) + constant``; ``timed`` when a constant carries a time unit."""

    terms: dict[str, float] = field(default_factory=dict)
    constant: float = 0.0
    timed: bool = False

    def scaled(self, factor: float) -> Linear:
        """Return the expression times ``factor``."""
        return Linear(
            {c: v * factor for c, v in self.terms.items()}, self.constant * factor, self.timed
        )

    def plus(self, other: Linear, sign: float = 1.0) -> Linear:
        """Return ``self + sign * other``."""
        terms = dict(self.terms)
        for name, coef in other.terms.items():
            terms[name] = terms.get(name, 0.0) + sign * coef
        return Linear(
            {c: v for c, v in terms.items() if v != 0},
            self.constant + sign * other.constant,
            self.timed or other.timed,
        )


@dataclass
class Comparison:
    """``operands[0] ops[0] operands[1] ops[1] ...`` (a chain of comparisons)."""

    operands: list[Linear]
    ops: list[str]

    def columns(self) -> list[str]:
        """Return the columns named, in order of first use."""
        return list(dict.fromkeys(c for operand in self.operands for c in operand.terms))


@dataclass
class Membership:
    """``column in values`` (``negated``: ``not in``)."""

    column: str
    values: list[Any]
    negated: bool = False

    def columns(self) -> list[str]:
        """Return ``[column]``."""
        return [self.column]


Atom = Comparison | Membership


@dataclass
class Implication:
    """``if all of given then all of then`` (``given`` empty: the rule always applies)."""

    given: list[Atom]
    then: list[Atom]

    def columns(self) -> list[str]:
        """Return the columns named, in order of first use."""
        return list(dict.fromkeys(c for atom in [*self.given, *self.then] for c in atom.columns()))


@dataclass
class Group:
    """``function(columns...)``: fixed_combinations, one_hot or unique."""

    function: str
    names: list[str]

    def columns(self) -> list[str]:
        """Return the columns."""
        return list(self.names)


def quote_column(name: str) -> str:
    """Return ``name`` as written in a rule (between backquotes unless a bare word).

    Examples
    --------
    >>> quote_column("age"), quote_column("unit price")
    ('age', '`unit price`')
    """
    if _BARE.match(name) and name not in _KEYWORDS and name not in UNITS:
        return name
    if "`" in name:
        raise ValidationError(f"column {name!r} cannot be named in a rule (it holds a backquote)")
    return f"`{name}`"


def _tokenize(text: str) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            hint = ""
            if text[pos] == "=":
                hint = " (use '==' to compare)"
            elif text[pos].isalnum():
                hint = " (write such a column name between backquotes: `name`)"
            raise _error(text, pos, f"unexpected character {text[pos]!r}{hint}")
        kind, value = match.lastgroup or "", match.group()
        if kind == "number":
            tokens.append(_Token("number", float(value), pos))
        elif kind == "name":
            tokens.append(_Token("name", value, pos))
        elif kind == "quoted":
            if len(value) == 2:
                raise _error(text, pos, "empty column name ``")
            tokens.append(_Token("column", value[1:-1], pos))
        elif kind == "text":
            tokens.append(_Token("text", value[1:-1], pos))
        elif kind == "op":
            if value == "=" and text[pos : pos + 2] != "==":  # pragma: no cover - regex has no '='
                raise _error(text, pos, "use '==' to compare")
            tokens.append(_Token("op", value, pos))
        pos = match.end()
    tokens.append(_Token("end", None, len(text)))
    return tokens


def _error(text: str, pos: int, message: str) -> RuleSyntaxError:
    pointer = " " * pos + "^"
    return RuleSyntaxError(f"rule {text!r}, position {pos}: {message}\n  {text}\n  {pointer}")


def _shown(token: _Token) -> str:
    if token.kind == "end":
        return "the end of the rule"
    if token.kind == "text":
        return repr(token.value)
    if token.kind == "number":
        return f"{token.value:g}"
    return f"'{token.value}'"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokenize(text)
        self.i = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.i]

    def fail(self, expected: str, token: _Token | None = None) -> RuleSyntaxError:
        token = token or self.token
        return _error(self.text, token.pos, f"expected {expected}; found {_shown(token)}")

    def is_word(self, word: str) -> bool:
        return self.token.kind == "name" and self.token.value == word

    def is_op(self, *ops: str) -> bool:
        return self.token.kind == "op" and self.token.value in ops

    def take(self) -> _Token:
        token = self.token
        self.i += 1
        return token

    def expect_op(self, op: str) -> None:
        if not self.is_op(op):
            raise self.fail(f"'{op}'")
        self.take()

    def rule(self) -> Implication | Group:
        if self.is_word("if"):
            self.take()
            given = self.conjunction()
            if not self.is_word("then"):
                raise self.fail("'and' or 'then'")
            self.take()
            out: Implication | Group = Implication(given, self.conjunction())
        elif (
            self.token.kind == "name"
            and self.token.value in FUNCTIONS
            and self.tokens[self.i + 1].kind == "op"
            and self.tokens[self.i + 1].value == "("
        ):
            out = self.group()
        else:
            out = Implication([], self.conjunction())
        if self.token.kind != "end":
            raise self.fail("the end of the rule (or 'and')")
        return out

    def group(self) -> Group:
        name_token = self.take()
        self.expect_op("(")
        names = [self.column()]
        while self.is_op(","):
            self.take()
            names.append(self.column())
        self.expect_op(")")
        fewest, most = FUNCTIONS[name_token.value]
        if len(names) < fewest or (most is not None and len(names) > most):
            count = f"{fewest}" if fewest == most else f"at least {fewest}"
            raise _error(
                self.text,
                name_token.pos,
                f"{name_token.value}() takes {count} column(s); got {len(names)}",
            )
        if len(set(names)) != len(names):
            raise _error(self.text, name_token.pos, f"{name_token.value}() names a column twice")
        return Group(name_token.value, names)

    def column(self) -> str:
        token = self.token
        if token.kind == "column" or (token.kind == "name" and token.value not in _KEYWORDS):
            self.take()
            return str(token.value)
        raise self.fail("a column name")

    def conjunction(self) -> list[Atom]:
        atoms = [self.atom()]
        while self.is_word("and"):
            self.take()
            atoms.append(self.atom())
        return atoms

    def atom(self) -> Atom:
        start = self.token
        first = self.expression()
        if self.is_word("in") or self.is_word("not"):
            negated = self.take().value == "not"
            if negated:
                if not self.is_word("in"):
                    raise self.fail("'in' after 'not'")
                self.take()
            return Membership(self.single_column(first, start), self.literal_list(), negated)
        if not self.is_op(*_COMPARE):
            raise self.fail("a comparison (<=, <, >=, >, ==, !=) or 'in'")
        operands: list[Any] = [first]
        ops: list[str] = []
        op_tokens: list[_Token] = []
        while self.is_op(*_COMPARE):
            op_tokens.append(self.take())
            ops.append(op_tokens[-1].value)
            operands.append(self.expression())
        literals = [i for i, o in enumerate(operands) if not isinstance(o, Linear)]
        if literals:
            # Text and true/false: only ``column == value`` or ``column != value``.
            if len(operands) != 2 or ops[0] not in ("==", "!=") or len(literals) != 1:
                raise _error(
                    self.text,
                    op_tokens[0].pos,
                    "text, true and false are compared with one '==' or '!=' to a column",
                )
            other = operands[1 - literals[0]]
            column = self.single_column(other, start if literals[0] == 1 else op_tokens[0])
            return Membership(column, [operands[literals[0]].value], ops[0] == "!=")
        comparison = Comparison(operands, ops)
        if not comparison.columns():
            raise _error(self.text, start.pos, "the comparison names no column")
        if "!=" in ops and len(ops) > 1:
            raise _error(self.text, op_tokens[ops.index("!=")].pos, "'!=' cannot be chained")
        return comparison

    def single_column(self, value: Any, token: _Token) -> str:
        if (
            isinstance(value, Linear)
            and len(value.terms) == 1
            and next(iter(value.terms.values())) == 1.0
            and value.constant == 0
        ):
            return next(iter(value.terms))
        raise _error(self.text, token.pos, "expected one column before 'in', '==' or '!='")

    def literal_list(self) -> list[Any]:
        if not self.is_op("[", "("):
            raise self.fail("a list of values in [ ]")
        close = "]" if self.take().value == "[" else ")"
        values = [self.literal()]
        while self.is_op(","):
            self.take()
            values.append(self.literal())
        self.expect_op(close)
        return values

    def literal(self) -> Any:
        token = self.token
        sign = 1.0
        if self.is_op("-"):
            self.take()
            sign = -1.0
            token = self.token
        if token.kind == "number":
            self.take()
            value = sign * token.value
            return int(value) if value.is_integer() else value
        if sign == 1.0 and token.kind == "text":
            self.take()
            return token.value
        if sign == 1.0 and token.kind == "name" and token.value in ("true", "false"):
            self.take()
            return token.value == "true"
        raise self.fail("a number, quoted text, true or false")

    def expression(self) -> Any:
        start = self.token
        value = self.term()
        while self.is_op("+", "-"):
            op = self.take()
            right = self.term()
            self.require_linear(value, start)
            self.require_linear(right, op)
            value = value.plus(right, 1.0 if op.value == "+" else -1.0)
        return value

    def term(self) -> Any:
        start = self.token
        value = self.factor()
        while self.is_op("*", "/"):
            op = self.take()
            right = self.factor()
            self.require_linear(value, start)
            self.require_linear(right, op)
            if op.value == "*":
                if value.terms and right.terms:
                    raise _error(self.text, op.pos, "a product of two columns is not linear")
                number, other = (right, value) if not right.terms else (value, right)
                if number.timed and other.timed:
                    raise _error(self.text, op.pos, "a product of two durations")
                value = other.scaled(number.constant)
                value.timed = number.timed or other.timed
            else:
                if right.terms or right.timed:
                    raise _error(self.text, op.pos, "divide by a plain number only")
                if right.constant == 0:
                    raise _error(self.text, op.pos, "division by zero")
                value = value.scaled(1.0 / right.constant)
        return value

    def require_linear(self, value: Any, token: _Token) -> None:
        if not isinstance(value, Linear):
            raise _error(self.text, token.pos, "text, true and false take no arithmetic")

    def factor(self) -> Any:
        token = self.token
        if self.is_op("-"):
            self.take()
            value = self.factor()
            self.require_linear(value, token)
            return value.scaled(-1.0)
        if self.is_op("("):
            self.take()
            value = self.expression()
            self.expect_op(")")
            return value
        if token.kind == "number":
            self.take()
            if self.token.kind == "name" and self.token.value in UNITS:
                return Linear({}, token.value * UNITS[self.take().value], timed=True)
            return Linear({}, token.value)
        if token.kind == "text":
            self.take()
            return _Literal(token.value)
        if token.kind == "name" and token.value in ("true", "false"):
            self.take()
            return _Literal(token.value == "true")
        if token.kind == "column" or (token.kind == "name" and token.value not in _KEYWORDS):
            self.take()
            return Linear({str(token.value): 1.0})
        raise self.fail("a column, a number or '('")


@dataclass
class _Literal:
    value: Any


def parse(text: Any, name: str = "rule") -> Implication | Group:
    """Parse one rule; raise `RuleSyntaxError` naming the position of the first problem.

    Parameters
    ----------
    text : str
        The rule.
    name : str
        What the rule is, for the message when it is not text.

    Returns
    -------
    Implication or Group
        A plain rule is an `Implication` with nothing in ``given``.

    Raises
    ------
    TypeError
        If ``text`` is not a string.
    RuleSyntaxError
        If the rule is malformed.

    Examples
    --------
    >>> parse("a + b == total").then[0].operands[0].terms
    {'a': 1.0, 'b': 1.0}
    >>> parse("a +")
    Traceback (most recent call last):
    ...
    stochgen.tabular.rule_parser.RuleSyntaxError: rule 'a +', position 3: expected a column, ...
    """
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a string; got {type(text).__name__}: {text!r}")
    if not text.strip():
        raise RuleSyntaxError(f"{name} is empty; expected a rule such as 'start <= end'")
    return _Parser(text).rule()
