"""Prepare hubmap-kidney-segmentation as MLE-bench splits it.

train.csv split into 12 training and 3 test slides (random_state 0); the answers add each
slide's size from HuBMAP-20-dataset_information.csv. The sample submission names the mask column
`predicted`, as MLE-bench's does (the spec's `submission_columns`). As in MLE-bench, a copy of
the sample sits in public/test/ and private/gold_submission.csv holds the answers in the
submission's layout.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

SIDECARS = ("{}.tiff", "{}.json", "{}-anatomical-structure.json")


def prepare(raw: Path, public: Path, private: Path) -> None:
    slides = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(slides, 3, 0)
    info = recipes.read_csv(raw / "HuBMAP-20-dataset_information.csv")
    info_ids = info["image_file"].str.replace(".tiff", "", regex=False)
    answers = test.merge(info.assign(id=info_ids)[["id", "width_pixels", "height_pixels"]], on="id")
    recipes.write_csv(info[info_ids.isin(set(slides["id"]))], public / "HuBMAP-20-dataset_information.csv")
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(answers, private / "test.csv")
    sample = answers[["id"]].assign(predicted="")
    recipes.write_csv(sample, public / "sample_submission.csv")
    recipes.write_csv(sample, public / "test" / "sample_submission.csv")
    recipes.write_csv(sample.assign(predicted=answers["encoding"]), private / "gold_submission.csv")
    for folder, rows in (("train", train), ("test", answers)):
        recipes.copy_files([name.format(i) for i in rows["id"] for name in SIDECARS], raw / "train", public / folder)
