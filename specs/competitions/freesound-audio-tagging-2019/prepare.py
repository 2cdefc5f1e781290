"""Prepare freesound-audio-tagging-2019 as MLE-bench splits it.

No split: the raw files are published as they are. The answers are the Private rows of the test
labels Zenodo released after the competition (FSDKaggle2019.meta.zip, record 3612637), many-hot
over the 80 classes of the sample submission; podium does not download it, so place the zip in
the raw folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

META = "FSDKaggle2019.meta.zip"
ZENODO = "https://zenodo.org/records/3612637"


def prepare(raw: Path, public: Path, private: Path) -> None:
    if not (raw / META).is_file():
        raise recipes.DataError(
            f"the answers of freesound-audio-tagging-2019 are Zenodo's post-competition labels: download "
            f"{META} from {ZENODO} into {raw}, then prepare again"
        )
    published = [p.name for p in raw.iterdir() if "FSDKaggle2019.meta" not in p.name and not p.name.startswith(".")]
    recipes.copy_files(published, raw, public)
    labels = recipes.read_csv(
        recipes.extract(raw / META, raw / "meta") / "FSDKaggle2019.meta" / "test_post_competition.csv"
    )
    sample = recipes.read_csv(public / "sample_submission.csv")
    classes = list(sample.columns[1:])
    private_rows = labels[labels["usage"] == "Private"]
    tags = [set(text.split(",")) for text in private_rows["labels"]]
    answers = pd.DataFrame({"fname": private_rows["fname"].to_numpy()})
    for name in classes:
        answers[name] = [int(name in row) for row in tags]
    recipes.write_csv(answers, private / "test.csv")
