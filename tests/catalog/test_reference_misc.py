"""Seven audio, video and tabular hooks on fabricated raw data in Kaggle's layout, each run beside
MLE-bench's own prepare on the same data: the same files, splits, answers and sample
submissions. Our sample submission also grades valid against our answers.

Where MLE-bench's prepare cannot run as it is on tiny data, one helper is replaced for both
sides: freesound's answers come from a download (here a fabricated FSDKaggle2019.meta.zip), and
tabular-playground-series-may-2022 holds out a fixed 100,000 rows (here 8)."""

from __future__ import annotations

import importlib
import io
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from mlebench_catalog import SPECS
from mlebench_reference import assert_same_preparation, catalog_hook, prepare_both, prepare_on

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

Maker = Callable[[Path], None]
Patch = Callable[[pytest.MonkeyPatch, Any], None]

FREESOUND = "freesound-audio-tagging-2019"
SPEECH = "tensorflow-speech-recognition-challenge"
RIGHT_WHALE = "the-icml-2013-whale-challenge-right-whale-redux"
GESTURES = "multi-modal-gesture-recognition"
TIMIT = "ml2021spring-hw2"
NOMAD = "nomad2018-predict-transparent-conductors"
TABULAR_MAY = "tabular-playground-series-may-2022"

FREESOUND_CLASSES: list[str] = yaml.safe_load((SPECS / "competitions" / FREESOUND / "spec.yaml").read_text())[
    "prepare"
]["targets"]
META = "FSDKaggle2019.meta.zip"
TABULAR_MAY_TEST_ROWS = 100_000  # MLE-bench's hard-coded hold-out, more rows than a test can fabricate
PODIUM_SAMPLE = "public/sample_submission.csv"


def frame(**columns: Any) -> pd.DataFrame:
    return pd.DataFrame(columns)


def zip_members(archive: Path, members: dict[str, str | bytes]) -> None:
    with zipfile.ZipFile(archive, "w") as opened:
        for name, data in members.items():
            opened.writestr(name, data)


