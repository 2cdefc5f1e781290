"""Prepare ventilator-pressure-prediction as MLE-bench splits it.

Whole breaths (the groups of train.csv by breath_id) split 90/10 (random_state 0); ids are
renumbered from 1 on each side.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

TYPES = {"id": "int32", "breath_id": "int32", "R": "int8", "C": "int8", "time_step": "float64",
         "u_in": "float64", "u_out": "int8", "pressure": "float64"}  # fmt: skip


def prepare(raw: Path, public: Path, private: Path) -> None:
    steps = recipes.read_csv(raw / "train.csv", dtype=TYPES)
    train, test = recipes.split_groups(steps, "breath_id", 0.1, 0)
    train = train.assign(id=range(1, len(train) + 1))
    test = test.assign(id=range(1, len(test) + 1))
    recipes.write_csv(train, public / "train.csv", float_format="%.10g")
    recipes.write_csv(test.drop(columns=["pressure"]), public / "test.csv", float_format="%.10g")
    recipes.write_csv(test, private / "test.csv", float_format="%.10g")
    recipes.write_csv(test[["id"]].assign(pressure=0), public / "sample_submission.csv")
