"""Prepare the-icml-2013-whale-challenge-right-whale-redux as MLE-bench splits it.

The clips of train2.zip from the first two recording days are train, from the last two test.
Training clips are renumbered TRAIN<n>; test clips lose their label and become
<timestamp>_Test<n>.aif. The sample submission is sample_submission.csv, podium's name for
MLE-bench's sampleSubmission.csv (same rows).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

RECORDING_DAYS = 4


def prepare(raw: Path, public: Path, private: Path) -> None:
    clips = sorted((recipes.extract(raw / "train2.zip", raw) / "train2").glob("*.aif"))
    days = sorted({clip.name.split("_")[0] for clip in clips})
    if len(days) != RECORDING_DAYS:
        raise recipes.DataError(
            f"train2.zip holds clips of {len(days)} recording days ({', '.join(days)}), Kaggle's of "
            f"{RECORDING_DAYS}: the split gives two days to each side; download the competition's data again"
        )
    train = [clip for clip in clips if clip.name.split("_")[0] in days[:2]]
    test = [clip for clip in clips if clip.name.split("_")[0] in days[2:]]
    recipes.copy_renamed(
        (clip, public / "train2" / re.sub(r"TRAIN\d+", f"TRAIN{n}", clip.name)) for n, clip in enumerate(train)
    )
    names = [clip.name.split("TRAIN")[0] + f"Test{n}.aif" for n, clip in enumerate(test)]
    recipes.copy_renamed((clip, public / "test2" / name) for clip, name in zip(test, names, strict=True))
    recipes.zip_folder(public / "train2", public / "train2.zip")
    recipes.zip_folder(public / "test2", public / "test2.zip")
    answers = pd.DataFrame({"clip": names, "probability": [int(clip.stem.endswith("_1")) for clip in test]})
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(probability=0), public / "sample_submission.csv")
