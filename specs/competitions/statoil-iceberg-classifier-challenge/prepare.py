"""Prepare statoil-iceberg-classifier-challenge as MLE-bench splits it.

train.json (inside train.json.7z) split 80/20 (random_state 0); the public test keeps only the
fields of Kaggle's test.json. Like MLE-bench, podium publishes train.json.7z, test.json.7z and
sample_submission.csv.7z, each holding its file at the archive's root; it also publishes the
sample unpacked, where MLE-bench leaves that copy in private/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    unpacked = recipes.extract(raw / "train.json.7z", raw) / "data" / "processed"
    recipes.extract(raw / "test.json.7z", raw)
    recipes.require(unpacked, "train.json", "test.json")
    objects = json.loads((unpacked / "train.json").read_text())
    fields = list(json.loads((unpacked / "test.json").read_text())[0])
    train, test = recipes.split(objects, 0.2, 0)
    answers = pd.DataFrame({"id": [o["id"] for o in test], "is_iceberg": [int(o["is_iceberg"]) for o in test]})
    recipes.write_csv(answers, private / "test.csv")
    sample = public / "sample_submission.csv"
    recipes.write_csv(answers.assign(is_iceberg=0.5), sample)
    (public / "train.json").write_text(json.dumps(train))
    (public / "test.json").write_text(json.dumps([{k: o[k] for k in fields} for o in test]))
    recipes.seven_zip(public / "train.json", public / "train.json.7z")
    recipes.seven_zip(public / "test.json", public / "test.json.7z")
    recipes.seven_zip(sample, public / "sample_submission.csv.7z", keep=True)
