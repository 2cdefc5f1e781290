"""Prepare text-normalization-challenge-russian-language as MLE-bench splits it.

The unique sentence ids of ru_train.csv split 90/10 (random_state 0) and renumbered from 0 on
each side; ids are <sentence>_<token>. The sample submission copies each token unchanged.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

LANG = "ru"


def prepare(raw: Path, public: Path, private: Path) -> None:
    for name in (f"{LANG}_train.csv", f"{LANG}_test_2.csv", f"{LANG}_sample_submission_2.csv"):
        recipes.extract(raw / f"{name}.zip", raw)
    tokens = recipes.read_csv(raw / f"{LANG}_train.csv")
    train, answers = recipes.split_by(tokens, "sentence_id", 0.1, 0)
    train, answers = renumbered(train), renumbered(answers)
    test = answers.drop(columns=["after", "class"])
    ids = answers["sentence_id"].astype(str) + "_" + answers["token_id"].astype(str)
    sample = pd.DataFrame({"id": ids, "after": test["before"]})
    recipes.write_csv(
        pd.DataFrame({"id": ids, "after": answers["after"]}), private / "answers.csv", quoting=csv.QUOTE_NONNUMERIC
    )
    recipes.write_csv(sample, public / "sample_submission.csv", quoting=csv.QUOTE_NONNUMERIC)
    for name, frame in (
        (f"{LANG}_train.csv", train),
        (f"{LANG}_test_2.csv", test),
        (f"{LANG}_sample_submission_2.csv", sample),
    ):
        recipes.write_csv(frame, public / name, quoting=csv.QUOTE_NONNUMERIC)
        recipes.zip_file(public / name, public / f"{name}.zip")


def renumbered(tokens: pd.DataFrame) -> pd.DataFrame:
    """Sentence ids from 0, in order of first appearance, so ids say nothing about the split."""
    order = {old: new for new, old in enumerate(tokens["sentence_id"].unique())}
    return tokens.assign(sentence_id=tokens["sentence_id"].map(order))
