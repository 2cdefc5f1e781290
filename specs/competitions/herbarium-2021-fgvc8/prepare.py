"""Prepare herbarium-2021-fgvc8 as MLE-bench splits it.

As herbarium-2020-fgvc7, from train/metadata.json: per category one image stays in train, two
to four give their last fifth (at least one) to test, larger categories split 80/20
(random_state 0); test images are shuffled (Random(0)) and renamed by index.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pandas as pd

from podium.runtime.data import recipes

Item = tuple[dict[str, Any], dict[str, Any]]


def prepare(raw: Path, public: Path, private: Path) -> None:
    root = raw / "train"
    recipes.require(root, "metadata.json")
    metadata = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    train, test = split_by_category(metadata, 0.2, small_rule=True)
    write_split(metadata, train, test, root, public, private, drop=("categories", "institutions"))


def write_split(metadata: dict[str, Any], train: list[Item], test: list[Item], root: Path, out: Path,
                private: Path, drop: tuple[str, ...]) -> None:  # fmt: skip
    train_meta = {**metadata, "annotations": [a for a, _ in train], "images": [i for _, i in train]}
    (out / "train").mkdir(parents=True, exist_ok=True)
    (out / "train" / "metadata.json").write_text(json.dumps(train_meta, indent=4, sort_keys=True))
    recipes.copy_files([i["file_name"] for _, i in train], root, out / "train")
    renamed = [
        {**image, "id": str(n), "file_name": f"images/{n // 1000:03d}/{n}.jpg"} for n, (_, image) in enumerate(test)
    ]
    recipes.copy_renamed(
        (root / old["file_name"], out / "test" / new["file_name"]) for (_, old), new in zip(test, renamed, strict=True)
    )
    test_meta = {k: v for k, v in metadata.items() if k not in (*drop, "annotations")} | {"images": renamed}
    (out / "test" / "metadata.json").write_text(json.dumps(test_meta, indent=4, sort_keys=True))
    answers = pd.DataFrame({"Id": [i["id"] for i in renamed], "Predicted": [a["category_id"] for a, _ in test]})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(Predicted=0), out / "sample_submission.csv")


def split_by_category(metadata: dict[str, Any], test_share: float, small_rule: bool) -> tuple[list[Item], list[Item]]:
    """Per category: with `small_rule`, one image stays in train and two to four give their last
    share (at least one) to test; otherwise train_test_split(test_share, random_state 0)."""
    by_category: dict[Any, list[Item]] = {}
    for annotation, image in zip(metadata["annotations"], metadata["images"], strict=True):
        by_category.setdefault(annotation["category_id"], []).append((annotation, image))
    train: list[Item] = []
    test: list[Item] = []
    for items in by_category.values():
        if small_rule and len(items) == 1:
            train += items
        elif small_rule and len(items) < 5:
            count = max(1, int(len(items) * test_share))
            train += items[:-count]
            test += items[-count:]
        else:
            kept, held = recipes.split(items, test_share, 0)
            train += kept
            test += held
    random.Random(0).shuffle(test)  # so that test images of one category are not in a row
    return train, test
