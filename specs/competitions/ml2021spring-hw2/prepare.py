"""Prepare ml2021spring-hw2 as MLE-bench splits it.

The frames of train_11.npy split with Kaggle's test share, len(test) / (len(train) + len(test))
(random_state 0); the answers number the test frames from 0. The sample submission is
sample_submission.csv, podium's name for MLE-bench's sampleSubmission.csv (same rows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    source = raw / "timit_11" / "timit_11"
    recipes.require(source, "train_11.npy", "train_label_11.npy", "test_11.npy")
    frames, labels = np.load(source / "train_11.npy"), np.load(source / "train_label_11.npy")
    kaggle_test = len(np.load(source / "test_11.npy", mmap_mode="r"))
    train, test = recipes.split(list(range(len(frames))), kaggle_test / (len(frames) + kaggle_test), 0)
    target = public / "timit_11" / "timit_11"
    target.mkdir(parents=True)
    np.save(target / "train_11.npy", frames[train])
    np.save(target / "train_label_11.npy", labels[train])
    np.save(target / "test_11.npy", frames[test])
    answers = pd.DataFrame({"Id": range(len(test)), "ClassId": labels[test]})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(ClassId=0), public / "sample_submission.csv")
