"""Prepare tensorflow-speech-recognition-challenge as MLE-bench splits it.

The clips of train/audio/<label>/ (inside train.7z), sorted by '<label>_<name>', split 90/10
(random_state 0); test clips are renamed clip_00000000.wav onwards. Labels are the folder
names, as MLE-bench keeps them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes


def prepare(raw: Path, public: Path, private: Path) -> None:
    audio = recipes.extract(raw / "train.7z", raw) / "train" / "audio"
    clips = sorted(audio.rglob("*.wav"), key=lambda path: f"{path.parent.name}_{path.name}")
    if not clips:
        raise recipes.DataError(
            "train.7z holds no train/audio/<label>/*.wav clips; download the competition's data again"
        )
    train, test = recipes.split(clips, 0.1, 0)
    recipes.copy_renamed((clip, public / "train" / "audio" / clip.parent.name / clip.name) for clip in train)
    names = [f"clip_{n:08d}.wav" for n in range(len(test))]
    recipes.copy_renamed((clip, public / "test" / "audio" / name) for clip, name in zip(test, names, strict=True))
    answers = pd.DataFrame({"fname": names, "label": [clip.parent.name for clip in test]})
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(answers.assign(label="silence"), public / "sample_submission.csv")
