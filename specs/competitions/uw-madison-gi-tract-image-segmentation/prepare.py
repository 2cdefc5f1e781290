"""Prepare uw-madison-gi-tract-image-segmentation as MLE-bench splits it.

Cases split 90/10 (random_state 42); the days after a training case's fourth (by day number)
also go to test. The answers add each slice's width and height, read from its scan file name,
and name the mask column predicted. The sizes are written as integers where MLE-bench writes
floats (266.0); the metric reads the same numbers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    masks = recipes.read_csv(raw / "train.csv")
    parts = masks["id"].str.split("_")
    masks = masks.assign(case=parts.str[0], day=parts.str[1], slice=parts.str[-1])
    train_cases, _ = recipes.split(masks["case"].unique(), 0.1, 42)
    in_test = ~masks["case"].isin(set(train_cases)) | late_days(masks[masks["case"].isin(set(train_cases))], masks)
    train, test = masks[~in_test], masks[in_test].copy()
    for side, rows in (("train", train), ("test", test)):
        days = sorted({f"{c}/{c}_{d}" for c, d in zip(rows["case"], rows["day"], strict=True)})
        recipes.copy_files(days, raw / "train", public / side)
    sizes = [scan_size(raw / "train", row) for row in test.itertuples()]
    test["image_width"], test["image_height"] = zip(*sizes, strict=True)
    test = test.drop(columns=["case", "day", "slice"]).rename(columns={"segmentation": "predicted"})
    recipes.write_csv(test, private / "test.csv", na_rep="")
    recipes.write_csv(train.drop(columns=["case", "day", "slice"]), public / "train.csv", na_rep="")
    recipes.write_csv(test[["id", "class"]], public / "test.csv", na_rep="")
    recipes.write_csv(test[["id", "class"]].assign(predicted="1 1 5 2"), public / "sample_submission.csv")


def late_days(train: pd.DataFrame, masks: pd.DataFrame) -> pd.Series:
    """Rows of a training case's fifth and later days (days ordered by their number)."""
    late = pd.Series(False, index=masks.index)
    for case, days in train.groupby("case")["day"].agg(set).items():
        ordered = sorted(days, key=lambda day: int(day.removeprefix("day")))
        late |= masks["case"].eq(case) & masks["day"].isin(ordered[4:])
    return late


def scan_size(root: Path, row: Any) -> tuple[int, int]:
    folder = root / row.case / f"{row.case}_{row.day}" / "scans"
    scans = list(folder.glob(f"slice_{row.slice}_*.png"))
    if len(scans) != 1:
        raise recipes.DataError(
            f"{folder} holds {len(scans)} scans named slice_{row.slice}_*.png, not one; "
            "download the competition's full data again"
        )
    width, height = scans[0].stem.split("_")[2:4]
    return int(width), int(height)
