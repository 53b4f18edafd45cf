"""Reading and writing tables: the functions live in `stochgen.io`; re-exported here."""

from stochgen.io import read_table, write_table

__all__ = ["read_table", "write_table"]
