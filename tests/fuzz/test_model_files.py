"""Hostile model files: 1,000+ mutations of saved models.

Each case writes a saved model (a table synthesizer with mixed columns, two
distributions, a Gaussian copula, a vine), mutates it, and loads it. The only
acceptable outcomes: `ModelFileError`, or a model that samples valid values
(the columns of the original, NaN only where the original data had missing
values, nothing infinite; distributions finite; copulas inside [0, 1]).
Nothing outside the model's folder may be read.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen.exceptions import ModelFileError
from tests.fuzz._models import fitted_models, saved_models

Mutation = Callable[[Path, Path], None]  # (json path, npz path) -> None

_LEAF_VALUES: list[tuple[str, Any]] = [
    ("nan", {"__float__": "nan"}),
    ("inf", {"__float__": "inf"}),
    ("-inf", {"__float__": "-inf"}),
    ("neg", -1),
    ("zero", 0),
    ("huge", 10**30),
    ("text", "x"),
    ("null", None),
    ("list", []),
    ("dict", {}),
    ("true", True),
    ("float", 0.5),
]


def _walk(obj: Any, path: tuple = ()) -> list[tuple]:
    """Paths to every scalar leaf and tagged value of a JSON document."""
    if isinstance(obj, dict):
        if len(obj) == 1 and next(iter(obj)) in ("__float__", "__ndarray__"):
            return [path]
        out = []
        for key, value in obj.items():
            out += _walk(value, (*path, key))
        return out
    if isinstance(obj, list):
        out = []
        for i, value in enumerate(obj):
            out += _walk(value, (*path, i))
        return out
    return [path]


def _set(doc: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        doc = doc[key]
    doc[path[-1]] = value


def _edit_json(edit: Callable[[dict], None]) -> Mutation:
    def mutate(json_path: Path, npz_path: Path) -> None:
        doc = json.loads(json_path.read_text())
        edit(doc)
        json_path.write_text(json.dumps(doc))

    return mutate


def _set_npz(json_path: Path, npz_path: Path, payload: bytes) -> None:
    """Replace the array file and make the checksum match, so parsing is tested."""
    npz_path.write_bytes(payload)
    doc = json.loads(json_path.read_text())
    doc["arrays"]["sha256"] = hashlib.sha256(payload).hexdigest()
    json_path.write_text(json.dumps(doc))


def _edit_arrays(edit: Callable[[dict[str, np.ndarray]], None]) -> Mutation:
    def mutate(json_path: Path, npz_path: Path) -> None:
        with np.load(npz_path) as archive:
            arrays = {key: archive[key] for key in archive.files}
        edit(arrays)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        _set_npz(json_path, npz_path, buffer.getvalue())

    return mutate


def _bytes_mutation(target: str, edit: Callable[[bytes], bytes], rechecksum: bool) -> Mutation:
    def mutate(json_path: Path, npz_path: Path) -> None:
        path = json_path if target == "json" else npz_path
        payload = edit(path.read_bytes())
        if target == "npz" and rechecksum:
            _set_npz(json_path, npz_path, payload)
        else:
            path.write_bytes(payload)

    return mutate


def _flip(position: float, mask: int) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        out = bytearray(data)
        i = min(int(position * len(out)), len(out) - 1)
        out[i] ^= mask
        return bytes(out)

    return edit


def _array_mutations(arrays: list[tuple[str, np.dtype, tuple]]) -> list[tuple[str, Mutation]]:
    out: list[tuple[str, Mutation]] = []
    for key, dtype, _shape in arrays:

        def fill(value: Any, key: str = key) -> Mutation:
            def edit(a: dict) -> None:
                if a[key].dtype.kind == "f":
                    a[key] = np.full_like(a[key], value)
                else:
                    a[key] = np.full(a[key].shape, value)

            return _edit_arrays(edit)

        def apply(fn: Callable[[np.ndarray], np.ndarray], key: str = key) -> Mutation:
            def edit(a: dict) -> None:
                a[key] = fn(a[key])

            return _edit_arrays(edit)

        out += [
            (f"{key}-nan", fill(np.nan)),
            (f"{key}-inf", fill(np.inf)),
            (f"{key}-zero", fill(0)),
            (f"{key}-neg", apply(lambda v: -v if v.dtype.kind in "if" else v)),
            (f"{key}-reverse", apply(lambda v: v[::-1].copy())),
            (f"{key}-drop-last", apply(lambda v: v[:-1].copy())),
            (f"{key}-empty", apply(lambda v: v[:0].copy())),
            (f"{key}-3d", apply(lambda v: v.reshape(1, 1, -1))),
            (f"{key}-transpose", apply(lambda v: np.ascontiguousarray(v.T))),
            (f"{key}-as-text", apply(lambda v: v.astype(str))),
            (f"{key}-as-bool", apply(lambda v: np.ones(v.shape, dtype=bool))),
            (f"{key}-as-int8", apply(lambda v: np.zeros(v.shape, dtype=np.int8))),
            (f"{key}-as-datetime", apply(lambda v: np.zeros(v.shape, dtype="M8[ns]"))),
            (f"{key}-big-endian", apply(lambda v: v.astype(v.dtype.newbyteorder(">")))),
            (f"{key}-huge-value", fill(1e308)),
        ]
        if dtype.kind == "f" and len(_shape) == 2 and _shape[0] == _shape[1] and _shape[0] > 1:
            out += _matrix_mutations(key)
    return out


def _matrix_mutations(key: str) -> list[tuple[str, Mutation]]:
    def apply(fn: Callable[[np.ndarray], np.ndarray]) -> Mutation:
        def edit(a: dict) -> None:
            a[key] = fn(a[key].copy())

        return _edit_arrays(edit)

    def off(value: float) -> Callable[[np.ndarray], np.ndarray]:
        def fn(m: np.ndarray) -> np.ndarray:
            m[0, 1] = m[1, 0] = value
            return m

        return fn

    def asym(m: np.ndarray) -> np.ndarray:
        m[0, 1] = -m[1, 0] if m[1, 0] else 0.5
        return m

    def diag(value: float) -> Callable[[np.ndarray], np.ndarray]:
        def fn(m: np.ndarray) -> np.ndarray:
            np.fill_diagonal(m, value)
            return m

        return fn

    def indefinite(m: np.ndarray) -> np.ndarray:
        d = m.shape[0]
        return (
            np.full((d, d), 0.99) * (1 - np.eye(d))
            - np.eye(d) * 0.0
            + np.eye(d)
            - 1.9
            * (np.arange(d)[:, None] != np.arange(d)[None, :])
            * (np.add.outer(np.arange(d), np.arange(d)) % 2)
        )

    return [
        (f"{key}-corr-1.5", apply(off(1.5))),
        (f"{key}-corr-minus-1", apply(off(-1.0))),
        (f"{key}-corr-1", apply(off(1.0))),
        (f"{key}-corr-nan", apply(off(np.nan))),
        (f"{key}-asymmetric", apply(asym)),
        (f"{key}-diag-0", apply(diag(0.0))),
        (f"{key}-diag-2", apply(diag(2.0))),
        (f"{key}-diag-neg", apply(diag(-1.0))),
        (f"{key}-indefinite", apply(indefinite)),
        (f"{key}-all-ones", apply(lambda m: np.ones_like(m))),
    ]


def _huge_header(json_path: Path, npz_path: Path) -> None:
    with np.load(npz_path) as archive:
        key = archive.files[0]
    good = io.BytesIO()
    np.lib.format.write_array(good, np.zeros(4))
    claim = good.getvalue().replace(b"(4,)", b"(1099511627776,)")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"{key}.npy", claim)
    _set_npz(json_path, npz_path, buffer.getvalue())


def _zip_bomb(json_path: Path, npz_path: Path) -> None:
    with np.load(npz_path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    arrays[next(iter(arrays))] = np.zeros(2**24)  # 128 MiB inflated, ~130 KiB stored
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    _set_npz(json_path, npz_path, buffer.getvalue())


def _lying_zip_size(json_path: Path, npz_path: Path) -> None:
    """A member whose central directory claims fewer bytes than it inflates to."""
    buffer = io.BytesIO(npz_path.read_bytes())
    data = bytearray(buffer.getvalue())
    eocd = data.rfind(b"PK\x05\x06")
    cd = int.from_bytes(data[eocd + 16 : eocd + 20], "little")
    data[cd + 24 : cd + 28] = (16).to_bytes(4, "little")
    _set_npz(json_path, npz_path, bytes(data))


def _extra_member(json_path: Path, npz_path: Path) -> None:
    buffer = io.BytesIO(npz_path.read_bytes())
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("../evil.npy", b"x")
    _set_npz(json_path, npz_path, buffer.getvalue())


def _outside(json_path: Path) -> Path:
    """A copy of the array file one folder up, outside the model's folder."""
    return json_path.parent.parent / "outside.npz"


