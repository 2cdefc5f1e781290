"""Prepare siim-isic-melanoma-classification the way MLE-bench splits it.

The images named in TFRecords train00-2071 and train06-2071 (about a tenth of train.csv) form
the test set; their DICOMs and JPEGs go to test/ and jpeg/test/, the rest to train/ and
jpeg/train/, and the train TFRecords are renamed testNN-… and trainNN-… in sorted order.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes
from podium.runtime.data.tfrecords import ids_in_records

TEST_RECORDS = ("train00-2071.tfrec", "train06-2071.tfrec")
PUBLIC_TEST_COLUMNS = ["image_name", "patient_id", "sex", "age_approx", "anatom_site_general_challenge"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.csv", "train", "jpeg/train", "tfrecords")
    labels = recipes.read_csv(raw / "train.csv")
    test_ids = {name for record in TEST_RECORDS for name in ids_in_records(raw / "tfrecords" / record)}
    in_test = labels["image_name"].isin(test_ids)
    train, test = labels[~in_test], labels[in_test]
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test[PUBLIC_TEST_COLUMNS], public / "test.csv")
    recipes.write_csv(test[["image_name", "target"]], private / "test.csv")
    recipes.write_csv(test[["image_name"]].assign(target=0), public / "sample_submission.csv")
    for side, rows in (("train", train), ("test", test)):
        copy_images(rows, raw, public, side)
    copy_records(raw / "tfrecords", public / "tfrecords")


def copy_images(rows: pd.DataFrame, raw: Path, public: Path, side: str) -> None:
    """Every image of the split is a train image in the raw data, as DICOM and as JPEG."""
    names = rows["image_name"]
    recipes.copy_renamed((raw / "train" / f"{name}.dcm", public / side / f"{name}.dcm") for name in names)
    recipes.copy_renamed(
        (raw / "jpeg" / "train" / f"{name}.jpg", public / "jpeg" / side / f"{name}.jpg") for name in names
    )


def copy_records(source: Path, target: Path) -> None:
    """Number the test and the train records apart, keeping each file's record count in its name."""
    counts = {"test": 0, "train": 0}
    for path in sorted(source.glob("train*.tfrec")):
        side = "test" if path.name in TEST_RECORDS else "train"
        records = path.stem.split("-")[1]
        recipes.copy_renamed([(path, target / f"{side}{counts[side]:02d}-{records}.tfrec")])
        counts[side] += 1
