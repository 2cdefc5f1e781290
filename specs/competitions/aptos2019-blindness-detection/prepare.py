"""Prepare aptos2019-blindness-detection as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the retina photographs go to train_images/ and
test_images/.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(labels, 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["diagnosis"]), public / "test.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(diagnosis=0), public / "sample_submission.csv")
    for folder, rows in (("train_images", train), ("test_images", test)):
        recipes.copy_files([f"{i}.png" for i in rows["id_code"]], raw / "train_images", public / folder)
