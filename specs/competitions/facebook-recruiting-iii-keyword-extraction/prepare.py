"""Prepare facebook-recruiting-iii-keyword-extraction as MLE-bench splits it.

Train.csv, inside Train.zip, split 90/10 (random_state 0). The sample submission is the public
test (Id, Title, Body) with the same five tags on every question, as MLE-bench writes it.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "Train.zip", raw)
    questions = recipes.read_csv(raw / "Train.csv", dtype={"Id": str, "Tags": str})
    train, test = recipes.split(questions, 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    questions_only = test.drop(columns=["Tags"])
    recipes.write_csv(questions_only, public / "test.csv")
    recipes.write_csv(test, private / "test.csv")
    sample = questions_only.assign(Tags="javascript c# python php java")
    recipes.write_csv(sample, public / "sample_submission.csv")
