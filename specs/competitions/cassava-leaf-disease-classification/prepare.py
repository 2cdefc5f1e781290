"""Prepare cassava-leaf-disease-classification the way MLE-bench splits it.

The sorted TFRecord files split 90/10 (random_state 0); the image ids inside the test records
form the test set; records renamed ld_train00-… and ld_test00-….
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data.recipes import not_yet_prepared


def prepare(raw: Path, public: Path, private: Path) -> None:
    not_yet_prepared(
        "cassava-leaf-disease-classification",
        "a reader of the image names stored in the TFRecord files, which decide the split",
    )
