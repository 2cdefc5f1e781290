"""Prepare hotel-id-2021-fgvc8 as MLE-bench splits it.

train.csv, without the image ce27d36c9147cc19.jpg that appears twice, split 90/10 (random_state
0). Training images keep their chain folders; test images lose them.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    photos = recipes.read_csv(raw / "train.csv")
    photos = photos[photos["image"] != "ce27d36c9147cc19.jpg"]
    train, test = recipes.split(photos, 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    sample = test[["image"]].assign(hotel_id="36363 53586 18807 64314 60181")
    recipes.write_csv(sample, public / "sample_submission.csv")
    images = raw / "train_images"
    recipes.copy_renamed(
        (images / f"{c}/{i}", public / "train_images" / f"{c}/{i}")
        for c, i in zip(train["chain"], train["image"], strict=True)
    )
    recipes.copy_renamed(
        (images / f"{c}/{i}", public / "test_images" / i) for c, i in zip(test["chain"], test["image"], strict=True)
    )
