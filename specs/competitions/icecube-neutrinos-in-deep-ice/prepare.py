"""Prepare icecube-neutrinos-in-deep-ice as MLE-bench splits it.

The unique batch ids of train_meta.parquet split 90/10 (random_state 0); each batch file
(batch_<id>.parquet) follows its batch.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train_meta.parquet", "sensor_geometry.csv", "train")
    events = pd.read_parquet(raw / "train_meta.parquet")
    train, test = recipes.split_by(events, "batch_id", 0.1, 0)
    train.to_parquet(public / "train_meta.parquet", index=False)
    test.drop(columns=["azimuth", "zenith"]).to_parquet(public / "test_meta.parquet", index=False)
    answers = test[["event_id", "azimuth", "zenith"]]
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(azimuth=1, zenith=1), public / "sample_submission.csv")
    recipes.copy_files(["sensor_geometry.csv"], raw, public)
    test_batches = set(test["batch_id"])
    for batch in sorted((raw / "train").glob("*.parquet")):
        side = "test" if int(batch.stem.split("_")[-1]) in test_batches else "train"
        recipes.copy_files([batch.name], raw / "train", public / side)
