"""Prepare text-normalization-challenge-russian-language as MLE-bench splits it.

The unique sentence ids of ru_train.csv split 90/10 (random_state 0) and renumbered from 0 on
each side; the English and Russian challenges share one recipe in podium.runtime.data.recipes.
MLE-bench keeps a copy of the sample submission in private/; podium's is public/sample_submission.csv.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.split_text_normalization(raw, public, private, lang="ru")
