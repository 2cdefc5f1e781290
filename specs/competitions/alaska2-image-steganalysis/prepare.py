"""Prepare alaska2-image-steganalysis as MLE-bench splits it.

5,000 of the sorted cover images are held out (random_state 42); training covers and their
three stego versions are renamed 00001.jpg onwards. Each test image is, by a coin flip from
Random(0) after shuffling, the cover (label 0) or one stego version (label 1), renamed 0001.jpg
onwards.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

ALGORITHMS = ["JMiPOD", "JUNIWARD", "UERD"]
TEST_IMAGES = 5000  # held-out covers: a fixed count, not a fraction, as in MLE-bench


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "Cover", *ALGORITHMS)
    covers = sorted((raw / "Cover").glob("*.jpg"))
    train, test = recipes.split(covers, TEST_IMAGES, 42)
    copies = []
    for n, cover in enumerate(train, start=1):
        copies += [(raw / folder / cover.name, public / folder / f"{n:05d}.jpg") for folder in ["Cover", *ALGORITHMS]]
    rng = random.Random(0)
    rng.shuffle(test)
    rows = []
    for n, cover in enumerate(test, start=1):
        name = f"{n:04d}.jpg"
        hidden = not rng.choice([True, False])
        copies.append((raw / rng.choice(ALGORITHMS) / cover.name if hidden else cover, public / "Test" / name))
        rows.append({"Id": name, "Label": int(hidden)})
    recipes.copy_renamed(copies)
    answers = pd.DataFrame(rows)
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(Label=0), public / "sample_submission.csv")
