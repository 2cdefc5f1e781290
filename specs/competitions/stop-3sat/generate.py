"""Random 3-SAT formulas with a planted solution (one of STOP's transfer tasks).

Each formula has `variables` variables and `clauses` clauses of three distinct variables; a
random assignment is planted and only clauses it satisfies are kept, so every formula is
satisfiable. Written to instances.csv: id, variables, clauses ("1 -5 7;…"), assignment ("TF…").
"""

from pathlib import Path

import numpy as np
import pandas as pd


def planted_formula(rng: np.random.Generator, variables: int, clauses: int) -> tuple[str, str]:
    planted = rng.random(variables) < 0.5
    kept: list[str] = []
    while len(kept) < clauses:
        chosen = rng.choice(variables, size=3, replace=False)
        signs = rng.random(3) < 0.5
        if any(planted[var] == sign for var, sign in zip(chosen, signs, strict=False)):
            kept.append(
                " ".join(str(var + 1) if sign else str(-(var + 1)) for var, sign in zip(chosen, signs, strict=False))
            )
    return ";".join(kept), "".join("T" if value else "F" for value in planted)


def generate(raw_dir: Path, seed: int, *, rows: int = 200, variables: int = 12, clauses: int = 50) -> None:
    rng = np.random.default_rng(seed)
    formulas = [planted_formula(rng, variables, clauses) for _ in range(rows)]
    table = pd.DataFrame(
        {
            "id": [f"f{index:04d}" for index in range(rows)],
            "variables": variables,
            "clauses": [formula for formula, _ in formulas],
            "assignment": [assignment for _, assignment in formulas],
        }
    )
    table.to_csv(Path(raw_dir) / "instances.csv", index=False)
