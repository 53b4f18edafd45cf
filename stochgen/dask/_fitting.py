"""Fitting table models from Dask DataFrames, on the workers."""

from __future__ import annotations

from typing import Any

__all__ = ["fit"]


def fit(model: Any, data: Any, *, scheduler: Any = None) -> Any:
    """Fit ``model`` from a Dask DataFrame (or any chunked data) where its partitions live.

    Two passes over the partitions, each a reduction computed on the workers
    and merged in a fixed tree: exact counts, bounds, decimals and quantile
    sketches of the columns, then the cross-products of the latent scores
    (see `stochgen.tabular.summaries`). The workers return summaries, never
    rows; the result is an ordinary fitted model (it saves, loads and samples
    like one fitted in memory). Equivalent to ``model.fit(data)`` run under
    ``scheduler``.

    Parameters
    ----------
    model : CopulaSynthesizer
        Unfitted settings (``copula="gaussian"``, no constraints).
    data : dask.dataframe.DataFrame, path, glob or iterable of DataFrames
        For example ``dd.read_parquet("many-files/*.parquet")``.
    scheduler : distributed.Client, str or None
        Where to compute (``Client("scheduler:8786")``); None: the one in
        effect.

    Returns
    -------
    model
        Fitted.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import pandas as pd
    >>> from stochgen import CopulaSynthesizer
    >>> real = pd.DataFrame({"x": [1.5, 2.5, 3.5, 0.5] * 10, "g": list("abab") * 10})
    >>> model = fit(CopulaSynthesizer(), dd.from_pandas(real, npartitions=3))
    >>> model.sample(3, seed=0).shape
    (3, 2)
    """
    try:
        import dask
    except ImportError as exc:  # pragma: no cover - the dask extra is installed in tests
        raise ImportError("fit needs dask[dataframe]: pip install 'stochgen[dask]'") from exc
    settings = {} if scheduler is None else {"scheduler": scheduler}
    with dask.config.set(settings):
        return model.fit(data)
