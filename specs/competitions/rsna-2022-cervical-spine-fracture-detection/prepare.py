"""Prepare rsna-2022-cervical-spine-fracture-detection as MLE-bench splits it.

MLE-bench keeps a tenth of the studies (Random(0)) as the new training set, taking the share of
studies with boxes, with segmentations and with both first, and tests on the other nine tenths.
The answers are melted to one <study>_<label> row per study and label.
"""

from __future__ import annotations

import random
from pathlib import Path

from podium.runtime.data import recipes

RATIO = 0.1


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.csv", "train_bounding_boxes.csv", "segmentations", "train_images")
    rng = random.Random(0)
    studies = recipes.read_csv(raw / "train.csv")
    boxes = recipes.read_csv(raw / "train_bounding_boxes.csv")
    box_ids = sorted(boxes["StudyInstanceUID"].unique())
    segmented = sorted(path.stem for path in (raw / "segmentations").glob("*.nii"))
    both = [uid for uid in box_ids if uid in set(segmented)]
    chosen = rng.sample(both, round(len(both) * RATIO))
    extra_segmented = rng.sample(
        [u for u in segmented if u not in set(both)], round(len(segmented) * RATIO) - len(chosen)
    )
    extra_boxed = rng.sample([u for u in box_ids if u not in set(both)], round(len(box_ids) * RATIO) - len(chosen))
    train_ids = chosen + extra_segmented + extra_boxed
    rest = [u for u in studies["StudyInstanceUID"] if u not in set(train_ids)]
    train_ids += rng.sample(rest, round(len(studies) * RATIO) - len(train_ids))
    in_train = studies["StudyInstanceUID"].isin(set(train_ids))
    recipes.write_csv(studies[in_train], public / "train.csv")
    recipes.write_csv(
        boxes[boxes["StudyInstanceUID"].isin(set(chosen + extra_boxed))], public / "train_bounding_boxes.csv"
    )
    answers = studies[~in_train].melt(id_vars="StudyInstanceUID", var_name="prediction_type", value_name="fractured")
    answers["row_id"] = answers["StudyInstanceUID"] + "_" + answers["prediction_type"]
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers[["row_id"]].assign(fractured=0.5), public / "sample_submission.csv")
    recipes.write_csv(answers.drop(columns=["fractured"]), public / "test.csv")
    recipes.copy_files([f"{u}.nii" for u in chosen + extra_segmented], raw / "segmentations", public / "segmentations")
    recipes.copy_files(studies.loc[in_train, "StudyInstanceUID"], raw / "train_images", public / "train_images")
    recipes.copy_files(answers["StudyInstanceUID"].unique(), raw / "train_images", public / "test_images")
