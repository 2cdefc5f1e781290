"""Ten medical, physics and sensor competitions on fabricated raw data in Kaggle's layout: each
podium hook writes what MLE-bench's own prepare writes from the same data, and its sample
submission grades valid against its answers.

The raw folders hold a few dozen rows and tiny stand-in files (bytes, except where a hook reads
them: the contrail masks and bands are .npy arrays, the papyrus photo a real PNG)."""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from mlebench_reference import as_mlebench_ran, assert_same_preparation, catalog_hook, prepare_both, prepare_on

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

Maker = Callable[[Path], None]
VERTEBRAE = [f"C{n}" for n in range(1, 8)]
VOTES = ["seizure_vote", "lpd_vote", "gpd_vote", "lrda_vote", "grda_vote", "other_vote"]
VIEWS = ("All29", "Endzone", "Sideline")


def touch(path: Path, content: bytes = b"x") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def cervical_spine(raw: Path) -> None:
    """50 studies: 30 with boxes, 20 segmented, 10 of them both, so every share rounds to whole studies."""
    studies = [f"1.2.826.0.1.3680043.{n}" for n in range(50)]
    labels = np.random.default_rng(1).integers(0, 2, size=(len(studies), 8))
    table = pd.DataFrame(labels, columns=["patient_overall", *VERTEBRAE])
    table.insert(0, "StudyInstanceUID", studies)
    table.to_csv(raw / "train.csv", index=False)
    boxes = [{"StudyInstanceUID": uid, "x": 50.5 + n, "y": 60.25, "width": 20.0, "height": 15.5, "slice_number": n}
             for uid in studies[:30] for n in (3, 4)]  # fmt: skip
    pd.DataFrame(boxes).to_csv(raw / "train_bounding_boxes.csv", index=False)
    for uid in studies[20:40]:
        touch(raw / "segmentations" / f"{uid}.nii", uid.encode())
    for uid in studies:
        for n in (1, 2):
            touch(raw / "train_images" / uid / f"{n}.dcm", f"{uid}/{n}".encode())


def breast_cancer(raw: Path) -> None:
    """20 patients with four mammograms each, two per breast, so answers merge images per breast."""
    rows = []
    for p in range(20):
        patient = 10006 + 37 * p
        for n, (side, view) in enumerate((s, v) for s in "LR" for v in ("CC", "MLO")):
            rows.append({"site_id": 1 + p % 2, "patient_id": patient, "image_id": 462822 + 1000 * p + n,
                         "laterality": side, "view": view, "age": np.nan if p == 3 else 40.0 + p,
                         "cancer": int(p % 5 == 0 and side == "L"), "biopsy": 0, "invasive": 0,
                         "BIRADS": np.nan if p % 3 else 1.0, "implant": 0, "density": "B" if p % 2 else np.nan,
                         "machine_id": 49, "difficult_negative_case": p % 4 == 1})  # fmt: skip
    pd.DataFrame(rows).to_csv(raw / "train.csv", index=False)
    for row in rows:
        touch(raw / "train_images" / str(row["patient_id"]) / f"{row['image_id']}.dcm", str(row["image_id"]).encode())


def brain_tumor(raw: Path) -> None:
    """30 patients whose ids keep their leading zeros, each with two scan series."""
    ids = [f"{n * 3:05d}" for n in range(30)]
    pd.DataFrame({"BraTS21ID": ids, "MGMT_value": [n % 2 for n in range(30)]}).to_csv(
        raw / "train_labels.csv", index=False
    )
    for patient in ids:
        for series in ("FLAIR", "T1w"):
            touch(raw / "train" / patient / series / "Image-1.dcm", f"{patient}{series}".encode())


