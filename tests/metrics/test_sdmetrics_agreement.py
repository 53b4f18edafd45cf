"""stochgen's fidelity metrics against SDMetrics' on the same inputs."""

import itertools
import warnings

import numpy as np
import pandas as pd
import pytest

from stochgen.metrics import (
    column_pair_trends,
    column_shapes,
    contingency_similarity,
    correlation_similarity,
    infer_kinds,
    ks_complement,
    quality_scores,
    tv_complement,
)

sdmetrics = pytest.importorskip("sdmetrics")

pytestmark = pytest.mark.compat

SDTYPES = {
    "continuous": "numerical",
    "integer": "numerical",
    "datetime": "datetime",
    "date": "datetime",
    "categorical": "categorical",
    "ordinal": "categorical",
    "constant": "categorical",
    "boolean": "boolean",
    "id": "id",
}


def sdmetrics_metadata(kinds):
    columns = {name: {"sdtype": SDTYPES[kind]} for name, kind in kinds.items()}
    return {"tables": {"t": {"columns": columns}}}


def run_quality_report(real, synthetic, kinds):
    from sdmetrics.reports import QualityReport

    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate({"t": real}, {"t": synthetic}, sdmetrics_metadata(kinds), verbose=False)
    return report


def test_column_metrics_equal_sdmetrics(real, synthetic):
    from sdmetrics.single_column import KSComplement, TVComplement

    kinds = infer_kinds(real)
    for name, kind in kinds.items():
        if kind in ("continuous", "integer", "datetime"):
            ours = ks_complement(real[name], synthetic[name], kind)
            theirs = KSComplement.compute(real[name], synthetic[name])
        else:
            ours = tv_complement(real[name], synthetic[name])
            theirs = TVComplement.compute(real[name], synthetic[name])
        assert ours == pytest.approx(theirs, abs=1e-6), name


def test_tv_complement_regularization_for_unseen_categories():
    from sdmetrics.single_column import TVComplement

    real = pd.Series(["a", "b", "b", None])
    synthetic = pd.Series(["a", "c", "c", "d"])
    assert tv_complement(real, synthetic) == pytest.approx(
        TVComplement.compute(real, synthetic), abs=1e-12
    )


def test_pair_metrics_equal_sdmetrics(real, synthetic):
    from sdmetrics.column_pairs import ContingencySimilarity, CorrelationSimilarity

    continuous = ["x", "y", "w", "when", "count"]
    for a, b in itertools.combinations(continuous, 2):
        for coefficient in ("Pearson", "Spearman"):
            ours = correlation_similarity(real[[a, b]], synthetic[[a, b]], coefficient)
            theirs = CorrelationSimilarity.compute(real[[a, b]], synthetic[[a, b]], coefficient)
            assert ours == pytest.approx(theirs, abs=1e-6), (a, b, coefficient)
    ours = contingency_similarity(real[["group", "flag"]], synthetic[["group", "flag"]])
    theirs = ContingencySimilarity.compute(real[["group", "flag"]], synthetic[["group", "flag"]])
    assert ours == pytest.approx(theirs, abs=1e-6)


def test_report_details_and_score_equal_quality_report(real, synthetic):
    kinds = infer_kinds(real)
    report = run_quality_report(real, synthetic, kinds)
    shapes = column_shapes(real, synthetic)
    trends = column_pair_trends(real, synthetic)
    theirs_shapes = report.get_details("Column Shapes").set_index("Column")["Score"]
    np.testing.assert_allclose(
        shapes.set_index("column")["score"].loc[theirs_shapes.index], theirs_shapes, atol=1e-6
    )
    theirs_pairs = report.get_details("Column Pair Trends")
    assert len(theirs_pairs) == len(trends)
    mine = trends.set_index(["column_1", "column_2"])
    for row in theirs_pairs.itertuples():
        key = (row[2], row[3])
        assert bool(mine.loc[key, "contributes"]) == bool(row[9]), key
        if row[9]:
            assert mine.loc[key, "score"] == pytest.approx(row[5], abs=1e-6), key
    scores = quality_scores(shapes, trends)
    properties = report.get_properties().set_index("Property")["Score"]
    assert scores["column_shapes"] == pytest.approx(properties["Column Shapes"], abs=1e-6)
    assert scores["column_pair_trends"] == pytest.approx(properties["Column Pair Trends"], abs=1e-6)
    assert abs(scores["score"] - report.get_score()) < 0.005
    assert scores["score"] == pytest.approx(report.get_score(), abs=1e-6)


def test_tz_aware_datetimes_and_nullable_dtypes_agree(real, synthetic):
    def convert(df):
        out = df.copy()
        out["when"] = out["when"].dt.tz_localize("Europe/Paris", nonexistent="NaT", ambiguous="NaT")
        out["flag"] = out["flag"].astype("boolean")
        out["group"] = out["group"].astype("string")
        return out

    r, s = convert(real), convert(synthetic)
    kinds = infer_kinds(r)
    assert kinds == infer_kinds(real)
    report = run_quality_report(r, s, kinds)
    scores = quality_scores(column_shapes(r, s), column_pair_trends(r, s))
    assert scores["score"] == pytest.approx(report.get_score(), abs=1e-6)