def _filesystem_mutations() -> list[tuple[str, Mutation]]:
    def link_npz(target: str | Path | None) -> Mutation:
        def mutate(json_path: Path, npz_path: Path) -> None:
            npz_path.unlink()
            npz_path.symlink_to(_outside(json_path) if target is None else target)

        return mutate

    def link_json(target: str | Path | None) -> Mutation:
        def mutate(json_path: Path, npz_path: Path) -> None:
            json_path.unlink()
            json_path.symlink_to(_outside(json_path) if target is None else target)

        return mutate

    def fifo(which: str) -> Mutation:
        def mutate(json_path: Path, npz_path: Path) -> None:
            path = json_path if which == "json" else npz_path
            path.unlink(missing_ok=True)
            os.mkfifo(path)

        return mutate

    def folder(json_path: Path, npz_path: Path) -> None:
        npz_path.unlink()
        npz_path.mkdir()

    def missing(json_path: Path, npz_path: Path) -> None:
        npz_path.unlink()

    return [
        ("npz->/etc/passwd", link_npz("/etc/passwd")),
        ("npz->/dev/zero", link_npz("/dev/zero")),
        ("npz->/dev/urandom", link_npz("/dev/urandom")),
        ("npz->outside", link_npz(None)),
        ("npz->relative-outside", link_npz(Path("..") / "outside.npz")),
        ("npz->dangling", link_npz("/no/such/file")),
        ("json->/etc/passwd", link_json("/etc/passwd")),
        ("json->/dev/zero", link_json("/dev/zero")),
        ("json->outside", link_json(None)),
        ("npz-fifo", fifo("npz")),
        ("json-fifo", fifo("json")),
        ("npz-folder", folder),
        ("npz-missing", missing),
    ]


