"""Prepare vesuvius-challenge-ink-detection as MLE-bench splits it.

Fragments 1 and 2 are published for training. Fragment 3 becomes the single test fragment 'a',
without its ink labels and infrared photo; the answers are its run-length encoded ink mask and
the photo's size, and private/gold_submission.csv is that mask as a submission (Id, Predicted).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

HIDDEN = {"inklabels.png", "inklabels_rle.csv", "ir.png"}


def prepare(raw: Path, public: Path, private: Path) -> None:
    fragment = raw / "train" / "3"
    recipes.require(fragment, "inklabels_rle.csv", "ir.png")
    recipes.copy_files(["1", "2"], raw / "train", public / "train")
    width, height = recipes.image_size(fragment / "ir.png")
    answers = recipes.read_csv(fragment / "inklabels_rle.csv").assign(width=width, height=height, Id="a")
    recipes.write_csv(answers, private / "inklabels_rle.csv")
    recipes.write_csv(answers.drop(columns=["width", "height"]), private / "gold_submission.csv")
    files = [p.relative_to(fragment).as_posix() for p in fragment.rglob("*") if p.is_file() and p.name not in HIDDEN]
    recipes.copy_files(files, fragment, public / "test" / "a")
    recipes.write_csv(answers[["Id"]].assign(Predicted="1 1 5 1"), public / "sample_submission.csv")
