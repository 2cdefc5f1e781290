"""Prepare ranzcr-clip-catheter-line-classification as MLE-bench splits it.

train.csv split 90/10 (random_state 0); the line annotations keep training studies only. The
sample submission lists all eleven classes: older MLE-bench copies (as vendored by dslighting)
left out "CVC - Normal" and "Swan Ganz Catheter Present", since fixed upstream.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    studies = recipes.read_csv(raw / "train.csv")
    classes = [c for c in studies.columns if c not in ("StudyInstanceUID", "PatientID")]
    train, test = recipes.split(studies, 0.1, 0)
    annotations = recipes.read_csv(raw / "train_annotations.csv")
    recipes.write_csv(
        annotations[annotations["StudyInstanceUID"].isin(set(train["StudyInstanceUID"]))],
        public / "train_annotations.csv",
    )
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test[["StudyInstanceUID"]].assign(**dict.fromkeys(classes, 0)), public / "sample_submission.csv")
    for folder, rows in (("train", train), ("test", test)):
        recipes.copy_files([f"{i}.jpg" for i in rows["StudyInstanceUID"]], raw / "train", public / folder)
