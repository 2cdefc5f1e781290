"""Prepare leaf-classification as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the answers are one-hot over the 99 species in name
order; every leaf image stays in images/.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.csv.zip", raw)
    pictures = recipes.extract(raw / "images.zip", raw) / "images"
    leaves = recipes.read_csv(raw / "train.csv")
    species = sorted(leaves["species"].unique())
    train, test = recipes.split(leaves, 0.1, 0)
    answers = recipes.one_hot(test, "id", "species", species)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["species"]), public / "test.csv")
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(**dict.fromkeys(species, 1 / len(species))), public / "sample_submission.csv")
    recipes.copy_files([f"{i}.jpg" for i in leaves["id"]], pictures, public / "images")
