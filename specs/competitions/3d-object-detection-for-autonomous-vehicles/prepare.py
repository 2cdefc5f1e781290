"""Prepare 3d-object-detection-for-autonomous-vehicles the way MLE-bench splits it.

The driving logs of train_data/log.json are split 80/20 (random_state 0), and every linked
table follows its log: scenes by log, samples by scene, sample_data, ego poses and calibrated
sensors by sample, annotations and instances by sample (train side only, as on Kaggle). The
answers are train.csv's rows of the test samples with a confidence of 1.0 before every box;
images and lidar sweeps go to the side of their sample. Kaggle's test tables lack annotations,
so the new test side does too.

One difference from MLE-bench: its map.json lists the test logs on both sides (a shallow copy
of the one map); here each side lists its own logs. Nothing graded depends on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from podium.runtime.data import recipes

Table = list[dict[str, Any]]
SIDES = ("train", "test")
SHARED_TABLES = ("attribute.json", "category.json", "sensor.json", "visibility.json")
MAP_IMAGE = "map_raster_palo_alto.png"
FIELDS_PER_BOX = 8  # center_x center_y center_z width length height yaw class_name


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.csv", "train_data", "train_images", "train_lidar", f"train_maps/{MAP_IMAGE}")
    tables = raw / "train_data"
    logs = read_table(tables / "log.json")
    train_logs, test_logs = recipes.split([log["token"] for log in logs], 0.2, 0)
    log_sides = side_of(train_logs, test_logs)

    scenes = read_table(tables / "scene.json")
    scene_sides = {scene["token"]: log_sides[scene["log_token"]] for scene in scenes}
    samples = read_table(tables / "sample.json")
    sample_sides = {sample["token"]: lookup(scene_sides, sample["scene_token"], "scene") for sample in samples}
    sample_data = read_table(tables / "sample_data.json")
    datum_sides = [lookup(sample_sides, datum["sample_token"], "sample") for datum in sample_data]
    annotations = read_table(tables / "sample_annotation.json")
    annotation_sides = [lookup(sample_sides, note["sample_token"], "sample") for note in annotations]
    poses, sensors = read_table(tables / "ego_pose.json"), read_table(tables / "calibrated_sensor.json")

    write_boxes(raw / "train.csv", sample_sides, public, private)
    for side in SIDES:
        data = public / f"{side}_data"
        write_table(data / "log.json", [log for log in logs if log_sides[log["token"]] == side])
        write_table(data / "scene.json", [scene for scene in scenes if scene_sides[scene["token"]] == side])
        write_table(data / "sample.json", [sample for sample in samples if sample_sides[sample["token"]] == side])
        side_data = [datum for datum, datum_side in zip(sample_data, datum_sides, strict=True) if datum_side == side]
        write_table(data / "sample_data.json", side_data)
        write_linked(data / "ego_pose.json", poses, tokens(side_data, "ego_pose_token"))
        write_linked(data / "calibrated_sensor.json", sensors, tokens(side_data, "calibrated_sensor_token"))
        write_map(tables / "map.json", data / "map.json", train_logs if side == "train" else test_logs)
        recipes.copy_files(SHARED_TABLES, tables, data)
        recipes.copy_renamed([(raw / "train_maps" / MAP_IMAGE, public / f"{side}_maps" / MAP_IMAGE)])
        copy_sensor_files(side_data, raw, public, side)

    train_annotations = [note for note, side in zip(annotations, annotation_sides, strict=True) if side == "train"]
    write_table(public / "train_data" / "sample_annotation.json", train_annotations)
    instances = read_table(tables / "instance.json")
    write_linked(public / "train_data" / "instance.json", instances, tokens(train_annotations, "instance_token"))


def side_of(train: Iterable[str], test: Iterable[str]) -> dict[str, str]:
    return {**dict.fromkeys(train, "train"), **dict.fromkeys(test, "test")}


def lookup(sides: dict[str, str], token: str, kind: str) -> str:
    if token not in sides:
        raise recipes.DataError(
            f"the Lyft tables link to a {kind} {token} that train_data does not list; "
            "the download is incomplete or mixed with another version: download the competition's data again"
        )
    return sides[token]


def write_boxes(train_csv: Path, sample_sides: dict[str, str], public: Path, private: Path) -> None:
    """train.csv splits by sample; the answers put a confidence of 1.0 before each true box."""
    boxes = recipes.read_csv(train_csv, dtype=str, keep_default_na=False)
    in_test = boxes["Id"].map(lambda token: lookup(sample_sides, token, "sample") == "test")
    recipes.write_csv(boxes[~in_test], public / "train.csv")
    answers = boxes[in_test].assign(PredictionString=boxes.loc[in_test, "PredictionString"].map(with_confidence))
    recipes.write_csv(answers, private / "test.csv")
    recipes.write_csv(pd.DataFrame({"Id": answers["Id"], "PredictionString": ""}), public / "sample_submission.csv")


def with_confidence(boxes: str) -> str:
    fields = boxes.split()
    if len(fields) % FIELDS_PER_BOX:
        raise recipes.DataError(
            f"a train.csv PredictionString has {len(fields)} fields, not a multiple of {FIELDS_PER_BOX} "
            f"(center_x center_y center_z width length height yaw class_name): {boxes[:80]!r}; "
            "download the competition's data again"
        )
    return " ".join(
        " ".join(["1.0", *fields[start : start + FIELDS_PER_BOX]]) for start in range(0, len(fields), FIELDS_PER_BOX)
    )


def tokens(rows: Table, key: str) -> set[str]:
    return {row[key] for row in rows}


def write_linked(path: Path, rows: Table, wanted: set[str]) -> None:
    """The rows of a raw table that the side's rows point to, in the raw table's order."""
    write_table(path, [row for row in rows if row["token"] in wanted])


def write_map(source: Path, target: Path, side_logs: list[str]) -> None:
    maps = read_table(source)
    if len(maps) != 1:
        raise recipes.DataError(f"{source} lists {len(maps)} maps where Lyft ships one; download the data again")
    write_table(target, [{**maps[0], "log_tokens": list(side_logs)}])


def copy_sensor_files(side_data: Table, raw: Path, public: Path, side: str) -> None:
    """Camera images and lidar sweeps of a side, flattened as Kaggle ships them."""
    folders = {"jpeg": "images", "bin": "lidar"}
    pairs = []
    for datum in side_data:
        folder = folders.get(datum["fileformat"])
        if folder is None:
            raise recipes.DataError(f"sample_data lists a file of format {datum['fileformat']!r}; expected jpeg or bin")
        name = Path(datum["filename"]).name  # "images/host-a011_cam2_….jpeg": the folder is per side here
        pairs.append((raw / f"train_{folder}" / name, public / f"{side}_{folder}" / name))
    recipes.copy_renamed(pairs)


def read_table(path: Path) -> Table:
    recipes.require(path.parent, path.name)
    try:
        table = json.loads(path.read_bytes())
    except json.JSONDecodeError as error:
        raise recipes.DataError(f"{path} is not valid JSON ({error}); download the competition's data again") from None
    if not isinstance(table, list):
        raise recipes.DataError(f"{path} should hold a JSON list of rows; download the competition's data again")
    return table


def write_table(path: Path, rows: Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows))
