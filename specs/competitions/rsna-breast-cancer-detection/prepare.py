"""Prepare rsna-breast-cancer-detection as MLE-bench splits it.

The unique patients of train.csv split 90/10 (random_state 42); the answers keep one row per
patient and breast side (prediction_id <patient>_<laterality>).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

TEST_COLUMNS = ["site_id", "patient_id", "image_id", "laterality", "view", "age", "implant", "machine_id"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    images = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split_by(images, "patient_id", 0.1, 42)
    test = test[[*TEST_COLUMNS, "cancer"]].assign(
        prediction_id=lambda t: t["patient_id"].astype(str) + "_" + t["laterality"]
    )
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["cancer"]), public / "test.csv")
    answers = test[["prediction_id", "cancer"]].groupby("prediction_id").first().reset_index()
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(cancer=train["cancer"].mean()), public / "sample_submission.csv")
    for side, rows in (("train_images", train), ("test_images", test)):
        names = [f"{p}/{i}.dcm" for p, i in zip(rows["patient_id"], rows["image_id"], strict=True)]
        recipes.copy_files(names, raw / "train_images", public / side)
