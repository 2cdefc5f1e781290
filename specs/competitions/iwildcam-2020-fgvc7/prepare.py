"""Prepare iwildcam-2020-fgvc7 as MLE-bench splits it.

Camera locations of the training images split 78/22 (random_state 0); then, as MLE-bench does,
locations move one at a time (last first) until the test share, counted against training plus
test images, is about 22%. Annotations follow their images. The rewritten JSON files hold
MLE-bench's keys in its order: annotations, images, categories, info.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.data import recipes

TEST_SHARE = 0.22


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(
        raw,
        "iwildcam2020_train_annotations.json",
        "iwildcam2020_test_information.json",
        "iwildcam2020_megadetector_results.json",
        "train",
    )
    train_json = json.loads((raw / "iwildcam2020_train_annotations.json").read_text())
    test_json = json.loads((raw / "iwildcam2020_test_information.json").read_text())
    images = pd.DataFrame(train_json["images"])
    annotations = pd.DataFrame(train_json["annotations"])
    train_locations, test_locations = balance(images, *recipes.split(images["location"].unique(), TEST_SHARE, 0))
    train_images = images[images["location"].isin(train_locations)]
    test_images = images[images["location"].isin(test_locations)]
    train_annotations = annotations[annotations["image_id"].isin(set(train_images["id"]))]
    test_annotations = annotations[annotations["image_id"].isin(set(test_images["id"]))]
    answers = test_annotations[["image_id", "category_id"]].rename(
        columns={"image_id": "Id", "category_id": "Category"}
    )
    recipes.write_csv(answers, private / "answers.csv")
    guesses = np.random.RandomState(0).randint(0, 676, size=len(answers))
    recipes.write_csv(answers.assign(Category=guesses), public / "sample_submission.csv")
    # MLE-bench's key order, whatever the raw files' order (json.dumps keeps it)
    public_train = {"annotations": records(train_annotations), "images": records(train_images)}
    public_train |= {"categories": train_json["categories"], "info": train_json["info"]}
    public_test = {"images": records(test_images), "categories": test_json["categories"], "info": test_json["info"]}
    (public / "iwildcam2020_train_annotations.json").write_text(json.dumps(public_train))
    (public / "iwildcam2020_test_information.json").write_text(json.dumps(public_test))
    recipes.copy_files(["iwildcam2020_megadetector_results.json"], raw, public)
    for folder, rows in (("train", train_images), ("test", test_images)):
        recipes.copy_files([f"{i}.jpg" for i in rows["id"].unique()], raw / "train", public / folder)


def balance(images: pd.DataFrame, train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    def share(locations: np.ndarray) -> float:
        return float(
            images["location"].isin(locations).sum() / (len(images) + images["location"].isin(locations).sum())
        )

    while share(test) < TEST_SHARE:
        train, test = train[:-1], np.append(test, train[-1])
    while share(test) > TEST_SHARE:
        test, train = test[:-1], np.append(train, test[-1])
    return train, test


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.to_dict(orient="records")  # type: ignore[return-value]
