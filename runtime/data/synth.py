"""Synthetic prepared data that follows a competition spec, for testing without the real data.

`synthesize` writes `<data-dir>/<id>/prepared/` in MLE-bench's layout, as `prepare_competition`
does: `public/` with the training table, the test ids, `sample_submission.csv` and the
description; `private/` with the answers under the spec's file name and columns; `.done.json`
with the same checksums. The values are small and random but valid for the competition's
grader: labels drawn from a few classes, 0/1 answers holding both classes where a metric needs
them, probabilities that sum to 1 where a metric needs that, run-length masks inside their
image, boxes with positive size, ranked lists, token spans. The sample submission holds the
spec's fill values (or a neutral value per grader input), so the dummy agent's copy of it grades
as a valid submission.

Synthetic data never passes for real data: its marker records a data hash that no real prepare
produces (so `podium prepare` rebuilds it), its description says it is synthetic, and synthesis
refuses to replace a folder that `podium prepare` or MLE-bench filled unless forced.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from podium.runtime.data.paths import data_dir as default_data_dir
from podium.runtime.data.paths import prepared_dir
from podium.runtime.data.prepare import (
    BUILD_PREFIX,
    DESCRIPTION,
    SAMPLE_SUBMISSION,
    publish,
    remove_stale_builds,
    write_marker,
)
from podium.runtime.data.sources import DataError
from podium.runtime.spec.resolved import ResolvedCompetition, spec_sha256

DEFAULT_ROWS = 24
MIN_ROWS = 8  # fewer rows cannot hold both classes in every subgroup a metric splits on
BANNER = "> Synthetic data written by `podium synth`: random values in the competition's format.\n\n"
FEATURE = "feature"
IMAGE_SIZE = 16  # side of the synthetic images that run-length masks refer to
WORDS = ("the", "quick", "brown", "fox", "jumps", "over", "a", "lazy", "dog", "again")
Column = list[Any]


@dataclass(frozen=True)
class SynthResult:
    competition_id: str
    prepared_dir: Path
    rows: int  # rows of the answers file
    sample_submission: Path
    answers: Path


def synthesize(
    competition: ResolvedCompetition,
    data_dir: Path | None = None,
    *,
    rows: int = DEFAULT_ROWS,
    seed: int = 0,
    force: bool = False,
) -> SynthResult:
    """Write synthetic prepared data for `competition` into `<data_dir>/<id>/prepared`."""
    if rows < MIN_ROWS:
        raise DataError(f"synthetic data needs at least {MIN_ROWS} rows (got {rows}); pass --rows {MIN_ROWS} or more")
    root = default_data_dir(data_dir) / competition.id
    prepared = prepared_dir(competition.id, root.parent)
    _refuse_real_data(prepared, force)
    remove_stale_builds(root)
    build = root / f"{BUILD_PREFIX}{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    try:
        answers_rows = _write_tables(competition, build, rows, seed)
        write_marker(competition, build, synthetic_sha256(competition, rows, seed))
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    publish(build, prepared)
    return SynthResult(
        competition.id,
        prepared,
        answers_rows,
        prepared / "public" / SAMPLE_SUBMISSION,
        prepared / "private" / competition.prepare.answers,
    )


def synthetic_sha256(competition: ResolvedCompetition, rows: int, seed: int) -> str:
    """The marker's data hash: never equal to a real prepare's, so `podium prepare` rebuilds."""
    text = json.dumps({"synthetic": True, "spec": spec_sha256(competition), "rows": rows, "seed": seed})
    return hashlib.sha256(text.encode()).hexdigest()


def is_synthetic(prepared: Path) -> bool:
    description = prepared / "public" / DESCRIPTION
    return description.is_file() and description.read_text(encoding="utf-8").startswith(BANNER)


def _refuse_real_data(prepared: Path, force: bool) -> None:
    if force or not prepared.exists() or is_synthetic(prepared):
        return
    raise DataError(
        f"{prepared} holds data that `podium prepare` or MLE-bench wrote; synthesizing would replace "
        "it. Pass --force to replace it, or write the synthetic data elsewhere with --data-dir DIR."
    )


def _write_tables(competition: ResolvedCompetition, build: Path, rows: int, seed: int) -> int:
    prepare = competition.prepare
    public, private = build / "public", build / "private"
    public.mkdir(parents=True)
    private.mkdir()
    maker = TableMaker(competition, np.random.default_rng(seed))
    answers = maker.answers(rows)
    train = maker.answers(rows, first=len(answers))
    test = pd.DataFrame({prepare.id_column: answers[prepare.id_column], FEATURE: maker.rng.normal(size=len(answers))})
    _write_table(answers, private / prepare.answers)
    train.to_csv(public / prepare.public_train, index=False)
    test.to_csv(public / prepare.public_test, index=False)
    maker.sample_submission(answers).to_csv(public / SAMPLE_SUBMISSION, index=False)
    (public / DESCRIPTION).write_text(BANNER + competition.description, encoding="utf-8")
    return len(answers)


def _write_table(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix.lower() == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    else:
        frame.to_csv(path, index=False)


class TableMaker:
    """Answers and a sample submission for one competition, column by column.

    Each answers column is made by what it is to the grader: the id, a target (by the metric's
    implementation), or a column a grader param names (group, mask, identity, image size, box
    coordinates); any other declared column gets filler text.
    """

    def __init__(self, competition: ResolvedCompetition, rng: np.random.Generator):
        self.prepare = competition.prepare
        self.grader = competition.grader
        self.params = competition.grader.params
        self.metric = competition.grader.implementation
        self.rng = rng

    # --- answers ---------------------------------------------------------------------------

    def answers(self, rows: int, first: int = 0) -> pd.DataFrame:
        ids = self.ids(rows, first)
        columns: dict[str, Column] = {self.prepare.id_column: ids}
        for column in self.prepare.targets:
            columns[column] = self.truth(column, len(ids))
        for column in self.answer_columns():
            columns.setdefault(column, self.extra_column(column, len(ids)))
        frame = pd.DataFrame(columns)
        if self.metric == "mean-column-auc" and "ignore_label" in self.params:
            frame.loc[0, list(self.prepare.targets)] = self.params["ignore_label"]  # a row Kaggle never scored
        return frame

    def answer_columns(self) -> list[str]:
        declared = self.prepare.answers_columns if isinstance(self.prepare.answers_columns, list) else []
        graded = self.prepare.graded_columns() + self._size_columns() + self._box_columns()
        return list(dict.fromkeys([*graded, *declared]))

    def ids(self, rows: int, first: int) -> Column:
        if "melted_separator" in self.params:
            return self._melted_ids(rows, first)
        if self.metric == "dice-hausdorff":  # the metric stacks the slices that share an id prefix into volumes
            separator = self.params.get("slice_separator", "_slice_")
            return [f"case{(first + i) // 6}_day{i % 2}{separator}{i:04d}" for i in range(rows)]
        if self.metric == "tf2qa-f1":  # each example has a long-answer row and a short-answer row
            return [f"{first // 2 + i // 2}_{'long' if i % 2 == 0 else 'short'}" for i in range(rows)]
        return [f"{first + i:06d}" for i in range(rows)]

    def _melted_ids(self, rows: int, first: int) -> Column:
        columns = list(self.params.get("columns", self.prepare.targets))
        groups = max(2, rows // len(columns))
        separator = self.params["melted_separator"]
        return [f"1.2.{first + group}{separator}{column}" for group in range(groups) for column in columns]

    def truth(self, column: str, rows: int) -> Column:
        make = TRUTH.get(self.metric) or INPUT_TRUTH.get(self.grader.inputs[0], _words)
        return make(self, column, rows)

    def extra_column(self, column: str, rows: int) -> Column:
        if column == self.params.get("group_column", "tripId" if self.metric == "haversine-p50-p95" else None):
            return [f"group{i % 3}" for i in range(rows)]
        if column == self.params.get("mask_column"):
            scored = self.params.get("mask_equals", True)
            other: Any = (not scored) if isinstance(scored, bool) else 1 - scored
            return [scored if i % 4 else other for i in range(rows)]
        if column in self.params.get("identity_columns", ()):
            return [float((i // 2) % 2) for i in range(rows)]
        if column in self._size_columns():
            return [IMAGE_SIZE] * rows
        if column in self._box_columns():
            return self._box_column(column, rows)
        if column == self.params.get("truth_column"):
            return self.truth(column, rows)
        return [f"{column}-{i % 5}" for i in range(rows)]

    def _size_columns(self) -> list[str]:
        if self.grader.inputs[0] != "rle-mask" or ("height" in self.params and "width" in self.params):
            return []
        return [self.params.get("height_column", "height"), self.params.get("width_column", "width")]

    def _box_columns(self) -> list[str]:
        return list(self.params.get("truth_box_columns", {}).values())

    def _box_column(self, column: str, rows: int) -> Column:
        field = {name: key for key, name in self.params["truth_box_columns"].items()}[column]
        corner = {"x1": 10, "y1": 20, "x2": 60, "y2": 80, "x": 10, "y": 20, "w": 50, "h": 60}
        if field == "label":
            return [i % 3 for i in range(rows)]
        return [float(corner[field] + i) for i in range(rows)]

    def image_shape(self) -> tuple[int, int]:
        if "height" in self.params and "width" in self.params:
            return int(self.params["height"]), int(self.params["width"])
        return IMAGE_SIZE, IMAGE_SIZE

    # --- sample submission -----------------------------------------------------------------

    def sample_submission(self, answers: pd.DataFrame) -> pd.DataFrame:
        columns: dict[str, Any] = {key: answers[key] for key in self.prepare.key()}
        for column in self.prepare.targets:
            name = self.prepare.submission_name(column)  # MLE-bench's name where it renames a target
            if self.metric == "kendall-tau-cell-order":
                columns[name] = [" ".join(reversed(cells.split())) for cells in answers[column]]
            else:
                columns[name] = self.prepare.sample_submission.fill.get(column, self.neutral_value())
        columns.update(self.submission_extras())
        return pd.DataFrame(columns)

    def neutral_value(self) -> Any:
        """A value every row may hold for this grader when the spec gives no fill."""
        kind = self.grader.inputs[0]
        if kind == "probabilities":
            spread = self.metric in ("multiclass-log-loss", "kl-divergence")
            return 1 / len(self.prepare.targets) if spread else 0.5
        if kind in ("numbers", "one-hot"):
            return 0.5
        if kind == "labels":
            return 0
        return ""

    def submission_extras(self) -> dict[str, Any]:
        """Submission columns the grader reads besides the targets (a confidence, a renamed prediction)."""
        extras: dict[str, Any] = {}
        if self.metric == "laplace-log-likelihood":
            extras[self.params.get("confidence_column", "Confidence")] = 100
        for key in ("prediction_column", "pred_column"):
            column = self.params.get(key)
            if column and column not in self.prepare.targets:
                extras[column] = self.neutral_value()
        return extras


# --- truth makers: (maker, target column, rows) -> values -------------------------------------

TruthMaker = Callable[[TableMaker, str, int], Column]


def _alternating(maker: TableMaker, column: str, rows: int) -> Column:
    """0/1 answers that alternate, so every metric that splits rows still sees both classes."""
    return [i % 2 for i in range(rows)]


def _labels(maker: TableMaker, column: str, rows: int) -> Column:
    pool = _label_pool(maker.prepare.sample_submission.fill.get(column, 0))
    return [pool[i % len(pool)] for i in maker.rng.permutation(rows)]


def _label_pool(fill: Any) -> list[Any]:
    if isinstance(fill, bool):
        return [True, False]
    if isinstance(fill, (int, float)):
        return [int(fill), int(fill) + 1, int(fill) + 2]
    return [fill or "class_a", "class_b", "class_c"]


def _label_sets(maker: TableMaker, column: str, rows: int) -> Column:
    fill = str(maker.prepare.sample_submission.fill.get(column, "")).split()
    pool = list(dict.fromkeys([*fill, "a", "b", "c"]))  # several labels, so the sets are multilabel
    return [" ".join(sorted(set(maker.rng.choice(pool, size=1 + i % 3)))) for i in range(rows)]


def _set_labels(maker: TableMaker, column: str, rows: int) -> Column:
    return _label_sets(maker, column, rows) if maker.params.get("multilabel") else _labels(maker, column, rows)


def _grades(maker: TableMaker, column: str, rows: int) -> Column:
    return [int(grade) for grade in maker.rng.integers(0, 5, size=rows)]


def _one_hot(maker: TableMaker, column: str, rows: int) -> Column:
    position = list(maker.prepare.targets).index(column)
    classes = len(maker.prepare.targets)
    return [int(i % classes == position) for i in range(rows)]


def _votes(maker: TableMaker, column: str, rows: int) -> Column:
    position = list(maker.prepare.targets).index(column)
    return [int(maker.rng.integers(0, 3)) + int(i % len(maker.prepare.targets) == position) for i in range(rows)]


def _toxicity(maker: TableMaker, column: str, rows: int) -> Column:
    return [float(i % 2) for i in range(rows)]


def _numbers(maker: TableMaker, column: str, rows: int) -> Column:
    return [round(float(value), 4) for value in maker.rng.uniform(1, 10, size=rows)]


def _fvc(maker: TableMaker, column: str, rows: int) -> Column:
    return [float(value) for value in maker.rng.integers(1500, 3500, size=rows)]


def _angles(maker: TableMaker, column: str, rows: int) -> Column:
    top = 2 * math.pi if column == maker.params.get("azimuth_column", "azimuth") else math.pi
    return [round(float(value), 4) for value in maker.rng.uniform(0, top, size=rows)]


def _coordinates(maker: TableMaker, column: str, rows: int) -> Column:
    latitude = column == maker.params.get("latitude_column", "LatitudeDegrees")
    low, high = (37.3, 37.5) if latitude else (-122.2, -122.0)
    return [float(value) for value in maker.rng.uniform(low, high, size=rows)]


def _words(maker: TableMaker, column: str, rows: int) -> Column:
    return [" ".join(maker.rng.choice(WORDS, size=1 + i % 4)) for i in range(rows)]


def _gestures(maker: TableMaker, column: str, rows: int) -> Column:
    return [" ".join(str(v) for v in maker.rng.integers(1, 21, size=3 + i % 3)) for i in range(rows)]


def _cell_orders(maker: TableMaker, column: str, rows: int) -> Column:
    return [" ".join(f"{maker.rng.integers(16**7, 16**8):08x}" for _ in range(3 + i % 3)) for i in range(rows)]


def _ranked_labels(maker: TableMaker, column: str, rows: int) -> Column:
    pool = str(maker.prepare.sample_submission.fill.get(column, "")).split() or ["a", "b", "c", "d", "e"]
    return [" ".join(maker.rng.choice(pool, size=1 + i % 2, replace=False)) for i in range(rows)]


def _rle_masks(maker: TableMaker, column: str, rows: int) -> Column:
    height, width = maker.image_shape()
    pixels = height * width
    masks = []
    for i in range(rows):
        if i % 3 == 2:
            masks.append("")  # some images have nothing to find
            continue
        start = int(maker.rng.integers(1, pixels // 2))
        masks.append(f"{start} {1 + i % 5} {start + 10} {2 + i % 3}")
    return masks


def _voc_boxes(maker: TableMaker, column: str, rows: int) -> Column:
    return [f"opacity 1 {10 + i} 20 {60 + i} 80" if i % 3 else "none 1 0 0 1 1" for i in range(rows)]


def _coco_strings(maker: TableMaker, column: str, rows: int) -> Column:
    return [f"{i % 3} 1 {10 + i} 20 {60 + i} 80" for i in range(rows)]


def _character_boxes(maker: TableMaker, column: str, rows: int) -> Column:
    return [f"U+304{i % 10} {10 + i} 20 30 40 U+3042 100 120 25 35" for i in range(rows)]


def _lidar_boxes(maker: TableMaker, column: str, rows: int) -> Column:
    return [f"1.0 {100 + i}.5 {200 - i}.25 -18.5 1.9 4.6 1.7 {0.1 * (i % 6):.1f} car" for i in range(rows)]


def _qa_answers(maker: TableMaker, column: str, rows: int) -> Column:
    forms = ["", "12:40", "YES", "3:7 5:9"]
    return [forms[i % len(forms)] if i % 2 == 0 else ("" if i % 4 == 1 else "100:180") for i in range(rows)]


TRUTH: dict[str, TruthMaker] = {
    "accuracy": _labels,
    "top1-error": _labels,
    "matthews-corrcoef": _labels,
    "f1": _labels,
    "f1-micro": _set_labels,
    "f1-macro": _set_labels,
    "quadratic-weighted-kappa": _grades,
    "auc": _alternating,
    "weighted-auc": _alternating,
    "mean-column-auc": _alternating,
    "log-loss": _alternating,
    "probabilistic-f1": _alternating,
    "weighted-multilabel-log-loss": _alternating,
    "jigsaw-bias-auc": _toxicity,
    "lwlrap": _one_hot,
    "multiclass-log-loss": _one_hot,
    "kl-divergence": _votes,
    "laplace-log-likelihood": _fvc,
    "mean-angular-error": _angles,
    "haversine-p50-p95": _coordinates,
    "sequence-edit-rate": _gestures,
    "kendall-tau-cell-order": _cell_orders,
    "map-at-k": _ranked_labels,
    "map-at-iou": _voc_boxes,
    "coco-map": _coco_strings,
    "point-in-box-f1": _character_boxes,
    "map-3d-iou": _lidar_boxes,
    "tf2qa-f1": _qa_answers,
}
# Metrics not named above: by the grader's first declared input.
INPUT_TRUTH: dict[str, TruthMaker] = {
    "labels": _labels,
    "probabilities": _alternating,
    "one-hot": _one_hot,
    "numbers": _numbers,
    "ranked-list": _ranked_labels,
    "rle-mask": _rle_masks,
    "boxes": _coco_strings,
    "points": _character_boxes,
    "strings": _words,
}
