"""Prepare siim-covid19-detection as MLE-bench splits it.

The study-level rows split 90/10 (random_state 0); images follow their study. The answers hold
one row per study ('<class> 1 0 0 1 1') and per image (its opacity boxes, or 'none 1 0 0 1 1').
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from podium.runtime.data import recipes

STUDY_CLASSES = ["negative", "typical", "indeterminate", "atypical"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    studies = recipes.read_csv(raw / "train_study_level.csv")
    train, test = (side.sort_values("id") for side in recipes.split(studies, 0.1, 0))
    images = recipes.read_csv(raw / "train_image_level.csv")
    in_test = (images["StudyInstanceUID"] + "_study").isin(set(test["id"]))
    recipes.write_csv(train, public / "train_study_level.csv")
    recipes.write_csv(images[~in_test].sort_values("id"), public / "train_image_level.csv")
    test_images = images[in_test].sort_values("id")
    study_answers = [f"{STUDY_CLASSES[int(np.argmax(row))]} 1 0 0 1 1" for row in test.iloc[:, 1:].to_numpy()]
    answers = pd.DataFrame(
        {"id": [*test["id"], *test_images["id"]], "PredictionString": [*study_answers, *test_images["label"]]}
    )
    recipes.write_csv(answers, private / "test.csv")
    guesses = ["negative 1 0 0 1 1"] * len(test) + ["none 1 0 0 1 1"] * len(test_images)
    recipes.write_csv(answers.assign(PredictionString=guesses), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([i.removesuffix("_study") for i in rows["id"]], raw / "train", public / folder)
