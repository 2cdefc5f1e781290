"""Prepare text-normalization-challenge-english-language as MLE-bench splits it.

The unique sentence ids of en_train.csv split 90/10 (random_state 0) and renumbered from 0 on
each side; the English and Russian challenges share one recipe in podium.runtime.data.recipes.
The sample submission is public/sample_submission.csv, where agents look for it; MLE-bench keeps
the same file in private/ (and zipped in public/, as podium does too).
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.split_text_normalization(raw, public, private, lang="en")