def tar_members(archive: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(archive, "w:gz") as opened:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            opened.addfile(info, io.BytesIO(data))


# --- freesound-audio-tagging-2019: Kaggle's files published as they are, answers from Zenodo


def freesound_tags(clip: int) -> str:
    return ",".join(FREESOUND_CLASSES[(clip * 7 + k) % len(FREESOUND_CLASSES)] for k in range(1 + clip % 3))


def freesound_meta(archive: Path) -> None:
    """Zenodo's post-competition labels: a third of the test clips Public, the rest Private."""
    clips = range(15)
    labels = frame(fname=[f"t{clip:04d}.wav" for clip in clips], labels=[freesound_tags(clip) for clip in clips],
                   usage=["Public" if clip % 3 == 0 else "Private" for clip in clips], freesound_id=list(clips),
                   license="CC-BY")  # fmt: skip
    zip_members(archive, {"FSDKaggle2019.meta/test_post_competition.csv": labels.to_csv(index=False),
                          "FSDKaggle2019.meta/train_curated_post_competition.csv": "fname,labels\n"})  # fmt: skip


def freesound(raw: Path) -> None:
    private = [f"t{clip:04d}.wav" for clip in range(15) if clip % 3]
    frame(fname=private, **dict.fromkeys(FREESOUND_CLASSES, 0)).to_csv(raw / "sample_submission.csv", index=False)
    for name in ("train_curated", "train_noisy"):
        frame(fname=[f"{name}{i}.wav" for i in range(4)], labels=[freesound_tags(i) for i in range(4)]).to_csv(
            raw / f"{name}.csv", index=False
        )
        (raw / f"{name}.zip").write_bytes(f"{name} clips".encode())
    (raw / "test.zip").write_bytes(b"test clips")
    freesound_meta(raw / META)


def freesound_offline(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    # MLE-bench downloads the labels with requests; the machine is offline, so "download" our fabricated zip
    monkeypatch.setattr(module, "download_file", lambda url, destination: freesound_meta(Path(destination)))


# --- tensorflow-speech-recognition-challenge: the clips of train.7z, 90/10


SPEECH_WORDS = {"yes": 9, "no": 8, "bed": 6, "_background_noise_": 3}


def speech(raw: Path) -> None:
    import py7zr

    with py7zr.SevenZipFile(raw / "train.7z", "w") as archive:
        for word, count in SPEECH_WORDS.items():
            for n in range(count):
                # speakers say several words, so clip names repeat across folders, as in Kaggle's data
                archive.writestr(f"RIFF {word} {n}".encode(), f"train/audio/{word}/{n:08x}_nohash_0.wav")
        archive.writestr("bed/00000001_nohash_0.wav\n", "train/validation_list.txt")
    (raw / "test.7z").write_bytes(b"Kaggle's unlabelled test clips")


# --- the-icml-2013-whale-challenge-right-whale-redux: the first two days train, the last two test


def right_whale(raw: Path) -> None:
    members: dict[str, str | bytes] = {"train2/": b""}
    for number in range(24):
        day, second = 20090328 + number % 4, (number * 37) % 90
        # Kaggle's TRAIN numbers do not follow the time; the hooks renumber in time order
        name = f"{day}_{number % 6:02d}1500_{second:03d}s{number % 10}ms_TRAIN{(number * 5) % 24}_{number % 3 % 2}.aif"
        members[f"train2/{name}"] = f"FORM {number}".encode()
    zip_members(raw / "train2.zip", members)


# --- multi-modal-gesture-recognition: training4 becomes the test set


GESTURE_ARCHIVES = ["training1.tar.gz", "training2.tar.gz", "training3.tar.gz",
                    "validation1.tar.gz", "validation2.tar.gz", "validation3.tar.gz",
                    "devel01-40.7z", "valid_all_files_combined.7z", "sample_code_mmrgc.zip"]  # fmt: skip


def gestures(raw: Path) -> None:
    samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 300, 301, 302, 303, 304]  # training4 holds 300 onwards
    ids = [f"{sample:04d}" for sample in samples[::-1]]  # training.csv not in id order
    sequences = [" ".join(str((sample + k) % 20 + 1) for k in range(sample % 5 + 3)) for sample in samples[::-1]]
    frame(Id=ids, Sequence=sequences).to_csv(raw / "training.csv", index=False)
    tar_members(raw / "training4.tar.gz", {f"Sample{sample:05d}.zip": b"mat" for sample in samples[10:]})
    for name in GESTURE_ARCHIVES:
        (raw / name).write_bytes(f"{name} content".encode())
    frame(Id=["0700"], Sequence=["1 2 3"]).to_csv(raw / "randomPredictions.csv", index=False)  # Kaggle's, unused


# --- ml2021spring-hw2: frames of train_11.npy with Kaggle's test share


def timit(raw: Path) -> None:
    folder = raw / "timit_11" / "timit_11"
    folder.mkdir(parents=True)
    frames = np.random.default_rng(0).normal(size=(40, 6)).astype(np.float32)
    np.save(folder / "train_11.npy", frames)
    np.save(folder / "train_label_11.npy", np.array([str(i % 39) for i in range(40)]))  # Kaggle's labels are text
    np.save(folder / "test_11.npy", np.zeros((15, 6), dtype=np.float32))


# --- nomad2018-predict-transparent-conductors: train.csv 90/10, ids renumbered, geometries follow


def nomad(raw: Path) -> None:
    materials = 30
    rng = np.random.default_rng(1)
    table = frame(id=range(1, materials + 1), spacegroup=[[12, 33, 167, 206][i % 4] for i in range(materials)],
                  number_of_total_atoms=80.0, percent_atom_al=rng.random(materials).round(4),
                  lattice_vector_1_ang=rng.uniform(3, 25, materials), lattice_angle_alpha_degree=90.0024,
                  formation_energy_ev_natom=rng.uniform(0, 0.6, materials).round(4),
                  bandgap_energy_ev=rng.uniform(0.5, 5, materials).round(4))  # fmt: skip
    zip_members(raw / "train.csv.zip", {"train.csv": table.to_csv(index=False)})
    zip_members(raw / "test.csv.zip", {"test.csv": table.drop(columns=["bandgap_energy_ev"]).to_csv(index=False)})
    geometries: dict[str, str | bytes] = {
        f"train/{i}/geometry.xyz": f"lattice_vector {i} 0 0\natom 0 0 0 Ga\n" for i in table["id"]
    }
    zip_members(raw / "train.zip", geometries)
    zip_members(raw / "test.zip", {"test/1/geometry.xyz": "lattice_vector 9 0 0\n"})


# --- tabular-playground-series-may-2022: train.csv with a fixed-size hold-out


def tabular_may(raw: Path) -> None:
    rows = 40
    rng = np.random.default_rng(2)
    columns: dict[str, Any] = {"id": range(rows)}
    columns |= {f"f_{i:02d}": rng.normal(size=rows) for i in range(7)}
    columns |= {f"f_{i:02d}": rng.integers(0, 12, rows) for i in range(7, 19)}
    columns |= {"f_27": ["ABBCADDBAC"[i % 7 :] + "AB"[: i % 3] for i in range(rows)], "f_30": rng.integers(0, 3, rows)}
    columns["target"] = [i % 2 for i in range(rows)]
    frame(**columns).to_csv(raw / "train.csv", index=False)


def shrink_hold_out(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Any]:
    """scikit-learn's split, holding out 8 rows where 100,000 are asked for; our hook imports it on each call."""
    from sklearn import model_selection

    split = model_selection.train_test_split

    def small_split(*arrays: Any, test_size: Any = None, **options: Any) -> Any:
        return split(*arrays, test_size=8 if test_size == TABULAR_MAY_TEST_ROWS else test_size, **options)

    monkeypatch.setattr(model_selection, "train_test_split", small_split)
    return small_split


def shrunk_hold_out(monkeypatch: pytest.MonkeyPatch, module: Any) -> None:
    monkeypatch.setattr(module, "train_test_split", shrink_hold_out(monkeypatch))  # MLE-bench imported it once


@dataclass(frozen=True)
class Case:
    maker: Maker
    patch: Patch | None = None
    # MLE-bench's name of the sample submission -> podium's (the agents' contract is sample_submission.csv)
    renamed: dict[str, str] = field(default_factory=dict)


CASES = {
    FREESOUND: Case(freesound, patch=freesound_offline),
    SPEECH: Case(speech),
    RIGHT_WHALE: Case(right_whale, renamed={"public/sampleSubmission.csv": PODIUM_SAMPLE}),
    GESTURES: Case(gestures, renamed={"public/randomPredictions.csv": PODIUM_SAMPLE}),
    TIMIT: Case(timit, renamed={"public/sampleSubmission.csv": PODIUM_SAMPLE}),
    NOMAD: Case(nomad),
    TABULAR_MAY: Case(tabular_may, patch=shrunk_hold_out),
}


def run_ours(catalog: Catalog, competition_id: str, tmp_path: Path, maker: Maker | None = None) -> tuple[Path, Path]:
    prepare_on(maker or CASES[competition_id].maker, catalog_hook(catalog, competition_id), tmp_path)
    return tmp_path / "public", tmp_path / "private"


def rename(root: Path, renamed: dict[str, str]) -> None:
    for theirs, ours in renamed.items():
        (root / theirs).rename(root / ours)


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_preparation_equals_mlebench(
    competition_id: str, repo_catalog: Catalog, mlebench_prepare: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = CASES[competition_id]
    theirs = mlebench_prepare(competition_id)
    if case.patch:
        case.patch(monkeypatch, importlib.import_module(theirs.__module__))

    ours_root, theirs_root = prepare_both(case.maker, catalog_hook(repo_catalog, competition_id), theirs, tmp_path)

    rename(theirs_root, case.renamed)
    assert_same_preparation(ours_root, theirs_root)


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_sample_submission_grades_valid(
    competition_id: str, repo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    if CASES[competition_id].patch is shrunk_hold_out:
        shrink_hold_out(monkeypatch)
    competition = resolve_competition(repo_catalog, competition_id)
    public, private = run_ours(repo_catalog, competition_id, tmp_path)

    check_answers(competition.prepare, private)
    answers = private / competition.prepare.answers
    report = grade_submission(public / "sample_submission.csv", competition, answers, None)

    assert report.valid_submission, report.error
    assert len(pd.read_csv(public / "sample_submission.csv")) == len(pd.read_csv(answers)) > 0


def test_freesound_publishes_only_kaggles_files_when_raw_is_prepared_again(
    repo_catalog: Catalog, tmp_path: Path
) -> None:
    def kaggle_download(raw: Path) -> None:
        freesound(raw)
        (raw / f"{FREESOUND}.zip").write_bytes(b"the bundle podium fetched and unpacked")

    run_ours(repo_catalog, FREESOUND, tmp_path / "first", kaggle_download)
    raw = tmp_path / "first" / "raw"
    public, private = tmp_path / "again" / "public", tmp_path / "again" / "private"
    catalog_hook(repo_catalog, FREESOUND)(raw=raw, public=public, private=private)  # raw/ holds the unpacked labels now

    assert sorted(path.name for path in public.iterdir()) == [
        "sample_submission.csv", "test.zip", "train_curated.csv", "train_curated.zip", "train_noisy.csv",
        "train_noisy.zip"]  # fmt: skip
    answers = pd.read_csv(private / "test.csv").set_index("fname")
    assert answers.loc["t0002.wav"].sum() == 3 and answers.loc["t0002.wav", freesound_tags(2).split(",")].all()


def test_speech_test_clips_are_renamed_and_keep_their_folder_label(repo_catalog: Catalog, tmp_path: Path) -> None:
    public, private = run_ours(repo_catalog, SPEECH, tmp_path)
    answers = pd.read_csv(private / "test.csv")
    train_clips = list((public / "train" / "audio").rglob("*.wav"))

    assert len(train_clips) + len(answers) == sum(SPEECH_WORDS.values()) and len(answers) == 3
    assert sorted(path.name for path in (public / "test" / "audio").iterdir()) == sorted(answers["fname"])
    for clip, label in zip(answers["fname"], answers["label"], strict=True):
        assert (public / "test" / "audio" / clip).read_bytes().decode().startswith(f"RIFF {label} ")


def test_right_whale_test_clips_are_the_last_two_days_without_labels(repo_catalog: Catalog, tmp_path: Path) -> None:
    public, private = run_ours(repo_catalog, RIGHT_WHALE, tmp_path)
    with zipfile.ZipFile(public / "test2.zip") as opened:
        test_clips = [name.removeprefix("test2/") for name in opened.namelist() if name.endswith(".aif")]
    with zipfile.ZipFile(public / "train2.zip") as opened:
        train_days = {name.removeprefix("train2/")[:8] for name in opened.namelist() if name.endswith(".aif")}

    assert sorted(test_clips) == sorted(pd.read_csv(private / "test.csv")["clip"])
    assert train_days == {"20090328", "20090329"} and {clip[:8] for clip in test_clips} == {"20090330", "20090331"}
    assert not any("TRAIN" in clip for clip in test_clips)


def test_gesture_test_recordings_leave_training_csv(repo_catalog: Catalog, tmp_path: Path) -> None:
    public, private = run_ours(repo_catalog, GESTURES, tmp_path)
    training = pd.read_csv(public / "training.csv", dtype=str)
    answers = pd.read_csv(private / "test.csv", dtype=str)

    assert sorted(answers["Id"]) == list(pd.read_csv(public / "test.csv", dtype=str)["Id"]) == [
        "0300", "0301", "0302", "0303", "0304"]  # fmt: skip
    assert len(training) == 10 and set(training["Id"]).isdisjoint(answers["Id"])


def test_nomad_geometries_follow_their_renumbered_material(repo_catalog: Catalog, tmp_path: Path) -> None:
    public, _ = run_ours(repo_catalog, NOMAD, tmp_path)
    raw = pd.read_csv(io.BytesIO(zipfile.ZipFile(tmp_path / "raw" / "train.csv.zip").read("train.csv")))
    old_id_of = dict(zip(raw["lattice_vector_1_ang"], raw["id"], strict=True))

    for side in ("train", "test"):
        table = pd.read_csv(public / f"{side}.csv")
        assert list(table["id"]) == list(range(1, len(table) + 1))
        for new_id, lattice in zip(table["id"], table["lattice_vector_1_ang"], strict=True):
            geometry = (public / side / str(new_id) / "geometry.xyz").read_text()
            assert geometry.startswith(f"lattice_vector {old_id_of[lattice]} ")


def without(*names: str) -> Callable[[Path], None]:
    def damage(raw: Path) -> None:
        for name in names:
            (raw / name).unlink()

    return damage


def with_days(days: int) -> Callable[[Path], None]:
    def damage(raw: Path) -> None:
        zip_members(
            raw / "train2.zip", {f"train2/2009033{day}_001500_000s0ms_TRAIN{day}_0.aif": b"" for day in range(days)}
        )

    return damage


@pytest.mark.parametrize(
    ("competition_id", "damage", "message"),
    [
        (FREESOUND, without(META), r"download FSDKaggle2019\.meta\.zip from https://zenodo"),
        (FREESOUND, lambda raw: (raw / "sample_submission.csv").write_text("fname\nx\n"),
         r"Private clips of FSDKaggle2019\.meta\.zip are not the clips of sample_submission"),
        (SPEECH, without("train.7z"), r"lacks train\.7z"),
        (RIGHT_WHALE, without("train2.zip"), r"lacks train2\.zip"),
        (RIGHT_WHALE, with_days(3), r"3 recording days .* Kaggle's of 4"),
        (GESTURES, without("training4.tar.gz"), r"lacks training4\.tar\.gz"),
        (GESTURES, without("devel01-40.7z"), r"devel01-40\.7z is missing"),
        (GESTURES, lambda raw: tar_members(raw / "training4.tar.gz", {"Sample00999.zip": b""}),
         r"1 Sample\*\.zip recordings, 0 of them in training\.csv"),
        (TIMIT, without("timit_11/timit_11/test_11.npy"), r"lacks test_11\.npy"),
        (NOMAD, without("train.zip"), r"lacks train\.zip"),
        (TABULAR_MAY, without("train.csv"), r"lacks train\.csv"),
    ],
)  # fmt: skip
def test_damaged_raw_data_is_a_clear_error(
    competition_id: str, damage: Callable[[Path], None], message: str, repo_catalog: Catalog, tmp_path: Path
) -> None:
    def damaged(raw: Path) -> None:
        CASES[competition_id].maker(raw)
        damage(raw)

    with pytest.raises(DataError, match=message):
        run_ours(repo_catalog, competition_id, tmp_path, damaged)
