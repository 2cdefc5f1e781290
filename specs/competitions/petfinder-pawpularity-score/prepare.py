"""Prepare petfinder-pawpularity-score as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the sample's scores are uniform in [1, 100] (numpy
default_rng 0), two decimals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    pets = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(pets, 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.drop(columns=["Pawpularity"]), public / "test.csv")
    guesses = np.random.default_rng(0).uniform(1, 100, len(test)).round(2)
    recipes.write_csv(test[["Id"]].assign(Pawpularity=guesses), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i}.jpg" for i in rows["Id"]], raw / "train", public / folder)
