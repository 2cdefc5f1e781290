"""Ten image-classification hooks on fabricated raw data in Kaggle's layout, each compared with
MLE-bench's own prepare run on the same data, and each writing a sample submission that grades
valid against its answers.

No hook reads pixels, so an image is a few bytes naming itself: a file copied to the wrong name
or side shows up in the byte comparison."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from mlebench_catalog import SPECS
from mlebench_reference import assert_same_preparation, catalog_hook, prepare_both, prepare_on
from ruamel.yaml import YAML

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

Maker = Callable[[Path], None]
N = 40


def targets_of(competition_id: str) -> list[str]:
    spec = YAML(typ="safe").load((SPECS / "competitions" / competition_id / "spec.yaml").read_text(encoding="utf-8"))
    return list(spec["prepare"]["targets"])


BREEDS, SPECIES = targets_of("dog-breed-identification"), targets_of("leaf-classification")
PADDY_LABELS = ("bacterial_leaf_blight", "blast", "normal", "tungro")
LEAF_DISEASES = ("healthy", "scab", "frog_eye_leaf_spot complex", "rust", "scab frog_eye_leaf_spot")


def images(folder: Path, names: list[str]) -> None:
    """Tiny stand-ins for images: each file's bytes are its own name."""
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(name.encode())


def zipped(archive: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(archive, "w") as opened:
        for name, data in members.items():
            opened.writestr(name, data)


def csv_bytes(table: pd.DataFrame) -> bytes:
    return table.to_csv(index=False).encode()


def aerial_cactus(raw: Path) -> None:
    ids = [f"{i * 7919:032x}.jpg" for i in range(N)]
    pd.DataFrame({"id": ids, "has_cactus": [int(i % 4 != 0) for i in range(N)]}).to_csv(raw / "train.csv", index=False)
    zipped(raw / "train.zip", {f"train/{i}": i.encode() for i in ids})


def aptos(raw: Path) -> None:
    ids = [f"{i * 104729:012x}" for i in range(N)]
    pd.DataFrame({"id_code": ids, "diagnosis": [i % 5 for i in range(N)]}).to_csv(raw / "train.csv", index=False)
    images(raw / "train_images", [f"{i}.png" for i in ids])


def dog_breeds(raw: Path) -> None:
    ids = [f"{i * 15485863:032x}" for i in range(N)]
    pd.DataFrame({"id": ids, "breed": [BREEDS[i * 7 % len(BREEDS)] for i in range(N)]}).to_csv(
        raw / "labels.csv", index=False
    )
    images(raw / "train", [f"{i}.jpg" for i in ids])
    images(raw / "test", ["kaggle-test.jpg"])  # Kaggle's unlabelled test images: no part of the split


def dogs_vs_cats(raw: Path) -> None:
    kinds = [f"{kind}.{n}.jpg" for kind in ("cat", "dog") for n in range(N // 2)]
    zipped(raw / "train.zip", {f"train/{name}": name.encode() for name in kinds})
    zipped(raw / "test.zip", {f"test/{n}.jpg": b"unlabelled" for n in range(1, 6)})


def histopathology(raw: Path) -> None:
    ids = [f"{i * 32452843:040x}" for i in range(N)]
    pd.DataFrame({"id": ids, "label": [i % 2 for i in range(N)]}).to_csv(raw / "train_labels.csv", index=False)
    images(raw / "train", [f"{i}.tif" for i in ids])
    images(raw / "test", [f"kaggle-test-{n}.tif" for n in range(N // 2)])  # sets the test share to 1/3


def invasive_species(raw: Path) -> None:
    import py7zr

    names = list(range(1, N + 1))
    labels = pd.DataFrame({"name": names, "invasive": [n % 3 % 2 for n in names]})
    zipped(raw / "train_labels.csv.zip", {"train_labels.csv": csv_bytes(labels)})
    with py7zr.SevenZipFile(raw / "train.7z", "w") as packed:
        for name in names:
            packed.writef(io.BytesIO(f"{name}.jpg".encode()), f"train/{name}.jpg")


def leaves(raw: Path) -> None:
    ids = list(range(1, 3 * N, 3))  # Kaggle's test leaves take the ids between
    table = pd.DataFrame({"id": ids, "species": [SPECIES[i * 5 % len(SPECIES)] for i in range(N)]})
    for feature in ("margin1", "shape1", "texture64"):
        table[feature] = [round((i * 0.7311 + len(feature)) % 1 * 0.05, 6) for i in range(N)]
    table.loc[0, "shape1"] = 0.00079144  # an awkward float: both sides must write it back unchanged
    zipped(raw / "train.csv.zip", {"train.csv": csv_bytes(table)})
    zipped(raw / "images.zip", {f"images/{i}.jpg": str(i).encode() for i in range(1, 3 * N + 1)})


def paddy(raw: Path) -> None:
    ids = [f"{100000 + i * 37}.jpg" for i in range(N)]
    labels = [PADDY_LABELS[i % len(PADDY_LABELS)] for i in range(N)]
    pd.DataFrame({"image_id": ids, "label": labels, "variety": "ADT45", "age": [45 + i % 30 for i in range(N)]}).to_csv(
        raw / "train.csv", index=False
    )
    pd.DataFrame({"image_id": ["200001.jpg"], "label": [""]}).to_csv(raw / "sample_submission.csv", index=False)
    images(raw / "train_images", [f"{label}/{image}" for label, image in zip(labels, ids, strict=True)])
    images(raw / "test_images", ["200001.jpg"])


def plant_pathology_2020(raw: Path) -> None:
    classes = ("healthy", "multiple_diseases", "rust", "scab")
    table = pd.DataFrame({"image_id": [f"Train_{i}" for i in range(N)]})
    for n, name in enumerate(classes):
        table[name] = [int(i // 3 % len(classes) == n) for i in range(N)]  # each class in the 4 test rows
    table.to_csv(raw / "train.csv", index=False)
    images(raw / "images", [f"Train_{i}.jpg" for i in range(N)] + [f"Test_{i}.jpg" for i in range(5)])


def plant_pathology_2021(raw: Path) -> None:
    ids = [f"{i * 2750159:016x}.jpg" for i in range(N)]
    labels = [LEAF_DISEASES[i % len(LEAF_DISEASES)] for i in range(N)]
    pd.DataFrame({"image": ids, "labels": labels}).to_csv(raw / "train.csv", index=False)
    images(raw / "train_images", ids)


MAKERS: dict[str, Maker] = {
    "aerial-cactus-identification": aerial_cactus,
    "aptos2019-blindness-detection": aptos,
    "dog-breed-identification": dog_breeds,
    "dogs-vs-cats-redux-kernels-edition": dogs_vs_cats,
    "histopathologic-cancer-detection": histopathology,
    "invasive-species-monitoring": invasive_species,
    "leaf-classification": leaves,
    "paddy-disease-classification": paddy,
    "plant-pathology-2020-fgvc7": plant_pathology_2020,
    "plant-pathology-2021-fgvc8": plant_pathology_2021,
}

# Files known to differ from MLE-bench's, each with the reason (the hooks' docstrings say why too)
DIFFERENCES: dict[str, dict[str, str]] = {
    "paddy-disease-classification": {
        "public/sample_submission.csv": "MLE-bench's leaves every label empty, which is no valid submission"
    },
    "invasive-species-monitoring": {
        "public/train.7z": "MLE-bench's holds an empty folder entry, not the images (openai/mle-bench#122)",
        "public/test.7z": "the same py7zr misuse: MLE-bench's test.7z has no images",
    },
}


def prepared(catalog: Catalog, competition_id: str, tmp_path: Path, damage: Maker | None = None) -> Path:
    return prepare_on(MAKERS[competition_id], catalog_hook(catalog, competition_id), tmp_path, damage)


def unzip_mlebench_sample(theirs: Path) -> None:
    """MLE-bench zips invasive's public sample submission; podium ships it as plain CSV, as for
    every competition, so the comparison reads MLE-bench's from its zip."""
    archive = theirs / "public" / "sample_submission.csv.zip"
    with zipfile.ZipFile(archive) as opened:
        opened.extract("sample_submission.csv", archive.parent)
    archive.unlink()


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_preparation_equals_mlebench(
    competition_id: str, repo_catalog: Catalog, mlebench_prepare: Any, tmp_path: Path
) -> None:
    theirs_prepare = mlebench_prepare(competition_id)
    ours, theirs = prepare_both(
        MAKERS[competition_id], catalog_hook(repo_catalog, competition_id), theirs_prepare, tmp_path
    )
    if competition_id == "invasive-species-monitoring":
        unzip_mlebench_sample(theirs)

    assert_same_preparation(ours, theirs, differences=DIFFERENCES.get(competition_id, {}))


def test_paddy_sample_has_mlebench_rows_with_a_real_label(
    repo_catalog: Catalog, mlebench_prepare: Any, tmp_path: Path
) -> None:
    competition_id = "paddy-disease-classification"
    ours, theirs = prepare_both(
        paddy, catalog_hook(repo_catalog, competition_id), mlebench_prepare(competition_id), tmp_path
    )
    our_sample = pd.read_csv(ours / "public" / "sample_submission.csv")
    their_sample = pd.read_csv(theirs / "public" / "sample_submission.csv")

    assert list(our_sample["image_id"]) == list(their_sample["image_id"])
    assert their_sample["label"].isna().all() and our_sample["label"].eq("normal").all()


def sevenzip_members(archive: Path) -> list[str]:
    import py7zr

    with py7zr.SevenZipFile(archive) as opened:
        return sorted(entry.filename for entry in opened.list() if not entry.is_directory)


def test_invasive_archives_hold_the_images_mlebench_leaves_out(
    repo_catalog: Catalog, mlebench_prepare: Any, tmp_path: Path
) -> None:
    competition_id = "invasive-species-monitoring"
    ours, theirs = prepare_both(
        invasive_species, catalog_hook(repo_catalog, competition_id), mlebench_prepare(competition_id), tmp_path
    )
    answers = pd.read_csv(theirs / "private" / "answers.csv")
    with zipfile.ZipFile(theirs / "public" / "train_labels.csv.zip") as opened:
        train = pd.read_csv(opened.open("train_labels.csv"))

    for side, names in (("train", train["name"]), ("test", answers["name"])):
        assert sevenzip_members(ours / "public" / f"{side}.7z") == sorted(f"{side}/{name}.jpg" for name in names)
        assert sevenzip_members(theirs / "public" / f"{side}.7z") == []  # openai/mle-bench#122


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_sample_submission_grades_valid(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    competition = resolve_competition(repo_catalog, competition_id)
    root = prepared(repo_catalog, competition_id, tmp_path)
    answers_path = root / "private" / competition.prepare.answers
    id_column = competition.prepare.id_column

    check_answers(competition.prepare, root / "private")
    sample, answers = pd.read_csv(root / "public" / "sample_submission.csv"), pd.read_csv(answers_path)
    report = grade_submission(root / "public" / "sample_submission.csv", competition, answers_path, None)

    assert report.valid_submission, report.error
    assert 0 < len(answers) < N and list(sample[id_column]) == list(answers[id_column])


@pytest.mark.parametrize("competition_id", ["dog-breed-identification", "leaf-classification"])
def test_one_hot_answers_cover_every_class(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    root = prepared(repo_catalog, competition_id, tmp_path)
    answers = pd.read_csv(root / "private" / "test.csv")
    classes = targets_of(competition_id)

    assert list(answers.columns[1:]) == classes and len(classes) in (99, 120)
    assert answers[classes].sum(axis=1).eq(1).all() and answers[classes].sum().eq(0).any()


def remove(name: str) -> Maker:
    def damage(raw: Path) -> None:
        path = raw / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()

    return damage


def relabel(table: str, column: str, value: str) -> Maker:
    def damage(raw: Path) -> None:
        pd.read_csv(raw / table).assign(**{column: value}).to_csv(raw / table, index=False)

    return damage


@pytest.mark.parametrize(
    ("competition_id", "damage", "message"),
    [
        ("aerial-cactus-identification", remove("train.zip"), r"lacks train\.zip"),
        ("aptos2019-blindness-detection", remove("train_images/000000000000.png"), r"000000000000\.png is missing"),
        ("dog-breed-identification", relabel("labels.csv", "breed", "wolf"), r"breeds outside .*: wolf"),
        ("dogs-vs-cats-redux-kernels-edition", lambda raw: zipped(raw / "train.zip", {}), r"holds no train/\*\.jpg"),
        ("histopathologic-cancer-detection", remove("test"), r"lacks test"),
        ("invasive-species-monitoring", remove("train_labels.csv.zip"), r"lacks train_labels\.csv\.zip"),
        ("paddy-disease-classification", remove("train.csv"), r"lacks train\.csv"),
        ("plant-pathology-2020-fgvc7", remove("images/Train_3.jpg"), r"Train_3\.jpg is missing"),
        ("plant-pathology-2021-fgvc8", remove("train_images"), r"is missing from the raw data"),
    ],
)  # fmt: skip
def test_damaged_raw_data_is_a_clear_error(
    competition_id: str, damage: Maker, message: str, repo_catalog: Catalog, tmp_path: Path
) -> None:
    with pytest.raises(DataError, match=message):
        prepared(repo_catalog, competition_id, tmp_path, damage)


@pytest.mark.parametrize(
    ("competition_id", "constant"),
    [("dog-breed-identification", "BREEDS"), ("leaf-classification", "SPECIES")],
)
def test_hook_class_lists_equal_the_specs_targets(competition_id: str, constant: str, repo_catalog: Catalog) -> None:
    # a compiled package carries the hook alone, so the hook keeps its own copy of the spec's class list
    hook = catalog_hook(repo_catalog, competition_id)
    classes = hook.__globals__[constant]

    assert classes == list(resolve_competition(repo_catalog, competition_id).prepare.targets)
    assert classes == sorted(classes)
