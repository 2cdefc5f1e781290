"""Prepare dogs-vs-cats-redux-kernels-edition as MLE-bench splits it.

The sorted training images split 90/10 (random_state 0). Training images are renamed
cat.<n>.jpg and dog.<n>.jpg in split order, test images 1.jpg onwards. As in MLE-bench, the
folders train/ and test/ stay and are also zipped, with the images at the archive's root
(Kaggle's archives have the folder).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    images = sorted((recipes.extract(raw / "train.zip", raw) / "train").glob("*.jpg"))
    if not images:
        raise recipes.DataError(f"train.zip in {raw} holds no train/*.jpg images; download the competition again")
    train, test = recipes.split(images, 0.1, 0)
    counters = {"cat": 0, "dog": 0}
    renamed = []
    for image in train:
        kind = "cat" if "cat" in image.name else "dog"
        renamed.append((image, public / "train" / f"{kind}.{counters[kind]}.jpg"))
        counters[kind] += 1
    renamed += [(image, public / "test" / f"{n}.jpg") for n, image in enumerate(test, start=1)]
    recipes.copy_renamed(renamed)
    recipes.zip_folder(public / "train", public / "train.zip", at_root=True, keep=True)
    recipes.zip_folder(public / "test", public / "test.zip", at_root=True, keep=True)
    ids = list(range(1, len(test) + 1))
    recipes.write_csv(pd.DataFrame({"id": ids, "label": [int("dog" in i.name) for i in test]}), private / "answers.csv")
    recipes.write_csv(pd.DataFrame({"id": ids, "label": 0.5}), public / "sample_submission.csv")
