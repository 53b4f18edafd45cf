# Set-up contract: `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
# A CPU build of torch; an unpinned torch would pull several GB of CUDA packages.
TORCH := torch==2.13.0

.PHONY: venv demo test test-min test-compat test-nojit lint bench docs clean

$(BIN)/python:
	@echo "==> creating $(VENV) and upgrading pip"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

venv: $(BIN)/python

# pip shows what it downloads: on a fresh machine, about a minute of packages
# (numpy, scipy, pandas, statsmodels, numba, matplotlib, scikit-learn, pyarrow).
demo: venv
	@echo "==> installing stochgen with the demo extras (plot, evaluate, parquet)"
	$(PIP) install --progress-bar on -e ".[plot,evaluate,parquet]"
	@echo "==> running the demo"
	$(BIN)/stochgen demo --output demo-output

test: venv
	$(PIP) install --quiet $(TORCH)
	$(PIP) install --quiet -e ".[test,torch]"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The same suite at the declared minimum versions (ci/minimum-versions.txt), in its own venv.
MIN_VENV := .venv-min
test-min:
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(MIN_VENV)/bin/python -m pip install --quiet -c ci/minimum-versions.txt -e ".[test]"
	$(MIN_VENV)/bin/python -m pip check
	$(MIN_VENV)/bin/python -m pytest

# Agreement with SDMetrics and SDV (which pin pandas<3): its own venv, only the compat-marked
# tests. The CPU torch goes in first, or SDV would pull a torch with several GB of CUDA.
COMPAT_VENV := .venv-compat
test-compat:
	$(PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(COMPAT_VENV)/bin/python -m pip install --quiet $(TORCH)
	$(COMPAT_VENV)/bin/python -m pip install --quiet -e ".[test,compat]"
	$(COMPAT_VENV)/bin/python -m pytest -m compat tests

# Kernel tests with the JIT off, so coverage tools see the kernels' lines.
test-nojit: venv
	$(PIP) install --quiet -e ".[test]"
	NUMBA_DISABLE_JIT=1 $(BIN)/python -m pytest -o addopts="-ra" tests/tabular/test_kernels.py \
		tests/samplers tests/copulas tests/sequences/test_dynamics.py tests/montecarlo/test_qmc.py \
		tests/test_pcg64.py -k "kernel or twin or reference or pcg64"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# SDV and SDMetrics pin pandas<3: the benchmarks get their own venv.
BENCH_VENV := .venv-bench
bench:
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet $(TORCH)
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[bench,test]"
	for script in benchmarks/bench_*.py; do $(BENCH_VENV)/bin/python $$script || exit 1; done

docs: venv
	$(PIP) install --quiet -e ".[docs]"
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) $(MIN_VENV) $(COMPAT_VENV) $(BENCH_VENV) demo-output site bench-output .pytest_cache .ruff_cache
