"""Prepare rsna-miccai-brain-tumor-radiogenomic-classification as MLE-bench splits it.

train_labels.csv split 90/10 (random_state 0); each patient's scan folder follows. Ids stay
text, keeping their leading zeros.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train_labels.csv", dtype={"BraTS21ID": str, "MGMT_value": int})
    train, test = recipes.split(labels, 0.1, 0)
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(MGMT_value=0.5), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files(rows["BraTS21ID"], raw / "train", public / folder)
