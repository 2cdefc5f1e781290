"""Prepare herbarium-2022-fgvc9 as MLE-bench splits it.

Every category of train_metadata.json split 80/20 (random_state 0). Training images are renamed
<category>__<n> under <category // 100>/<category % 100>/; test images are shuffled (Random(0))
and renamed test-<index>.
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
    recipes.require(raw, "train_metadata.json", "train_images")
    metadata = json.loads((raw / "train_metadata.json").read_text(encoding="utf-8"))
    by_category: dict[int, list[Item]] = {}
    for annotation, image in zip(metadata["annotations"], metadata["images"], strict=True):
        by_category.setdefault(annotation["category_id"], []).append((annotation, image))
    train: list[Item] = []
    test: list[Item] = []
    copies = []
    for category, items in by_category.items():
        kept, held = recipes.split(items, 0.2, 0)
        folder = f"{category // 100:03d}/{category % 100:02d}"
        for n, (annotation, image) in enumerate(kept, start=1):
            new_id = f"{category:05d}__{n:03d}"
            name = f"{folder}/{new_id}.jpg"
            copies.append((raw / "train_images" / image["file_name"], public / "train_images" / name))
            train.append(({**annotation, "image_id": new_id}, {**image, "image_id": new_id, "file_name": name}))
        test += held
    random.Random(0).shuffle(test)
    renamed = [
        {**image, "image_id": str(n), "file_name": f"{n // 1000:03d}/test-{n:06d}.jpg"}
        for n, (_, image) in enumerate(test)
    ]
    copies += [
        (raw / "train_images" / old["file_name"], public / "test_images" / new["file_name"])
        for (_, old), new in zip(test, renamed, strict=True)
    ]
    recipes.copy_renamed(copies)
    train_meta = {**metadata, "annotations": [a for a, _ in train], "images": [i for _, i in train]}
    (public / "train_metadata.json").write_text(json.dumps(train_meta, indent=4, sort_keys=True))
    (public / "test_metadata.json").write_text(json.dumps(renamed, indent=4, sort_keys=True))
    answers = pd.DataFrame({"Id": [i["image_id"] for i in renamed], "Predicted": [a["category_id"] for a, _ in test]})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(Predicted=42), public / "sample_submission.csv")
