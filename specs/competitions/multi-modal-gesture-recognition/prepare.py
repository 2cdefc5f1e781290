"""Prepare multi-modal-gesture-recognition as MLE-bench splits it.

The training4 archive becomes the test set (test.tar.gz) and its recordings leave training.csv;
the ids are the last four digits of its Sample*.zip files. The sample submission is
sample_submission.csv, podium's name for MLE-bench's randomPredictions.csv (same rows).
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

ARCHIVES = [f"{kind}{n}.tar.gz" for kind, n in (("training", 1), ("training", 2), ("training", 3))]
ARCHIVES += [f"validation{n}.tar.gz" for n in (1, 2, 3)]
ARCHIVES += ["devel01-40.7z", "valid_all_files_combined.7z", "sample_code_mmrgc.zip"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recordings = recipes.extract(raw / "training4.tar.gz", raw / "training4")
    test_ids = sorted(path.stem[-4:] for path in recordings.rglob("*.zip"))
    sequences = recipes.read_csv(raw / "training.csv", dtype={"Id": str, "Sequence": str})
    in_test = sequences["Id"].isin(set(test_ids))
    if not test_ids or in_test.sum() != len(test_ids):
        raise recipes.DataError(
            f"training4.tar.gz holds {len(test_ids)} Sample*.zip recordings, {int(in_test.sum())} of them in "
            "training.csv; every one must have a row there: download the competition's data again"
        )
    recipes.write_csv(sequences[~in_test], public / "training.csv")
    recipes.write_csv(sequences[in_test], private / "test.csv")
    recipes.write_csv(pd.DataFrame({"Id": test_ids}), public / "test.csv")
    shuffled = random.Random(0)
    guesses = [" ".join(map(str, shuffled.sample(range(1, 21), 20))) for _ in test_ids]
    recipes.write_csv(pd.DataFrame({"Id": test_ids, "Sequence": guesses}), public / "sample_submission.csv")
    recipes.copy_renamed([(raw / "training4.tar.gz", public / "test.tar.gz")])
    recipes.copy_files(ARCHIVES, raw, public)
