"""One conformance suite over every model, as scikit-learn's parametrize_with_checks.

The models are found, not listed: every class of the model-file registry
(`stochgen.io.MODEL_CLASSES`) and every sampler class `stochgen.samplers`
exports. A new class without a way to build it here fails
`test_every_registered_class_has_a_case`.
"""

import importlib
import importlib.util
import inspect

import numpy as np
import pandas as pd
import pytest

import stochgen
import stochgen.samplers as samplers_module
from stochgen._base import BaseModel
from stochgen.exceptions import NotFittedError
from stochgen.io import MODEL_CLASSES
from stochgen.tabular import constraints, rules
from stochgen.tabular.synthesizer import CopulaSynthesizer


def _table():
    rng = np.random.default_rng(1)
    n = 150
    low = rng.normal(size=n)
    return pd.DataFrame(
        {
            "a": low,
            "b": rng.choice(["x", "y", "z"], size=n),
            "c": rng.integers(0, 5, size=n),
            "hi": low + rng.gamma(2.0, size=n),
            "d": rng.choice(["p", "q"], size=n),
            "e": [f"k{i}" for i in range(n)],
        }
    )


def _other_table():
    table = _table().sample(frac=1.0, random_state=3).reset_index(drop=True)
    table["a"] = table["a"] * 2.0 + 1.0
    table["hi"] = table["a"] + 1.0
    return table


def _uniforms(seed=2):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.5], [0.5, 1.0]], size=300)
    from scipy import special

    return special.ndtr(z)


def _unit_values(seed=3):
    # Inside (0, 1), so every continuous family (beta and uniform included) can fit.
    return np.random.default_rng(seed).beta(2.0, 3.0, size=300) * 0.9 + 0.05


def _counts(seed=4):
    # Over-dispersed, so the negative binomial fits too.
    return np.random.default_rng(seed).negative_binomial(3, 0.4, size=300) + 1


def _labels(seed=5):
    return np.random.default_rng(seed).choice(["a", "b", "c"], size=300)


def _series(kind):
    def make(seed=0):
        rng = np.random.default_rng(seed)
        if kind == "numeric":
            return pd.Series(rng.normal(size=200), name="v")
        if kind == "labels":
            return pd.Series(rng.choice(["a", "b"], size=200), name="v")
        if kind == "constant":
            return pd.Series(["same"] * 50, name="v")
        return pd.Series([f"user{i + seed}" for i in range(50)], name="v")

    return make


def _panel(seed=0):
    # Unbalanced panel: a context label, an AR(1) value, a label that changes over time.
    rng = np.random.default_rng(seed)
    rows = []
    for firm in range(12):
        sector = "ab"[firm % 2]
        x = rng.normal()
        for year in range(2000, 2000 + int(rng.integers(5, 10))):
            x = 0.7 * x + rng.normal()
            rows.append((f"f{firm}", year, sector, x, rng.choice(["u", "v"])))
    return pd.DataFrame(rows, columns=["firm", "year", "sector", "x", "state"])


def _format_column():
    from stochgen.tabular.formats import FormatColumn

    # Keys: "user0".."user49" is too short a format for values that must never repeat one.
    return FormatColumn(unique=True)


def _joint():
    from stochgen import JointDistribution
    from stochgen.copulas import GaussianCopula
    from stochgen.distributions import Gamma, Normal

    return JointDistribution([Normal(), Gamma()], GaussianCopula())


def _pairs(seed=8):
    rng = np.random.default_rng(seed)
    z = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 1.0]], size=300)
    return np.column_stack([z[:, 0] * 2.0 + 1.0, np.exp(0.5 * z[:, 1])])


# Classes whose construction needs settings, and what they fit on; others: cls() and
# data by the package they live in.
_FACTORIES = {
    "Bounds": (lambda: constraints.Bounds("a", low=-1.0), _table),
    "Inequality": (lambda: constraints.Inequality("a", "hi"), _table),
    "FixedCombinations": (
        lambda: constraints.FixedCombinations(["b", "d"]),
        _table,
    ),
    "Unique": (lambda: constraints.Unique("e"), _table),
    "Rule": (lambda: rules.Rule("if d == 'p' then a <= hi"), _table),
    "LinearEquality": (
        lambda: rules.LinearEquality("a + c == s"),
        lambda seed=0: _table().assign(s=lambda t: t["a"] + t["c"]),
    ),
    "OneHot": (
        lambda: rules.OneHot(["p", "q"]),
        lambda seed=0: _table().assign(p=lambda t: t["d"] == "p", q=lambda t: t["d"] == "q"),
    ),
    "NumericColumn": (None, _series("numeric")),
    "CategoricalColumn": (None, _series("labels")),
    "ConstantColumn": (None, _series("constant")),
    "IdColumn": (None, _series("id")),
    "FormatColumn": (_format_column, _series("id")),
    "Categorical": (None, _labels),
    "Pareto": (None, lambda seed=6: np.random.default_rng(seed).pareto(3.0, size=300) + 1.0),
    "JointDistribution": (_joint, _pairs),
    "SequenceSynthesizer": (
        lambda: stochgen.SequenceSynthesizer(entity="firm", order="year"),
        _panel,
    ),
    "GANSynthesizer": ("torch", _table),
    "VAESynthesizer": ("torch", _table),
}


