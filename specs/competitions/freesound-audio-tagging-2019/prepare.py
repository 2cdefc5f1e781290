"""Prepare freesound-audio-tagging-2019 as MLE-bench splits it.

No split: Kaggle's files are published as they are (not podium's copy of Kaggle's bundle, nor the
labels below). The answers are the Private rows of the test labels Zenodo released after the
competition (FSDKaggle2019.meta.zip, record 3612637), many-hot over the 80 classes of the sample
submission; podium does not download it, so place the zip in the raw folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

COMPETITION = "freesound-audio-tagging-2019"
META = "FSDKaggle2019.meta.zip"
ZENODO = "https://zenodo.org/records/3612637"


def prepare(raw: Path, public: Path, private: Path) -> None:
    if not (raw / META).is_file():
        raise recipes.DataError(
            f"the answers of {COMPETITION} are Zenodo's post-competition labels: download "
            f"{META} from {ZENODO} into {raw}, then prepare again"
        )
    recipes.copy_files(kaggle_files(raw), raw, public)
    # the zip holds FSDKaggle2019.meta/, which kaggle_files leaves out when raw/ is prepared again
    labels = recipes.read_csv(recipes.extract(raw / META, raw) / "FSDKaggle2019.meta" / "test_post_competition.csv")
    sample = recipes.read_csv(public / "sample_submission.csv")
    private_rows = labels[labels["usage"] == "Private"]
    if set(private_rows["fname"]) != set(sample["fname"]):
        raise recipes.DataError(
            f"the Private clips of {META} are not the clips of sample_submission.csv: "
            f"download {META} from {ZENODO} (and Kaggle's data) again"
        )
    tags = [set(text.split(",")) for text in private_rows["labels"]]
    answers = pd.DataFrame({"fname": private_rows["fname"].to_numpy()})
    for name in sample.columns[1:]:
        answers[name] = [int(name in row) for row in tags]
    recipes.write_csv(answers, private / "test.csv")


def kaggle_files(raw: Path) -> list[str]:
    """What Kaggle's download holds: not the Zenodo labels, the bundle podium unpacked, nor markers."""
    return sorted(
        path.name
        for path in raw.iterdir()
        if "FSDKaggle2019.meta" not in path.name and not path.name.startswith((".", f"{COMPETITION}."))
    )
