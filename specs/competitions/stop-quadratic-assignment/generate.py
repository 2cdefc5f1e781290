"""A modified quadratic assignment problem (one of STOP's transfer tasks).

Place `size` facilities on `size` locations, one each. The cost of a placement is the flow
between each pair of facilities times the distance between their locations, plus a fixed cost
for putting each facility at its location (the modification: a linear term). Locations are
cells of a grid (Manhattan distances); the best placement is found exhaustively. Written to
instances.csv: id, size, flows, distances, costs (matrices: rows split by ';', entries by
spaces), assignment (the best placement: facility i's location, space-separated).
"""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd


def matrix_text(matrix: np.ndarray) -> str:
    return ";".join(" ".join(str(int(value)) for value in row) for row in matrix)


def best_assignment(flows: np.ndarray, distances: np.ndarray, costs: np.ndarray) -> np.ndarray:
    size = len(flows)
    every = np.array(list(itertools.permutations(range(size))))
    pair = (flows[None, :, :] * distances[every[:, :, None], every[:, None, :]]).sum(axis=(1, 2)) / 2
    linear = costs[np.arange(size)[None, :], every].sum(axis=1)
    return every[int(np.argmin(pair + linear))]


def instance(rng: np.random.Generator, size: int) -> dict[str, str]:
    cells = rng.choice(9, size=size, replace=False)
    xy = np.stack([cells // 3, cells % 3], axis=1)
    distances = np.abs(xy[:, None, :] - xy[None, :, :]).sum(axis=2)
    upper = np.triu(rng.integers(0, 10, size=(size, size)), 1)
    flows = upper + upper.T
    costs = rng.integers(1, 21, size=(size, size))
    best = best_assignment(flows, distances, costs)
    return {
        "flows": matrix_text(flows),
        "distances": matrix_text(distances),
        "costs": matrix_text(costs),
        "assignment": " ".join(str(location) for location in best),
    }


def generate(raw_dir: Path, seed: int, *, rows: int = 150, size: int = 7) -> None:
    rng = np.random.default_rng(seed)
    table = pd.DataFrame([instance(rng, size) for _ in range(rows)])
    table.insert(0, "size", size)
    table.insert(0, "id", [f"q{index:04d}" for index in range(rows)])
    table.to_csv(Path(raw_dir) / "instances.csv", index=False)
