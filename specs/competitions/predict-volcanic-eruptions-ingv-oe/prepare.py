"""Prepare predict-volcanic-eruptions-ingv-oe as MLE-bench splits it.

train.csv split 90/10 (random_state 0); each segment's sensor CSV follows.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    segments = recipes.read_csv(raw / "train.csv")
    train, answers = recipes.split(segments, 0.1, 0)
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(answers.assign(time_to_eruption=0), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", answers)):
        recipes.copy_files([f"{i}.csv" for i in rows["segment_id"]], raw / "train", public / folder)
