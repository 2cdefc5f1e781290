"""Prepare inaturalist-2019-fgvc6 as MLE-bench splits it.

Per category of train2019.json: one image stays in train, two to four give their last 12% (at
least one) to test, larger categories split 88/12 (random_state 0). Test images are shuffled
(Random(0)) and moved to test2019/; both image folders are packed as tar archives. MLE-bench
names its sample kaggle_sample_submission.csv and fills it with random classes; podium writes
the same ids to sample_submission.csv with class 0.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train2019.json", "val2019.json")
    recipes.extract(raw / "train_val2019.tar.gz", raw)
    metadata = json.loads((raw / "train2019.json").read_text(encoding="utf-8"))
    train, test = recipes.split_by_category(metadata, 0.12)
    train_meta = {**metadata, "annotations": [a for a, _ in train], "images": [i for _, i in train]}
    (public / "train2019.json").write_text(json.dumps(train_meta, indent=4, sort_keys=True))
    recipes.copy_files(["val2019.json"], raw, public)
    renamed = [{**image, "file_name": "test2019/" + image["file_name"].split("/")[-1]} for _, image in test]
    test_meta = {k: v for k, v in metadata.items() if k not in ("categories", "annotations")} | {"images": renamed}
    (public / "test2019.json").write_text(json.dumps(test_meta, indent=4, sort_keys=True))
    answers = pd.DataFrame({"id": [i["id"] for _, i in test], "predicted": [a["category_id"] for a, _ in test]})
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(predicted=0), public / "sample_submission.csv")
    recipes.copy_files([i["file_name"] for _, i in train], raw, public)
    recipes.copy_renamed(
        (raw / old["file_name"], public / new["file_name"]) for (_, old), new in zip(test, renamed, strict=True)
    )
    for folder in ("train_val2019", "test2019"):
        pack(public / folder, public / f"{folder}.tar.gz")


def pack(folder: Path, archive: Path) -> None:
    """An uncompressed tar of the folder's files, named relative to it, as MLE-bench packs them."""
    with tarfile.open(archive, "w") as tar:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            tar.add(path, arcname=path.relative_to(folder).as_posix())
    shutil.rmtree(folder)
