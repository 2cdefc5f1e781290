"""Prepare hms-harmful-brain-activity-classification as MLE-bench splits it.

The unique spectrogram ids of train.csv split 90/10 (random_state 0); EEG and spectrogram
Parquet files follow their rows. Like MLE-bench, private/gold_submission.csv holds each test
window's votes as shares of its vote count: a perfect submission, one row per window.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

VOTES = ["seizure_vote", "lpd_vote", "gpd_vote", "lrda_vote", "grda_vote", "other_vote"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    windows = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split_by(windows, "spectrogram_id", 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test[["spectrogram_id", "eeg_id", "patient_id"]], public / "test.csv")
    shares = test[VOTES].div(test[VOTES].sum(axis=1), axis=0)
    recipes.write_csv(pd.concat([test[["eeg_id"]], shares], axis=1), private / "gold_submission.csv")
    recipes.write_csv(
        test[["eeg_id", *VOTES]].assign(**dict.fromkeys(VOTES, 1 / len(VOTES))), public / "sample_submission.csv"
    )
    recipes.copy_files(["example_figures"], raw, public)
    for side, rows in (("train", train), ("test", test)):
        for kind, column in (("eegs", "eeg_id"), ("spectrograms", "spectrogram_id")):
            names = [f"{i}.parquet" for i in rows[column].unique()]
            recipes.copy_files(names, raw / f"train_{kind}", public / f"{side}_{kind}")
