r"""Generating text from a regular expression (the subset SDV's ``regex_format`` uses).

Read: literal characters, escapes (``\d``, ``\w``, ``\s``, ``\.`` ...),
classes with ranges (``[A-Z0-9_]``), ``.``, groups with alternatives
(``(ab|cd)``, ``(?:...)``), and quantifiers ``{n}``, ``{m,n}``, ``{m,}``,
``?``, ``*`` and ``+`` (unbounded repeats stop 8 past their minimum).
Anchors ``^`` and ``$`` are ignored. Anything else (negated classes,
look-arounds, back-references) is refused with a clear error.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
from numpy.typing import NDArray

from stochgen.exceptions import ValidationError

__all__ = ["parse_regex", "regex_values"]

_ESCAPES = {
    "d": string.digits,
    "w": string.ascii_letters + string.digits + "_",
    "s": " ",
}
_DOT = string.ascii_letters + string.digits
_UNBOUNDED_EXTRA = 8
_MASK = (1 << 64) - 1

# A node: ("chars", alphabet) | ("seq", [node...]) | ("alt", [node...]) | ("rep", node, lo, hi)


class _Parser:
    def __init__(self, pattern: str, name: str) -> None:
        self.pattern = pattern
        self.name = name
        self.i = 0

    def fail(self, why: str) -> ValidationError:
        return ValidationError(
            f"column {self.name!r}: regex {self.pattern!r}: {why} at position {self.i}"
        )

    def peek(self) -> str | None:
        return self.pattern[self.i] if self.i < len(self.pattern) else None

    def alternatives(self) -> tuple[Any, ...]:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.i += 1
            branches.append(self.sequence())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def sequence(self) -> tuple[Any, ...]:
        items = []
        while self.peek() is not None and self.peek() not in "|)":
            atom = self.atom()
            if atom is not None:
                items.append(self.quantified(atom))
        return ("seq", items)

    def atom(self) -> tuple[Any, ...] | None:
        char = self.pattern[self.i]
        self.i += 1
        if char in "^$":
            return None
        if char == ".":
            return ("chars", _DOT)
        if char == "\\":
            return ("chars", self.escape())
        if char == "[":
            return ("chars", self.char_class())
        if char == "(":
            if self.pattern.startswith("?:", self.i):
                self.i += 2
            elif self.peek() == "?":
                raise self.fail("look-arounds and named groups are not supported")
            node = self.alternatives()
            if self.peek() != ")":
                raise self.fail("missing ')'")
            self.i += 1
            return node
        if char in "*+?{)]|":
            raise self.fail(f"unexpected {char!r}")
        return ("chars", char)

    def escape(self) -> str:
        if self.i >= len(self.pattern):
            raise self.fail("a lone backslash")
        char = self.pattern[self.i]
        self.i += 1
        if char in _ESCAPES:
            return _ESCAPES[char]
        if char.isalnum():
            raise self.fail(f"escape \\{char} is not supported")
        return char

    def char_class(self) -> str:
        if self.peek() == "^":
            raise self.fail("negated classes are not supported")
        chars: list[str] = []
        while True:
            char = self.peek()
            if char is None:
                raise self.fail("missing ']'")
            self.i += 1
            if char == "]" and chars:
                break
            if char == "\\":
                chars.extend(self.escape())
                continue
            if (
                self.peek() == "-"
                and self.i + 1 < len(self.pattern)
                and self.pattern[self.i + 1] != "]"
            ):
                end = self.pattern[self.i + 1]
                self.i += 2
                if ord(end) < ord(char):
                    raise self.fail(f"range {char}-{end} runs backwards")
                chars.extend(chr(c) for c in range(ord(char), ord(end) + 1))
                continue
            chars.append(char)
        return "".join(dict.fromkeys(chars))

    def quantified(self, node: tuple[Any, ...]) -> tuple[Any, ...]:
        char = self.peek()
        if char == "?":
            self.i += 1
            return ("rep", node, 0, 1)
        if char == "*":
            self.i += 1
            return ("rep", node, 0, _UNBOUNDED_EXTRA)
        if char == "+":
            self.i += 1
            return ("rep", node, 1, 1 + _UNBOUNDED_EXTRA)
        if char == "{":
            end = self.pattern.find("}", self.i)
            if end < 0:
                raise self.fail("missing '}'")
            body = self.pattern[self.i + 1 : end]
            low, _, high = body.partition(",")
            try:
                lo = int(low)
                hi = lo if "," not in body else (int(high) if high else lo + _UNBOUNDED_EXTRA)
            except ValueError:
                raise self.fail(f"bad repeat {{{body}}}") from None
            if hi < lo:
                raise self.fail(f"repeat {{{body}}} runs backwards")
            self.i = end + 1
            return ("rep", node, lo, hi)
        return node


def parse_regex(pattern: str, name: str = "column") -> tuple[Any, ...]:
    """Parse ``pattern`` into a tree to generate from.

    Parameters
    ----------
    pattern : str
    name : str
        The column, named in errors.

    Returns
    -------
    tuple
        The tree.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If the pattern uses what this module does not read.

    Examples
    --------
    >>> parse_regex("[AB]{2}")
    ('seq', [('rep', ('chars', 'AB'), 2, 2)])
    """
    parser = _Parser(pattern, name)
    tree = parser.alternatives()
    if parser.i != len(pattern):
        raise parser.fail("unexpected ')'")
    return tree


class _Stream:
    """Random 64-bit numbers from a row's words, stretched by splitmix64 past their end."""

    def __init__(self, words: NDArray[np.uint64]) -> None:
        self.words = [int(w) for w in words]
        self.i = 0

    def next(self, size: int) -> int:
        word = self.words[self.i % len(self.words)]
        if self.i >= len(self.words):
            word = (word + 0x9E3779B97F4A7C15 * (self.i + 1)) & _MASK
            word = ((word ^ (word >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            word = ((word ^ (word >> 27)) * 0x94D049BB133111EB) & _MASK
            word ^= word >> 31
        self.i += 1
        return ((word >> 32) * size) >> 32


def _emit(node: tuple[Any, ...], stream: _Stream, out: list[str]) -> None:
    kind = node[0]
    if kind == "chars":
        alphabet = node[1]
        out.append(alphabet[stream.next(len(alphabet))] if len(alphabet) > 1 else alphabet)
    elif kind == "seq":
        for child in node[1]:
            _emit(child, stream, out)
    elif kind == "alt":
        _emit(node[1][stream.next(len(node[1]))], stream, out)
    else:
        _, child, lo, hi = node
        for _ in range(lo + stream.next(hi - lo + 1)):
            _emit(child, stream, out)


def regex_values(pattern: str, words: NDArray[np.uint64], name: str = "column") -> list[str]:
    """Return one text matching ``pattern`` per row of random ``words``.

    Parameters
    ----------
    pattern : str
    words : numpy.ndarray of uint64
        Shape (n, width): each row's random words (stretched when used up).
    name : str
        The column, named in errors.

    Returns
    -------
    list of str

    Examples
    --------
    >>> words = np.random.Philox(key=0).random_raw(8).reshape(2, 4)
    >>> [len(v) for v in regex_values("ID-[0-9]{4}", words)]
    [7, 7]
    """
    tree = parse_regex(pattern, name)
    values = []
    for row in words:
        out: list[str] = []
        _emit(tree, _Stream(row), out)
        values.append("".join(out))
    return values
