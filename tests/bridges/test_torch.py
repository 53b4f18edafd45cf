"""The torch bridge: VAE and GAN synthesizers over the column models' latent scores."""

import hashlib
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

torch = pytest.importorskip("torch")

import stochgen  # noqa: E402
from stochgen.bridges.torch import GANSynthesizer, VAESynthesizer  # noqa: E402
from stochgen.exceptions import ModelFileError, NotFittedError, ValidationError  # noqa: E402

pytestmark = pytest.mark.torch

# Small networks and few epochs: each fit takes well under a second on two cores.
SMALL = {
    VAESynthesizer: dict(
        latent_dim=2, hidden=(32, 32), epochs=30, batch_size=200, learning_rate=3e-3
    ),
    GANSynthesizer: dict(
        noise_dim=4, hidden=(32, 32), epochs=60, batch_size=200, learning_rate=1e-3
    ),
}
TINY = {
    VAESynthesizer: dict(latent_dim=2, hidden=(8,), epochs=3, batch_size=64),
    GANSynthesizer: dict(noise_dim=2, hidden=(8,), epochs=3, batch_size=64),
}
CLASSES = [VAESynthesizer, GANSynthesizer]
N_MIXED = 1_500
NAN_RATE = 0.1


@pytest.fixture(scope="module")
def mixed():
    rng = np.random.default_rng(11)
    z = rng.multivariate_normal([0, 0, 0], [[1, 0.6, 0.4], [0.6, 1, 0.3], [0.4, 0.3, 1]], N_MIXED)
    return pd.DataFrame(
        {
            "income": np.round(np.exp(10 + 0.5 * z[:, 0]), 2),
            "age": np.clip(np.round(40 + 12 * z[:, 1]), 18, 90).astype(np.int64),
            "level": pd.Categorical(
                np.where(z[:, 2] > 0.5, "high", np.where(z[:, 2] < -0.5, "low", "mid")),
                categories=["low", "mid", "high", "unused"],
            ),
            "flag": z[:, 0] > 0,
            "score": np.where(rng.random(N_MIXED) < NAN_RATE, np.nan, 50 + 3 * z[:, 2]),
            "start": pd.Timestamp("2020-01-01")
            + pd.to_timedelta(np.round(100 + 30 * z[:, 0]), "D"),
        }
    )


@pytest.fixture(scope="module")
def correlated():
    rng = np.random.default_rng(3)
    z = rng.multivariate_normal([0, 0], [[1, 0.9], [0.9, 1]], size=2_000)
    return pd.DataFrame({"a": z[:, 0], "b": np.exp(z[:, 1])})


@pytest.fixture(scope="module")
def mixed_vae(mixed):
    return VAESynthesizer(**TINY[VAESynthesizer]).fit(mixed, seed=0)


@pytest.fixture(scope="module")
def fitted(correlated):
    return {cls: cls(**SMALL[cls]).fit(correlated, seed=0) for cls in CLASSES}


def test_mixed_round_trip_keeps_layout_labels_and_missing_rate(mixed, mixed_vae):
    n = 4_000
    out = mixed_vae.sample(n, seed=1)
    assert list(out.columns) == list(mixed.columns)
    pd.testing.assert_series_equal(out.dtypes, mixed.dtypes)
    assert list(out["level"].cat.categories) == list(mixed["level"].cat.categories)
    assert set(out["level"].dropna()) <= set(mixed["level"].dropna())
    assert set(out["flag"]) <= {True, False}
    assert out["age"].between(mixed["age"].min(), mixed["age"].max()).all()
    # The missing dimension's marginal is the column model's: rate within 4 standard errors.
    tolerance = 4 * math.sqrt(NAN_RATE * (1 - NAN_RATE) * (1 / n + 1 / N_MIXED))
    assert abs(out["score"].isna().mean() - mixed["score"].isna().mean()) < tolerance
    assert mixed_vae.sample(0).dtypes.equals(mixed.dtypes)


@pytest.mark.parametrize("cls", CLASSES)
def test_learns_dependence_and_keeps_marginals(cls, correlated, fitted):
    out = fitted[cls].sample(4_000, seed=2)
    # Independent columns give rank correlations within about 3 / sqrt(4000) = 0.05 of 0.
    assert stats.spearmanr(out["a"], out["b"])[0] > 0.6
    for name in ("a", "b"):
        # Marginals come from the column models; KS at 0.1%, both samples counted.
        assert stats.ks_2samp(out[name], correlated[name]).pvalue > 1e-3


