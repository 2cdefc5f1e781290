"""Prepare herbarium-2022-fgvc9 as MLE-bench splits it.

Every category of train_metadata.json split 80/20 (random_state 0). Training images are renamed
<category>__<n> under <category // 100>/<category % 100>/; test images are shuffled (Random(0))
and renamed test-<index>.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train_metadata.json", "train_images")
    metadata = json.loads((raw / "train_metadata.json").read_text(encoding="utf-8"))
    kept, test = recipes.split_by_category(metadata, 0.2, small_rule=False)
    train: list[recipes.Item] = []
    copies = []
    numbers: Counter[int] = Counter()
    for annotation, image in kept:
        category = annotation["category_id"]
        numbers[category] += 1
        new_id = f"{category:05d}__{numbers[category]:03d}"
        name = f"{category // 100:03d}/{category % 100:02d}/{new_id}.jpg"
        copies.append((raw / "train_images" / image["file_name"], public / "train_images" / name))
        train.append(({**annotation, "image_id": new_id}, {**image, "image_id": new_id, "file_name": name}))
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
