"""Prepare dog-breed-identification as MLE-bench splits it.

labels.csv split 90/10 (random_state 0); the answers are one-hot over all 120 breeds (the
spec's targets, in name order), whether or not a breed falls in the test split.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "labels.csv")
    breeds = spec_targets()
    unknown = sorted(set(labels["breed"]) - set(breeds))
    if unknown:
        raise recipes.DataError(f"labels.csv names breeds outside the competition's 120: {', '.join(unknown[:5])}")
    train, test = recipes.split(labels, 0.1, 0)
    answers = recipes.one_hot(test, "id", "breed", breeds)
    recipes.write_csv(train, public / "labels.csv")
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(**dict.fromkeys(breeds, 1 / len(breeds))), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i}.jpg" for i in rows["id"]], raw / "train", public / folder)


def spec_targets() -> list[str]:
    """The answer columns, read from the spec beside this file so the list lives in one place."""
    spec = YAML(typ="safe").load(Path(__file__).with_name("spec.yaml").read_text(encoding="utf-8"))
    return list(spec["prepare"]["targets"])
