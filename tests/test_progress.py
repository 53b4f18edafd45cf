"""Progress bars: shown for long steps when on, silent when off."""

import numpy as np
import pandas as pd
import pytest

import stochgen
from stochgen import _progress
from stochgen.samplers.metropolis import MetropolisHastings


@pytest.fixture(autouse=True)
def _immediate(monkeypatch):
    # Bars appear at once (not after a second), so a quick test would see them.
    monkeypatch.setattr(_progress, "DELAY_SECONDS", 0.0)
    monkeypatch.delenv("STOCHGEN_PROGRESS", raising=False)
    yield
    stochgen.set_progress(None)


@pytest.fixture
def real():
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "x": rng.normal(size=200),
            "y": rng.gamma(2.0, size=200),
            "g": rng.choice(["a", "b"], size=200),
        }
    )


def _fit_and_sample(real, **settings):
    model = stochgen.CopulaSynthesizer(**settings).fit(real)
    model.sample(500, seed=0)
    return model


def test_on_by_default_draws_on_stderr(real, capfd):
    _fit_and_sample(real)
    err = capfd.readouterr().err
    assert "fitting columns" in err
    assert "sampling" in err


def test_setting_false_is_silent(real, capfd):
    _fit_and_sample(real, progress=False)
    captured = capfd.readouterr()
    assert captured.err == ""
    assert captured.out == ""


def test_environment_variable_turns_off(real, capfd, monkeypatch):
    monkeypatch.setenv("STOCHGEN_PROGRESS", "0")
    _fit_and_sample(real)
    assert capfd.readouterr().err == ""


def test_set_progress_false_is_silent_and_setting_true_wins(real, capfd):
    stochgen.set_progress(False)
    _fit_and_sample(real)
    assert capfd.readouterr().err == ""
    _fit_and_sample(real, progress=True)
    assert "sampling" in capfd.readouterr().err


def test_streaming_and_per_label_models_silent_when_off(real, capfd, tmp_path):
    big = pd.concat([real] * 3, ignore_index=True)
    model = stochgen.CopulaSynthesizer(progress=False).fit(big)
    model.sample_to(tmp_path / "rows.csv", 1000, seed=0)
    list(model.iter_sample(1000, seed=0))
    assert capfd.readouterr().err == ""


def test_mcmc_silent_when_off(capfd, monkeypatch):
    def logpdf(x):
        return -0.5 * np.sum(x**2, axis=-1)

    MetropolisHastings(logpdf, 2, chains=4, vectorized=True, progress=False).sample(
        200, warmup=100, seed=0
    )
    assert capfd.readouterr().err == ""
    monkeypatch.setenv("STOCHGEN_PROGRESS", "off")
    MetropolisHastings(logpdf, 2, chains=4, vectorized=True).sample(200, warmup=100, seed=0)
    assert capfd.readouterr().err == ""
    monkeypatch.delenv("STOCHGEN_PROGRESS")
    MetropolisHastings(logpdf, 2, chains=4, vectorized=True).sample(200, warmup=100, seed=0)
    assert capfd.readouterr().err != ""


def test_evaluate_silent_when_off(real, capfd):
    synthetic = real.sample(frac=1.0, random_state=np.random.default_rng(1))
    stochgen.evaluate(real, synthetic, detection=False, privacy=False, progress=False)
    assert capfd.readouterr().err == ""
    stochgen.evaluate(real, synthetic, detection=False, privacy=False)
    assert "evaluating" in capfd.readouterr().err


def test_torch_epochs_silent_when_off(real, capfd):
    pytest.importorskip("torch")
    from stochgen.bridges.torch import VAESynthesizer

    VAESynthesizer(hidden=(8,), epochs=3, progress=False).fit(real, seed=0)
    assert capfd.readouterr().err == ""
    VAESynthesizer(hidden=(8,), epochs=3).fit(real, seed=0)
    assert "training VAE" in capfd.readouterr().err


def test_bad_settings_are_named():
    with pytest.raises(TypeError, match="enabled"):
        stochgen.set_progress("no")
    with pytest.raises(TypeError, match="progress"):
        _progress.progress_enabled("yes")


def test_quick_steps_print_nothing_at_the_default_delay(real, capfd, monkeypatch):
    monkeypatch.setattr(_progress, "DELAY_SECONDS", 60.0)
    _fit_and_sample(real)
    assert capfd.readouterr().err == ""


def test_cli_quiet_is_silent_and_restores_the_setting(real, capfd, tmp_path):
    from stochgen.cli import main

    path = tmp_path / "real.csv"
    real.to_csv(path, index=False)
    model = tmp_path / "m.json"
    assert main(["--quiet", "fit", str(path), "-o", str(model)]) == 0
    assert main(["-q", "sample", str(model), "-n", "500", "-o", str(tmp_path / "s.csv")]) == 0
    assert "fitting" not in capfd.readouterr().err
    assert _progress.progress_enabled() is True  # the next in-process call is not silenced
    assert main(["fit", str(path), "-o", str(model), "--force"]) == 0
    assert "fitting columns" in capfd.readouterr().err
