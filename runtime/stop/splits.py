"""The two splits a STOP utility scores a program on.

    validation  the competition's public train.csv split again: the fit part becomes the program's
                train.csv, the validation rows its test.csv (targets removed); their labels stay
                in a folder of the evaluator's that is never mounted into a program's sandbox.
    held-out    the competition's prepared public folder as it is, graded on the private answers;
                it scores improver versions for the record and is never reachable through the
                utility an improver is given.

A split's folder `visible/` is what a program sees as `data/`; `answers` is the evaluator's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from podium.runtime.data.checksums import DoneMarker
from podium.runtime.data.prepare import DESCRIPTION, SAMPLE_SUBMISSION, read_table, sample_submission, split_rows
from podium.runtime.data.sources import DataError
from podium.runtime.spec.parts import Split

if TYPE_CHECKING:
    from podium.runtime.spec import ResolvedCompetition

SplitName = Literal["validation", "held-out"]
VISIBLE = "visible"
HELD = "held"
ANSWERS = "answers.csv"


@dataclass(frozen=True)
class EvaluationSplit:
    name: SplitName
    competition: ResolvedCompetition
    visible: Path  # mounted read-only as the program's data/
    answers: Path  # the evaluator's; never mounted
    key: str  # identifies the split's bytes: part of every cache key

    @property
    def sample_submission(self) -> Path:
        return self.visible / SAMPLE_SUBMISSION


def held_out_split(competition: ResolvedCompetition, prepared: Path) -> EvaluationSplit:
    """The prepared competition itself: public/ visible, private answers held."""
    answers = prepared / "private" / competition.prepare.answers
    key = _key("held-out", _data_sha256(prepared))
    return EvaluationSplit("held-out", competition, prepared / "public", answers, key)


def validation_split(
    competition: ResolvedCompetition, prepared: Path, *, fraction: float, random_state: int
) -> EvaluationSplit:
    """A fixed split of the public training data, written once beside `prepared/` and reused."""
    key = _key("validation", _data_sha256(prepared), str(fraction), str(random_state))
    folder = prepared.parent / "stop" / f"validation-{key[:16]}"
    if not (folder / HELD / ANSWERS).is_file():
        _write_validation(competition, prepared / "public", folder, fraction, random_state)
    return EvaluationSplit("validation", competition, folder / VISIBLE, folder / HELD / ANSWERS, key)


def _write_validation(
    competition: ResolvedCompetition, public: Path, folder: Path, fraction: float, random_state: int
) -> None:
    prepare = competition.prepare
    source = public / prepare.public_train
    table = read_table(source, prepare.id_column)
    missing = [column for column in [*prepare.targets, *prepare.extra_answer_columns] if column not in table.columns]
    if missing:
        raise DataError(
            f"{competition.id}'s public {prepare.public_train} lacks {', '.join(missing)}, so STOP cannot "
            "hold back validation labels from it; this competition cannot serve as a STOP utility"
        )
    stratify = prepare.split.stratify if prepare.split else None
    split = Split.model_validate(
        {"from": prepare.public_train, "test_size": fraction, "random_state": random_state, "stratify": stratify}
    )
    fit, held = split_rows(table, split, source)
    build = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
    shutil.rmtree(build, ignore_errors=True)
    (build / VISIBLE).mkdir(parents=True)
    (build / HELD).mkdir()
    hidden = [column for column in [*prepare.targets, *prepare.drop_from_test] if column in held.columns]
    fit.to_csv(build / VISIBLE / prepare.public_train, index=False)
    held.drop(columns=hidden).to_csv(build / VISIBLE / prepare.public_test, index=False)
    sample_submission(held, prepare).to_csv(build / VISIBLE / SAMPLE_SUBMISSION, index=False)
    held[prepare.graded_columns()].to_csv(build / HELD / ANSWERS, index=False)
    if (public / DESCRIPTION).is_file():
        shutil.copyfile(public / DESCRIPTION, build / VISIBLE / DESCRIPTION)
    shutil.rmtree(folder, ignore_errors=True)
    build.rename(folder)


def _data_sha256(prepared: Path) -> str:
    marker = DoneMarker.read(prepared)
    if marker is None:
        raise DataError(f"{prepared} is not a finished podium preparation; run `podium prepare` first")
    return marker.data_sha256


def _key(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
