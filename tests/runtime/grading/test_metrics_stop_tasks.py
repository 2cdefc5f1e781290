"""STOP's task metrics: each computes the paper's utility from the instance and the proposal."""

from __future__ import annotations

import pandas as pd
import pytest

from podium.runtime.grading.registry import MetricInputError, get_metric

PARAMS = {"id_column": "id"}


def frames(truth: dict, pred: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(truth), pd.DataFrame(pred)


def test_sat_fraction_counts_formulas_whose_every_clause_holds() -> None:
    truth, pred = frames(
        {"id": ["a", "b"], "clauses": ["1 -2 3;-1 2 3", "1 2 3;-1 -2 -3"], "assignment": ["TTF", "TFF"]},
        {"id": ["a", "b"], "assignment": ["FFF", "TTT"]},  # a: both clauses hold; b: the second fails
    )
    assert get_metric("sat-fraction")(truth, pred, targets=["assignment"], **PARAMS) == 0.5


def test_sat_fraction_rejects_a_malformed_assignment() -> None:
    truth, pred = frames(
        {"id": ["a"], "clauses": ["1 2 3"], "assignment": ["TTT"]}, {"id": ["a"], "assignment": ["TT"]}
    )
    with pytest.raises(MetricInputError, match="3 letters of T/F"):
        get_metric("sat-fraction")(truth, pred, targets=["assignment"], **PARAMS)


def test_max_cut_ratio_weighs_the_cut_against_the_best_one() -> None:
    edges = "0-1:3;1-2:1;0-2:1"  # best cut {0} vs {1,2}: weight 4
    truth, pred = frames({"id": ["g"], "edges": [edges], "partition": ["LRR"]}, {"id": ["g"], "partition": ["LLR"]})
    assert get_metric("max-cut-ratio")(truth, pred, targets=["partition"], **PARAMS) == pytest.approx(2 / 4)


def test_qap_cost_ratio_prices_placements_with_the_linear_term() -> None:
    truth = pd.DataFrame(
        {"id": ["q"], "flows": ["0 2;2 0"], "distances": ["0 1;1 0"], "costs": ["1 5;5 1"], "assignment": ["0 1"]}
    )
    # best: 2*1 (one pair) + 1 + 1 = 4; swapped: 2*1 + 5 + 5 = 12
    swapped = pd.DataFrame({"id": ["q"], "assignment": ["1 0"]})
    assert get_metric("qap-cost-ratio")(truth, swapped, targets=["assignment"], **PARAMS) == pytest.approx(4 / 12)
    repeated = pd.DataFrame({"id": ["q"], "assignment": ["0 0"]})
    with pytest.raises(MetricInputError, match=r"each location 0\.\.1 once"):
        get_metric("qap-cost-ratio")(truth, repeated, targets=["assignment"], **PARAMS)
