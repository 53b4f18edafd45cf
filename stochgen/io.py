"""Model files: versioned JSON plus an ``.npz`` of arrays. Never pickle.

A model file is data, not code. `save` writes ``<name>.json`` (format version,
stochgen version, class name, settings and fitted state) and, when the model
holds arrays, ``<name>.npz`` beside it, whose SHA-256 the JSON records.
`load` parses the JSON, checks the format, the class (only classes listed in
`MODEL_CLASSES` can be named), the checksum, and loads arrays with
``allow_pickle=False``; each class then validates its own fields.
"""

from __future__ import annotations

import hashlib
import importlib
import io as _io
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from stochgen._base import BaseModel
from stochgen.exceptions import ModelFileError

__all__ = ["FORMAT_VERSION", "MODEL_CLASSES", "load", "save"]

#: Version of the file layout written by `save`; `load` reads this and older.
FORMAT_VERSION = 1
_FORMAT_NAME = "stochgen-model"

#: The only classes a model file may name: class name -> defining module.
#: An allowlist, not a registry filled at import time: loading never imports
#: anything a file names unless it is listed here.
MODEL_CLASSES: dict[str, str] = {
    "CopulaSynthesizer": "stochgen.tabular.synthesizer",
    "Schema": "stochgen.tabular.schema",
    "LatentTable": "stochgen.tabular.latent",
    "NumericColumn": "stochgen.tabular.columns",
    "CategoricalColumn": "stochgen.tabular.columns",
    "ConstantColumn": "stochgen.tabular.columns",
    "IdColumn": "stochgen.tabular.columns",
    "Bounds": "stochgen.tabular.constraints",
    "Inequality": "stochgen.tabular.constraints",
    "FixedCombinations": "stochgen.tabular.constraints",
    "Unique": "stochgen.tabular.constraints",
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


def _resolve_class(name: Any) -> type[BaseModel]:
    if not isinstance(name, str) or name not in MODEL_CLASSES:
        raise ModelFileError(
            f"model file names an unknown class {name!r}; known: {sorted(MODEL_CLASSES)}"
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
            return {"__model__": self.encode(obj.to_dict())}
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


def _atomic_write(path: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        give_default_permissions(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    if type(model).__name__ not in MODEL_CLASSES:
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
        np.savez_compressed(buffer, allow_pickle=False, **encoder.arrays)
        payload = buffer.getvalue()
        _atomic_write(npz_path, payload)
        document["arrays"] = {"file": npz_path.name, "sha256": hashlib.sha256(payload).hexdigest()}
    text = json.dumps(document, indent=1, allow_nan=False)
    _atomic_write(path, text.encode("utf-8"))
    return path


def _read_arrays(path: Path, meta: Any) -> dict[str, np.ndarray]:
    if meta is None:
        return {}
    if not isinstance(meta, dict) or set(meta) != {"file", "sha256"}:
        raise ModelFileError(f"{path}: malformed 'arrays' entry")
    name = meta["file"]
    if not isinstance(name, str) or Path(name).name != name:
        raise ModelFileError(f"{path}: array file name {name!r} must be a plain file name")
    npz_path = path.with_name(name)
    try:
        payload = npz_path.read_bytes()
    except OSError as exc:
        raise ModelFileError(f"{path}: cannot read its array file {npz_path}: {exc}") from exc
    if hashlib.sha256(payload).hexdigest() != meta["sha256"]:
        raise ModelFileError(
            f"{npz_path}: checksum mismatch; the array file was changed or is corrupt"
        )
    try:
        with np.load(_io.BytesIO(payload), allow_pickle=False) as archive:
            return {key: archive[key] for key in archive.files}
    except (ValueError, OSError, EOFError) as exc:
        raise ModelFileError(f"{npz_path}: unreadable array file: {exc}") from exc


def load(path: str | os.PathLike[str]) -> BaseModel:
    """Load a model saved by `save`, validating everything it reads.

    Parameters
    ----------
    path : str or path-like
        The ``.json`` file written by `save`.

    Returns
    -------
    BaseModel
        The model, fitted if it was saved fitted.

    Raises
    ------
    ModelFileError
        If the file is not a stochgen model file, is truncated, tampered with,
        from a newer format, names an unknown class, or its fields do not
        match what the class expects.
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
    if not path.is_file():
        raise FileNotFoundError(f"no model file at {path}")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path}: not a valid model file (JSON error: {exc})") from exc
    except RecursionError as exc:
        raise ModelFileError(f"{path}: JSON nested too deeply") from exc
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
    arrays = _read_arrays(path, document["arrays"])
    try:
        model = _Decoder(arrays).decode(document["model"])
    except ModelFileError as exc:
        raise ModelFileError(f"{path}: {exc}") from exc
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        raise ModelFileError(f"{path}: invalid model data: {exc}") from exc
    except RecursionError as exc:
        raise ModelFileError(f"{path}: model data nested too deeply") from exc
    if not isinstance(model, cls):
        raise ModelFileError(
            f"{path}: header says {cls.__name__}, body holds {type(model).__name__}"
        )
    return model
