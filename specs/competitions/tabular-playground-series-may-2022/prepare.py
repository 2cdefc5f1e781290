"""Prepare tabular-playground-series-may-2022 as MLE-bench splits it.

train.csv split with 100,000 test rows (random_state 0); ids are renumbered, training rows
first, so that an id says nothing about the split. Like MLE-bench, private/ also holds
gold_submission.csv: the answers as a submission (id, target).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    machines = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(machines, 100_000, 0)
    train = train.assign(id=range(len(train)))
    test = test.assign(id=range(len(train), len(train) + len(test)))
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.drop(columns=["target"]), public / "test.csv")
    recipes.write_csv(test[["id", "target"]], private / "gold_submission.csv")
    recipes.write_csv(test[["id"]].assign(target=0.5), public / "sample_submission.csv")