def brain_activity(raw: Path) -> None:
    """20 spectrograms of one or two EEGs, two labelled windows each, in Kaggle's 15 columns."""
    rng, rows, label = np.random.default_rng(2), [], 0
    for s in range(20):
        spectrogram = 353733 + 1009 * s
        for e in range(1 + s % 2):
            eeg = 568657 + 7919 * (2 * s + e)
            for window in range(2):
                votes = rng.integers(0, 4, size=len(VOTES))
                votes[window] += 1  # every window has a vote, so the gold probabilities are defined
                rows.append({"eeg_id": eeg, "eeg_sub_id": window, "eeg_label_offset_seconds": 2.0 * window,
                             "spectrogram_id": spectrogram, "spectrogram_sub_id": window,
                             "spectrogram_label_offset_seconds": 6.0 + 2 * window, "label_id": 127492639 + label,
                             "patient_id": 42516 + s // 3, "expert_consensus": ["Seizure", "LPD"][window],
                             **dict(zip(VOTES, votes.tolist(), strict=True))})  # fmt: skip
                label += 1
            touch(raw / "train_eegs" / f"{eeg}.parquet", str(eeg).encode())
        touch(raw / "train_spectrograms" / f"{spectrogram}.parquet", str(spectrogram).encode())
    pd.DataFrame(rows).to_csv(raw / "train.csv", index=False)
    touch(raw / "example_figures" / "Sample1.png")


def contrails(raw: Path) -> None:
    """20 training records and 3 validation records of 6x5 pixels, some masks empty."""
    rng = np.random.default_rng(3)
    records = [{"record_id": str(1000216489776414077 + 7 * n), "projection_wkt": "PROJCS", "row_min": -0.5 * n}
               for n in range(20)]  # fmt: skip
    validation = [{"record_id": str(3000 + n), "projection_wkt": "PROJCS", "row_min": 1.5} for n in range(3)]
    (raw / "train_metadata.json").write_text(json.dumps(records))
    (raw / "validation_metadata.json").write_text(json.dumps(validation))
    for n, record in enumerate(records):
        folder = raw / "train" / record["record_id"]
        folder.mkdir(parents=True)
        for band in range(8, 17):
            np.save(folder / f"band_{band:02d}.npy", rng.random((6, 5, 2), dtype=np.float32))
        mask = (rng.random((6, 5, 1)) > 0.6).astype(np.int32) * (n % 6 != 1)
        np.save(folder / "human_pixel_masks.npy", mask)
        np.save(folder / "human_individual_masks.npy", np.repeat(mask[..., None], 3, axis=-1))
    for record in validation:
        touch(raw / "validation" / record["record_id"] / "band_08.npy")


def ink_detection(raw: Path) -> None:
    """Three fragments of a two-layer surface volume; fragment 3's infrared photo is a real 7x5 PNG."""
    from PIL import Image

    for fragment in ("1", "2", "3"):
        folder = raw / "train" / fragment
        for layer in ("00", "01"):
            touch(folder / "surface_volume" / f"{layer}.tif", f"{fragment}{layer}".encode())
        for name in ("mask.png", "inklabels.png"):
            touch(folder / name, f"{fragment}{name}".encode())
        Image.new("L", (7, 5), color=int(fragment) * 40).save(folder / "ir.png")
        (folder / "inklabels_rle.csv").write_text(f"Id,Predicted\n{fragment},2 3 9 4\n")


def seti(raw: Path) -> None:
    """40 cadences whose hexadecimal ids spread over several first characters, plus the leaky old release."""
    ids = [f"{0x0A1B2C3D4E5F607 * (n + 1) % 16**15:015x}" for n in range(40)]
    pd.DataFrame({"id": ids, "target": [int(n % 4 == 0) for n in range(40)]}).to_csv(
        raw / "train_labels.csv", index=False
    )
    for cadence in ids:
        touch(raw / "train" / cadence[0] / f"{cadence}.npy", cadence.encode())
    touch(raw / "old_leaky_data" / "train_labels_old.csv", b"id,target\nabc,1\n")
    touch(raw / "old_leaky_data" / "train_old" / "a" / "abc.npy")


