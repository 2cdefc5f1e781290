"""Prepare cassava-leaf-disease-classification the way MLE-bench splits it.

train.csv names no record file, so the split is of the sorted TFRecord files: 90/10 with
random_state 0; the images inside the test records form the test set. Records are renamed
ld_trainNN-… and ld_testNN-… (in split order, record count kept) and images go to
train_images/ and test_images/.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes
from podium.runtime.data.tfrecords import ids_in_records


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.csv", "train_tfrecords", "train_images", "label_num_to_disease_map.json")
    records = sorted(path for path in (raw / "train_tfrecords").iterdir() if path.is_file() and path.suffix == ".tfrec")
    if len(records) < 2:
        raise recipes.DataError(f"{raw / 'train_tfrecords'} holds {len(records)} .tfrec files; the split needs two")
    train_records, test_records = recipes.split(records, 0.1, 0)
    test_ids = {name for path in test_records for name in ids_in_records(path)}
    labels = recipes.read_csv(raw / "train.csv")
    in_test = labels["image_id"].isin(test_ids)
    train, test = labels[~in_test], labels[in_test]
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(label=4), public / "sample_submission.csv")
    for side, paths in (("train", train_records), ("test", test_records)):
        recipes.copy_renamed(
            (path, public / f"{side}_tfrecords" / f"ld_{side}{index:02d}-{path.stem.split('-')[1]}.tfrec")
            for index, path in enumerate(paths)
        )
    recipes.copy_files(train["image_id"], raw / "train_images", public / "train_images")
    recipes.copy_files(test["image_id"], raw / "train_images", public / "test_images")
    recipes.copy_files(["label_num_to_disease_map.json"], raw, public)
