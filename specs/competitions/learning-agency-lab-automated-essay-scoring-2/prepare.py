"""Prepare learning-agency-lab-automated-essay-scoring-2 as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the answers keep every column. A hook, not the
declarative split, because MLE-bench's sample submission scores each essay with a random
grade from 1 to 6 (numpy's RandomState(42)), not one constant.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from podium.runtime.data import recipes

SAMPLE_SEED, LOWEST, HIGHEST = 42, 1, 6


def prepare(raw: Path, public: Path, private: Path) -> None:
    # pandas' reader: the essays hold quoted line breaks
    essays = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(essays, 0.1, 0)
    grades = np.random.RandomState(SAMPLE_SEED).randint(LOWEST, HIGHEST + 1, size=len(test))
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["score"]), public / "test.csv")
    recipes.write_csv(test, private / "answers.csv")
    recipes.write_csv(test[["essay_id"]].assign(score=grades), public / "sample_submission.csv")
