"""Prepare herbarium-2021-fgvc8 as MLE-bench splits it.

As herbarium-2020-fgvc7, from train/metadata.json (UTF-8): per category one image stays in train,
two to four give their last fifth (at least one) to test, larger categories split 80/20
(random_state 0); test images are shuffled (Random(0)) and renamed by index, and the test metadata
drops categories and institutions.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    drop = ("categories", "institutions")
    recipes.split_herbarium(raw / "train", public, public, private, encoding="utf-8", drop=drop)
