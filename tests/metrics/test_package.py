import subprocess
import sys
import types

from stochgen import kinds
from stochgen.metrics import report
from stochgen.tabular import schema

SCRIPT = """
import pandas as pd
import stochgen
df = pd.DataFrame({"x": [1.0, 2.0, 3.5, 4.0], "y": [2.0, 1.0, 4.0, 3.0]})
stochgen.evaluate(df, df, detection=False, privacy=False)
import stochgen.metrics.fidelity
from stochgen.metrics.fidelity import ks_complement
assert callable(stochgen.evaluate) and not isinstance(stochgen.evaluate, type(stochgen))
assert stochgen.evaluate is stochgen.metrics.evaluate
print("ok")
"""


def test_submodule_import_after_calling_evaluate():
    # A fresh interpreter: in this one, the modules are imported already.
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_evaluate_is_a_function_and_metrics_a_plain_package():
    import stochgen.metrics

    assert stochgen.evaluate is report.evaluate
    assert isinstance(stochgen.evaluate, types.FunctionType)
    assert type(stochgen.metrics) is types.ModuleType


def test_tables_and_metrics_share_one_vocabulary():
    assert schema.KINDS is kinds.KINDS
    groups = kinds.NUMERIC_KINDS + kinds.TIME_KINDS + kinds.LABEL_KINDS + ("id",)
    assert sorted(groups) == sorted(kinds.KINDS)
