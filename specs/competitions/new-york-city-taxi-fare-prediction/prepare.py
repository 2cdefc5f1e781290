"""Prepare new-york-city-taxi-fare-prediction as MLE-bench splits it.

train.csv split with 9914 test rides (the size of Kaggle's test, random_state 0); the training
rides are public as labels.csv and the answers keep every column. A hook, not the declarative
split, because MLE-bench also hands agents Kaggle's GCP-Coupons-Instructions.rtf.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes
from podium.runtime.data.prepare import read_table

TEST_RIDES = 9914


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.csv", "GCP-Coupons-Instructions.rtf")
    # pyarrow reads Kaggle's 55 million rides fast, and as pandas would (key kept as text)
    rides = read_table(raw / "train.csv", "key")
    train, test = recipes.split(rides, TEST_RIDES, 0)
    recipes.write_csv(train, public / "labels.csv")
    recipes.write_csv(test.drop(columns=["fare_amount"]), public / "test.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test[["key"]].assign(fare_amount=11.35), public / "sample_submission.csv")
    recipes.copy_files(["GCP-Coupons-Instructions.rtf"], raw, public)