def icecube(raw: Path) -> None:
    """Ten batches of three events, in files named batch_<id>.parquet as on Kaggle, and one stray file."""
    rng = np.random.default_rng(4)
    batches = np.repeat(np.arange(1, 11), 3)
    pd.DataFrame({"batch_id": batches, "event_id": 24 + 17 * np.arange(30), "first_pulse_index": 61 * np.arange(30),
                  "last_pulse_index": 61 * np.arange(30) + 60, "azimuth": rng.uniform(0, 2 * np.pi, 30),
                  "zenith": rng.uniform(0, np.pi, 30)}).to_parquet(raw / "train_meta.parquet", index=False)  # fmt: skip
    for batch in range(1, 12):  # batch 11 is not in the table: both prepares leave it out
        touch(raw / "train" / f"batch_{batch}.parquet", f"batch {batch}".encode())
    (raw / "sensor_geometry.csv").write_text("sensor_id,x,y,z\n0,-256.14,-521.08,496.03\n")


def volcano(raw: Path) -> None:
    """40 segments, each with its own sensor CSV."""
    segments = [1136037770 + 104729 * n for n in range(40)]
    pd.DataFrame({"segment_id": segments, "time_to_eruption": [12262005 + 3331 * n for n in range(40)]}).to_csv(
        raw / "train.csv", index=False
    )
    for segment in segments:
        touch(raw / "train" / f"{segment}.csv", f"sensor_1\n{segment % 97}\n".encode())


def player_contact(raw: Path) -> None:
    """Ten plays of four labelled pairs (one against the ground, 'G'), with helmets, tracking and videos."""
    plays = [f"58{168 + n}_00{3392 + 11 * n}" for n in range(10)]
    labels = [{"contact_id": f"{play}_{step}_{47795 + n}_{'G' if n == 3 else 52639 + n}", "game_play": play,
               "datetime": f"2020-09-11T03:01:{48 + step}.100Z", "step": step, "nfl_player_id_1": 47795 + n,
               "nfl_player_id_2": "G" if n == 3 else str(52639 + n), "contact": int(n == step % 4)}
              for play in plays for step in (0, 1) for n in range(2 * step, 2 * step + 2)]  # fmt: skip
    pd.DataFrame(labels).to_csv(raw / "train_labels.csv", index=False)
    tables = {"baseline_helmets": [{"game_play": p, "view": v, "frame": 1, "nfl_player_id": 47795, "left": 1001}
                                   for p in plays for v in VIEWS[1:]],
              "player_tracking": [{"game_play": p, "nfl_player_id": 47795 + n, "step": 0, "x_position": 39.59 + n}
                                  for p in plays for n in range(4)],
              "video_metadata": [{"game_play": p, "view": v, "start_time": "2020-09-11T03:01:43.134Z"}
                                 for p in plays for v in VIEWS[1:]]}  # fmt: skip
    for name, rows in tables.items():
        pd.DataFrame(rows).to_csv(raw / f"train_{name}.csv", index=False)
    for play in plays:
        for view in VIEWS:
            touch(raw / "train" / f"{play}_{view}.mp4", f"{play}{view}".encode())


MAKERS: dict[str, Maker] = {
    "rsna-2022-cervical-spine-fracture-detection": cervical_spine,
    "rsna-breast-cancer-detection": breast_cancer,
    "rsna-miccai-brain-tumor-radiogenomic-classification": brain_tumor,
    "hms-harmful-brain-activity-classification": brain_activity,
    "google-research-identify-contrails-reduce-global-warming": contrails,
    "vesuvius-challenge-ink-detection": ink_detection,
    "seti-breakthrough-listen": seti,
    "icecube-neutrinos-in-deep-ice": icecube,
    "predict-volcanic-eruptions-ingv-oe": volcano,
    "nfl-player-contact-detection": player_contact,
}
# Files compared otherwise than as text tables or bytes, with the reason.
DIFFERENCES: dict[str, dict[str, str]] = {
    "icecube-neutrinos-in-deep-ice": dict.fromkeys(
        ("public/train_meta.parquet", "public/test_meta.parquet"),
        "MLE-bench writes Parquet with fastparquet, podium with pyarrow: compared as tables below",
    ),
}


def prepared(competition_id: str, catalog: Catalog, tmp_path: Path) -> tuple[Path, Path]:
    prepare_on(MAKERS[competition_id], catalog_hook(catalog, competition_id), tmp_path)
    return tmp_path / "public", tmp_path / "private"


