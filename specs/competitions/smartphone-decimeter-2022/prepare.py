"""Prepare smartphone-decimeter-2022 as MLE-bench splits it.

The drive dates (the YYYY-MM-DD prefix of each drive folder) split 90/10 (random_state 0); the
answers concatenate the test phones' ground_truth.csv, which leave the public test folders.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train", "metadata")
    drives = sorted(folder.name for folder in (raw / "train").iterdir() if folder.is_dir())
    _, test_dates = recipes.split(sorted({day(d) for d in drives}), 0.1, 0)
    test_drives = [d for d in drives if day(d) in set(test_dates)]
    recipes.copy_files([d for d in drives if d not in set(test_drives)], raw / "train", public / "train")
    recipes.copy_files(test_drives, raw / "train", public / "test")
    truths = []
    for path in sorted((public / "test").rglob("ground_truth.csv")):
        truth = recipes.read_csv(path).assign(tripId=f"{path.parent.parent.name}-{path.parent.name}")
        truths.append(truth[["tripId", "UnixTimeMillis", "LatitudeDegrees", "LongitudeDegrees"]])
        path.unlink()
    answers = pd.concat(truths, ignore_index=True)
    recipes.write_csv(answers, private / "test.csv")
    sample = answers.assign(LatitudeDegrees=37.904611315634504, LongitudeDegrees=-86.48107806249548)
    recipes.write_csv(sample, public / "sample_submission.csv")
    recipes.copy_files(["metadata"], raw, public)


def day(drive: str) -> str:
    year, month, date = drive.split("-")[:3]
    return f"{year}-{month.zfill(2)}-{date.zfill(2)}"
