"""Distributed sampling and fitting on Dask (optional extra)."""
