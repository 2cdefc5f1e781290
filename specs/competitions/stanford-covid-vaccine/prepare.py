"""Prepare stanford-covid-vaccine as MLE-bench splits it.

A tenth of train.json's sequences, drawn among those with SN_filter > 0 (pandas sample,
random_state 0), is the test set. The answers have one row per position: the first seq_scored
positions with their values and keep = True, the rest zeros and keep = False.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from podium.runtime.data import recipes

TARGETS = ["reactivity", "deg_Mg_pH10", "deg_pH10", "deg_Mg_50C", "deg_50C"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.json", "test.json")
    sequences = pd.read_json(raw / "train.json", lines=True)
    kaggle_test = pd.read_json(raw / "test.json", lines=True)
    chosen = sequences[sequences["SN_filter"] > 0].sample(n=int(len(sequences) * 0.1), random_state=0).index
    in_test = sequences.index.isin(chosen)
    train, test = sequences[~in_test].copy(), sequences[in_test].copy()
    answers = pd.DataFrame([row for _, sequence in test.iterrows() for row in positions(sequence)])
    recipes.write_csv(answers, private / "test.csv", float_format="%.10f")
    recipes.write_csv(
        answers[["id_seqpos", *TARGETS]].assign(**dict.fromkeys(TARGETS, 0.0)),
        public / "sample_submission.csv",
        float_format="%.10f",
    )
    train.assign(index=range(len(train))).to_json(public / "train.json", orient="records", lines=True)
    test[kaggle_test.columns].assign(index=range(len(test))).to_json(public / "test.json", orient="records", lines=True)


def positions(sequence: pd.Series) -> list[dict[str, Any]]:
    scored = int(sequence["seq_scored"])
    rows = [
        {"id_seqpos": f"{sequence['id']}_{j}", **{t: sequence[t][j] for t in TARGETS}, "keep": True}
        for j in range(scored)
    ]
    rows += [{"id_seqpos": f"{sequence['id']}_{j}", **dict.fromkeys(TARGETS, 0.0), "keep": False}
             for j in range(scored, int(sequence["seq_length"]))]  # fmt: skip
    return rows
