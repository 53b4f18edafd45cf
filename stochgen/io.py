"""Model files: versioned JSON plus an ``.npz`` of arrays. Never pickle.

A model file is data, not code. `save` writes ``<name>.json`` (format version,
stochgen version, class name, settings and fitted state) and, when the model
holds arrays, ``<name>.npz`` beside it, whose SHA-256 the JSON records.
`load` parses the JSON, checks the format, the class (only classes listed in
`MODEL_CLASSES` can be named), the checksum, and loads arrays with
``allow_pickle=False``; each class then validates its own fields.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib
import io as _io
import json
import math
import os
import stat
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from stochgen._base import BaseModel, _is_fitted
from stochgen.exceptions import ModelFileError

__all__ = [
    "FORMAT_VERSION",
    "MAX_MODEL_BYTES",
    "MODEL_CLASSES",
    "atomic_path",
    "load",
    "read_table",
    "register_model_class",
    "save",
    "write_table",
]

#: Version of the file layout written by `save`; `load` reads this and older.
FORMAT_VERSION = 1
_FORMAT_NAME = "stochgen-model"
#: Default limit of `load`: the largest model file, and the largest total of
#: inflated arrays, in bytes (1 GiB). Checked before anything is inflated.
MAX_MODEL_BYTES = 2**30
# Array dtypes a model file may hold: booleans, integers, floats, text, datetimes.
_ARRAY_KINDS = "biufUM"

#: The only classes a model file may name: class name -> defining module.
#: An allowlist, not a registry filled at import time: loading never imports
#: anything a file names unless it is listed here.
MODEL_CLASSES: dict[str, str] = {
    "CopulaSynthesizer": "stochgen.tabular.synthesizer",
    "SequenceSynthesizer": "stochgen.sequences.synthesizer",
    "Schema": "stochgen.tabular.schema",
    "LatentTable": "stochgen.tabular.latent",
    "NumericColumn": "stochgen.tabular.columns",
    "CategoricalColumn": "stochgen.tabular.columns",
    "ConstantColumn": "stochgen.tabular.columns",
    "IdColumn": "stochgen.tabular.columns",
    "FormatColumn": "stochgen.tabular.formats",
    "Bounds": "stochgen.tabular.constraints",
    "Inequality": "stochgen.tabular.constraints",
    "FixedCombinations": "stochgen.tabular.constraints",
    "Unique": "stochgen.tabular.constraints",
    "Rule": "stochgen.tabular.rules",
    "LinearEquality": "stochgen.tabular.rules",
    "OneHot": "stochgen.tabular.rules",
    "EmpiricalDistribution": "stochgen.distributions.empirical",
    "Normal": "stochgen.distributions.continuous",
    "LogNormal": "stochgen.distributions.continuous",
    "Gamma": "stochgen.distributions.continuous",
    "Beta": "stochgen.distributions.continuous",
    "StudentT": "stochgen.distributions.continuous",
    "TruncatedNormal": "stochgen.distributions.truncated",
    "Exponential": "stochgen.distributions.continuous",
    "Weibull": "stochgen.distributions.continuous",
    "Uniform": "stochgen.distributions.continuous",
    "Logistic": "stochgen.distributions.continuous",
    "Gumbel": "stochgen.distributions.continuous",
    "GeneralizedExtremeValue": "stochgen.distributions.skewed",
    "GeneralizedPareto": "stochgen.distributions.skewed",
    "Pareto": "stochgen.distributions.skewed",
    "LogLogistic": "stochgen.distributions.skewed",
    "LogLaplace": "stochgen.distributions.skewed",
    "SkewNormal": "stochgen.distributions.skewed",
    "InverseGaussian": "stochgen.distributions.skewed",
    "JohnsonSU": "stochgen.distributions.skewed",
    "Burr": "stochgen.distributions.skewed",
    "Laplace": "stochgen.distributions.skewed",
    "Pearson3": "stochgen.distributions.skewed",
    "Poisson": "stochgen.distributions.discrete",
    "NegativeBinomial": "stochgen.distributions.discrete",
    "Binomial": "stochgen.distributions.discrete",
    "Geometric": "stochgen.distributions.discrete",
    "Categorical": "stochgen.distributions.categorical",
    "EmpiricalDiscrete": "stochgen.distributions.categorical",
    "GaussianKDE": "stochgen.distributions.kde",
    "GaussianMixture": "stochgen.distributions.mixture",
    "AtomMixture": "stochgen.distributions.atoms",
    "GaussianCopula": "stochgen.copulas.gaussian",
    "IndependenceCopula": "stochgen.copulas.independence",
    "StudentTCopula": "stochgen.copulas.student_t",
    "ClaytonCopula": "stochgen.copulas.archimedean",
    "FrankCopula": "stochgen.copulas.archimedean",
    "GumbelCopula": "stochgen.copulas.archimedean",
    "JoeCopula": "stochgen.copulas.archimedean",
    "VineCopula": "stochgen.copulas.vine",
    "JointDistribution": "stochgen.montecarlo.joint",
    "VAESynthesizer": "stochgen.bridges.torch.vae",
    "GANSynthesizer": "stochgen.bridges.torch.gan",
}


#: Classes a user opted into (`stochgen.register_constraint`): class name -> class.
#: Filled only by explicit calls in this process, never from a file.
_REGISTERED: dict[str, type[BaseModel]] = {}


def register_model_class(cls: type[BaseModel]) -> None:
    """Let model files name ``cls`` (an explicit opt-in; see `stochgen.register_constraint`).

    The file then holds the class name, settings and fitted state as data;
    `load` rebuilds the object only where this process registered the class.

    Parameters
    ----------
    cls : type
        A `BaseModel` subclass whose name no other listed or registered class has.

    Raises
    ------
    TypeError
        If ``cls`` is not a model class or its name is taken.
    """
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        raise TypeError(f"register_model_class expects a stochgen model class; got {cls!r}")
    name = cls.__name__
    if name in MODEL_CLASSES or _REGISTERED.get(name, cls) is not cls:
        raise TypeError(
            f"cannot register {cls.__module__}.{name}: another class is saved under the name "
            f"{name!r}; rename the class"
        )
    _REGISTERED[name] = cls


def _check_saveable(cls: type) -> None:
    """Refuse a model whose class a model file could not name back to this very class."""
    name = cls.__name__
    if _REGISTERED.get(name) is cls:
        return
    if name in MODEL_CLASSES and getattr(importlib.import_module(MODEL_CLASSES[name]), name) is cls:
        return
    raise TypeError(
        f"{cls.__module__}.{name} cannot be saved: a model file names only stochgen's own "
        f"classes and those registered with stochgen.register_constraint({name}) (whose "
        "settings and fitted state are plain data)"
    )


def _resolve_class(name: Any) -> type[BaseModel]:
    if isinstance(name, str) and name in _REGISTERED:
        return _REGISTERED[name]
    if not isinstance(name, str) or name not in MODEL_CLASSES:
        raise ModelFileError(
            f"model file names an unknown class {name!r}; known: {sorted(MODEL_CLASSES)} "
            "(a custom constraint loads once stochgen.register_constraint has registered it)"
        )
    module = importlib.import_module(MODEL_CLASSES[name])
    cls = getattr(module, name)
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        raise ModelFileError(f"{name} is not a stochgen model class")
    return cls


class _Encoder:
    """Turn a model's dict into JSON-able data, moving arrays aside."""

    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}

    def encode(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, bool | str):
            return obj
        if isinstance(obj, int | np.integer) and not isinstance(obj, np.bool_):
            return int(obj)
        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, float | np.floating):
            value = float(obj)
            return value if math.isfinite(value) else {"__float__": repr(value)}
        if isinstance(obj, BaseModel):
            body = obj.to_dict()
            _check_saveable(type(obj))
            return {"__model__": self.encode(body)}
        if isinstance(obj, np.ndarray):
            if obj.dtype.kind in "biufUM":
                key = f"a{len(self.arrays)}"
                self.arrays[key] = obj
                return {"__ndarray__": key}
            if obj.dtype.kind == "O":
                return {"__object_array__": [self.encode(v) for v in obj.tolist()]}
            raise TypeError(f"cannot save an array of dtype {obj.dtype}")
        if isinstance(obj, tuple):
            return {"__tuple__": [self.encode(v) for v in obj]}
        if isinstance(obj, list):
            return [self.encode(v) for v in obj]
        if isinstance(obj, dict):
            if all(isinstance(k, str) and not k.startswith("__") for k in obj):
                return {k: self.encode(v) for k, v in obj.items()}
            return {"__items__": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        raise TypeError(f"cannot save a value of type {type(obj).__name__}: {obj!r:.80}")


class _Decoder:
    """Rebuild a model's dict from JSON data and the checked arrays."""

    _TAGS = frozenset(
        {"__float__", "__model__", "__ndarray__", "__object_array__", "__tuple__", "__items__"}
    )

    def __init__(self, arrays: dict[str, np.ndarray]) -> None:
        self.arrays = arrays

    def decode(self, obj: Any) -> Any:
        if isinstance(obj, list):
            return [self.decode(v) for v in obj]
        if not isinstance(obj, dict):
            return obj
        tags = self._TAGS.intersection(obj)
        if not tags:
            return {k: self.decode(v) for k, v in obj.items()}
        if len(obj) != 1:
            raise ModelFileError(f"malformed tagged value with keys {sorted(obj)}")
        (tag,) = tags
        value = obj[tag]
        if tag == "__float__":
            if value not in ("nan", "inf", "-inf"):
                raise ModelFileError(f"malformed special float {value!r}")
            return float(value)
        if tag == "__ndarray__":
            if value not in self.arrays:
                raise ModelFileError(f"model file refers to a missing array {value!r}")
            return self.arrays[value]
        if tag == "__object_array__":
            items = self.decode(value)
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out
        if tag == "__tuple__":
            return tuple(self.decode(value))
        if tag == "__items__":
            if not isinstance(value, list) or not all(
                isinstance(p, list) and len(p) == 2 for p in value
            ):
                raise ModelFileError("malformed mapping in model file")
            return {_hashable(self.decode(k)): self.decode(v) for k, v in value}
        data = self.decode(value)
        if not isinstance(data, dict):
            raise ModelFileError("malformed nested model in model file")
        return _resolve_class(data.get("class")).from_dict(data)


def _hashable(key: Any) -> Any:
    if isinstance(key, list):
        return tuple(_hashable(k) for k in key)
    return key


def give_default_permissions(path: str | os.PathLike[str]) -> None:
    """Give a file made by `tempfile.mkstemp` (mode 0600) the usual ``0666 & ~umask``."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)


_FULL_DISK = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


def _write_error(path: Path, exc: OSError) -> OSError:
    """Return an OSError naming the destination (never the temporary file) and the cause."""
    if exc.errno in _FULL_DISK:
        reason = "the disk is full or the file size limit was reached"
    else:
        reason = exc.strerror or str(exc)
    error = OSError(f"cannot write {path}: {reason}; nothing was written")
    error.errno = exc.errno
    return error


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it to ``path`` only on success.

    Whatever is written to the yielded path appears under ``path`` in one
    `os.replace`, so an interrupted or failed write never leaves a file that
    looks complete (at worst a hidden ``.<name>.*.partial`` file). The folder
    must exist.

    Parameters
    ----------
    path : str or path-like
        The destination.

    Yields
    ------
    pathlib.Path
        The temporary file to write (already created, empty).

    Raises
    ------
    FileNotFoundError
        If the destination's folder does not exist.
    OSError
        If the folder cannot be written or the disk is full; the message names
        ``path``, not the temporary file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    path = Path(path)
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"cannot write {path}: folder {folder} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"cannot write {path}: it is a folder")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".partial")
    except OSError as exc:
        raise _write_error(path, exc) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
            give_default_permissions(tmp)
            os.replace(tmp, path)
        except OSError as exc:
            raise _write_error(path, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)


def _atomic_write(path: Path, payload: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)


def save(model: BaseModel, path: str | os.PathLike[str]) -> Path:
    """Save a model as JSON (and an ``.npz`` of its arrays beside it).

    Parameters
    ----------
    model : BaseModel
        Any stochgen model, fitted or not.
    path : str or path-like
        Destination; ``.json`` is appended when missing. Arrays go to the same
        name with ``.npz``.

    Returns
    -------
    pathlib.Path
        The JSON file written.

    Raises
    ------
    TypeError
        If ``model`` is not a stochgen model.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import stochgen
    >>> from stochgen.distributions.empirical import EmpiricalDistribution
    >>> dist = EmpiricalDistribution().fit([1.0, 2.0, 4.0])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = stochgen.save(dist, folder / "dist.json")
    >>> stochgen.load(path).ppf([0.5]) == dist.ppf([0.5])
    array([ True])
    """
    if not isinstance(model, BaseModel):
        raise TypeError(f"save expects a stochgen model; got {type(model).__name__}")
    if type(model).__name__ not in MODEL_CLASSES and type(model) not in _REGISTERED.values():
        raise TypeError(f"{type(model).__name__} cannot be saved: it is not a listed model class")
    from stochgen import __version__

    path = Path(path)
    if path.suffix != ".json":
        path = path.with_name(path.name + ".json")
    encoder = _Encoder()
    body = encoder.encode(model)
    document: dict[str, Any] = {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "stochgen_version": __version__,
        "class": type(model).__name__,
        "model": body,
        "arrays": None,
    }
    npz_path = path.with_suffix(".npz")
    if encoder.arrays:
        buffer = _io.BytesIO()
        # No allow_pickle keyword: numpy < 2 would store it as an array named so (the encoder
        # only passes number, boolean, text and datetime arrays, which never pickle).
        np.savez_compressed(buffer, **encoder.arrays)
        payload = buffer.getvalue()
        _atomic_write(npz_path, payload)
        document["arrays"] = {"file": npz_path.name, "sha256": hashlib.sha256(payload).hexdigest()}
    text = json.dumps(document, indent=1, allow_nan=False)
    _atomic_write(path, text.encode("utf-8"))
    return path


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"the literal {name} is not valid JSON (NaN and Infinity are refused)")


def _read_regular_file(path: Path, limit: int, what: str) -> bytes:
    """Read a regular file that is not a symbolic link, refusing anything over ``limit`` bytes.

    FIFOs, devices, folders and symbolic links are refused from `os.lstat`,
    before opening, and again from `os.fstat` on a non-blocking,
    no-follow descriptor (the file may change in between).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    _check_regular(path, info.st_mode, what)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            _check_regular(path, stat.S_IFLNK, what)
        raise ModelFileError(f"{path}: cannot read the {what}: {exc.strerror}") from exc
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        _check_regular(path, info.st_mode, what)
        if info.st_size > limit:
            raise ModelFileError(
                f"{path}: the {what} holds {info.st_size:,} bytes, more than the limit of "
                f"{limit:,} bytes; raise max_bytes if this model is really that large"
            )
        payload = handle.read(limit + 1)
    if len(payload) > limit:
        raise ModelFileError(f"{path}: the {what} grew past the limit of {limit:,} bytes")
    return payload


def _check_regular(path: Path, mode: int, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        kind = "a symbolic link"
    elif stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    else:
        kind = "not a regular file"
    raise ModelFileError(
        f"{path}: the {what} is {kind}; model files are read only from regular files "
        "inside the model's folder"
    )


def _plain_npy_dtype(dtype: np.dtype, where: str) -> None:
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise ModelFileError(f"{where}: dtype {dtype} is not allowed in a model file")
    if dtype.kind not in _ARRAY_KINDS:
        raise ModelFileError(
            f"{where}: dtype {dtype} is not allowed in a model file (expected numbers, "
            "booleans, text or datetimes)"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> np.ndarray:
    """Read one ``.npy`` member after checking its header against the declared size."""
    with archive.open(info) as member:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ModelFileError(f"{where}: unknown .npy version {version}")
        _plain_npy_dtype(dtype, where)
        if not all(isinstance(s, int) and s >= 0 for s in shape):
            raise ModelFileError(f"{where}: malformed shape {shape!r}")
        nbytes = math.prod(shape) * dtype.itemsize
        header = member.tell()
        if header + nbytes != info.file_size:
            raise ModelFileError(
                f"{where}: the header declares shape {shape} of {dtype} ({nbytes:,} bytes) but "
                f"the member holds {info.file_size - header:,}"
            )
        data = member.read(nbytes)
        if len(data) != nbytes or member.read(1):
            raise ModelFileError(f"{where}: truncated array data")
    array = np.frombuffer(data, dtype=dtype)
    array = array.reshape(shape, order="F" if fortran else "C").copy(order="K")
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array


def _parse_npz(payload: bytes, npz_path: Path, max_bytes: int) -> dict[str, np.ndarray]:
    """Parse an ``.npz`` with every declared size checked before anything is inflated."""
    archive = zipfile.ZipFile(_io.BytesIO(payload))
    with archive:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > max_bytes:
            raise ModelFileError(
                f"{npz_path}: the arrays declare {declared:,} bytes once inflated, more than the "
                f"limit of {max_bytes:,} bytes; raise max_bytes if this model is really that large"
            )
        arrays: dict[str, np.ndarray] = {}
        for info in infos:
            key = info.filename.removesuffix(".npy")
            if not info.filename.endswith(".npy") or not key.isidentifier() or key in arrays:
                raise ModelFileError(f"{npz_path}: unexpected member {info.filename!r}")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ModelFileError(f"{npz_path}: member {key!r} uses an unknown compression")
            arrays[key] = _read_member(archive, info, f"{npz_path}: array {key!r}")
    return arrays


def _read_arrays(path: Path, meta: Any, max_bytes: int) -> dict[str, np.ndarray]:
    if meta is None:
        return {}
    if not isinstance(meta, dict) or set(meta) != {"file", "sha256"}:
        raise ModelFileError(f"{path}: malformed 'arrays' entry")
    name, digest = meta["file"], meta["sha256"]
    if (
        not isinstance(name, str)
        or name in ("", ".", "..")
        or Path(name).name != name
        or any(sep in name for sep in ("/", "\\", "\0", ":"))
        or not name.endswith(".npz")
    ):
        raise ModelFileError(
            f"{path}: array file name {name!r} must be a plain file name ending in .npz, in "
            "the model's folder"
        )
    if not isinstance(digest, str):
        raise ModelFileError(f"{path}: malformed checksum {digest!r}")
    npz_path = path.parent / name
    try:
        payload = _read_regular_file(npz_path, max_bytes, "array file")
    except FileNotFoundError as exc:
        raise ModelFileError(f"{path}: its array file {npz_path} is missing") from exc
    if hashlib.sha256(payload).hexdigest() != digest:
        raise ModelFileError(
            f"{npz_path}: checksum mismatch; the array file was changed or is corrupt"
        )
    try:
        return _parse_npz(payload, npz_path, max_bytes)
    except ModelFileError:
        raise
    except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError, MemoryError) as exc:
        raise ModelFileError(f"{npz_path}: unreadable array file: {exc}") from exc


def _read_document(path: Path, max_bytes: int) -> Any:
    payload = _read_regular_file(path, max_bytes, "model file")
    try:
        return json.loads(payload.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path}: not a valid model file (JSON error: {exc})") from exc
    except RecursionError as exc:
        raise ModelFileError(f"{path}: JSON nested too deeply") from exc


def load(path: str | os.PathLike[str], *, max_bytes: int = MAX_MODEL_BYTES) -> BaseModel:
    """Load a model saved by `save`, validating everything it reads.

    Only regular files inside the model's folder are read (symbolic links,
    FIFOs and devices are refused before they are opened); the sizes the
    array file declares are checked against ``max_bytes`` before anything is
    inflated; the JSON may not hold ``NaN`` or ``Infinity`` literals; each
    class checks its fitted state; and a fitted model draws a few rows, which
    must be valid, before it is returned.

    Parameters
    ----------
    path : str or path-like
        The ``.json`` file written by `save`.
    max_bytes : int
        Largest model file and largest total of inflated arrays accepted.

    Returns
    -------
    BaseModel
        The model, fitted if it was saved fitted.

    Raises
    ------
    ModelFileError
        If the file is not a stochgen model file, is truncated, tampered with,
        too large, not a regular file, from a newer format, names an unknown
        class, or its fields do not match what the class expects.
    FileNotFoundError
        If ``path`` does not exist.

    Examples
    --------
    >>> import stochgen
    >>> stochgen.load("no/such/model.json")
    Traceback (most recent call last):
    ...
    FileNotFoundError: no model file at no/such/model.json
    """
    path = Path(path)
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise TypeError(f"max_bytes must be a positive integer; got {max_bytes!r}")
    if not os.path.lexists(path):
        raise FileNotFoundError(f"no model file at {path}")
    document = _read_document(path, max_bytes)
    expected = {"format", "format_version", "stochgen_version", "class", "model", "arrays"}
    if not isinstance(document, dict) or set(document) != expected:
        raise ModelFileError(
            f"{path}: not a stochgen model file (expected keys {sorted(expected)})"
        )
    if document["format"] != _FORMAT_NAME:
        raise ModelFileError(f"{path}: format {document['format']!r} is not {_FORMAT_NAME!r}")
    version = document["format_version"]
    if (
        not isinstance(version, int)
        or isinstance(version, bool)
        or not 1 <= version <= FORMAT_VERSION
    ):
        raise ModelFileError(
            f"{path}: format version {version!r} is not supported (this stochgen reads 1 to "
            f"{FORMAT_VERSION}); upgrade stochgen to read it"
        )
    cls = _resolve_class(document["class"])
    arrays = _read_arrays(path, document["arrays"], max_bytes)
    try:
        with warnings.catch_warnings():
            # Restoring valid state computes nothing doubtful: NaN or overflow means bad data.
            warnings.simplefilter("error", RuntimeWarning)
            model = _Decoder(arrays).decode(document["model"])
        if not isinstance(model, cls):
            raise ModelFileError(f"header says {cls.__name__}, body holds {type(model).__name__}")
        _check_samples(model)
    except RuntimeWarning as exc:
        raise ModelFileError(f"{path}: invalid model data: {exc}") from exc
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: {exc}") from exc
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, ArithmeticError) as exc:
        raise ModelFileError(f"{path}: invalid model data: {exc}") from exc
    except MemoryError as exc:
        raise ModelFileError(f"{path}: model data too large to rebuild") from exc
    except RecursionError as exc:
        raise ModelFileError(f"{path}: model data nested too deeply") from exc
    return model


#: Rows a loaded model draws to show that it samples valid values.
_CHECK_ROWS = 64


def _check_samples(model: BaseModel) -> None:
    """Draw a few rows from a fitted model; refuse it if they are not valid.

    The last line of defence against a file whose every field passes its own
    check but whose values together make NaN rows (a NaN parameter, a matrix
    that is not a correlation). A table may hold NaN only in columns whose
    real data had missing values; distributions and copulas give finite
    numbers (copulas inside [0, 1]).
    """
    if not _is_fitted(model) or not callable(getattr(model, "sample", None)):
        return
    from stochgen.copulas import Copula
    from stochgen.distributions import Distribution
    from stochgen.tabular.synthesizer import CopulaSynthesizer

    if not isinstance(model, Copula | Distribution | CopulaSynthesizer):
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            drawn = model.sample(_CHECK_ROWS, seed=0)
        except (ValueError, TypeError, ArithmeticError, IndexError, KeyError) as exc:
            raise ModelFileError(f"the model cannot sample: {exc}") from exc
    if isinstance(model, CopulaSynthesizer):
        _check_table(model, drawn)
        return
    values = np.asarray(drawn)
    if values.dtype.kind not in "biuf":
        return  # labels (a categorical distribution): nothing numeric to check
    if not np.isfinite(values).all():
        raise ModelFileError(f"{type(model).__name__} samples NaN or infinite values")
    if isinstance(model, Copula) and ((values < 0) | (values > 1)).any():
        raise ModelFileError(f"{type(model).__name__} samples values outside [0, 1]")


def _check_table(model: Any, rows: Any) -> None:
    import pandas as pd

    if not isinstance(rows, pd.DataFrame) or list(rows.columns) != list(model.output_columns_):
        raise ModelFileError("the table model samples columns other than its output_columns_")
    nullable = {name for name, spec in model.schema_.columns_.items() if spec["nullable"]}
    for name in rows.columns:
        column = rows[name]
        if name not in nullable and name in model.schema_.columns_ and column.isna().any():
            raise ModelFileError(f"column {name!r} samples missing values it never had")
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype
        ):
            values = column.to_numpy(dtype=np.float64, na_value=np.nan)
            if np.isinf(values).any():
                raise ModelFileError(f"column {name!r} samples infinite values")