_CLASS_NAMES = [
    "os.system",
    "builtins.eval",
    "subprocess.Popen",
    "__import__",
    "",
    "BaseModel",
    "Copula",
    "Distribution",
    "numpy.load",
    "../CopulaSynthesizer",
    "copulasynthesizer",
]
_ARRAY_FILES = [
    "../m.npz",
    "../../etc/passwd",
    "/etc/passwd",
    "/dev/zero",
    "..",
    ".",
    "",
    "sub/m.npz",
    "m.npz/",
    "C:\\m.npz",
    "m.json",
    "\x00.npz",
]


def _structure_mutations(name: str, doc: dict) -> list[tuple[str, Mutation]]:
    out: list[tuple[str, Mutation]] = []
    for cls in _CLASS_NAMES:
        out.append((f"class={cls!r}", _edit_json(lambda d, c=cls: d.update({"class": c}))))

        def body(d: dict, c: str = cls) -> None:
            d["model"]["__model__"]["class"] = c

        out.append((f"body-class={cls!r}", _edit_json(body)))
    others = [n for n in ("Normal", "GaussianCopula", "Schema", "VineCopula") if n != doc["class"]]
    for other in others:
        out.append((f"header-says-{other}", _edit_json(lambda d, o=other: d.update({"class": o}))))

        def both(d: dict, o: str = other) -> None:
            d["class"] = o
            d["model"]["__model__"]["class"] = o

        out.append((f"header-and-body-say-{other}", _edit_json(both)))
    if doc["arrays"] is not None:
        for file in _ARRAY_FILES:
            out.append(
                (f"arrays.file={file!r}", _edit_json(lambda d, f=file: d["arrays"].update(file=f)))
            )
        out.append(("arrays.sha256=int", _edit_json(lambda d: d["arrays"].update(sha256=1))))
        out.append(("arrays=null", _edit_json(lambda d: d.update(arrays=None))))
    else:
        out.append(
            (
                "arrays-invented",
                _edit_json(lambda d: d.update(arrays={"file": "m.npz", "sha256": "0" * 64})),
            )
        )
    for key in ("format", "format_version", "stochgen_version", "class", "model", "arrays"):
        out.append((f"drop-{key}", _edit_json(lambda d, k=key: d.pop(k))))
    out += [
        ("format_version=0", _edit_json(lambda d: d.update(format_version=0))),
        ("format_version=2", _edit_json(lambda d: d.update(format_version=2))),
        ("format_version=true", _edit_json(lambda d: d.update(format_version=True))),
        ("format_version=1.0", _edit_json(lambda d: d.update(format_version=1.0))),
        ("document=list", _edit_json(lambda d: (d.clear(), d.update({"0": []})))),
        ("state=list", _edit_json(lambda d: d["model"]["__model__"].update(state=[]))),
        ("state=unfitted", _edit_json(lambda d: d["model"]["__model__"].update(state=None))),
        ("params=empty", _edit_json(lambda d: d["model"]["__model__"].update(params={}))),
        ("params+evil", _edit_json(lambda d: d["model"]["__model__"]["params"].update(evil=1))),
        ("state+evil_", _edit_json(lambda d: d["model"]["__model__"]["state"].update(evil_=1))),
        ("model-untagged", _edit_json(lambda d: d.update(model=d["model"]["__model__"]))),
        ("model-two-tags", _edit_json(lambda d: d["model"].update({"__tuple__": []}))),
        ("deep-nesting", _deep_nesting),
    ]
    state = doc["model"]["__model__"]["state"] or {}
    for field in state:
        out.append(
            (
                f"drop-state-{field}",
                _edit_json(lambda d, f=field: d["model"]["__model__"]["state"].pop(f)),
            )
        )
    return out


