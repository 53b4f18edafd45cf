"""Rules files: a JSON list of rules, SDV's constraint dictionaries among them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from stochgen.exceptions import ValidationError
from stochgen.tabular.rule_parser import RuleSyntaxError, quote_column
from stochgen.tabular.rules import parse_rule

__all__ = ["read_rules", "rule_from_sdv"]


def _number(value: Any, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(
            f"{where}: value {value!r} is not a number; rules compare columns with numbers "
            "(write a date bound as a difference of columns, or filter the table)"
        )
    return repr(value)


def _columns(params: dict[str, Any], where: str) -> list[str]:
    names = params.get("column_names")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ValidationError(f"{where}: column_names must be a list of column names")
    return names


def rule_from_sdv(spec: dict[str, Any], where: str = "constraint") -> str:
    """Return the rule of one SDV constraint dictionary.

    Knows SDV's ``Positive``, ``Negative``, ``ScalarInequality``,
    ``ScalarRange``, ``Inequality``, ``Range``, ``FixedCombinations``,
    ``OneHotEncoding`` and ``Unique`` (of one column). Custom SDV constraint
    classes hold code and have no rule.

    Parameters
    ----------
    spec : dict
        ``{"constraint_class": ..., "constraint_parameters": {...}}``.
    where : str
        Named in error messages.

    Returns
    -------
    str

    Raises
    ------
    stochgen.exceptions.ValidationError
        On an unknown class or bad parameters.

    Examples
    --------
    >>> rule_from_sdv({"constraint_class": "Inequality",
    ...                "constraint_parameters": {"low_column_name": "start",
    ...                                          "high_column_name": "end"}})
    'start <= end'
    """
    kind = spec.get("constraint_class")
    params = spec.get("constraint_parameters", {})
    if not isinstance(params, dict):
        raise ValidationError(f"{where}: constraint_parameters must be an object")
    where = f"{where} ({kind})"
    strict = bool(params.get("strict_boundaries", False))
    le = "<" if strict else "<="

    def column(key: str) -> str:
        name = params.get(key)
        if not isinstance(name, str):
            raise ValidationError(f"{where}: {key} must be a column name; got {name!r}")
        return quote_column(name)

    if kind == "Positive":
        return f"{column('column_name')} {'>' if strict else '>='} 0"
    if kind == "Negative":
        return f"{column('column_name')} {le} 0"
    if kind == "ScalarInequality":
        relation = params.get("relation")
        if relation not in ("<", "<=", ">", ">="):
            raise ValidationError(f"{where}: relation must be <, <=, > or >=; got {relation!r}")
        return f"{column('column_name')} {relation} {_number(params.get('value'), where)}"
    if kind == "ScalarRange":
        low = _number(params.get("low_value"), where)
        high = _number(params.get("high_value"), where)
        return f"{low} {le} {column('column_name')} {le} {high}"
    if kind == "Inequality":
        return f"{column('low_column_name')} {le} {column('high_column_name')}"
    if kind == "Range":
        middle = column("middle_column_name")
        return f"{column('low_column_name')} {le} {middle} {le} {column('high_column_name')}"
    if kind in ("FixedCombinations", "OneHotEncoding"):
        function = "fixed_combinations" if kind == "FixedCombinations" else "one_hot"
        return f"{function}({', '.join(map(quote_column, _columns(params, where)))})"
    if kind == "Unique":
        names = _columns(params, where)
        if len(names) != 1:
            raise ValidationError(f"{where}: unique() takes one column; got {names!r}")
        return f"unique({quote_column(names[0])})"
    raise ValidationError(
        f"{where}: no rule for SDV's {kind!r} (known: Positive, Negative, ScalarInequality, "
        "ScalarRange, Inequality, Range, FixedCombinations, OneHotEncoding, Unique)"
    )


def read_rules(source: str | os.PathLike[str] | list[Any]) -> list[str]:
    """Return the rules of a JSON rules file (or of its parsed list), each checked.

    The file holds a list whose items are rules (``"start <= end"``) or SDV
    constraint dictionaries (``{"constraint_class": "Inequality",
    "constraint_parameters": {...}}``), which become rules; ``{"constraints":
    [...]}`` is read the same way.

    Parameters
    ----------
    source : str, path-like or list
        The file, or its content already parsed.

    Returns
    -------
    list of str
        Rules, each parsed once here so that a malformed one fails now.

    Raises
    ------
    OSError
        If the file cannot be read.
    stochgen.exceptions.ValidationError
        If the file is not JSON, not a list of rules, or a rule is malformed
        (the message names the item and the position).

    Examples
    --------
    >>> read_rules(["a + b == total", {"constraint_class": "Positive",
    ...             "constraint_parameters": {"column_name": "age"}}])
    ['a + b == total', 'age >= 0']
    """
    name = "rules"
    if isinstance(source, str | os.PathLike):
        name = str(source)
        try:
            items = json.loads(Path(source).read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValidationError(f"{name}: not a JSON rules file: {exc}") from exc
    else:
        items = source
    if isinstance(items, dict) and set(items) == {"constraints"}:
        items = items["constraints"]
    if not isinstance(items, list):
        raise ValidationError(
            f'{name}: expected a JSON list of rules, e.g. ["start <= end", "a + b == total"]'
        )
    rules = []
    for i, item in enumerate(items):
        where = f"{name}[{i}]"
        if isinstance(item, dict):
            item = rule_from_sdv(item, where)
        if not isinstance(item, str):
            raise ValidationError(f"{where}: expected a rule (text); got {item!r}")
        try:
            parse_rule(item, where)
        except RuleSyntaxError as exc:
            raise RuleSyntaxError(f"{where}: {exc}") from None
        rules.append(item)
    return rules
