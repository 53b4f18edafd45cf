"""String formats: learnt from ID- and PII-like columns, or given as a regex, and generated anew.

A value such as ``"user12@corp.com"`` is read as runs of one character class
(lower-case letters, upper-case letters, digits) and single other characters
(``@``, ``.``, ``-``, a space, any non-ASCII letter), so its *shape* is
``[a-z]{4} [0-9]{2} @ [a-z]{4} . [a-z]{3}``. A format is the shapes seen in a
column with their shares. A run whose texts repeat (a domain, a country code)
keeps a vocabulary of the texts seen at least ``min_count`` times, when they
make up most of the run; every other run gets fresh characters of its class.
No whole value is stored, and a run keeps its vocabulary only while the
chance that a generated value equals a real one stays below
`MAX_COPY_RATE`.

Values are generated from counter-based random words (Philox) keyed by a salt
learnt in ``fit`` and numbered by the row, so a row's value depends only on
the model and its row number. Key columns (``unique=True``) number their
values through a permutation of the row number, so they do not repeat within
a table.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from stochgen._base import BaseModel
from stochgen.exceptions import ModelFileError, ValidationError
from stochgen.tabular.conditions import LatentConstraints
from stochgen.tabular.regex import regex_values
from stochgen.tabular.scores import check_dtype_text, restore_dtype

__all__ = ["MAX_COPY_RATE", "FormatColumn", "pseudonymize", "value_shape"]

ALPHABETS = {
    "a": "abcdefghijklmnopqrstuvwxyz",
    "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "9": "0123456789",
}
#: Highest chance, per generated value, that it equals some real value of the column.
MAX_COPY_RATE = 1e-8
# A run keeps a vocabulary when its texts seen min_count times cover this share of it.
_VOCABULARY_SHARE = 0.5
# Most shapes a format keeps (the rarest go first).
_MAX_SHAPES = 256
# Key columns number rows through at most this many combinations of characters (products
# of two numbers below it fit in 64 bits).
_MAX_KEY_SPACE = 2**31


def _class_of(char: str) -> str:
    if "a" <= char <= "z":
        return "a"
    if "A" <= char <= "Z":
        return "A"
    if "0" <= char <= "9":
        return "9"
    return ""


def _runs(value: str) -> list[tuple[str, str]]:
    """Split a text into (class, text) runs; other characters are runs of one, class ''."""
    runs: list[tuple[str, str]] = []
    for char in value:
        kind = _class_of(char)
        if kind and runs and runs[-1][0] == kind:
            runs[-1] = (kind, runs[-1][1] + char)
        else:
            runs.append((kind, char))
    return runs


def value_shape(value: str) -> str:
    r"""Return the shape of a text, as a regular expression over character classes.

    Parameters
    ----------
    value : str

    Returns
    -------
    str

    Examples
    --------
    >>> value_shape("user12@corp.com")
    '[a-z]{4}[0-9]{2}@[a-z]{4}\\.[a-z]{3}'
    """
    names = {"a": "[a-z]", "A": "[A-Z]", "9": "[0-9]"}
    parts = []
    for kind, text in _runs(value):
        parts.append(f"{names[kind]}{{{len(text)}}}" if kind else _escape(text))
    return "".join(parts)


def _escape(char: str) -> str:
    return "\\" + char if char in r".^$*+?{}[]\|()" else char


def _key(runs: list[tuple[str, str]]) -> tuple[tuple[str, Any], ...]:
    return tuple((kind, len(text)) if kind else ("", text) for kind, text in runs)


def learn_shapes(
    values: list[str], min_count: int
) -> tuple[list[list[list[Any]]], NDArray[np.float64]]:
    """Return the shapes of ``values`` (runs, with vocabularies) and their shares.

    Parameters
    ----------
    values : list of str
    min_count : int
        Fewest times a run's text is seen to join its vocabulary.

    Returns
    -------
    shapes : list
        Per shape, its runs: ``["text", t]`` (a fixed character),
        ``["chars", class, length]`` or ``["vocab", class, length, texts,
        shares]``.
    shares : numpy.ndarray
    """
    grouped: dict[tuple[tuple[str, Any], ...], list[list[tuple[str, str]]]] = {}
    for value in values:
        runs = _runs(value)
        grouped.setdefault(_key(runs), []).append(runs)
    ranked = sorted(grouped.items(), key=lambda item: -len(item[1]))[:_MAX_SHAPES]
    shapes, counts = [], []
    for key, members in ranked:
        shape: list[list[Any]] = []
        for position, (kind, size) in enumerate(key):
            if not kind:
                shape.append(["text", size])
                continue
            seen = Counter(runs[position][1] for runs in members)
            kept = {text: c for text, c in seen.items() if c >= min_count}
            if sum(kept.values()) >= _VOCABULARY_SHARE * len(members):
                texts = sorted(kept, key=lambda t: -kept[t])
                total = sum(kept.values())
                shape.append(["vocab", kind, size, texts, [kept[t] / total for t in texts]])
            else:
                shape.append(["chars", kind, size])
        shapes.append(shape)
        counts.append(len(members))
    shares = np.asarray(counts, dtype=np.float64)
    return shapes, shares / shares.sum()


def _value_probability(shape: list[list[Any]], share: float, runs: list[tuple[str, str]]) -> float:
    """Return the chance that the format generates exactly this value (of this shape)."""
    p = share
    for run, (_, text) in zip(shape, runs, strict=True):
        if run[0] == "chars":
            p *= len(ALPHABETS[run[1]]) ** -run[2]
        elif run[0] == "vocab":
            p *= dict(zip(run[3], run[4], strict=True)).get(text, 0.0)
    return p


def limit_copies(
    shapes: list[list[list[Any]]], shares: NDArray[np.float64], values: list[str]
) -> tuple[float, int]:
    """Keep the chance that a generated value copies a real one at most MAX_COPY_RATE.

    Per shape, vocabularies are dropped first, the most diverse first; a run
    with a single text (a prefix, a country code) goes only where the rest of
    the shape spells fewer than ``1 / MAX_COPY_RATE`` values and dropping it
    meets the bound. A shape still above the bound (a dense key format, short
    codes) is lengthened: its last run of fresh characters gets one more
    character at a time until no real value has that shape, so none of its
    values can be a copy. ``shapes`` is changed in place.

    Returns
    -------
    rate : float
        The chance, per generated value, that it equals one of ``values``.
    lengthened : int
        How many shapes were lengthened.
    """
    real_shapes = set()
    where = {_shape_key(shape): i for i, shape in enumerate(shapes)}
    by_shape: dict[int, list[list[tuple[str, str]]]] = {}
    for value in set(values):
        runs = _runs(value)
        real_shapes.add(_key(runs))
        i = where.get(_key(runs))
        if i is not None:
            by_shape.setdefault(i, []).append(runs)
    total, lengthened = 0.0, 0
    for i, shape in enumerate(shapes):
        members = by_shape.get(i, [])
        while True:
            rate = sum(_value_probability(shape, shares[i], runs) for runs in members)
            vocab = [j for j, run in enumerate(shape) if run[0] == "vocab" and len(run[3]) > 1]
            if not vocab and _space(shape) < 1.0 / MAX_COPY_RATE:
                # A run with one text ("+1", "cust", "com") names no one, unless the
                # rest of the value is too short to tell values apart ("Ana Lee"); it
                # goes only where that brings the chance of a copy within the bound.
                vocab = [j for j, run in enumerate(shape) if run[0] == "vocab"]
                bare = [["chars", r[1], r[2]] if r[0] == "vocab" else r for r in shape]
                if sum(_value_probability(bare, shares[i], r) for r in members) > (
                    MAX_COPY_RATE * shares[i]
                ):
                    vocab = []
            if rate <= MAX_COPY_RATE * shares[i] or not vocab:
                break
            # The most diverse vocabulary (names, not domains) is the most identifying.
            j = max(vocab, key=lambda j: (_entropy(shape[j][4]), shape[j][2]))
            shape[j] = ["chars", shape[j][1], shape[j][2]]
        if rate > MAX_COPY_RATE * shares[i] and _lengthen(shape, real_shapes):
            rate, lengthened = 0.0, lengthened + 1
        total += rate
    return float(total), lengthened


def _lengthen(shape: list[list[Any]], real_shapes: set[tuple[tuple[str, Any], ...]]) -> bool:
    """Lengthen the last run of fresh characters until no real value has the shape."""
    runs = [j for j, run in enumerate(shape) if run[0] == "chars"]
    if not runs:
        runs = [j for j, run in enumerate(shape) if run[0] == "vocab"]
        if not runs:
            return False
        shape[runs[-1]] = ["chars", shape[runs[-1]][1], shape[runs[-1]][2]]
    j = runs[-1]
    while _shape_key(shape) in real_shapes:
        shape[j][2] += 1
    return True


def _space(shape: list[list[Any]]) -> float:
    """Return how many values the fresh characters of a shape can spell."""
    return math.prod(float(len(ALPHABETS[run[1]])) ** run[2] for run in shape if run[0] == "chars")


def _entropy(shares: list[float]) -> float:
    p = np.asarray(shares)
    return float(-(p * np.log(p)).sum())


def _shape_key(shape: list[list[Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple((run[1], run[2]) if run[0] != "text" else ("", run[1]) for run in shape)


def _words(salt: int, row_offset: int, n: int, width: int) -> NDArray[np.uint64]:
    """Return ``width`` random 64-bit words per row, a function of (salt, row number) only."""
    # Philox is counter-based: counter c always gives the same 4 words, so row r's words
    # (counters r * width / 4 onward) do not depend on where a block starts.
    generator = np.random.Philox(key=salt, counter=row_offset * (width // 4))
    return generator.random_raw(n * width).reshape(n, width)


def _uniform(words: NDArray[np.uint64]) -> NDArray[np.float64]:
    return (words >> np.uint64(11)).astype(np.float64) * 2.0**-53


def _pick(words: NDArray[np.uint64], size: int) -> NDArray[np.int64]:
    """Return uniform integers in [0, size) from the top 32 bits of each word (multiply-shift)."""
    top = (words >> np.uint64(32)).astype(np.uint64)
    return ((top * np.uint64(size)) >> np.uint64(32)).astype(np.int64)


def _shape_width(shape: list[list[Any]]) -> int:
    return sum(run[2] if run[0] == "chars" else 1 if run[0] == "vocab" else 0 for run in shape)


def _key_radices(shape: list[list[Any]]) -> list[tuple[int, int]]:
    """Return (run, position) pairs numbering key values, from the end, up to _MAX_KEY_SPACE."""
    chosen, space = [], 1
    for j in range(len(shape) - 1, -1, -1):
        run = shape[j]
        if run[0] != "chars":
            continue
        size = len(ALPHABETS[run[1]])
        for position in range(run[2] - 1, -1, -1):
            if space * size > _MAX_KEY_SPACE:
                return chosen
            chosen.append((j, position))
            space *= size
    return chosen


def _render(
    shape: list[list[Any]],
    words: NDArray[np.uint64],
    numbers: NDArray[np.int64] | None,
    salt: int,
) -> NDArray[np.str_]:
    """Return the texts of ``shape`` for rows given their random words (and key numbers)."""
    n = words.shape[0]
    length = sum(run[2] if run[0] != "text" else 1 for run in shape)
    codes = np.empty((n, length), dtype=np.uint32)
    digits: dict[tuple[int, int], NDArray[np.int64]] = {}
    if numbers is not None:
        radices = _key_radices(shape)
        space = math.prod(len(ALPHABETS[shape[j][1]]) for j, _ in radices)
        # An affine permutation of the row numbers: distinct rows, distinct values.
        sizes = [len(ALPHABETS[shape[j][1]]) for j, _ in radices]
        rest = _permute(numbers, sizes, space, salt)
        for (j, position), size in zip(radices, sizes, strict=True):
            digits[(j, position)] = (rest % np.uint64(size)).astype(np.int64)
            rest = rest // np.uint64(size)
    column, word = 0, 1
    for j, run in enumerate(shape):
        if run[0] == "text":
            codes[:, column] = ord(run[1])
            column += 1
            continue
        alphabet = np.frombuffer(ALPHABETS[run[1]].encode("utf-32-le"), dtype=np.uint32)
        if run[0] == "vocab":
            texts = np.array(run[3], dtype=f"<U{run[2]}")
            table = texts.view(np.uint32).reshape(len(run[3]), run[2])
            pick = np.searchsorted(np.cumsum(run[4])[:-1], _uniform(words[:, word]), side="right")
            codes[:, column : column + run[2]] = table[pick]
            word += 1
        else:
            for position in range(run[2]):
                fixed = digits.get((j, position))
                if fixed is None:
                    fixed = _pick(words[:, word], alphabet.size)
                    word += 1
                codes[:, column + position] = alphabet[fixed]
        column += run[2]
    return np.ascontiguousarray(codes).view(f"<U{length}").ravel()


def _permute(
    numbers: NDArray[np.int64], sizes: list[int], space: int, salt: int
) -> NDArray[np.uint64]:
    """Return a keyed permutation of ``numbers`` in [0, space): distinct in, distinct out.

    Two rounds of an affine map modulo ``space`` and a reversal of the
    mixed-radix digits (both bijections), so neighbouring rows get unrelated
    values.
    """
    values = numbers.astype(np.uint64) % np.uint64(space)
    for round_salt in (salt, salt >> 17):
        step = np.uint64(_coprime_step(space, round_salt))
        values = (values * step + np.uint64(round_salt % space)) % np.uint64(space)
        digits = []
        for size in sizes:
            digits.append(values % np.uint64(size))
            values = values // np.uint64(size)
        values = np.zeros(numbers.shape, dtype=np.uint64)
        for digit, size in zip(digits, sizes, strict=True):
            values = values * np.uint64(size) + digit
    return values


def _coprime_step(space: int, salt: int) -> int:
    step = (int(0.6180339887498949 * space) + salt % 1_000_003) % space or 1
    while math.gcd(step, space) != 1:
        step += 1
    return step


class FormatColumn(BaseModel):
    r"""A text column generated in its own format: new values, never copies of real ones.

    ``fit`` learns the shapes of the values (see `stochgen.tabular.formats`),
    or takes a regular expression; generated values follow them. No real
    value is stored. With ``unique=True`` (key columns) values do not repeat
    within a table of fewer rows than the format can number.

    Parameters
    ----------
    regex : str, optional
        A regular expression to generate from instead of the learnt format
        (SDV's ``regex_format``; the subset `stochgen.tabular.regex` reads).
    unique : bool
        Number values through a permutation of the row number (keys).
    min_count : int
        Fewest times a run's text (a domain, a prefix) is seen to be reused.

    Attributes
    ----------
    shapes_ : list
        The learnt shapes (empty with ``regex``).
    shares_ : numpy.ndarray
        Their shares.
    copy_rate_ : float
        Chance, per generated value, that it equals a real value of the column
        (learnt formats; 0 with ``regex``, not checked): at most
        `MAX_COPY_RATE`. Vocabularies are dropped for it, and a shape too short
        for it (``cust-00417`` for 60,000 customers) gets a longer run of
        characters (``cust-004179``), a shape no real value has.
    lengthened_ : int
        How many shapes were lengthened so.
    salt_ : int
        Key of the generated values, from the format itself (a refit gives
        the same values).
    dtype_ : str

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> local = ["".join(rng.choice(list("abcdefghij"), 8)) for _ in range(300)]
    >>> emails = pd.Series([f"{name}@{rng.choice(['corp', 'mail'])}.com" for name in local])
    >>> column = FormatColumn(unique=True).fit(emails)
    >>> new = pd.Series(column.from_normal(np.empty((1000, 0))))
    >>> bool(new.str.fullmatch(r"[a-z]{8}@(corp|mail)\.com").all())
    True
    >>> bool(new.is_unique), bool(set(new).isdisjoint(emails))
    (True, True)
    """

    _fitted_attributes = ("shapes_", "shares_", "copy_rate_", "lengthened_", "salt_", "dtype_")
    n_latent: ClassVar[int] = 0
    latent_roles: ClassVar[tuple[str, ...]] = ()
    #: Values follow the row number: rows kept after rejection are renumbered.
    positional: ClassVar[bool] = True

    def __init__(
        self, *, regex: str | None = None, unique: bool = False, min_count: int = 10
    ) -> None:
        self.regex = regex
        self.unique = unique
        self.min_count = min_count

    def fit(self, column: pd.Series, name: str = "column") -> Self:
        """Learn the format of the column's text values (missing values are left out).

        Parameters
        ----------
        column : pandas.Series
        name : str
            The column, named in messages.

        Returns
        -------
        Self

        Raises
        ------
        stochgen.exceptions.ValidationError
            If the column holds no text, or ``regex`` is not a pattern this
            module can generate from.
        """
        if (
            isinstance(self.min_count, bool)
            or not isinstance(self.min_count, int)
            or self.min_count < 1
        ):
            raise ValidationError(f"min_count must be an integer >= 1; got {self.min_count!r}")
        present = [str(v) for v in column.dropna()]
        self.dtype_ = str(column.dtype)
        if self.regex is not None:
            if not isinstance(self.regex, str):
                raise ValidationError(f"column {name!r}: regex must be text; got {self.regex!r}")
            regex_values(self.regex, np.zeros((1, 4), dtype=np.uint64), name=name)
            self.shapes_, self.shares_, self.copy_rate_ = [], np.ones(0), 0.0
        else:
            if not present:
                raise ValidationError(f"column {name!r}: no text to learn a format from")
            shapes, shares = learn_shapes(present, int(self.min_count))
            self.copy_rate_, lengthened = limit_copies(shapes, shares, present)
            self.shapes_, self.shares_ = shapes, shares
        digest = hashlib.sha256(
            json.dumps([self.regex, self.shapes_, self.shares_.tolist()]).encode()
        ).digest()
        self.salt_ = int.from_bytes(digest[:8], "little") >> 1
        self.lengthened_ = int(lengthened) if self.regex is None else 0
        return self

    @property
    def attenuation(self) -> NDArray[np.float64]:
        """No dimensions."""
        return np.ones(0)

    def latent_scores(self, column: pd.Series) -> NDArray[np.float64]:
        """Return an empty (n, 0) array: no dimensions."""
        return np.empty((len(column), 0))

    def _width(self) -> int:
        if self.regex is not None:
            return 64
        widest = max(_shape_width(shape) for shape in self.shapes_)
        return 4 * math.ceil((widest + 1) / 4)

    def from_normal(self, z: NDArray[np.float64], row_offset: int = 0) -> Any:
        """Return new values for rows ``row_offset`` onward (one per row of ``z``).

        Parameters
        ----------
        z : numpy.ndarray
            Shape (m, 0): only the number of rows is read.
        row_offset : int
            Number of the first row.

        Returns
        -------
        array_like
        """
        n = z.shape[0]
        width = self._width()
        words = _words(self.salt_, row_offset, n, width)
        out = np.empty(n, dtype=object)
        if self.regex is not None:
            out[:] = regex_values(self.regex, words)
            return restore_dtype(out, self.dtype_)
        numbers = np.arange(row_offset, row_offset + n, dtype=np.int64) if self.unique else None
        which = np.searchsorted(np.cumsum(self.shares_)[:-1], _uniform(words[:, 0]), side="right")
        for i, shape in enumerate(self.shapes_):
            rows = np.flatnonzero(which == i)
            if rows.size:
                texts = _render(
                    shape, words[rows], None if numbers is None else numbers[rows], self.salt_
                )
                out[rows] = texts.astype(object)
        return restore_dtype(out, self.dtype_)

    def add_condition(self, name: str, start: int, value: Any, out: LatentConstraints) -> None:
        """Refuse: generated values are new, so none can be asked for."""
        raise ValidationError(
            f"condition on {name!r}: its values are generated in the column's format, not "
            "learnt, and cannot be conditioned on"
        )

    def aggregate(
        self, name: str, *, n_rows: int, knots: int, min_count: int, fallback: Any = None
    ) -> Self:
        """Keep only shapes seen ``min_count`` times (no value is stored either way)."""
        if self.regex is not None or not self.shapes_:
            return self
        counts = np.rint(self.shares_ * n_rows)
        keep = counts >= min_count
        if not keep.any():
            keep = counts == counts.max()
        self.shapes_ = [shape for shape, k in zip(self.shapes_, keep, strict=True) if k]
        self.shares_ = self.shares_[keep] / self.shares_[keep].sum()
        return self

    def _set_state(self, state: dict[str, Any]) -> None:
        super()._set_state(state)
        self.shares_ = np.asarray(self.shares_, dtype=float)
        if self.regex is None and (
            not isinstance(self.shapes_, list)
            or len(self.shapes_) != self.shares_.size
            or self.shares_.size == 0
            or not np.isfinite(self.shares_).all()
            or np.any(self.shares_ <= 0)
            or abs(self.shares_.sum() - 1.0) > 1e-9
        ):
            raise ModelFileError(
                "FormatColumn: shapes_ and shares_ must match, shares summing to 1"
            )
        if (
            isinstance(self.salt_, bool)
            or not isinstance(self.salt_, int)
            or not 0 <= self.salt_ < 2**63
        ):
            raise ModelFileError("FormatColumn: salt_ must be an integer in [0, 2**63)")
        if isinstance(self.lengthened_, bool) or not isinstance(self.lengthened_, int):
            raise ModelFileError("FormatColumn: lengthened_ must be an integer")
        for shape in self.shapes_:
            _check_shape(shape)
        check_dtype_text(self.dtype_, "FormatColumn")


def _check_shape(shape: Any) -> None:
    ok = isinstance(shape, list) and bool(shape)
    for run in shape if ok else []:
        if not isinstance(run, list) or not run:
            ok = False
        elif run[0] == "text":
            ok = ok and len(run) == 2 and isinstance(run[1], str) and len(run[1]) == 1
        elif run[0] in ("chars", "vocab"):
            ok = ok and run[1] in ALPHABETS and isinstance(run[2], int) and 0 < run[2] <= 256
            if run[0] == "vocab":
                ok = ok and len(run) == 5 and len(run[3]) == len(run[4]) > 0
                ok = ok and all(isinstance(t, str) and len(t) == run[2] for t in run[3])
                ok = ok and abs(sum(run[4]) - 1.0) < 1e-9 and min(run[4]) > 0
        else:
            ok = False
    if not ok:
        raise ModelFileError("FormatColumn: malformed shape in shapes_")


def pseudonymize(values: pd.Series, key: str | bytes) -> pd.Series:
    """Replace each value by a keyed pseudonym of the same shape (HMAC-SHA256).

    The same value and key always give the same pseudonym, in any table, so
    columns that join keep joining; without the key a pseudonym cannot be
    traced back to its value. Each letter or digit is replaced by one of its
    class, drawn from the HMAC of the value; other characters (``@``, ``.``,
    ``-``) stay. Missing values stay missing. Keep the key out of the model
    and its file: pseudonymize the table before ``fit``.

    Parameters
    ----------
    values : pandas.Series
        Text (or values turned into text with ``str``).
    key : str or bytes
        The secret key (at least 16 bytes).

    Returns
    -------
    pandas.Series
        Same index and name; object dtype.

    Raises
    ------
    stochgen.exceptions.ValidationError
        If the key is shorter than 16 bytes, or two distinct values get the
        same pseudonym (a format too short to tell them apart).
    TypeError
        If ``values`` is not a Series or ``key`` not text or bytes.

    Examples
    --------
    >>> ids = pd.Series(["AB-1234", "CD-5678", "AB-1234"])
    >>> out = pseudonymize(ids, key="a secret of sixteen bytes")
    >>> out[0] == out[2], out[0] != ids[0], bool(out.str.fullmatch(r"[A-Z]{2}-[0-9]{4}").all())
    (True, True, True)
    """
    import hmac

    if not isinstance(values, pd.Series):
        raise TypeError(f"values must be a pandas Series; got {type(values).__name__}")
    if isinstance(key, str):
        key = key.encode()
    if not isinstance(key, bytes):
        raise TypeError(f"key must be text or bytes; got {type(key).__name__}")
    if len(key) < 16:
        raise ValidationError(f"key must hold at least 16 bytes; got {len(key)}")
    mapping: dict[Any, str] = {}
    for value in pd.unique(values.dropna()):
        text = str(value)
        digest = hmac.new(key, text.encode(), hashlib.sha256).digest()
        stream = _digest_stream(key, digest, len(text))
        chars = []
        for char, byte in zip(text, stream, strict=False):
            kind = _class_of(char)
            chars.append(ALPHABETS[kind][byte % len(ALPHABETS[kind])] if kind else char)
        mapping[value] = "".join(chars)
    if len(set(mapping.values())) < len(mapping):
        raise ValidationError(
            f"pseudonymize: column {values.name!r} has values too short to keep apart "
            "(two got the same pseudonym); pseudonymize a longer key column"
        )
    out = values.map(mapping).astype(object)
    return out.where(values.notna(), None)


def _digest_stream(key: bytes, digest: bytes, n: int) -> bytes:
    import hmac

    stream = digest
    while len(stream) < n:
        stream += hmac.new(key, stream[-32:], hashlib.sha256).digest()
    return stream