# ISO-8601 dates and date-times, as pandas and most tools write them.
_ISO_DATE = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?$"
_CSV_SUFFIXES = (".csv", ".txt", ".gz", ".bz2", ".zip", ".xz")
_PARQUET_SUFFIXES = (".parquet", ".pq")
# Separators a one-column CSV reveals in its header when it was read with the wrong one.
_OTHER_SEPARATORS = {";": "';'", "\t": "a tab", "|": "'|'"}


def _need_pyarrow() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise ImportError("Parquet needs pyarrow: pip install 'stochgen[parquet]'") from exc


def table_format(path: str | os.PathLike[str], fmt: str | None = None) -> str:
    """Return ``"csv"`` or ``"parquet"`` for a table file, checking ``fmt`` against the suffix.

    Parameters
    ----------
    path : str or path-like
        The file.
    fmt : {"csv", "parquet"}, optional
        The format asked for; default: from the suffix (``.parquet`` / ``.pq``
        is Parquet, anything else CSV).

    Returns
    -------
    str

    Raises
    ------
    stochgen.exceptions.ValidationError
        If ``fmt`` is unknown, or contradicts a ``.csv`` / ``.parquet`` suffix
        (Parquet bytes in ``x.csv`` would fool every reader).

    Examples
    --------
    >>> table_format("rows.pq")
    'parquet'
    >>> table_format("rows.csv", "parquet")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: format 'parquet' does not match the file name rows.csv; ...
    """
    from stochgen._validation import check_choice
    from stochgen.exceptions import ValidationError

    path = Path(path)
    by_suffix = "parquet" if path.suffix.lower() in _PARQUET_SUFFIXES else "csv"
    if fmt is None:
        return by_suffix
    check_choice(fmt, "format", ("csv", "parquet"))
    known = path.suffix.lower() in (*_PARQUET_SUFFIXES, ".csv")
    if known and fmt != by_suffix:
        raise ValidationError(
            f"format {fmt!r} does not match the file name {path.name}; name it "
            f"{path.with_suffix('.' + fmt).name} or drop the format"
        )
    return fmt


