"""Prepare 3d-object-detection-for-autonomous-vehicles the way MLE-bench splits it.

Log tokens of train_data/log.json split 80/20 (random_state 0); samples, sample_data, ego
poses, calibrated sensors and scenes follow their log; answers get a 1.0 confidence per box.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data.recipes import not_yet_prepared


def prepare(raw: Path, public: Path, private: Path) -> None:
    not_yet_prepared(
        "3d-object-detection-for-autonomous-vehicles",
        "a split of the Lyft scene tables (logs, scenes, samples, poses, sensors) by log",
    )
