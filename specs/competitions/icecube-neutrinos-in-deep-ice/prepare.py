"""Prepare icecube-neutrinos-in-deep-ice as MLE-bench splits it.

The unique batch ids of train_meta.parquet split 90/10 (random_state 0); each batch file
(batch_<id>.parquet) follows its batch. As in MLE-bench, batch files the table does not list
are left out; a listed batch without its file is an error.
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
    files = {int(path.stem.split("_")[-1]): path.name for path in (raw / "train").glob("*.parquet")}
    for side, rows in (("train", train), ("test", test)):
        batches = rows["batch_id"].unique()
        missing = [int(batch) for batch in batches if batch not in files]
        if missing:
            raise recipes.DataError(
                f"train_meta.parquet lists batches {missing[:5]} that have no file in {raw / 'train'}; "
                "download the competition's full data again"
            )
        recipes.copy_files([files[batch] for batch in batches], raw / "train", public / side)
