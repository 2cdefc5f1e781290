"""Prepare random-acts-of-pizza as MLE-bench splits it.

train.json split with Kaggle's test share, len(test.json) / (len(train.json) + len(test.json))
(random_state 0); the public test keeps only the fields of Kaggle's test.json. MLE-bench names the
sample submission sampleSubmission.csv; podium writes it as sample_submission.csv, as agents expect.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.json", "test.json")
    requests = json.loads((raw / "train.json").read_text())
    kaggle_test = json.loads((raw / "test.json").read_text())
    train, test = recipes.split(requests, len(kaggle_test) / (len(requests) + len(kaggle_test)), 0)
    fields = list(kaggle_test[0])
    (public / "train.json").write_text(json.dumps(train, indent=4))
    (public / "test.json").write_text(json.dumps([{k: r[k] for k in fields} for r in test], indent=4))
    for name in ("train.json", "test.json"):
        shutil.make_archive(str(public / name.removesuffix(".json")), "zip", public, name)
    outcomes = [int(r["requester_received_pizza"]) for r in test]
    answers = pd.DataFrame({"request_id": [r["request_id"] for r in test], "requester_received_pizza": outcomes})
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(requester_received_pizza=0), public / "sample_submission.csv")
