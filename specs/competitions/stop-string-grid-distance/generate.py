"""String grid distance (one of STOP's transfer tasks, in our own formulation).

Two strings of `A` and `B` with the same number of `A`s are written row by row into a
`side` x `side` grid. One move swaps two cells that share an edge; the distance is the fewest
moves that turn the first grid into the second. With two letters this equals the cheapest
matching of the misplaced `A`s to the places they must reach, in Manhattan distance, which the
generator computes exactly. Written to instances.csv: id, side, start, goal, distance.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment


def grid_distance(start: str, goal: str, side: int) -> int:
    leaving = [i for i, (a, b) in enumerate(zip(start, goal, strict=False)) if a == "A" and b == "B"]
    arriving = [i for i, (a, b) in enumerate(zip(start, goal, strict=False)) if a == "B" and b == "A"]
    if not leaving:
        return 0
    cost = np.array([[abs(i // side - j // side) + abs(i % side - j % side) for j in arriving] for i in leaving])
    rows, columns = linear_sum_assignment(cost)
    return int(cost[rows, columns].sum())


def random_pair(rng: np.random.Generator, side: int) -> tuple[str, str]:
    cells = side * side
    count = int(rng.integers(1, cells))
    letters = np.array(["A"] * count + ["B"] * (cells - count))
    return "".join(rng.permutation(letters)), "".join(rng.permutation(letters))


def generate(raw_dir: Path, seed: int, *, rows: int = 300, side: int = 4) -> None:
    rng = np.random.default_rng(seed)
    pairs = [random_pair(rng, side) for _ in range(rows)]
    table = pd.DataFrame(
        {
            "id": [f"s{index:04d}" for index in range(rows)],
            "side": side,
            "start": [start for start, _ in pairs],
            "goal": [goal for _, goal in pairs],
            "distance": [grid_distance(start, goal, side) for start, goal in pairs],
        }
    )
    table.to_csv(Path(raw_dir) / "instances.csv", index=False)