def _deep_nesting(json_path: Path, npz_path: Path) -> None:
    doc = json.loads(json_path.read_text())
    doc["model"] = "DEEP"
    depth = 100_000
    deep = '{"__tuple__": [' * depth + "1" + "]}" * depth
    json_path.write_text(json.dumps(doc).replace('"DEEP"', deep))


def _leaf_mutations(doc: dict, limit: int) -> list[tuple[str, Mutation]]:
    leaves = [p for p in _walk(doc["model"]) if p]
    rng = np.random.default_rng(len(leaves))
    if len(leaves) > limit:
        leaves = [leaves[i] for i in sorted(rng.choice(len(leaves), limit, replace=False))]
    out = []
    for path in leaves:
        for label, value in _LEAF_VALUES:

            def edit(d: dict, p: tuple = path, v: Any = value) -> None:
                _set(d["model"], p, json.loads(json.dumps(v)))

            out.append((f"leaf{'/'.join(map(str, path))}={label}", _edit_json(edit)))
    return out


def _raw_mutations(has_npz: bool) -> list[tuple[str, Mutation]]:
    out = []
    for frac in (0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99):
        out.append(
            (
                f"json-truncate-{frac}",
                _bytes_mutation("json", lambda b, f=frac: b[: int(f * len(b))], False),
            )
        )
    for i, frac in enumerate(np.linspace(0.001, 0.999, 16)):
        out.append(
            (f"json-flip-{i}", _bytes_mutation("json", _flip(frac, 0x20 if i % 2 else 0x01), False))
        )
    out += [
        ("json-not-utf8", _bytes_mutation("json", lambda b: b"\xff\xfe" + b, False)),
        (
            "json-nan-literal",
            _bytes_mutation(
                "json", lambda b: b.replace(b'"format_version": 1', b'"format_version": NaN'), False
            ),
        ),
        (
            "json-infinity",
            _bytes_mutation(
                "json",
                lambda b: b.replace(b'"format_version": 1', b'"format_version": Infinity'),
                False,
            ),
        ),
        ("json-empty", _bytes_mutation("json", lambda b: b"", False)),
        ("json-bom", _bytes_mutation("json", lambda b: b"\xef\xbb\xbf" + b, False)),
        (
            "json-big-int",
            _bytes_mutation(
                "json",
                lambda b: b.replace(b'"format_version": 1', b'"format_version": ' + b"9" * 5000),
                False,
            ),
        ),
    ]
    if has_npz:
        for frac in (0.0, 0.05, 0.3, 0.5, 0.7, 0.95, 0.999):
            cut = _bytes_mutation("npz", lambda b, f=frac: b[: int(f * len(b))], True)
            out.append((f"npz-truncate-{frac}", cut))
            out.append(
                (
                    f"npz-truncate-nochecksum-{frac}",
                    _bytes_mutation("npz", lambda b, f=frac: b[: int(f * len(b))], False),
                )
            )
        for i, frac in enumerate(np.linspace(0.0, 0.999, 24)):
            out.append((f"npz-flip-{i}", _bytes_mutation("npz", _flip(frac, 0x10), True)))
        out += [
            ("npz-flip-nochecksum", _bytes_mutation("npz", _flip(0.5, 0x01), False)),
            ("npz-empty", _bytes_mutation("npz", lambda b: b"", True)),
            ("npz-not-zip", _bytes_mutation("npz", lambda b: b"\x93NUMPY" + b[:100], True)),
            ("npz-huge-header", _huge_header),
            ("npz-zip-bomb", _zip_bomb),
            ("npz-lying-size", _lying_zip_size),
            ("npz-extra-member", _extra_member),
        ]
    return out


