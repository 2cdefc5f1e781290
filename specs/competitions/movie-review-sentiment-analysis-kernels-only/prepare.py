"""Prepare movie-review-sentiment-analysis-kernels-only as MLE-bench splits it.

train.tsv (inside train.tsv.zip) split 70/30 (random_state 0), by phrase. MLE-bench names the
sample submission sampleSubmission.csv; podium writes it as sample_submission.csv, as agents expect.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.tsv.zip", raw)
    phrases = recipes.read_csv(raw / "train.tsv", sep="\t")
    train, answers = recipes.split(phrases, 0.3, 0)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers[["PhraseId"]].assign(Sentiment=2), public / "sample_submission.csv")
    for name, frame in (("train.tsv", train), ("test.tsv", answers.drop(columns=["Sentiment"]))):
        recipes.write_csv(frame, public / name, sep="\t")
        recipes.zip_file(public / name, public / f"{name}.zip")