def read_table(
    path: str | os.PathLike[str], kinds: dict[str, str] | None = None, *, sep: str = ","
) -> Any:
    r"""Read a CSV or Parquet file; ISO-8601 text columns become datetimes.

    A CSV is refused when it would be misread silently: duplicate header
    names (pandas would rename them ``a.1``), or a single column whose name
    holds ``;``, a tab or ``|`` (the file uses another separator: pass
    ``sep``). A text column holding one distinct date stays text, since a
    constant date needs no model.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` (optionally compressed) or ``.parquet`` file.
    kinds : dict, optional
        Column kinds; a ``datetime`` column is parsed whatever its text format,
        and a column given another kind is left as text.
    sep : str
        CSV field separator.

    Returns
    -------
    pandas.DataFrame

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    stochgen.exceptions.ValidationError
        On an unknown file type, duplicate or misseparated headers, or a
        ``datetime`` column that does not parse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "t.csv").write_text("when,x\n2020-01-02,1\n2021-03-04,2\n")
    >>> read_table(folder / "t.csv").dtypes.map(lambda t: t.kind).tolist()
    ['M', 'i']
    >>> _ = (folder / "s.csv").write_text("a;b\n1;2\n")
    >>> read_table(folder / "s.csv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stochgen.exceptions.ValidationError: ...s.csv: the only column, 'a;b', holds ';': ...
    """
    import pandas as pd

    from stochgen.exceptions import ValidationError

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        _need_pyarrow()
        data = pd.read_parquet(path)
    elif suffix in _CSV_SUFFIXES:
        data = _read_csv(path, sep)
    else:
        raise ValidationError(f"{path}: unknown table format {path.suffix!r}; use .csv or .parquet")
    kinds = kinds or {}
    for name in data.columns:
        column = data[name]
        is_text = column.dtype == object or pd.api.types.is_string_dtype(column.dtype)
        if not is_text or kinds.get(name, "datetime") != "datetime":
            continue
        if name in kinds:
            try:
                data[name] = _parse_times(column, None)
            except (ValueError, TypeError) as exc:
                raise ValidationError(
                    f"column {name!r} cannot be read as datetimes: {exc}"
                ) from exc
            continue
        present = column.dropna().astype(str)
        if present.nunique() > 1 and present.str.fullmatch(_ISO_DATE).all():
            data[name] = _parse_times(column, "ISO8601")
    return data


