"""Prepare herbarium-2020-fgvc7 as MLE-bench splits it.

Per category of nybg2020/train/metadata.json (latin-1): one image stays in train, two to four
images give their last fifth (at least one) to test, larger categories split 80/20 (random_state
0). Test images are shuffled (Random(0)) and renamed by their index so that neither name nor order
gives the category away; the test metadata drops categories and regions.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    images = raw / "nybg2020" / "train"
    recipes.split_herbarium(
        images, public / "nybg2020", public, private, encoding="latin-1", drop=("categories", "regions")
    )
