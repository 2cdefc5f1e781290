"""The Lyft 3-D detection hook on fabricated raw data in Kaggle's layout: ten driving logs of
linked JSON tables, images, lidar sweeps and a map. Every table follows its log, the answers
grade, and the split equals MLE-bench's own prepare run on the same data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from mlebench_reference import assert_same_preparation, catalog_hook, prepare_both

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

COMPETITION = "3d-object-detection-for-autonomous-vehicles"
LOGS, SAMPLES_PER_LOG, CAMERAS = 10, 3, ("cam0", "cam1")
CLASSES = ("car", "pedestrian", "bicycle")
SHARED = {"attribute.json": [{"token": "a0", "name": "object_action_parked"}],
          "category.json": [{"token": f"k{i}", "name": name} for i, name in enumerate(CLASSES)],
          "sensor.json": [{"token": f"s-{name}", "channel": name} for name in (*CAMERAS, "lidar")],
          "visibility.json": [{"token": "v1", "level": "v80-100"}]}  # fmt: skip
TEST_SIDE_TABLES = {"log", "scene", "sample", "sample_data", "ego_pose", "calibrated_sensor", "map",
                    "attribute", "category", "sensor", "visibility"}  # fmt: skip


def write(path: Path, rows: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows))


def lyft(raw: Path) -> None:
    """Kaggle's train side, small: scenes carry their log's token, as in Lyft's own tables."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in (
        "log", "scene", "sample", "sample_data", "ego_pose", "calibrated_sensor", "sample_annotation", "instance")}  # fmt: skip
    boxes = []
    for log in range(LOGS):
        token = f"log{log:02d}"
        tables["log"].append({"token": token, "vehicle": f"a{log % 3}", "location": "Palo Alto"})
        tables["scene"].append({"token": token, "log_token": token, "nbr_samples": SAMPLES_PER_LOG})
        for sensor in (*CAMERAS, "lidar"):
            tables["calibrated_sensor"].append({"token": f"cs-{token}-{sensor}", "sensor_token": f"s-{sensor}"})
        tables["instance"].append({"token": f"in-{token}", "category_token": f"k{log % 3}"})
        for index in range(SAMPLES_PER_LOG):
            sample = f"{token}-sample{index}"
            tables["sample"].append({"token": sample, "scene_token": token, "timestamp": index})
            for sensor in (*CAMERAS, "lidar"):
                datum, kind = f"{sample}-{sensor}", ("bin" if sensor == "lidar" else "jpeg")
                folder = "lidar" if kind == "bin" else "images"
                tables["sample_data"].append({"token": datum, "sample_token": sample, "fileformat": kind,
                                              "ego_pose_token": f"ep-{datum}", "filename": f"{folder}/{datum}.{kind}",
                                              "calibrated_sensor_token": f"cs-{token}-{sensor}"})  # fmt: skip
                tables["ego_pose"].append({"token": f"ep-{datum}", "translation": [log, index, 0.0]})
                (raw / f"train_{folder}").mkdir(exist_ok=True)
                (raw / f"train_{folder}" / f"{datum}.{kind}").write_bytes(datum.encode())
            tables["sample_annotation"].append({"token": f"an-{sample}", "sample_token": sample,
                                                "instance_token": f"in-{token}"})  # fmt: skip
            boxes.append({"Id": sample, "PredictionString": " ".join(
                f"{1000 + log + box}.5 {index}.25 -18.5 1.9 4.6 1.7 0.{box} {CLASSES[(log + box) % 3]}" for box in range(1 + log % 2))})  # fmt: skip
    for name, rows in tables.items():
        write(raw / "train_data" / f"{name}.json", rows)
    for name, rows in SHARED.items():
        write(raw / "train_data" / name, rows)
    map_tokens = [{"token": "m0", "category": "semantic_prior", "filename": "maps/map_raster_palo_alto.png",
                   "log_tokens": [log["token"] for log in tables["log"]]}]  # fmt: skip
    write(raw / "train_data" / "map.json", map_tokens)
    (raw / "train_maps").mkdir()
    (raw / "train_maps" / "map_raster_palo_alto.png").write_bytes(b"\x89PNG map")
    pd.DataFrame(boxes).to_csv(raw / "train.csv", index=False)


