"""Prepare kuzushiji-recognition as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the page images are re-zipped as train_images.zip and
test_images.zip, with the images at the archive's root as in Kaggle's train_images.zip.
MLE-bench also writes a private gold_submission.csv for its own tests; podium does not need it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    pages = recipes.extract(raw / "train_images.zip", raw / "train")
    labels = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(labels, 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(labels="U+003F 1 1 U+FF2F 2 2"), public / "sample_submission.csv")
    recipes.copy_files(["unicode_translation.csv"], raw, public)
    for side, rows in (("train", train), ("test", test)):
        zip_images([f"{i}.jpg" for i in rows["image_id"]], pages, public / f"{side}_images.zip")


def zip_images(names: list[str], folder: Path, archive: Path) -> None:
    """The named images of `folder`, each at the archive's root."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as packed:
        for name in names:
            recipes.require(folder, name)
            packed.write(folder / name, arcname=name)
