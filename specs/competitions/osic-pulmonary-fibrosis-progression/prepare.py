"""Prepare osic-pulmonary-fibrosis-progression as MLE-bench splits it.

Patients (the groups of train.csv by Patient) split 90/10 (random_state 0). The public test
keeps each test patient's first visit; the answers hold every patient-week of the test range
(NaN where unmeasured), as MLE-bench's do, plus a `scored` flag on each patient's last three
measured weeks. The metric finds those rows itself (`last_measured: 3`), so the flag is a record
for readers and answers prepared by MLE-bench, without it, grade the same.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    visits = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split_groups(visits, "Patient", 0.1, 0)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.sort_values("Weeks").groupby("Patient").first().reset_index(), public / "test.csv")
    weeks = range(test["Weeks"].min(), test["Weeks"].max() + 1)
    grid = pd.DataFrame([(p, w) for p in test["Patient"].unique() for w in weeks], columns=["Patient", "Weeks"])
    answers = grid.merge(test, on=["Patient", "Weeks"], how="left")
    answers["Patient_Week"] = answers["Patient"] + "_" + answers["Weeks"].astype(str)
    answers["Confidence"] = 100
    measured = answers.dropna(subset=["FVC"]).sort_values("Weeks").groupby("Patient").tail(3)
    answers["scored"] = answers.index.isin(measured.index)
    recipes.write_csv(answers, private / "test.csv")
    sample = answers[["Patient_Week"]].assign(FVC=2000, Confidence=100)
    recipes.write_csv(sample, public / "sample_submission.csv")
    for side, rows in (("train", train), ("test", test)):
        recipes.copy_files(list(rows["Patient"].unique()), raw / "train", public / side)
