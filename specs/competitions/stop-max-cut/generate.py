"""Weighted Max-Cut on small random graphs (one of STOP's transfer tasks).

Each graph has `nodes` nodes; every pair is an edge with probability `density`, weighted 1-10.
The best cut is found exhaustively and kept as the answer. Written to instances.csv:
id, nodes, edges ("0-1:5;…"), partition ("LRRL…": each node's side in the best cut).
"""

import itertools
from pathlib import Path

import numpy as np
import pandas as pd


def best_partition(nodes: int, edges: list[tuple[int, int, int]]) -> str:
    sides = np.array([(0, *bits) for bits in itertools.product([0, 1], repeat=nodes - 1)])  # node 0 fixed
    left, right, weight = (np.array(column) for column in zip(*edges, strict=False))
    cuts = ((sides[:, left] != sides[:, right]) * weight).sum(axis=1)
    return "".join("LR"[side] for side in sides[int(np.argmax(cuts))])


def random_graph(rng: np.random.Generator, nodes: int, density: float) -> list[tuple[int, int, int]]:
    edges = [(a, b, int(rng.integers(1, 11))) for a, b in itertools.combinations(range(nodes), 2)]
    kept = [edge for edge in edges if rng.random() < density]
    return kept or edges[:1]


def generate(raw_dir: Path, seed: int, *, rows: int = 150, nodes: int = 12, density: float = 0.4) -> None:
    rng = np.random.default_rng(seed)
    graphs = [random_graph(rng, nodes, density) for _ in range(rows)]
    table = pd.DataFrame(
        {
            "id": [f"g{index:04d}" for index in range(rows)],
            "nodes": nodes,
            "edges": [";".join(f"{a}-{b}:{w}" for a, b, w in graph) for graph in graphs],
            "partition": [best_partition(nodes, graph) for graph in graphs],
        }
    )
    table.to_csv(Path(raw_dir) / "instances.csv", index=False)
