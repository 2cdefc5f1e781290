"""Prepare leaf-classification as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the answers are one-hot over all 99 species (the spec's
targets, in name order), whether or not a species falls in the test split. The images of the
labelled leaves, train and test, go to images/.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.csv.zip", raw)
    pictures = recipes.extract(raw / "images.zip", raw) / "images"
    leaves = recipes.read_csv(raw / "train.csv")
    species = spec_targets()
    unknown = sorted(set(leaves["species"]) - set(species))
    if unknown:
        raise recipes.DataError(f"train.csv names species outside the competition's 99: {', '.join(unknown[:5])}")
    train, test = recipes.split(leaves, 0.1, 0)
    answers = recipes.one_hot(test, "id", "species", species)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test.drop(columns=["species"]), public / "test.csv")
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(**dict.fromkeys(species, 1 / len(species))), public / "sample_submission.csv")
    recipes.copy_files([f"{i}.jpg" for i in leaves["id"]], pictures, public / "images")


def spec_targets() -> list[str]:
    """The answer columns, read from the spec beside this file so the list lives in one place."""
    spec = YAML(typ="safe").load(Path(__file__).with_name("spec.yaml").read_text(encoding="utf-8"))
    return list(spec["prepare"]["targets"])
