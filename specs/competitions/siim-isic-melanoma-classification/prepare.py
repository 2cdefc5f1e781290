"""Prepare siim-isic-melanoma-classification the way MLE-bench splits it.

The images of TFRecords train00-2071 and train06-2071 form the test set.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data.recipes import not_yet_prepared


def prepare(raw: Path, public: Path, private: Path) -> None:
    not_yet_prepared(
        "siim-isic-melanoma-classification",
        "a reader of the image names in TFRecords train00-2071 and train06-2071, the test set",
    )
