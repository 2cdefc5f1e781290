"""Prepare mlsp-2013-birds the way MLE-bench splits it.

A fifth of the fold-0 recordings (pandas sample, random_state 0) become the 64 test recordings;
recordings renumbered; answers have one row per recording and species, id rec_id * 100 +
species.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data.recipes import not_yet_prepared


def prepare(raw: Path, public: Path, private: Path) -> None:
    not_yet_prepared(
        "mlsp-2013-birds",
        "the renumbering of recordings across the essential and supplemental data files",
    )
