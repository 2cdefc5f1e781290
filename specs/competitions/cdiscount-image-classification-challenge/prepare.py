"""Prepare cdiscount-image-classification-challenge the way MLE-bench splits it.

Product ids of train.bson split 90/10 (random_state 0); train.bson, test.bson (without
category) and a 100-product train_example.bson rewritten.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data.recipes import not_yet_prepared


def prepare(raw: Path, public: Path, private: Path) -> None:
    not_yet_prepared(
        "cdiscount-image-classification-challenge",
        "a BSON reader and writer for the 7 million product records",
    )