def _array_specs(npz: bytes | None) -> list[tuple[str, np.dtype, tuple]]:
    if npz is None:
        return []
    with np.load(io.BytesIO(npz)) as archive:
        return [(k, archive[k].dtype, archive[k].shape) for k in archive.files]


def _cases() -> list[tuple[str, str, Mutation]]:
    cases = []
    for name, (json_bytes, npz) in saved_models().items():
        doc = json.loads(json_bytes)
        mutations = (
            _raw_mutations(npz is not None)
            + _structure_mutations(name, doc)
            + _leaf_mutations(doc, limit=40 if name == "synthesizer" else 25)
            + _array_mutations(_array_specs(npz)[:8])
        )
        if npz is not None:
            mutations += _filesystem_mutations()
        cases += [(name, label, mutation) for label, mutation in mutations]
    return cases


CASES = _cases()
# Files that imports and numba's cache open while a model is rebuilt: code, not model data.
_CODE_SUFFIXES = (".py", ".pyc", ".so", ".nbi", ".nbc", ".pth")

#: Cases whose fix belongs to a class another area owns: (model, label) -> reason.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}


def _check_valid(name: str, model: Any) -> None:
    """Assert that a loaded model samples values its original could have produced."""
    original = fitted_models()[name]
    from stochgen._base import _is_fitted

    if not _is_fitted(model):
        return  # an unfitted model refuses to sample; nothing it can do is wrong
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        drawn = model.sample(300, seed=1)
    if name == "synthesizer":
        assert isinstance(drawn, pd.DataFrame)
        assert list(drawn.columns) == list(original.output_columns_)
        had_missing = {c for c, s in original.schema_.columns_.items() if s["nullable"]}
        for column in drawn.columns:
            values = drawn[column]
            if column not in had_missing:
                assert not values.isna().any(), f"column {column!r} sampled missing values"
            if pd.api.types.is_float_dtype(values.dtype):
                assert not np.isinf(values.to_numpy(dtype=float, na_value=np.nan)).any()
        return
    values = np.asarray(drawn, dtype=float)
    assert np.isfinite(values).all(), f"{name} sampled non-finite values"
    if name in ("gaussian_copula", "vine"):
        assert values.shape == (300, 3)
        assert ((values >= 0) & (values <= 1)).all()


def _params():
    for name, label, mutation in CASES:
        marks = []
        reason = KNOWN_FAILURES.get((name, label))
        if reason is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=reason))
        yield pytest.param(name, mutation, id=f"{name}:{label}", marks=marks)


def test_there_are_over_a_thousand_mutations():
    assert len(CASES) >= 1000


@pytest.mark.parametrize(("name", "mutation"), list(_params()))
def test_mutated_model_file(name, mutation, tmp_path, monkeypatch):
    json_bytes, npz = saved_models()[name]
    folder = tmp_path / "model"
    folder.mkdir()
    json_path, npz_path = folder / "m.json", folder / "m.npz"
    json_path.write_bytes(json_bytes.replace(f"{name}.npz".encode(), b"m.npz"))
    if npz is not None:
        npz_path.write_bytes(npz)
    (tmp_path / "outside.npz").write_bytes(npz or b"")
    mutation(json_path, npz_path)
    opened: list[str] = []
    real_open = os.open

    def tracking_open(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", tracking_open)
    try:
        model = stochgen.load(json_path)
    except ModelFileError:
        model = None
    finally:
        monkeypatch.undo()
    data_files = [p for p in opened if not p.endswith(_CODE_SUFFIXES)]
    outside = [p for p in data_files if Path(p).parent.resolve() != folder.resolve()]
    assert not outside, f"load opened files outside the model's folder: {outside}"
    if model is not None:
        _check_valid(name, model)


def test_clean_load_opens_only_the_model_files(tmp_path, monkeypatch):
    json_bytes, npz = saved_models()["synthesizer"]
    (tmp_path / "m.json").write_bytes(json_bytes.replace(b"synthesizer.npz", b"m.npz"))
    (tmp_path / "m.npz").write_bytes(npz)
    opened: list[str] = []
    real_open = os.open

    def tracking_open(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", tracking_open)
    stochgen.load(tmp_path / "m.json")
    monkeypatch.undo()
    data_files = sorted(Path(p).name for p in opened if not p.endswith(_CODE_SUFFIXES))
    assert data_files == ["m.json", "m.npz"]
