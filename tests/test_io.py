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


# Regression tests for issue 11 (hostile model files). The mutation harness in
# tests/fuzz/test_model_files.py covers many more variants of each.


def _npz_bytes(**arrays):
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def _replace_npz(json_path, payload):
    (json_path.parent / "m.npz").write_bytes(payload)
    _rewrite(json_path, lambda d: d["arrays"].update(sha256=hashlib.sha256(payload).hexdigest()))


@pytest.mark.parametrize("target", ["/etc/passwd", "/dev/zero", "outside.npz"])
def test_symlinked_array_file_is_not_followed(fitted, tmp_path, target):
    folder = tmp_path / "model"
    folder.mkdir()
    path = stochgen.save(fitted, folder / "m.json")
    outside = tmp_path / "outside.npz"
    outside.write_bytes((folder / "m.npz").read_bytes())
    (folder / "m.npz").unlink()
    (folder / "m.npz").symlink_to(outside if target == "outside.npz" else target)
    with pytest.raises(ModelFileError, match="is a symbolic link"):
        stochgen.load(path)


def test_symlinked_model_file_is_not_followed(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    link = tmp_path / "link.json"
    link.symlink_to(path)
    with pytest.raises(ModelFileError, match="symbolic link"):
        stochgen.load(link)


def test_fifo_and_device_refused_without_blocking(fitted, tmp_path):
    import os

    path = stochgen.save(fitted, tmp_path / "m.json")
    (tmp_path / "m.npz").unlink()
    os.mkfifo(tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="is a FIFO"):
        stochgen.load(path)
    fifo_json = tmp_path / "f.json"
    os.mkfifo(fifo_json)
    with pytest.raises(ModelFileError, match="is a FIFO"):
        stochgen.load(fifo_json)
    with pytest.raises(ModelFileError, match="is a device"):
        stochgen.load("/dev/null")


def test_zip_bomb_refused_before_inflating(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    # 64 MiB of zeros compress to about 64 KiB; the declared size is over the limit.
    _replace_npz(path, _npz_bytes(a0=np.zeros(2**23)))
    with pytest.raises(ModelFileError, match="declare 67,108,9.. bytes once inflated"):
        stochgen.load(path, max_bytes=2**25)


def test_npy_header_claiming_terabytes_refused(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    good = io.BytesIO()
    np.lib.format.write_array(good, np.zeros(4))
    header_claim = good.getvalue().replace(b"(4,)", b"(1099511627776,)")
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a0.npy", header_claim)
    _replace_npz(path, buffer.getvalue())
    with pytest.raises(ModelFileError, match=r"declares shape \(1099511627776,\)"):
        stochgen.load(path)


def test_truncated_npz_with_matching_checksum(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    payload = (tmp_path / "m.npz").read_bytes()
    _replace_npz(path, payload[: len(payload) // 2])
    with pytest.raises(ModelFileError, match="unreadable array file"):
        stochgen.load(path)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_literals_refused(fitted, tmp_path, literal):
    path = stochgen.save(fitted, tmp_path / "m.json")
    text = path.read_text().replace('"stochgen_version"', f'"x": {literal}, "stochgen_version"')
    path.write_text(text)
    with pytest.raises(ModelFileError, match=f"literal {literal} is not valid JSON"):
        stochgen.load(path)


def test_nan_parameter_refused_at_load(tmp_path):
    from stochgen.distributions.continuous import Normal

    path = stochgen.save(Normal().fit(np.linspace(-2, 2, 50)), tmp_path / "n.json")

    def poison(doc):
        state = doc["model"]["__model__"]["state"]
        state[next(iter(state))] = {"__float__": "nan"}

    _rewrite(path, poison)
    with pytest.raises(ModelFileError):
        stochgen.load(path)


def test_oversized_model_file_refused(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    with pytest.raises(ModelFileError, match="more than the limit of 100 bytes"):
        stochgen.load(path, max_bytes=100)


def test_non_utf8_and_big_int_refused(fitted, tmp_path):
    path = stochgen.save(fitted, tmp_path / "m.json")
    path.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(ModelFileError, match="not a valid model file"):
        stochgen.load(path)
    path.write_text('{"format": ' + "9" * 5000 + "}")
    with pytest.raises(ModelFileError, match="not a valid model file"):
        stochgen.load(path)


@pytest.mark.parametrize("name", ["..", ".", "", "sub/m.npz", "m.npy", "/etc/passwd", "a\0.npz"])
def test_array_file_name_must_be_plain(fitted, tmp_path, name):
    path = stochgen.save(fitted, tmp_path / "m.json")
    _rewrite(path, lambda d: d["arrays"].update(file=name))
    with pytest.raises(ModelFileError, match="plain file name"):
        stochgen.load(path)


def test_save_is_atomic_and_names_missing_folder(fitted, tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="folder .*missing does not exist") as info:
        stochgen.save(fitted, tmp_path / "missing" / "m.json")
    assert ".partial" not in str(info.value) and ".tmp" not in str(info.value)
    path = stochgen.save(fitted, tmp_path / "m.json")
    before = path.read_bytes()

    def fail(self, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("pathlib.Path.write_bytes", fail)
    with pytest.raises(OSError, match=r"cannot write .*m\.(npz|json): the disk is full"):
        stochgen.save(fitted, tmp_path / "m.json")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "m.npz"]


def test_write_table_refuses_format_against_suffix(tmp_path):
    from stochgen.io import write_table

    with pytest.raises(ValueError, match="does not match the file name x.csv"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.csv", "parquet")
    assert not (tmp_path / "x.csv").exists()


def test_read_table_refuses_silent_misreads(tmp_path):
    from stochgen.io import read_table

    (tmp_path / "semi.csv").write_text("a;b\n1;2\n")
    with pytest.raises(ValueError, match="seems separated by ';'"):
        read_table(tmp_path / "semi.csv")
    assert list(read_table(tmp_path / "semi.csv", sep=";").columns) == ["a", "b"]
    (tmp_path / "tab.csv").write_text("a\tb\n1\t2\n")
    with pytest.raises(ValueError, match="a tab"):
        read_table(tmp_path / "tab.csv")
    (tmp_path / "dup.csv").write_text("a,b,a\n1,2,3\n")
    with pytest.raises(ValueError, match=r"duplicate column names \['a'\]"):
        read_table(tmp_path / "dup.csv")


def test_constant_date_column_stays_text_and_saves(tmp_path):
    from stochgen.io import read_table

    (tmp_path / "t.csv").write_text("d,x\n" + "".join(f"2020-01-01,{i}.5\n" for i in range(30)))
    data = read_table(tmp_path / "t.csv")
    assert not pd.api.types.is_datetime64_any_dtype(data["d"])
    model = CopulaSynthesizer().fit(data)
    loaded = stochgen.load(stochgen.save(model, tmp_path / "m.json"))
    assert (loaded.sample(5, seed=0)["d"] == "2020-01-01").all()


def test_local_times_across_a_dst_change_are_read_as_utc_instants(tmp_path):
    from stochgen.io import read_table

    local = pd.date_range("2021-03-27", periods=72, freq="h", tz="Europe/Berlin")
    path = tmp_path / "local.csv"
    pd.DataFrame({"t": [x.isoformat() for x in local], "v": range(72)}).to_csv(path, index=False)
    table = read_table(path)
    assert str(table["t"].dt.tz) == "UTC"
    assert (table["t"] == local.tz_convert("UTC")).all()
    rows = CopulaSynthesizer().fit(table).sample(500, seed=0)
    assert rows["t"].notna().all()


def test_file_without_a_later_setting_loads_with_its_default(tmp_path):
    # Files written before CopulaSynthesizer had privacy, formats, ... still load.
    real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5, 2.0], "g": list("abaab")})
    model = CopulaSynthesizer().fit(real)
    path = stochgen.save(model, tmp_path / "old.json")
    document = json.loads(path.read_text())
    params = document["model"]["__model__"]["params"]
    for name in ("formats", "privacy", "quantile_knots", "min_count", "progress"):
        del params[name]
    path.write_text(json.dumps(document))
    loaded = stochgen.load(path)
    assert loaded.privacy == "none" and loaded.progress is None
    assert loaded.sample(20, seed=0).equals(model.sample(20, seed=0))