def _parse_times(column: Any, format: str | None) -> Any:  # noqa: A002 - pandas' word
    """Parse text as datetimes; local times with several UTC offsets become UTC instants.

    Times written in local time across a daylight-saving change carry two
    offsets (+01:00, +02:00): no single fixed offset holds them, so they are
    read as the instants they name, in UTC.
    """
    import pandas as pd

    try:
        # pandas 2 returns objects (with a FutureWarning) where pandas 3 raises.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            parsed = pd.to_datetime(column, format=format)
    except ValueError as exc:
        if "mixed time" not in str(exc).lower():
            raise
        return pd.to_datetime(column, format=format, utc=True)
    if not pd.api.types.is_datetime64_any_dtype(parsed):
        return pd.to_datetime(column, format=format, utc=True)
    return parsed


def _read_csv(path: Path, sep: str) -> Any:
    import pandas as pd

    from stochgen.exceptions import ValidationError

    try:
        header = pd.read_csv(path, sep=sep, header=None, nrows=1, dtype=str)
    except pd.errors.EmptyDataError as exc:
        raise ValidationError(f"{path}: the file is empty; expected a header row") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: cannot read as CSV: {exc}") from exc
    names = header.iloc[0].tolist() if len(header) else []
    seen: set[Any] = set()
    duplicated = [n for n in names if n in seen or seen.add(n)]
    if duplicated:
        raise ValidationError(
            f"{path}: duplicate column names {sorted(set(map(str, duplicated)))}; "
            "rename them so each column has its own name"
        )
    if len(names) == 1 and isinstance(names[0], str):
        for other, said in _OTHER_SEPARATORS.items():
            if other != sep and other in names[0]:
                shown = "'\\t'" if other == "\t" else repr(other)
                raise ValidationError(
                    f"{path}: the only column, {names[0]!r}, holds {said}: the file seems "
                    f"separated by {said}; pass sep={shown} (CLI: --sep {shown})"
                )
    try:
        return pd.read_csv(path, sep=sep)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: cannot read as CSV: {exc}") from exc


def write_table(data: Any, path: str | os.PathLike[str], fmt: str | None = None) -> Path:
    r"""Write a table as CSV or Parquet, atomically (temporary file, then rename).

    Parameters
    ----------
    data : pandas.DataFrame
        The table.
    path : str or path-like
        Destination; its folder must exist.
    fmt : {"csv", "parquet"}, optional
        Default: from the suffix; must agree with a ``.csv`` / ``.parquet`` suffix.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    FileNotFoundError
        If the destination's folder does not exist.
    OSError
        If the file cannot be written (the message names ``path``).
    stochgen.exceptions.ValidationError
        If ``fmt`` contradicts the suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_table(pd.DataFrame({"a": [1, 2]}), out).read_text()
    'a\n1\n2\n'
    """
    path = Path(path)
    fmt = table_format(path, fmt)
    if fmt == "parquet":
        _need_pyarrow()
    with atomic_path(path) as tmp:
        if fmt == "parquet":
            data.to_parquet(tmp, index=False)
        else:
            data.to_csv(tmp, index=False)
    return path
