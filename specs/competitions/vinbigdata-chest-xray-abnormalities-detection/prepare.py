"""Prepare vinbigdata-chest-xray-abnormalities-detection as MLE-bench splits it.

The unique image ids of train.csv split 90/10 (random_state 0). The answers keep the first
annotation of each image and class, as a stand-in for the radiologists' consensus; 'no finding'
boxes become 0 0 1 1. The answers hold one row per box (the spec's `rows_per_key: grouped`);
gold_submission.csv, as MLE-bench writes it, joins each image's boxes, at confidence 1.0, into
one prediction string.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

BOX = ["x_min", "y_min", "x_max", "y_max"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    boxes = recipes.read_csv(raw / "train.csv")
    train_ids, test_ids = recipes.split(boxes["image_id"].unique(), 0.1, 0)
    recipes.write_csv(boxes[boxes["image_id"].isin(set(train_ids))], public / "train.csv")
    answers = (
        boxes[boxes["image_id"].isin(set(test_ids))].groupby(["image_id", "class_id"]).first().reset_index().fillna(0)
    )
    answers.loc[answers["class_id"] == 14, ["x_max", "y_max"]] = 1.0
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(gold_submission(answers), private / "gold_submission.csv")
    recipes.write_csv(
        pd.DataFrame({"image_id": test_ids, "PredictionString": "14 1 0 0 1 1"}), public / "sample_submission.csv"
    )
    for folder, ids in (("train", train_ids), ("test", test_ids)):
        recipes.copy_files([f"{i}.dicom" for i in ids], raw / "train", public / folder)


def gold_submission(answers: pd.DataFrame) -> pd.DataFrame:
    """A perfect submission: per image (sorted), 'class 1.0 x_min y_min x_max y_max' for each box."""
    strings = answers["class_id"].astype(str) + " 1.0"
    for column in BOX:
        strings = strings + " " + answers[column].astype(str)
    predictions = pd.DataFrame({"image_id": answers["image_id"], "PredictionString": strings})
    return predictions.groupby("image_id")["PredictionString"].agg(" ".join).reset_index()