@pytest.mark.parametrize("cls", CLASSES)
def test_seeds_and_blocks(cls, fitted):
    model = fitted[cls]
    assert model.sample(300, seed=5).equals(model.sample(300, seed=5))
    assert not model.sample(300, seed=5).equals(model.sample(300, seed=6))
    seq = np.random.SeedSequence(5)
    assert model.sample(300, seed=seq).equals(model.sample(300, seed=np.random.SeedSequence(5)))
    whole = model.sample(70_000, seed=7)
    assert pd.concat(model.iter_sample(70_000, seed=7)).equals(whole)
    # Block 0 does not depend on how many rows follow it.
    assert model.sample(65_546, seed=7).iloc[:65_536].equals(whole.iloc[:65_536])
    assert list(whole.index[[0, -1]]) == [0, 69_999]


@pytest.mark.parametrize("cls", CLASSES)
def test_save_load_round_trip_without_pickle(cls, fitted, tmp_path):
    model = fitted[cls]
    path = stochgen.save(model, tmp_path / "model.json")
    loaded = stochgen.load(path)
    assert type(loaded) is cls and loaded.get_params() == model.get_params()
    assert loaded.sample(500, seed=9).equals(model.sample(500, seed=9))
    with np.load(path.with_suffix(".npz"), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    assert all(a.dtype != object for a in arrays.values())
    names = set(json.loads(path.read_text())["model"]["__model__"]["state"]["weights_"])
    assert names == set(model.weights_) and names


def _rewrite_array(path: Path, old: np.ndarray, new: np.ndarray) -> None:
    """Replace one array of a saved model, checksum updated, as a tamperer would."""
    npz = path.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    (key,) = [k for k, a in arrays.items() if a.shape == old.shape and np.array_equal(a, old)]
    arrays[key] = new
    np.savez_compressed(npz, **arrays)
    document = json.loads(path.read_text())
    document["arrays"]["sha256"] = hashlib.sha256(npz.read_bytes()).hexdigest()
    path.write_text(json.dumps(document))


def test_tampered_weight_shape_is_refused(fitted, tmp_path):
    model = fitted[VAESynthesizer]
    path = stochgen.save(model, tmp_path / "model.json")
    weight = model.weights_["layers.0.weight"]
    _rewrite_array(path, weight, np.zeros((weight.shape[0] + 1, weight.shape[1]), np.float32))
    with pytest.raises(ModelFileError, match=r"'layers.0.weight' has shape \(33, 2\)"):
        stochgen.load(path)


def test_tampered_state_is_refused(fitted):
    data = fitted[GANSynthesizer].to_dict()
    data["state"]["weights_"] = dict(data["state"]["weights_"])
    data["state"]["weights_"].pop("0.bias")
    with pytest.raises(ModelFileError, match="weights_ hold"):
        GANSynthesizer.from_dict(data)
    data = fitted[VAESynthesizer].to_dict()
    data["params"]["latent_dim"] = 3
    with pytest.raises(ModelFileError, match="layers.0.weight"):
        VAESynthesizer.from_dict(data)
    data = fitted[VAESynthesizer].to_dict()
    data["state"]["quantiles_"] = data["state"]["quantiles_"][:, :1]
    with pytest.raises(ModelFileError, match="quantiles_"):
        VAESynthesizer.from_dict(data)


@pytest.mark.parametrize("cls", CLASSES)
def test_training_is_reproducible_and_leaves_torch_rng_alone(cls, correlated):
    state = torch.get_rng_state()
    first = cls(**TINY[cls]).fit(correlated, seed=4)
    second = cls(**TINY[cls]).fit(correlated, seed=4)
    other = cls(**TINY[cls]).fit(correlated, seed=5)
    assert torch.equal(torch.get_rng_state(), state)
    assert first.weights_.keys() == second.weights_.keys()
    for name, array in first.weights_.items():
        assert np.array_equal(array, second.weights_[name])
    assert np.array_equal(first.loss_history_, second.loss_history_)
    assert np.array_equal(first.quantiles_, second.quantiles_)
    assert not all(np.array_equal(a, other.weights_[k]) for k, a in first.weights_.items())


def test_table_without_latent_scores():
    data = pd.DataFrame({"const": ["x"] * 30, "key": [f"k{i:03d}" for i in range(30)]})
    model = VAESynthesizer(**TINY[VAESynthesizer]).fit(data, seed=0)
    out = model.sample(5, seed=0)
    assert out["const"].tolist() == ["x"] * 5 and out["key"].is_unique
    assert model.weights_ == {}


@pytest.mark.parametrize("cls", CLASSES)
def test_unfitted_sample_raises(cls):
    with pytest.raises(NotFittedError, match="not fitted yet"):
        cls().sample(3, seed=0)


def test_empty_and_unknown_kinds(correlated):
    with pytest.raises(ValidationError, match="no rows"):
        VAESynthesizer(**TINY[VAESynthesizer]).fit(correlated.iloc[:0])
    with pytest.raises(ValidationError, match="unknown column"):
        VAESynthesizer({"zzz": "continuous"}, **TINY[VAESynthesizer]).fit(correlated)
    with pytest.raises(ValidationError, match="kinds"):
        VAESynthesizer({"a": "wavelet"}, **TINY[VAESynthesizer]).fit(correlated)


@pytest.mark.parametrize(
    ("cls", "setting", "value", "match"),
    [
        (VAESynthesizer, "epochs", 0, "epochs must be a positive integer"),
        (VAESynthesizer, "epochs", float("nan"), "epochs must be a positive integer"),
        (VAESynthesizer, "batch_size", -5, "batch_size must be a positive integer"),
        (VAESynthesizer, "learning_rate", 0.0, "learning_rate must be a finite number > 0"),
        (VAESynthesizer, "learning_rate", float("nan"), "learning_rate must be a finite number"),
        (VAESynthesizer, "latent_dim", 0, "latent_dim must be a positive integer"),
        (VAESynthesizer, "hidden", (16, 0), r"hidden\[1\] must be a positive integer"),
        (VAESynthesizer, "device", "tpu", "device must be 'cpu' or 'cuda'"),
        (GANSynthesizer, "n_critic", 2.5, "n_critic must be a positive integer"),
        (GANSynthesizer, "gradient_penalty", float("nan"), "gradient_penalty must be a finite"),
        (GANSynthesizer, "noise_dim", -1, "noise_dim must be a positive integer"),
    ],
)
def test_bad_settings(cls, setting, value, match, correlated):
    model = cls(**{**TINY[cls], setting: value})
    with pytest.raises(ValidationError, match=match):
        model.fit(correlated, seed=0)


def test_bad_setting_types(correlated):
    with pytest.raises(TypeError, match="epochs"):
        VAESynthesizer(epochs="10").fit(correlated)
    with pytest.raises(TypeError, match="hidden"):
        VAESynthesizer(hidden=32).fit(correlated)


def test_cuda_unavailable_is_a_clear_error(correlated):
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(ValidationError, match=r"torch.cuda.is_available\(\) is False"):
        VAESynthesizer(**{**TINY[VAESynthesizer], "device": "cuda"}).fit(correlated)


def test_cuda_samples_match_cpu_up_to_rounding(correlated):
    if not torch.cuda.is_available():
        pytest.skip("needs a CUDA GPU")
    model = VAESynthesizer(**SMALL[VAESynthesizer]).fit(correlated, seed=0)
    cpu = model.sample(2_000, seed=1)
    gpu = model.set_params(device="cuda").sample(2_000, seed=1)
    np.testing.assert_allclose(gpu["a"], cpu["a"], rtol=1e-3, atol=1e-3)
    trained = VAESynthesizer(**{**SMALL[VAESynthesizer], "device": "cuda"}).fit(correlated, seed=0)
    assert stats.spearmanr(*trained.sample(2_000, seed=1).to_numpy().T)[0] > 0.6


def test_import_stochgen_never_imports_torch():
    code = (
        "import sys, stochgen, stochgen.bridges.torch, stochgen.io\n"
        "stochgen.CopulaSynthesizer\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "sys.modules['torch'] = None\n"
        "try:\n"
        "    from stochgen.bridges.torch import VAESynthesizer\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert "pip install torch==2.13.0 (CPU build)" in result.stdout
    assert "stochgen[torch]" in result.stdout