def _data_for(name, module):
    if name in _FACTORIES:
        return _FACTORIES[name][1]
    if module.startswith("stochgen.tabular"):
        return lambda seed=0: _table() if seed == 0 else _other_table()
    if module.startswith("stochgen.copulas"):
        return _uniforms
    if module.startswith("stochgen.distributions.discrete"):
        return _counts
    if module.startswith("stochgen.distributions"):
        return _unit_values
    raise AssertionError(f"no data for {name} ({module}): add it to _FACTORIES")


def _factory_for(name, cls):
    setting = _FACTORIES.get(name, (None,))[0]
    if setting == "torch":
        pytest.importorskip("torch")
        return lambda: cls(hidden=(8,), epochs=2)
    if callable(setting):
        return setting
    return cls


def _registry():
    out = {}
    for name, module in sorted(MODEL_CLASSES.items()):
        out[name] = module
    return out


REGISTRY = _registry()


def _resolve(name):
    # The torch bridge's modules need torch; without it (the minimum-versions run) skip them.
    if REGISTRY[name].startswith("stochgen.bridges.torch"):
        pytest.importorskip("torch")
    return getattr(importlib.import_module(REGISTRY[name]), name)


def _fit(model, data):
    if type(model).__name__ in ("GANSynthesizer", "VAESynthesizer"):
        return model.fit(data, seed=0)
    return model.fit(data)


@pytest.fixture(params=sorted(REGISTRY))
def entry(request):
    name = request.param
    cls = _resolve(name)
    factory = _factory_for(name, cls)
    data = _data_for(name, REGISTRY[name])
    return name, cls, factory, data


def _equal(a, b):
    """Deep equality of model dicts: arrays, NaN, nested models and containers."""
    if isinstance(a, BaseModel) or isinstance(b, BaseModel):
        return type(a) is type(b) and _equal(a.to_dict(), b.to_dict())
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" and b.dtype.kind in "fc":
            return bool(np.array_equal(a, b, equal_nan=True))
        return all(_equal(x, y) for x, y in zip(a.ravel(), b.ravel(), strict=True))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    if callable(a) and callable(b):
        return a is b
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _same_draws(a, b):
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    a, b = np.asarray(a), np.asarray(b)
    return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc")


def test_every_registered_class_has_a_case():
    for name, module in REGISTRY.items():
        if (
            module.startswith("stochgen.bridges.torch")
            and importlib.util.find_spec("torch") is None
        ):
            continue
        cls = _resolve(name)
        assert issubclass(cls, BaseModel), name
        _data_for(name, module)  # raises for a class without data


def test_nothing_is_learned_in_init(entry):
    name, cls, factory, _ = entry
    model = factory()
    settings = set(type(model)._param_names())
    learned = {k for k in vars(model) if k not in settings}
    assert not learned, f"{name}.__init__ sets {sorted(learned)}"
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(model))


def test_clone_keeps_equal_setting_values(entry):
    name, cls, factory, data = entry
    model = _fit(factory(), data())
    twin = model.clone()
    assert type(twin) is type(model)
    assert _equal(twin.get_params(), model.get_params())
    assert not any(k.endswith("_") and not k.startswith("_") for k in vars(twin))


def test_fit_returns_self_keeps_settings_and_is_deterministic(entry):
    name, cls, factory, data = entry
    model = factory()
    before = model.get_params()
    assert _fit(model, data()) is model
    assert _equal(model.get_params(), before), f"{name}.fit changed its settings"
    again = _fit(factory(), data())
    assert _equal(model.to_dict(), again.to_dict()), f"{name}: two fits differ"


