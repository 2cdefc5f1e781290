"""Prepare billion-word-imputation as MLE-bench splits it.

Each of the first 30,301,028 lines of train_v2.txt goes to test with probability 0.01 (numpy
RandomState 0) when it has more than two words; one inner word, drawn from the same generator,
is removed from the public copy. The sample submission is the test sentences as published;
MLE-bench keeps it in private/ only, podium writes it to public/sample_submission.csv.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from podium.runtime.data import recipes

TOTAL_LINES = 30_301_028


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train_v2.txt.zip", raw)
    rng = np.random.RandomState(0)
    test_count = 0
    with (
        (raw / "train_v2.txt").open(encoding="utf-8") as source,
        (public / "train_v2.txt").open("w", encoding="utf-8") as train,
        (public / "test_v2.txt").open("w", encoding="utf-8") as test,
        (private / "test.csv").open("w", encoding="utf-8") as answers,
    ):
        test.write('"id","sentence"\n')
        answers.write('"id","sentence"\n')
        for line_number, sentence in enumerate(source):
            if line_number >= TOTAL_LINES:
                break
            if rng.uniform() <= 0.01 and len(sentence.strip().split()) > 2:
                sentence = sentence.strip().replace('"', '""')
                words = sentence.split()
                gap = rng.randint(1, len(words) - 1)
                answers.write(f'{test_count},"{sentence}"\n')
                test.write(f'{test_count},"{" ".join(words[:gap] + words[gap + 1 :])}"\n')
                test_count += 1
            else:
                train.write(sentence)
    shutil.copyfile(public / "test_v2.txt", public / "sample_submission.csv")
    recipes.zip_file(public / "train_v2.txt", public / "train_v2.txt.zip")
    recipes.zip_file(public / "test_v2.txt", public / "test_v2.txt.zip")
