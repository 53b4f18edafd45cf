"""SDV metadata, read and written: SDV's sdtypes mapped to stochgen's column kinds.

SDV (the Synthetic Data Vault) describes a table in a JSON file: per column an
``sdtype`` and its options, plus keys. This module reads the single-table
formats (``SINGLE_TABLE_V1``, ``SINGLE_TABLE_V2``) and one table of the
multi-table ones (``V1``, ``V2``), and writes the same formats back.
`stochgen.tabular.schema.Schema.from_sdv` and ``Schema.to_sdv`` call it.

How an sdtype becomes a kind (`kind_from_sdv`):

- ``numerical``: ``integer`` when its ``computer_representation`` is
  ``Int*``/``UInt*`` or its ``decimal_places`` is 0, ``continuous`` for
  ``Float`` or decimal places above 0, else inferred from the data;
- ``categorical``: ``categorical`` (``ordinal`` with an SDV 1 ``order``);
  ``ordinal``, ``boolean`` and ``datetime`` keep their names (a datetime's
  text is read with its ``datetime_format``);
- ``id``, and the primary and alternate keys: ``id`` (``regex_format`` kept);
- PII sdtypes (``email``, ``name``, ``phone_number``, ``address``, ...) and
  ``unknown``: ``id``, new values and never a real one; with ``"pii": false``
  such a column is ``categorical`` (``continuous`` for latitude and longitude).
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path
from typing import Any

from stochgen.exceptions import ValidationError

__all__ = [
    "CORE_SDTYPES",
    "SDV_VERSIONS",
    "kind_from_sdv",
    "kinds_from_sdv",
    "read_sdv",
    "sdv_column",
    "write_sdv",
]

#: Metadata formats read and written: SDV 1 (``*V1``) and SDV 2 (``*V2``).
SDV_VERSIONS = ("SINGLE_TABLE_V1", "SINGLE_TABLE_V2", "V1", "V2")
#: sdtypes with a statistical meaning; every other sdtype names personal data (PII).
CORE_SDTYPES = ("numerical", "categorical", "ordinal", "boolean", "datetime", "id", "unknown")
# Table-level keys of a single-table description.
_TABLE_KEYS = frozenset(
    (
        "columns",
        "primary_key",
        "alternate_keys",
        "sequence_key",
        "sequence_index",
        "column_relationships",
    )
)
# Column options SDV 2 added (SDV 1 refuses a column that has one).
_SDV2_OPTIONS = (
    "decimal_places",
    "range_min",
    "range_max",
    "range_is_nullable",
    "range_values",
    "high_cardinality",
)
_INTEGER_REPRESENTATION = re.compile(r"U?Int(8|16|32|64)")
# Numbers a PII sdtype may name that are still numbers when not private.
_NUMERIC_PII = ("latitude", "longitude")
# Pandas integer dtypes and SDV 1's names for them.
_REPRESENTATIONS = {
    f"{prefix}int{bits}": f"{prefix.upper()}Int{bits}"
    for prefix in ("", "u")
    for bits in (8, 16, 32, 64)
}


def _fail(message: str) -> ValidationError:
    return ValidationError(f"metadata: {message}")


def read_sdv(source: Any, table: str | None = None) -> dict[str, Any]:
    """Read SDV metadata and return one table's description in a common form.

    Parameters
    ----------
    source : str, path-like or dict
        A metadata JSON file, or its content as a dict.
    table : str, optional
        Which table of a multi-table (``V1``/``V2``) file; needed only when
        the file describes more than one.

    Returns
    -------
    dict
        ``{"version": ..., "table": name or None, "columns": {...}, ...}``
        holding the table-level keys that are present (``primary_key``,
        ``alternate_keys``, ...), the column entries copied as given.

    Raises
    ------
    FileNotFoundError
        If ``source`` names no file.
    TypeError
        If ``source`` is neither a path nor a dict.
    stochgen.exceptions.ValidationError
        On JSON that does not parse, an unknown ``METADATA_SPEC_VERSION``, a
        missing or unknown table, or a column without an ``sdtype``.

    Examples
    --------
    >>> meta = {"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1",
    ...         "columns": {"age": {"sdtype": "numerical",
    ...                             "computer_representation": "Int64"}}}
    >>> read_sdv(meta)["columns"]
    {'age': {'sdtype': 'numerical', 'computer_representation': 'Int64'}}
    """
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise FileNotFoundError(f"no such metadata file: {path}")
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise _fail(f"{path} is not valid JSON: {exc}") from exc
    elif isinstance(source, dict):
        document = copy.deepcopy(source)
    else:
        raise TypeError(
            f"metadata must be a path to SDV's JSON file or its dict; got {type(source).__name__}"
        )
    if not isinstance(document, dict):
        raise _fail(f"expected a JSON object; got {type(document).__name__}")
    version = document.get("METADATA_SPEC_VERSION")
    if version not in SDV_VERSIONS:
        raise _fail(
            f"METADATA_SPEC_VERSION is {version!r}; expected one of {list(SDV_VERSIONS)} "
            "(SDV's Metadata.save_to_json writes one of them)"
        )
    name = None
    if version.startswith("SINGLE_TABLE"):
        described = document
    else:
        tables = document.get("tables")
        if not isinstance(tables, dict) or not tables:
            raise _fail(f"a {version} file needs a non-empty 'tables' object")
        if table is None:
            if len(tables) > 1:
                raise _fail(f"the file describes tables {sorted(tables)}; pass table=<name>")
            table = next(iter(tables))
        if table not in tables:
            raise _fail(f"no table {table!r}; the file describes {sorted(tables)}")
        name, described = table, tables[table]
    if not isinstance(described, dict):
        raise _fail(f"table {name!r} must be a JSON object")
    columns = described.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise _fail("'columns' must be a non-empty object of column name to {'sdtype': ...}")
    for column, entry in columns.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("sdtype"), str):
            raise _fail(f"column {column!r} needs an 'sdtype'; got {entry!r:.80}")
    out: dict[str, Any] = {"version": version, "table": name}
    out.update({key: described[key] for key in _TABLE_KEYS if key in described})
    _check_keys(out)
    return out


def _check_keys(meta: dict[str, Any]) -> None:
    for column in _key_columns(meta):
        if column not in meta["columns"]:
            raise _fail(f"key column {column!r} is not among the columns")


def _key_columns(meta: dict[str, Any]) -> list[str]:
    keys = meta.get("primary_key")
    keys = keys if isinstance(keys, list) else [] if keys is None else [keys]
    for alternate in meta.get("alternate_keys") or []:
        keys.extend(alternate if isinstance(alternate, list) else [alternate])
    return [str(key) for key in keys]


def kind_from_sdv(name: str, entry: dict[str, Any]) -> str | None:
    """Return the kind of one SDV column entry, or None when the data must tell.

    Parameters
    ----------
    name : str
        Column name (for error messages).
    entry : dict
        The column's metadata: ``{"sdtype": ..., options}``.

    Returns
    -------
    str or None
        A kind from `stochgen.kinds.KINDS`; None for a ``numerical`` column
        that states neither its representation nor its decimal places.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On an unknown ``computer_representation``, or ``pii`` not a boolean.

    Examples
    --------
    >>> kind_from_sdv("age", {"sdtype": "numerical", "computer_representation": "Int64"})
    'integer'
    >>> kind_from_sdv("mail", {"sdtype": "email", "pii": True})
    'id'
    >>> kind_from_sdv("town", {"sdtype": "city", "pii": False})
    'categorical'
    """
    sdtype = entry["sdtype"]
    if sdtype == "numerical":
        representation = entry.get("computer_representation")
        places = entry.get("decimal_places")
        if representation is not None:
            if representation == "Float":
                return "continuous"
            if isinstance(representation, str) and _INTEGER_REPRESENTATION.fullmatch(
                representation
            ):
                return "integer"
            raise _fail(
                f"column {name!r}: computer_representation {representation!r} is not "
                "'Float', 'Int8'...'Int64' or 'UInt8'...'UInt64'"
            )
        if isinstance(places, int) and not isinstance(places, bool):
            return "integer" if places == 0 else "continuous"
        return None
    if sdtype == "categorical":
        return "ordinal" if "order" in entry or "order_by" in entry else "categorical"
    if sdtype in ("ordinal", "boolean", "datetime", "id"):
        return sdtype
    pii = entry.get("pii", True)
    if not isinstance(pii, bool):
        raise _fail(f"column {name!r}: 'pii' must be true or false; got {pii!r}")
    if pii:
        return "id"
    return "continuous" if sdtype in _NUMERIC_PII else "categorical"


def kinds_from_sdv(meta: dict[str, Any]) -> dict[str, str]:
    """Return the kinds of a table read by `read_sdv` (key columns are ``id``).

    Parameters
    ----------
    meta : dict
        What `read_sdv` returned.

    Returns
    -------
    dict of str to str
        Column name to kind; columns whose kind the data must tell are left out.

    Examples
    --------
    >>> meta = read_sdv({"METADATA_SPEC_VERSION": "SINGLE_TABLE_V1", "primary_key": "k",
    ...                  "columns": {"k": {"sdtype": "id"}, "x": {"sdtype": "boolean"}}})
    >>> kinds_from_sdv(meta)
    {'k': 'id', 'x': 'boolean'}
    """
    keys = set(_key_columns(meta))
    kinds = {}
    for name, entry in meta["columns"].items():
        kind = "id" if name in keys else kind_from_sdv(name, entry)
        if kind is not None:
            kinds[name] = kind
    return kinds


def sdv_column(kind: str, dtype: str, version: str) -> dict[str, Any]:
    """Return the SDV entry for a column of a kind and pandas dtype.

    Parameters
    ----------
    kind : str
        A kind from `stochgen.kinds.KINDS`.
    dtype : str
        The column's pandas dtype, as text.
    version : str
        One of `SDV_VERSIONS`.

    Returns
    -------
    dict

    Examples
    --------
    >>> sdv_column("integer", "int32", "SINGLE_TABLE_V1")
    {'sdtype': 'numerical', 'computer_representation': 'Int32'}
    >>> sdv_column("integer", "int32", "V2")
    {'sdtype': 'numerical', 'decimal_places': 0}
    >>> sdv_column("date", "object", "V1")
    {'sdtype': 'datetime', 'datetime_format': '%Y-%m-%d'}
    """
    sdv1 = version.endswith("V1")
    if kind == "continuous":
        return (
            {"sdtype": "numerical", "computer_representation": "Float"}
            if sdv1
            else {"sdtype": "numerical"}
        )
    if kind == "integer":
        if not sdv1:
            return {"sdtype": "numerical", "decimal_places": 0}
        representation = _REPRESENTATIONS.get(dtype.lower(), "Int64")
        return {"sdtype": "numerical", "computer_representation": representation}
    if kind == "ordinal" and not sdv1:
        return {"sdtype": "ordinal"}
    if kind in ("categorical", "ordinal", "constant"):
        return {"sdtype": "categorical"}
    if kind == "date":
        return {"sdtype": "datetime", "datetime_format": "%Y-%m-%d"}
    return {"sdtype": kind}


def _convert_entry(entry: dict[str, Any], version: str) -> dict[str, Any]:
    """Write an entry read in one SDV version in another (V1: representation; V2: ordinal)."""
    entry = dict(entry)
    if version.endswith("V1"):
        if entry["sdtype"] == "ordinal":
            entry["sdtype"] = "categorical"
            if "range_values" in entry:
                entry["order"] = entry.pop("range_values")
        places = entry.get("decimal_places")
        if entry["sdtype"] == "numerical" and "computer_representation" not in entry:
            if isinstance(places, int) and not isinstance(places, bool):
                entry["computer_representation"] = "Int64" if places == 0 else "Float"
        # SDV 1 refuses the options SDV 2 added.
        for key in _SDV2_OPTIONS:
            entry.pop(key, None)
    else:
        if entry["sdtype"] == "categorical" and ("order" in entry or "order_by" in entry):
            entry["sdtype"] = "ordinal"
            entry.pop("order_by", None)
            if "order" in entry:
                entry["range_values"] = entry.pop("order")
        if entry["sdtype"] == "numerical" and "computer_representation" in entry:
            representation = entry.pop("computer_representation")
            if representation != "Float" and "decimal_places" not in entry:
                entry["decimal_places"] = 0
    return entry


def write_sdv(
    columns: dict[str, dict[str, Any]],
    version: str,
    table: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assemble SDV metadata of one table in one of `SDV_VERSIONS`.

    Parameters
    ----------
    columns : dict
        Column name to its SDV entry (in any version; converted here).
    version : str
        One of `SDV_VERSIONS`.
    table : str
        The table's name in a ``V1``/``V2`` file.
    extra : dict, optional
        Table-level keys (``primary_key``, ``alternate_keys``, ...).

    Returns
    -------
    dict
        The metadata, as SDV's ``save_to_json`` would write it.

    Raises
    ------
    stochgen.exceptions.ValidationError
        On an unknown ``version``.

    Examples
    --------
    >>> write_sdv({"x": {"sdtype": "boolean"}}, "V1", "people")
    {'tables': {'people': {'columns': {'x': {'sdtype': 'boolean'}}}}, 'relationships': [], \
'METADATA_SPEC_VERSION': 'V1'}
    """
    if version not in SDV_VERSIONS:
        raise ValidationError(f"version must be one of {list(SDV_VERSIONS)}; got {version!r}")
    described: dict[str, Any] = {
        "columns": {name: _convert_entry(entry, version) for name, entry in columns.items()}
    }
    for key, value in (extra or {}).items():
        if key in _TABLE_KEYS and key != "columns" and value not in (None, []):
            described[key] = copy.deepcopy(value)
    if version.startswith("SINGLE_TABLE"):
        return {**described, "METADATA_SPEC_VERSION": version}
    return {"tables": {table: described}, "relationships": [], "METADATA_SPEC_VERSION": version}
