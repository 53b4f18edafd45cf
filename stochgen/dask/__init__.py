"""Distributed sampling on Dask (optional ``dask`` extra).

`to_dask(model, n, seed)` turns a fitted table model (anything with ``plan``)
into a lazy Dask DataFrame whose partitions are sampled on the workers, row for
row equal to ``model.sample(n, seed)``.
"""

from stochgen.dask._sampling import sample_partition, to_dask

__all__ = ["sample_partition", "to_dask"]
