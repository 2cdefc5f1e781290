"""Prepare whale-categorization-playground as MLE-bench splits it.

Every whale with two or more images puts one in train and one in test (pandas sample of two,
random_state 0); a whale's single image goes to test with probability 0.1 (numpy default_rng
0); the remaining images split 90/10 (random_state 0). Whales seen only in test become
new_whale.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    images = recipes.read_csv(raw / "train.csv")
    side = pd.Series("undecided", index=images.index)
    rng = np.random.default_rng(0)
    for whale in images["Id"].unique():
        rows = images[images["Id"] == whale]
        if len(rows) >= 2:
            picked = rows.sample(2, random_state=0)
            side[picked.index[0]], side[picked.index[1]] = "train", "test"
        else:
            side[rows.index[0]] = rng.choice(["train", "test"], replace=False, p=[0.9, 0.1])
    rest_train, rest_test = recipes.split(images[side == "undecided"], 0.1, 0)
    side[rest_train.index], side[rest_test.index] = "train", "test"
    train, answers = images[side == "train"], images[side == "test"].copy()
    answers.loc[~answers["Id"].isin(set(train["Id"])), "Id"] = "new_whale"
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(
        answers.assign(Id="new_whale w_1287fbc w_98baff9 w_7554f44 w_1eafe46"), public / "sample_submission.csv"
    )
    for folder, rows in (("train", train), ("test", answers)):
        recipes.copy_files(rows["Image"], raw / "train", public / folder)
