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