def test_refit_discards_the_old_fit(entry):
    name, cls, factory, data = entry
    if name in ("GANSynthesizer", "VAESynthesizer"):
        pytest.skip("network training is covered in tests/bridges")
    try:
        other = data(seed=7)
    except TypeError:
        pytest.skip(f"{name} fits one fixed dataset here")
    model = _fit(_fit(factory(), data()), other)
    fresh = _fit(factory(), other)
    assert _equal(model.to_dict(), fresh.to_dict()), f"{name}: refit kept the old fit"


def test_sample_before_fit_and_zero_rows(entry):
    name, cls, factory, data = entry
    model = factory()
    if not callable(getattr(model, "sample", None)):
        pytest.skip(f"{name} is a part of a model, not sampled on its own")
    with pytest.raises(NotFittedError, match="not fitted yet"):
        model.sample(3, seed=0)
    with pytest.raises(NotFittedError):
        model.sample(0, seed=0)
    _fit(model, data())
    empty = model.sample(0, seed=0)
    assert len(empty) == 0
    if isinstance(empty, pd.DataFrame):
        assert list(empty.columns) == list(model.sample(2, seed=0).columns)


def test_same_seed_same_sample(entry):
    name, cls, factory, data = entry
    model = factory()
    if not callable(getattr(model, "sample", None)):
        pytest.skip(f"{name} is a part of a model, not sampled on its own")
    _fit(model, data())
    assert _same_draws(model.sample(200, seed=5), model.sample(200, seed=5))
    assert not _same_draws(model.sample(200, seed=5), model.sample(200, seed=6))


def test_save_load_gives_the_same_model(entry, tmp_path):
    name, cls, factory, data = entry
    model = _fit(factory(), data())
    loaded = stochgen.load(stochgen.save(model, tmp_path / "model.json"))
    assert type(loaded) is type(model)
    assert _equal(loaded.to_dict(), model.to_dict())
    if callable(getattr(model, "sample", None)):
        assert _same_draws(loaded.sample(100, seed=9), model.sample(100, seed=9))


def test_table_output_matches_input_layout():
    data = _table()
    out = CopulaSynthesizer().fit(data).sample(40, seed=0)
    assert list(out.columns) == list(data.columns)
    pd.testing.assert_series_equal(out.dtypes, data.dtypes)


# Samplers are built from a target, not fitted: settings, seeds and n = 0.
def _normal_pdf(x):
    return np.exp(-0.5 * np.asarray(x, dtype=float) ** 2)


def _normal_logpdf(x):
    return -0.5 * np.sum(x**2, axis=1)


_SAMPLERS = {
    "InverseTransform": lambda: samplers_module.InverseTransform(stochgen_normal()),
    "Rejection": lambda: samplers_module.Rejection(_normal_pdf),
    "RatioOfUniforms": lambda: samplers_module.RatioOfUniforms(_normal_pdf),
    "MetropolisHastings": lambda: samplers_module.MetropolisHastings(
        _normal_logpdf, 2, proposal="rw", chains=2, vectorized=True
    ),
    "AliasTable": lambda: samplers_module.AliasTable([0.2, 0.3, 0.5]),
}


def stochgen_normal():
    from scipy import stats

    return stats.norm()


def _sampler_classes():
    out = []
    for name in samplers_module.__all__:
        obj = getattr(samplers_module, name)
        if inspect.isclass(obj) and callable(getattr(obj, "sample", None)):
            out.append(name)
    return sorted(out)


def test_every_sampler_has_a_case():
    missing = set(_sampler_classes()) - set(_SAMPLERS)
    assert not missing, f"add a factory for {sorted(missing)}"


@pytest.fixture(params=_sampler_classes())
def sampler(request):
    if request.param not in _SAMPLERS:
        pytest.fail(f"no factory for {request.param}")
    return request.param, _SAMPLERS[request.param]


def _draws(out):
    return getattr(out, "draws", out)


def test_sampler_settings_seeds_and_zero_draws(sampler):
    name, factory = sampler
    model = factory()
    if isinstance(model, BaseModel):
        settings = set(type(model)._param_names())
        assert not {k for k in vars(model) if not k.startswith("_")} - settings
        assert _equal(model.clone().get_params(), model.get_params())
    first, second = _draws(model.sample(64, seed=3)), _draws(model.sample(64, seed=3))
    assert _same_draws(first, second)
    assert not _same_draws(first, _draws(model.sample(64, seed=4)))
    assert np.asarray(_draws(model.sample(0, seed=3))).size == 0
