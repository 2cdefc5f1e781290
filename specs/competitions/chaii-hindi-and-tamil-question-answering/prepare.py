"""Prepare chaii-hindi-and-tamil-question-answering as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the answers keep the id and the answer text, renamed
PredictionString as submissions name it.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    questions = recipes.read_csv(raw / "train.csv")
    train, test = recipes.split(questions, 0.1, 0)
    answers = test[["id", "answer_text"]].rename(columns={"answer_text": "PredictionString"})
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["answer_start", "answer_text"]), public / "test.csv")
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(PredictionString="dummy text"), public / "sample_submission.csv")
