"""Prepare plant-seedlings-classification as MLE-bench splits it.

The images of train/<species>/, listed by species then name, split 86/14 (random_state 0); test
images leave their species folders.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train")
    rows = [(image.name, folder.name) for folder in sorted((raw / "train").iterdir()) if folder.is_dir()
            for image in sorted(folder.glob("*.png"))]  # fmt: skip
    plants = pd.DataFrame(rows, columns=["file", "species"])
    train, answers = recipes.split(plants, 0.14, 0)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers.assign(species="Sugar beet"), public / "sample_submission.csv")
    recipes.copy_files(
        [f"{s}/{f}" for f, s in zip(train["file"], train["species"], strict=True)], raw / "train", public / "train"
    )
    recipes.copy_renamed(
        (raw / "train" / s / f, public / "test" / f) for f, s in zip(answers["file"], answers["species"], strict=True)
    )
