"""Pytest: the torch bridge's doctests need torch; skip collecting them where it is missing."""

import importlib.util

collect_ignore_glob = [] if importlib.util.find_spec("torch") else ["stochgen/bridges/torch/*.py"]