def parquet_without_fastparquet(original: Callable[..., Any]) -> Callable[..., Any]:
    """DataFrame.to_parquet that writes with the default engine when asked for fastparquet."""

    def to_parquet(frame: pd.DataFrame, *args: Any, **options: Any) -> Any:
        if options.get("engine") == "fastparquet":
            options.pop("engine")
        return original(frame, *args, **options)

    return to_parquet


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_preparation_equals_mlebench(
    competition_id: str, repo_catalog: Catalog, mlebench_prepare: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    theirs = as_mlebench_ran(mlebench_prepare(competition_id))
    if importlib.util.find_spec("fastparquet") is None:  # icecube's reference asks for it; podium does not need it
        monkeypatch.setattr(pd.DataFrame, "to_parquet", parquet_without_fastparquet(pd.DataFrame.to_parquet))
    ours_root, theirs_root = prepare_both(
        MAKERS[competition_id], catalog_hook(repo_catalog, competition_id), theirs, tmp_path
    )

    differences = DIFFERENCES.get(competition_id, {})
    assert_same_preparation(ours_root, theirs_root, differences=differences)
    for name in (name for name in differences if name.endswith(".parquet")):
        pd.testing.assert_frame_equal(pd.read_parquet(ours_root / name), pd.read_parquet(theirs_root / name))


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_sample_submission_grades_valid(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    competition = resolve_competition(repo_catalog, competition_id)
    public, private = prepared(competition_id, repo_catalog, tmp_path)

    check_answers(competition.prepare, private)
    answers = private / competition.prepare.answers
    report = grade_submission(public / "sample_submission.csv", competition, answers, None)
    assert report.valid_submission, report.error


@pytest.mark.parametrize(
    ("competition_id", "perfect"),
    [("hms-harmful-brain-activity-classification", 0.0), ("vesuvius-challenge-ink-detection", 1.0)],
)
def test_gold_submission_scores_perfectly(
    competition_id: str, perfect: float, repo_catalog: Catalog, tmp_path: Path
) -> None:
    competition = resolve_competition(repo_catalog, competition_id)
    _, private = prepared(competition_id, repo_catalog, tmp_path)

    report = grade_submission(private / "gold_submission.csv", competition, private / competition.prepare.answers, None)
    assert report.valid_submission, report.error
    assert report.score == pytest.approx(perfect, abs=1e-9)


# One raw file or folder each hook needs, removed, and the words of the error that must name it.
DAMAGE = {
    "rsna-2022-cervical-spine-fracture-detection": ("segmentations", r"lacks segmentations"),
    "rsna-breast-cancer-detection": ("train_images/10006/462822.dcm", r"462822\.dcm is missing"),
    "rsna-miccai-brain-tumor-radiogenomic-classification": ("train/00006", r"00006 is missing"),
    "hms-harmful-brain-activity-classification": ("example_figures", r"example_figures is missing"),
    "google-research-identify-contrails-reduce-global-warming": (
        "train/1000216489776414084/human_pixel_masks.npy",  # a test record: its mask becomes the answer
        r"1000216489776414084 lacks human_pixel_masks\.npy",
    ),
    "vesuvius-challenge-ink-detection": ("train/3/ir.png", r"lacks ir\.png"),
    "seti-breakthrough-listen": ("old_leaky_data", r"old_leaky_data is missing"),
    "icecube-neutrinos-in-deep-ice": ("train/batch_4.parquet", r"lists batches \[4\] that have no file"),
    "predict-volcanic-eruptions-ingv-oe": ("train/1136037770.csv", r"1136037770\.csv is missing"),
    "nfl-player-contact-detection": ("train_player_tracking.csv", r"lacks train_player_tracking\.csv"),
}


@pytest.mark.parametrize("competition_id", sorted(DAMAGE))
def test_missing_raw_file_is_a_clear_error(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    raw, public, private = (tmp_path / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    MAKERS[competition_id](raw)
    missing, message = DAMAGE[competition_id]
    remove(raw / missing)

    with pytest.raises(DataError, match=message):
        catalog_hook(repo_catalog, competition_id)(raw=raw, public=public, private=private)


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()
