"""Distributed sampling on Dask (optional ``dask`` extra).

`to_dask` turns a fitted `CopulaSynthesizer` into a lazy Dask DataFrame whose
partitions are sampled on the workers, row for row equal to
``model.sample(n, seed)``; ``model.to_dask(...)`` is the same call.
"""

from stochgen.dask._sampling import sample_partition, to_dask

__all__ = ["sample_partition", "to_dask"]
