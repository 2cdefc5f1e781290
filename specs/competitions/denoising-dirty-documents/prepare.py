"""Prepare denoising-dirty-documents as MLE-bench splits it.

The sorted scans of train.zip split 80/20 (random_state 0). The answers list every pixel of the
cleaned test scans as <image>_<row>_<column> (from 1) with its grey level in [0, 1]. The sample
is sample_submission.csv, the name podium's agents read, where MLE-bench names it sampleSubmission.csv.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    noisy = recipes.extract(raw / "train.zip", raw) / "train"
    clean = recipes.extract(raw / "train_cleaned.zip", raw) / "train_cleaned"
    train, test = recipes.split(sorted(p.name for p in noisy.glob("*.png")), 0.2, 0)
    recipes.copy_files(train, noisy, public / "train")
    recipes.copy_files(test, noisy, public / "test")
    recipes.copy_files(train, clean, public / "train_cleaned")
    answers = pd.concat([pixels(clean / name) for name in sorted(test)], ignore_index=True)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(value=1), public / "sample_submission.csv")


def pixels(path: Path) -> pd.DataFrame:
    """One row per pixel, row-major, ids numbered from 1 as Kaggle's submission format does."""
    grey = recipes.grey_levels(path)
    rows, columns = np.indices(grey.shape)
    ids = [f"{path.stem}_{r + 1}_{c + 1}" for r, c in zip(rows.ravel(), columns.ravel(), strict=True)]
    return pd.DataFrame({"id": ids, "value": grey.ravel()})
