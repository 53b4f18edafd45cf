import hashlib
import io
import json

import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen.exceptions import ModelFileError
from stochgen.tabular.synthesizer import CopulaSynthesizer


@pytest.fixture
def fitted():
    rng = np.random.default_rng(0)
    df = pd.DataFrame(
        {
            "x": rng.normal(size=200),
            "k": rng.choice(["a", "b", None], size=200),
            "n": rng.integers(0, 9, size=200),
        }
    )
    return CopulaSynthesizer().fit(df)


def test_round_trip_samples_identically(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "model")
    assert path.name == "model.json" and (tmp_path / "model.npz").exists()
    loaded = stochgen.load(path)
    pd.testing.assert_frame_equal(loaded.sample(500, seed=4), fitted.sample(500, seed=4))
    assert loaded.get_params() == fitted.get_params()


def test_unfitted_model_round_trips(tmp_path):
    path = stochgen.save(CopulaSynthesizer(kinds={"a": "integer"}), tmp_path / "m.json")
    loaded = stochgen.load(path)
    assert loaded.kinds == {"a": "integer"}
    with pytest.raises(stochgen.NotFittedError):
        loaded.sample(1)


def _rewrite(path, edit):
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))


def test_truncated_json_refused(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    path.write_text(path.read_text()[:100])
    with pytest.raises(ModelFileError, match="not a valid model file"):
        stochgen.load(path)


def test_tampered_arrays_refused(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    npz = tmp_path / "m.npz"
    data = bytearray(npz.read_bytes())
    data[-10] ^= 0xFF
    npz.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum mismatch"):
        stochgen.load(path)


def test_pickled_arrays_refused_even_with_matching_checksum(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    buffer = io.BytesIO()
    np.savez(buffer, a0=np.array([{"evil": 1}], dtype=object))
    payload = buffer.getvalue()
    (tmp_path / "m.npz").write_bytes(payload)
    _rewrite(path, lambda d: d["arrays"].update(sha256=hashlib.sha256(payload).hexdigest()))
    with pytest.raises(ModelFileError, match="dtype object is not allowed"):
        stochgen.load(path)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update({"class": "os.system"}), "unknown class"),
        (lambda d: d.update(format_version=99), "format version 99 is not supported"),
        (lambda d: d.update(format="pickle"), "is not 'stochgen-model'"),
        (lambda d: d.update(extra=1), "not a stochgen model file"),
        (lambda d: d["arrays"].update(file="../../etc/passwd"), "plain file name"),
        (lambda d: d["model"]["__model__"]["params"].update(evil=1), "settings"),
        (lambda d: d["model"]["__model__"]["state"].pop("copula_"), "fitted fields"),
        (lambda d: d["model"]["__model__"].update({"class": "Schema"}), "Schema: settings"),
    ],
)
def test_hostile_or_corrupt_files_refused(fitted, tmp_path, edit, message):
    path = stochgen.save(fitted, tmp_path / "m.json")
    _rewrite(path, edit)
    with pytest.raises(ModelFileError, match=message):
        stochgen.load(path)


def test_nested_class_outside_allowlist_refused(tmp_path, fitted):
    path = stochgen.save(fitted, tmp_path / "m.json")

    def swap(doc):
        doc["model"]["__model__"]["state"]["copula_"]["__model__"]["class"] = "subprocess.Popen"

    _rewrite(path, swap)
    with pytest.raises(ModelFileError, match="unknown class"):
        stochgen.load(path)


def test_save_refuses_non_models(tmp_path):
    with pytest.raises(TypeError, match="stochgen model"):
        stochgen.save({"a": 1}, tmp_path / "x.json")


def test_special_floats_and_tuples_survive(tmp_path):
    from stochgen.io import _Decoder, _Encoder

    enc = _Encoder()
    value = {"t": (1, 2.5), "f": float("nan"), 3: "int key", "arr": np.arange(3)}
    back = _Decoder(enc.arrays).decode(json.loads(json.dumps(enc.encode(value))))
    assert back["t"] == (1, 2.5) and np.isnan(back["f"]) and back[3] == "int key"
    np.testing.assert_array_equal(back["arr"], np.arange(3))
