"""Prepare bms-molecular-translation as MLE-bench splits it.

train_labels.csv split 80/20 (random_state 0); images keep their <a>/<b>/<c>/ folders, named by
the id's first three characters.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train_labels.csv")
    train, test = recipes.split(labels, 0.2, 0)
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(InChI="InChI=1S/H2O/h1H2"), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([image_path(i) for i in rows["image_id"]], raw / "train", public / folder)
    recipes.copy_files(["extra_approved_InChIs.csv"], raw, public)


def image_path(image_id: str) -> str:
    return f"{image_id[0]}/{image_id[1]}/{image_id[2]}/{image_id}.png"
