"""Prepare tgs-salt-identification-challenge as MLE-bench splits it.

competition_data/train.csv split 75/25 (random_state 0), empty masks kept as empty strings;
masks are published for training images only, and depths.csv, as MLE-bench writes it, for
training ids only.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    data = recipes.extract(raw / "competition_data.zip", raw) / "competition_data"
    masks = recipes.read_csv(data / "train.csv").fillna("")
    train, test = (side.sort_values("id") for side in recipes.split(masks, 0.25, 0))
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.assign(rle_mask="1 1"), public / "sample_submission.csv")
    for folder in ("images", "masks"):
        recipes.copy_files([f"{i}.png" for i in train["id"]], data / "train" / folder, public / "train" / folder)
    recipes.copy_files([f"{i}.png" for i in test["id"]], data / "train" / "images", public / "test" / "images")
    depths = recipes.read_csv(raw / "depths.csv")
    recipes.write_csv(depths[depths["id"].isin(set(train["id"]))].sort_values("id"), public / "depths.csv")
