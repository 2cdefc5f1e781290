"""Ten image competitions' prepare hooks against MLE-bench's own prepare, on tiny fabricated raw
data in Kaggle's layout: the same split, answers, sample submission and public files, and a
sample submission that grades valid against the answers podium writes.

Files that MLE-bench writes under another name or side are moved to podium's place before the
comparison (`moved`), each with the reason; MLE-bench's alaska2 prepare holds out a fixed 5,000
images, so both prepares run with that count scaled down to a few.
"""

from __future__ import annotations

import io
import json
import shutil
import types
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import py7zr
import pytest
from mlebench_reference import Prepare, assert_same_preparation, catalog_hook, prepare_both, prepare_on
from PIL import Image

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

Maker = Callable[[Path], None]
ALGORITHMS = ("JMiPOD", "JUNIWARD", "UERD")
ALASKA_TEST_IMAGES = 6  # stands in for MLE-bench's fixed 5,000 held-out covers


def touch(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(name.encode())


def hex_ids(count: int, prefix: str = "a") -> list[str]:
    """Distinct ten-character hex names, as Kaggle's image ids often are; the prefix keeps sets apart."""
    return [f"{prefix}{i * 7919:09x}" for i in range(1, count + 1)]


def write_zip(archive: Path, members: Mapping[str, bytes]) -> None:
    with zipfile.ZipFile(archive, "w") as packed:
        for name, data in members.items():
            packed.writestr(name, data)


def png(pixels: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def plant_seedlings(raw: Path) -> None:
    for n, species in enumerate(("Black-grass", "Common Chickweed", "Sugar beet")):
        touch(raw / "train" / species, [f"{name}.png" for name in hex_ids(9 + n, prefix="abc"[n])])


def petfinder(raw: Path) -> None:
    ids = [f"{name}{name}"[:32] for name in hex_ids(30)]
    features = {column: [i % 2 for i in range(30)] for column in ("Subject Focus", "Eyes", "Face", "Blur")}
    pd.DataFrame({"Id": ids, **features, "Pawpularity": [(i * 37) % 100 + 1 for i in range(30)]}).to_csv(
        raw / "train.csv", index=False
    )
    touch(raw / "train", [f"{i}.jpg" for i in ids])


def statoil(raw: Path) -> None:
    """Kaggle's 7z archives hold data/processed/<name>.json; inc_angle is sometimes "na"."""
    rng = np.random.default_rng(1)

    def radar(i: int) -> dict[str, Any]:
        bands = {f"band_{b}": [round(float(v), 4) for v in rng.normal(-20, 5, 4)] for b in (1, 2)}
        return {"id": f"{i * 2654435761 % 16**8:08x}", **bands, "inc_angle": "na" if i % 7 == 0 else 30 + i / 8}

    train, test = [{**radar(i), "is_iceberg": i % 2} for i in range(25)], [radar(i) for i in range(90, 93)]
    for name, rows in (("train", train), ("test", test)):
        with py7zr.SevenZipFile(raw / f"{name}.json.7z", "w") as packed:
            packed.writestr(json.dumps(rows).encode(), f"data/processed/{name}.json")


def denoising(raw: Path) -> None:
    """Scans named by number, as Kaggle's; the hooks read the cleaned scans' pixels."""
    rng = np.random.default_rng(2)
    scans = {n: rng.integers(0, 256, (3, 4)) for n in range(1, 13)}
    write_zip(raw / "train.zip", {f"train/{n}.png": png(255 - pixels // 2) for n, pixels in scans.items()})
    write_zip(raw / "train_cleaned.zip", {f"train_cleaned/{n}.png": png(pixels) for n, pixels in scans.items()})


def tgs_salt(raw: Path) -> None:
    ids, test_ids = hex_ids(16), hex_ids(3, prefix="f")
    masks = ["" if i % 3 == 0 else f"{i + 1} {i + 4}" for i in range(16)]
    members = {"competition_data/train.csv": pd.DataFrame({"id": ids, "rle_mask": masks}).to_csv(index=False).encode()}
    for i in ids:
        members |= {f"competition_data/train/images/{i}.png": b"image " + i.encode(),
                    f"competition_data/train/masks/{i}.png": b"mask " + i.encode()}  # fmt: skip
    members |= {f"competition_data/test/images/{i}.png": b"test" for i in test_ids}
    write_zip(raw / "competition_data.zip", members)
    pd.DataFrame({"id": ids + test_ids, "z": range(100, 119)}).to_csv(raw / "depths.csv", index=False)


def imet(raw: Path) -> None:
    ids = hex_ids(30)
    pd.DataFrame({"id": ids, "attribute_ids": [f"{i % 5} {i % 7 + 10}" for i in range(30)]}).to_csv(
        raw / "train.csv", index=False
    )
    pd.DataFrame({"attribute_id": range(17), "attribute_name": [f"tag::{i}" for i in range(17)]}).to_csv(
        raw / "labels.csv", index=False
    )
    touch(raw / "train", [f"{i}.png" for i in ids])


def hotel_id(raw: Path) -> None:
    """Images in chain folders; ce27d36c9147cc19.jpg is listed twice, as in Kaggle's train.csv."""
    images = [f"{i}.jpg" for i in hex_ids(28)] + ["ce27d36c9147cc19.jpg"] * 2
    chains = [i % 4 for i in range(28)] + [3, 3]
    pd.DataFrame({"image": images, "chain": chains, "hotel_id": [1000 + i % 9 for i in range(30)],
                  "timestamp": "2018-04-12 01:32:47"}).to_csv(raw / "train.csv", index=False)  # fmt: skip
    touch(raw / "train_images", [f"{chain}/{image}" for chain, image in zip(chains, images, strict=True)])


def character(page: int, k: int) -> str:
    return f"U+30{(page + k) % 90 + 10:02X} {100 + 40 * k} {200 + page} {20 + k} {30 + k}"


def kuzushiji(raw: Path) -> None:
    pages = [f"200003076_{i:05d}" for i in range(30)]
    # each character: "<unicode> <x> <y> <width> <height>"; pages hold one to three
    labels = [" ".join(character(i, k) for k in range(1 + i % 3)) for i in range(30)]
    pd.DataFrame({"image_id": pages, "labels": labels}).to_csv(raw / "train.csv", index=False)
    write_zip(raw / "train_images.zip", {f"{page}.jpg": page.encode() for page in pages})
    pd.DataFrame({"Unicode": ["U+003F", "U+FF2F"], "char": ["?", "\uff2f"]}).to_csv(
        raw / "unicode_translation.csv", index=False
    )


def alaska2(raw: Path) -> None:
    names = [f"{i:05d}.jpg" for i in range(1, 17)]
    for folder in ("Cover", *ALGORITHMS):
        for name in names:
            (raw / folder).mkdir(exist_ok=True)
            (raw / folder / name).write_bytes(f"{folder} {name}".encode())


def bms(raw: Path) -> None:
    ids = [f"{i * 48271 % 16**12:012x}" for i in range(1, 31)]
    pd.DataFrame({"image_id": ids, "InChI": [f"InChI=1S/C{i + 1}H{2 * i + 4}" for i in range(30)]}).to_csv(
        raw / "train_labels.csv", index=False
    )
    touch(raw / "train", [f"{i[0]}/{i[1]}/{i[2]}/{i}.png" for i in ids])
    pd.DataFrame({"InChI": ["InChI=1S/H2O/h1H2"]}).to_csv(raw / "extra_approved_InChIs.csv", index=False)


@dataclass(frozen=True)
class Case:
    maker: Maker
    # MLE-bench's relative path -> podium's, for a file MLE-bench writes elsewhere (the reason in a comment)
    moved: Mapping[str, str] = field(default_factory=dict)
    packed: tuple[str, ...] = ()  # 7z archives: they record their write time, so their unpacked files are compared


CASES = {
    "plant-seedlings-classification": Case(plant_seedlings),
    "petfinder-pawpularity-score": Case(petfinder),
    "statoil-iceberg-classifier-challenge": Case(
        statoil,
        # MLE-bench packs the sample from private/ and leaves it there; podium's agents read it in public/
        moved={"private/sample_submission.csv": "public/sample_submission.csv"},
        packed=("public/train.json.7z", "public/test.json.7z", "public/sample_submission.csv.7z"),
    ),
    # podium's agents read sample_submission.csv; MLE-bench names this one sampleSubmission.csv
    "denoising-dirty-documents": Case(denoising, moved={"public/sampleSubmission.csv": "public/sample_submission.csv"}),
    "tgs-salt-identification-challenge": Case(tgs_salt),
    "imet-2020-fgvc7": Case(imet),
    "hotel-id-2021-fgvc8": Case(hotel_id),
    # MLE-bench's gold submission serves its own tests: moved out of the comparison, graded below
    "kuzushiji-recognition": Case(kuzushiji, moved={"private/gold_submission.csv": "gold_submission.csv"}),
    "alaska2-image-steganalysis": Case(alaska2),
    "bms-molecular-translation": Case(bms),
}


def podium_hook(catalog: Catalog, competition_id: str) -> Prepare:
    """podium's hook, freshly imported; alaska2's holds out a few covers instead of 5,000."""
    hook: Any = catalog_hook(catalog, competition_id)
    if competition_id == "alaska2-image-steganalysis":
        hook.__globals__["TEST_IMAGES"] = ALASKA_TEST_IMAGES  # each import is a new module: nothing leaks
    prepare: Prepare = hook
    return prepare


def reference_prepare(mlebench_prepare: Callable[[str], Prepare], competition_id: str) -> Prepare:
    prepare = mlebench_prepare(competition_id)
    if competition_id != "alaska2-image-steganalysis":
        return prepare
    return scaled_alaska_reference(Path(prepare.__code__.co_filename))


def scaled_alaska_reference(source: Path) -> Prepare:
    """MLE-bench's alaska2 prepare with its one fixed count (5,000 held-out covers, asserted after
    the split) scaled down: the constant is a local, so no monkeypatch reaches it."""
    text = source.read_text()
    assert text.count("test_size = 5000") == 1, "MLE-bench's alaska2 prepare no longer fixes test_size = 5000"
    module = types.ModuleType("mlebench_alaska2_scaled")
    scaled = text.replace("test_size = 5000", f"test_size = {ALASKA_TEST_IMAGES}")
    exec(compile(scaled, str(source), "exec"), module.__dict__)
    prepare: Prepare = module.prepare
    return prepare


def move_into_place(root: Path, moved: Mapping[str, str]) -> None:
    for theirs, ours in moved.items():
        assert (root / theirs).is_file(), f"MLE-bench no longer writes {theirs}"
        (root / ours).parent.mkdir(parents=True, exist_ok=True)
        shutil.move(root / theirs, root / ours)


def unpacked_7z(archive: Path, folder: Path) -> dict[str, bytes]:
    with py7zr.SevenZipFile(archive) as packed:
        packed.extractall(folder)
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def run_podium(catalog: Catalog, competition_id: str, tmp_path: Path, damage: Maker | None = None) -> tuple[Path, Path]:
    """podium's hook on the competition's fabricated raw data (damaged first, if asked): (public, private)."""
    prepare_on(CASES[competition_id].maker, podium_hook(catalog, competition_id), tmp_path, damage)
    return tmp_path / "public", tmp_path / "private"


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_preparation_equals_mlebench(
    competition_id: str,
    repo_catalog: Catalog,
    mlebench_prepare: Callable[[str], Prepare],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    case = CASES[competition_id]
    theirs_prepare = reference_prepare(mlebench_prepare, competition_id)
    # MLE-bench's tgs prepare checks cells with DataFrame.applymap, which pandas 3 renamed to map
    monkeypatch.setattr(pd.DataFrame, "applymap", pd.DataFrame.map, raising=False)
    ours, theirs = prepare_both(case.maker, podium_hook(repo_catalog, competition_id), theirs_prepare, tmp_path)
    move_into_place(theirs, case.moved)

    assert_same_preparation(ours, theirs, differences=dict.fromkeys(case.packed, "7z: unpacked files compared below"))
    for name in case.packed:
        our_files = unpacked_7z(ours / name, tmp_path / "unpacked" / "podium" / name)
        assert our_files == unpacked_7z(theirs / name, tmp_path / "unpacked" / "mlebench" / name), name
        assert len(our_files) == 1, f"{name} holds {sorted(our_files)}"


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_sample_submission_grades_valid(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    competition = resolve_competition(repo_catalog, competition_id)
    public, private = run_podium(repo_catalog, competition_id, tmp_path)
    answers_path, sample_path = private / competition.prepare.answers, public / "sample_submission.csv"

    check_answers(competition.prepare, private)
    report = grade_submission(sample_path, competition, answers_path, None)

    assert report.valid_submission, report.error
    id_column = competition.prepare.id_column
    answers, sample = (pd.read_csv(path, dtype=str)[id_column] for path in (answers_path, sample_path))
    assert len(answers) > 0 and sorted(sample) == sorted(answers)


def test_mlebench_gold_kuzushiji_submission_scores_perfect(
    repo_catalog: Catalog, mlebench_prepare: Callable[[str], Prepare], tmp_path: Path
) -> None:
    """MLE-bench's gold submission (each character's box corner moved one pixel inside), graded by
    podium against podium's answers: the two agree on what a perfect answer is."""
    competition_id = "kuzushiji-recognition"
    competition = resolve_competition(repo_catalog, competition_id)
    hooks = (podium_hook(repo_catalog, competition_id), mlebench_prepare(competition_id))
    ours, theirs = prepare_both(kuzushiji, *hooks, tmp_path)
    answers = ours / "private" / "test.csv"

    gold = grade_submission(theirs / "private" / "gold_submission.csv", competition, answers, None)
    sample = grade_submission(ours / "public" / "sample_submission.csv", competition, answers, None)

    assert gold.score == pytest.approx(1.0) and sample.score == pytest.approx(0.0)


def drop_member(archive: Path, name: str) -> None:
    with zipfile.ZipFile(archive) as packed:
        kept = {member: packed.read(member) for member in packed.namelist() if member != name}
    write_zip(archive, kept)


@pytest.mark.parametrize(
    ("competition_id", "damage", "message"),
    [
        ("plant-seedlings-classification", lambda raw: shutil.rmtree(raw / "train"), r"lacks train"),
        ("statoil-iceberg-classifier-challenge", lambda raw: (raw / "test.json.7z").unlink(), r"lacks test\.json\.7z"),
        ("denoising-dirty-documents", lambda raw: (raw / "train_cleaned.zip").unlink(), r"lacks train_cleaned\.zip"),
        ("tgs-salt-identification-challenge", lambda raw: (raw / "depths.csv").unlink(), r"lacks depths\.csv"),
        ("hotel-id-2021-fgvc8", lambda raw: shutil.rmtree(raw / "train_images" / "2"),
         r"train_images/2/\w+\.jpg is missing"),
        ("kuzushiji-recognition", lambda raw: drop_member(raw / "train_images.zip", "200003076_00004.jpg"),
         r"lacks 200003076_00004\.jpg"),
        ("alaska2-image-steganalysis", lambda raw: shutil.rmtree(raw / "UERD"), r"lacks UERD"),
        ("bms-molecular-translation", lambda raw: (raw / "extra_approved_InChIs.csv").unlink(),
         r"extra_approved_InChIs\.csv is missing"),
    ],
)  # fmt: skip
def test_damaged_raw_data_is_a_clear_error(
    competition_id: str, damage: Maker, message: str, repo_catalog: Catalog, tmp_path: Path
) -> None:
    with pytest.raises(DataError, match=message):
        run_podium(repo_catalog, competition_id, tmp_path, damage)
