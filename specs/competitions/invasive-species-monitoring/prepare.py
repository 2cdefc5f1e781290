"""Prepare invasive-species-monitoring as MLE-bench splits it.

train_labels.csv split 80/20 (random_state 0); the labels are re-zipped as train_labels.csv.zip
and the images re-packed as train.7z and test.7z (folders train/ and test/), as Kaggle ships
them. Two deliberate differences from MLE-bench: its 7z archives hold only an empty folder entry
(openai/mle-bench#122), where podium's hold the images; and the sample submission stays a plain
public CSV, which podium's agents read, where MLE-bench zips it (its private copy is kept too).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.7z", raw)
    recipes.extract(raw / "train_labels.csv.zip", raw)
    labels = recipes.read_csv(raw / "train_labels.csv")
    train, answers = recipes.split(labels, 0.2, 0)
    sample = answers.assign(invasive=0.5)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(sample, private / "sample_submission.csv")
    recipes.write_csv(sample, public / "sample_submission.csv")
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.zip_file(public / "train_labels.csv", public / "train_labels.csv.zip")
    for folder, rows in (("train", train), ("test", answers)):
        recipes.copy_files([f"{name}.jpg" for name in rows["name"]], raw / "train", public / folder)
        recipes.seven_zip(public / folder, public / f"{folder}.7z")