def prepared(hook: Any, tmp_path: Path) -> tuple[Path, Path]:
    raw, public, private = (tmp_path / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    lyft(raw)
    hook(raw=raw, public=public, private=private)
    return public, private


@pytest.fixture
def podium_hook(repo_catalog: Catalog) -> Any:
    return catalog_hook(repo_catalog, COMPETITION)


def table(folder: Path, name: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads((folder / f"{name}.json").read_text())
    return rows


def test_every_table_follows_its_log(podium_hook: Any, tmp_path: Path) -> None:
    public, _ = prepared(podium_hook, tmp_path)
    train, test = public / "train_data", public / "test_data"
    test_logs = {log["token"] for log in table(test, "log")}
    train_logs = {log["token"] for log in table(train, "log")}

    assert len(test_logs) == 2 and len(train_logs) == 8 and not test_logs & train_logs
    assert {scene["log_token"] for scene in table(test, "scene")} == test_logs
    assert {sample["scene_token"] for sample in table(test, "sample")} == test_logs
    assert all(datum["sample_token"].split("-")[0] in test_logs for datum in table(test, "sample_data"))
    assert {pose["token"][3:] for pose in table(test, "ego_pose")} == {d["token"] for d in table(test, "sample_data")}
    assert {cal["token"].split("-")[1] for cal in table(test, "calibrated_sensor")} == test_logs
    assert table(test, "map")[0]["log_tokens"] == [log["token"] for log in table(test, "log")]
    assert {note["sample_token"].split("-")[0] for note in table(train, "sample_annotation")} == train_logs
    assert {path.stem for path in test.iterdir()} == TEST_SIDE_TABLES  # no annotations on the test side
    assert len(list((public / "test_lidar").iterdir())) == 2 * SAMPLES_PER_LOG
    assert len(list((public / "train_images").iterdir())) == 8 * SAMPLES_PER_LOG * len(CAMERAS)


def test_answers_carry_a_confidence_and_grade(podium_hook: Any, repo_catalog: Catalog, tmp_path: Path) -> None:
    public, private = prepared(podium_hook, tmp_path)
    competition = resolve_competition(repo_catalog, COMPETITION)
    answers = pd.read_csv(private / "test.csv")
    test_samples = {sample["token"] for sample in table(public / "test_data", "sample")}

    check_answers(competition.prepare, private)
    assert set(answers["Id"]) == test_samples and set(pd.read_csv(public / "train.csv")["Id"]).isdisjoint(test_samples)
    assert all(fields[::9] == ["1.0"] * (len(fields) // 9) for fields in answers["PredictionString"].str.split())
    empty = grade_submission(public / "sample_submission.csv", competition, private / "test.csv", None)
    perfect = grade_submission(private / "test.csv", competition, private / "test.csv", None)
    assert empty.valid_submission and empty.score == 0.0
    assert perfect.score == pytest.approx(1.0)


def test_split_equals_mlebench(podium_hook: Any, mlebench_prepare: Any, tmp_path: Path) -> None:
    ours, theirs = prepare_both(lyft, podium_hook, mlebench_prepare(COMPETITION), tmp_path)

    tables = {path.relative_to(ours).as_posix() for path in ours.rglob("*.json")}
    assert_same_preparation(ours, theirs, differences=dict.fromkeys(tables, "compared by token below"))
    for name in tables - {"public/train_data/map.json", "public/test_data/map.json"}:
        # MLE-bench lists poses and sensors in the order samples use them; podium keeps the raw order
        their_rows = sorted(json.loads((theirs / name).read_text()), key=lambda row: row["token"])
        assert sorted(json.loads((ours / name).read_text()), key=lambda row: row["token"]) == their_rows, name
    # MLE-bench's shallow copy of map.json lists the test logs on both sides; podium lists each side's own
    their_map = table(theirs / "public" / "train_data", "map")[0]["log_tokens"]
    assert their_map == table(ours / "public" / "test_data", "map")[0]["log_tokens"]


def truncate_boxes(train_csv: Path) -> None:
    pd.read_csv(train_csv).assign(PredictionString="1 2 3").to_csv(train_csv, index=False)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda raw: (raw / "train_data" / "sample.json").write_text("[{"), r"sample\.json is not valid JSON"),
        (lambda raw: write(raw / "train_data" / "scene.json", []), r"link to a scene log00 that train_data"),
        (lambda raw: truncate_boxes(raw / "train.csv"), r"has 3 fields"),
        (lambda raw: (raw / "train_lidar" / "log03-sample1-lidar.bin").unlink(), r"log03-sample1-lidar\.bin is missing"),
    ],
)  # fmt: skip
def test_damaged_raw_data_is_a_clear_error(podium_hook: Any, tmp_path: Path, damage: Any, message: str) -> None:
    raw, public, private = (tmp_path / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    lyft(raw)
    damage(raw)

    with pytest.raises(DataError, match=message):
        podium_hook(raw=raw, public=public, private=private)
