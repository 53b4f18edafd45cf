"""Sampling, fitting and Monte Carlo on Dask (optional ``dask`` extra).

`to_dask(model, n, seed)` turns a fitted table model (anything with ``plan``)
into a lazy Dask DataFrame whose partitions are sampled on the workers, row for
row equal to ``model.sample(n, seed)`` (whole sequences per partition for a
`SequenceSynthesizer`, see `sequences_to_dask`); `fit(model, ddf)` fits a table model
from a Dask DataFrame on the workers; `simulate` reduces Monte Carlo draws of a
function on the workers.
"""

from stochgen.dask._fitting import fit
from stochgen.dask._sampling import sample_partition, to_dask
from stochgen.dask._sequences import sample_sequence_partition, sequences_to_dask
from stochgen.dask._simulate import DistributedEstimate, simulate

__all__ = [
    "DistributedEstimate",
    "fit",
    "sample_partition",
    "sample_sequence_partition",
    "sequences_to_dask",
    "simulate",
    "to_dask",
]
