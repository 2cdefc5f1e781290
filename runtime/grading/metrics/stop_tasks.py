"""Metrics of STOP's algorithmic tasks (Zelikman et al., 2023), one row per problem instance.

Each metric computes the paper's utility for a task from the instance, which the answers file
carries as extra answer columns, and the solution the submission proposes. A malformed proposal
(wrong length, unknown symbol) raises MetricInputError: the submission is invalid, never scored.

- sat-fraction (max): stop-3sat. Share of formulas the proposed assignment satisfies.
  Columns: target `assignment` ("TFFT…", one T/F per variable), extra `clauses`
  ("1 -5 7;2 3 -4", 1-based variables, a minus sign negates).
- max-cut-ratio (max): stop-max-cut. Mean over graphs of the proposed cut's weight divided by
  the weight of the best cut known (the answers' partition). Columns: target `partition`
  ("LRRL…", one side per node), extra `edges` ("0-1:5;0-3:2", 0-based nodes, integer weights).
- qap-cost-ratio (max): stop-quadratic-assignment. Mean over instances of the best known cost
  divided by the proposed assignment's cost. Columns: target `assignment` ("3 0 1 2": facility
  i goes to that location), extra `flows`, `distances`, `costs` (matrices, rows split by ';',
  entries by spaces); the cost is sum over pairs i<j of flow(i,j) * distance(loc i, loc j), plus
  sum over i of cost(i, loc i).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.grading.metrics.classification import single_target
from podium.runtime.grading.registry import MetricInputError, metric

SAT_SYMBOLS = {"T": True, "F": False}
CUT_SIDES = {"L": 0, "R": 1}


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).strip()


def _symbols(proposal: Any, alphabet: dict[str, Any], length: int, row_id: Any, what: str) -> list[Any]:
    text = _text(proposal)
    if len(text) != length or any(symbol not in alphabet for symbol in text):
        letters = "/".join(alphabet)
        raise MetricInputError(f"{what} at id {row_id!r} must be {length} letters of {letters}, got {text[:40]!r}")
    return [alphabet[symbol] for symbol in text]


def parse_clauses(text: str) -> list[list[int]]:
    return [[int(literal) for literal in clause.split()] for clause in _text(text).split(";") if clause.strip()]


def satisfies(assignment: list[bool], clauses: list[list[int]]) -> bool:
    return all(any(assignment[abs(lit) - 1] == (lit > 0) for lit in clause) for clause in clauses)


@metric("sat-fraction", "maximize", "share of 3-SAT formulas the proposed assignments satisfy")
def sat_fraction(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    target, ids = single_target(params), truth[params["id_column"]]
    satisfied = []
    for row_id, clauses_text, planted, proposal in zip(ids, truth["clauses"], truth[target], pred[target], strict=True):
        assignment = _symbols(proposal, SAT_SYMBOLS, len(_text(planted)), row_id, target)
        satisfied.append(satisfies(assignment, parse_clauses(clauses_text)))
    return float(np.mean(satisfied))


def parse_edges(text: str) -> list[tuple[int, int, float]]:
    edges = []
    for item in _text(text).split(";"):
        if item.strip():
            pair, _, weight = item.partition(":")
            left, _, right = pair.partition("-")
            edges.append((int(left), int(right), float(weight)))
    return edges


def cut_weight(sides: list[int], edges: list[tuple[int, int, float]]) -> float:
    return sum(weight for left, right, weight in edges if sides[left] != sides[right])


@metric("max-cut-ratio", "maximize", "mean weight of the proposed cuts relative to the best known cuts")
def max_cut_ratio(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    target, ids = single_target(params), truth[params["id_column"]]
    ratios = []
    for row_id, edges_text, best, proposal in zip(ids, truth["edges"], truth[target], pred[target], strict=True):
        edges = parse_edges(edges_text)
        best_sides = _symbols(best, CUT_SIDES, len(_text(best)), row_id, "answer partition")
        sides = _symbols(proposal, CUT_SIDES, len(best_sides), row_id, target)
        best_weight = cut_weight(best_sides, edges)
        ratios.append(cut_weight(sides, edges) / best_weight if best_weight else 1.0)
    return float(np.mean(ratios))


def parse_matrix(text: str) -> np.ndarray:
    return np.array([[float(entry) for entry in row.split()] for row in _text(text).split(";")])


def parse_permutation(proposal: Any, size: int, row_id: Any, what: str) -> np.ndarray:
    try:
        locations = [int(item) for item in _text(proposal).split()]
    except ValueError:
        locations = []
    if sorted(locations) != list(range(size)):
        raise MetricInputError(
            f"{what} at id {row_id!r} must list each location 0..{size - 1} once, got {_text(proposal)[:60]!r}"
        )
    return np.array(locations)


def assignment_cost(flows: np.ndarray, distances: np.ndarray, costs: np.ndarray, locations: np.ndarray) -> float:
    """Pairs counted once (the flow matrix is symmetric): half the full double sum."""
    pair_cost = float((flows * distances[np.ix_(locations, locations)]).sum()) / 2
    return pair_cost + float(costs[np.arange(len(locations)), locations].sum())


@metric("qap-cost-ratio", "maximize", "mean of the best known assignment cost over the proposed cost")
def qap_cost_ratio(truth: pd.DataFrame, pred: pd.DataFrame, **params: Any) -> float:
    target, ids = single_target(params), truth[params["id_column"]]
    rows = zip(ids, truth["flows"], truth["distances"], truth["costs"], truth[target], pred[target], strict=True)
    ratios = []
    for row_id, flows_text, distances_text, costs_text, best, proposal in rows:
        flows, distances, costs = parse_matrix(flows_text), parse_matrix(distances_text), parse_matrix(costs_text)
        size = len(flows)
        best_cost = assignment_cost(flows, distances, costs, parse_permutation(best, size, row_id, "answer"))
        cost = assignment_cost(flows, distances, costs, parse_permutation(proposal, size, row_id, target))
        ratios.append(best_cost / cost if cost > 0 else 1.0)
    return float(np.mean(ratios))
