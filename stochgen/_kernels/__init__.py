"""Numba kernels: pure array functions, each with a plain-numpy twin in tests/reference."""
