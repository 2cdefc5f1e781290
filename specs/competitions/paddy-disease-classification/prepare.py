"""Prepare paddy-disease-classification as MLE-bench splits it.

train.csv split 75/25 (random_state 0); test images leave their label folders. The sample
predicts 'normal', where MLE-bench's left the labels empty.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    plants = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(plants, 0.25, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test[["image_id"]].assign(label="normal"), public / "sample_submission.csv")
    images = raw / "train_images"
    recipes.copy_files(
        [f"{label}/{image}" for label, image in zip(train["label"], train["image_id"], strict=True)],
        images,
        public / "train_images",
    )
    recipes.copy_renamed(
        (images / label / image, public / "test_images" / image)
        for label, image in zip(test["label"], test["image_id"], strict=True)
    )
