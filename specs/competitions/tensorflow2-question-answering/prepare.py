"""Prepare tensorflow2-question-answering as MLE-bench splits it.

simplified-nq-train.jsonl is read in chunks of 1,000 lines, each split 90/10 (random_state 0).
gold_submission.csv lists, for every test example's _short and _long rows (MLE-bench's order),
every acceptable answer: the short spans plus YES/NO, and the long answer span. MLE-bench's gold
file holds one of them (it grades from test.jsonl); podium grades from this file.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

KEPT = ["example_id", "question_text", "document_text", "long_answer_candidates"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "simplified-nq-train.jsonl")
    rows = []
    for chunk in pd.read_json(raw / "simplified-nq-train.jsonl", orient="records", lines=True, chunksize=1_000):
        chunk["example_id"] = chunk["example_id"].astype(str)
        train, test = recipes.split(chunk, 0.1, 0)
        append(public / "simplified-nq-train.jsonl", train)
        append(private / "test.jsonl", test)
        append(public / "simplified-nq-test.jsonl", test[KEPT])
        rows += [row for _, example in test.iterrows() for row in acceptable(example)]
    answers = pd.DataFrame(rows, columns=["example_id", "PredictionString"])
    recipes.write_csv(answers, private / "gold_submission.csv")
    recipes.write_csv(answers.assign(PredictionString=""), public / "sample_submission.csv")


def append(path: Path, frame: pd.DataFrame) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(frame.to_json(orient="records", lines=True))


def acceptable(example: pd.Series) -> list[tuple[str, str]]:
    annotation = example["annotations"][0]
    short = [f"{s['start_token']}:{s['end_token']}" for s in annotation["short_answers"]]
    if annotation["yes_no_answer"] != "NONE":
        short.append(annotation["yes_no_answer"])
    long = annotation["long_answer"]
    long_answer = f"{long['start_token']}:{long['end_token']}" if long["start_token"] != -1 else ""
    return [(f"{example['example_id']}_short", " ".join(short)), (f"{example['example_id']}_long", long_answer)]
