"""Real tables shipped with statsmodels and scikit-learn, with their column kinds."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _fair():
    from stochgen.demo import load_demo_table

    return load_demo_table()


def _statsmodels(name, categorical=()):
    import statsmodels.datasets as ds

    df = getattr(ds, name).load_pandas().data.copy()
    for column in categorical:
        df[column] = (
            df[column].astype(int).astype(str) if df[column].dtype.kind == "f" else df[column]
        )
    return df, dict.fromkeys(categorical, "categorical")


def _sklearn(loader, target_name="target", categorical_target=True):
    frame = loader(as_frame=True).frame
    frame.columns = [str(c).replace(" ", "_") for c in frame.columns]
    kinds = {}
    if categorical_target:
        frame[target_name] = frame[target_name].astype(str)
        kinds[target_name] = "categorical"
    return frame, kinds


def wide_table(n_rows: int = 4_700, seed: int = 2026) -> tuple[pd.DataFrame, dict[str, str]]:
    """A wide mixed table: 58 numeric and 12 string categorical columns, 4,700 rows.

    Built from a few latent factors so columns depend on each other; the
    numeric columns mix shapes (normal, skewed, heavy-tailed, integer counts,
    rounded amounts, zero-inflated, with missing values), and the categorical
    columns have 2 to 9 labels of unequal shares, some tied to the factors.
    No benchmark was tuned on it.
    """
    rng = np.random.default_rng(seed)
    factors = rng.standard_normal((n_rows, 4))
    loadings = rng.normal(0.0, 0.6, (4, 70))
    latent = factors @ loadings + rng.standard_normal((n_rows, 70))
    latent /= latent.std(axis=0)
    columns: dict[str, np.ndarray | pd.Series] = {}
    for j in range(58):
        z = latent[:, j]
        shape = j % 7
        if shape == 0:
            values = 50.0 + 10.0 * z
        elif shape == 1:
            values = np.round(np.exp(0.8 * z + 3.0), 2)
        elif shape == 2:
            values = np.round(np.sinh(1.5 * z) * 100.0)
        elif shape == 3:
            values = rng.poisson(np.exp(0.5 * z + 1.0)).astype(np.int64)
        elif shape == 4:
            values = np.where(z < -0.3, 0.0, np.round(np.exp(z) * 1_000.0, 2))
        elif shape == 5:
            values = np.round(20.0 + 5.0 * z, 1)
            values[rng.random(n_rows) < 0.08] = np.nan
        else:
            values = np.clip(np.round(3.0 + 1.2 * z), 1, 5).astype(np.int64)
        columns[f"x{j:02d}"] = values
    for k in range(12):
        z = latent[:, 58 + k]
        n_labels = 2 + (k * 5) % 8
        edges = np.quantile(z, np.sort(rng.dirichlet(np.ones(n_labels)).cumsum()[:-1]))
        codes = np.searchsorted(edges, z)
        labels = np.array([f"c{k}_{chr(97 + i)}" for i in range(n_labels)], dtype=object)
        columns[f"cat{k:02d}"] = labels[codes]
    df = pd.DataFrame(columns)
    kinds = {f"cat{k:02d}": "categorical" for k in range(12)}
    return df, kinds


def anes_strings() -> tuple[pd.DataFrame, dict[str, str]]:
    """anes96 without logpopul: 10 columns, three of them string categorical (7 labels each)."""
    import statsmodels.datasets as ds

    labels = {
        "PID": ["strong dem", "weak dem", "ind dem", "ind", "ind rep", "weak rep", "strong rep"],
        "educ": ["<9", "9-11", "hs", "some college", "aa", "ba", "grad"],
        "selfLR": ["ext lib", "lib", "sl lib", "moderate", "sl cons", "cons", "ext cons"],
    }
    df = ds.anes96.load_pandas().data.drop(columns=["logpopul"])
    for column, names in labels.items():
        codes = df[column].astype(int) - int(df[column].min())
        df[column] = np.asarray(names, dtype=object)[codes]
    return df, dict.fromkeys(labels, "categorical")


def load_tables() -> dict[str, tuple[pd.DataFrame, dict[str, str]]]:
    """Return {name: (table, kinds)} for every benchmark table."""
    from sklearn import datasets as skd

    tables = {
        "fair": _fair(),
        "randhie": _statsmodels("randhie"),
        "anes96": _statsmodels("anes96", categorical=("PID", "educ", "vote", "selfLR", "ClinLR")),
        "modechoice": _statsmodels("modechoice", categorical=("mode", "choice", "psize")),
        "star98": _statsmodels("star98"),
        "grunfeld": _statsmodels("grunfeld", categorical=("firm",)),
        "iris": _sklearn(skd.load_iris),
        "wine": _sklearn(skd.load_wine),
        "breast_cancer": _sklearn(skd.load_breast_cancer),
        "diabetes": _sklearn(skd.load_diabetes, categorical_target=False),
        "wide70": wide_table(),
    }
    return tables


def sdv_metadata(df: pd.DataFrame, kinds: dict[str, str]):
    """SDV metadata with the same column kinds stochgen uses."""
    from sdv.metadata import Metadata

    from stochgen.tabular.schema import Schema

    schema = Schema(kinds=kinds).fit(df)
    metadata = Metadata()
    metadata.add_table("table")
    for name, spec in schema.columns_.items():
        kind = spec["kind"]
        if kind in ("categorical", "ordinal", "boolean", "constant"):
            metadata.add_column(name, "table", sdtype="categorical")
        elif kind in ("datetime", "date"):
            metadata.add_column(name, "table", sdtype="datetime")
        elif kind == "id":
            metadata.add_column(name, "table", sdtype="id")
        else:
            metadata.add_column(name, "table", sdtype="numerical")
    return metadata


def sdmetrics_metadata(df: pd.DataFrame, kinds: dict[str, str]) -> dict:
    return sdv_metadata(df, kinds).to_dict()["tables"]["table"]


def independent_bootstrap(df: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Every column resampled alone: right marginals, no dependence."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {c: df[c].to_numpy()[rng.integers(0, len(df), n)] for c in df.columns}
    ).astype(df.dtypes.to_dict())


def row_bootstrap(df: pd.DataFrame, n: int, seed: int) -> pd.DataFrame:
    """Real rows resampled: the noise floor of any score on this table size."""
    rng = np.random.default_rng(seed)
    return df.iloc[rng.integers(0, len(df), n)].reset_index(drop=True)
