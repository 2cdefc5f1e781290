"""Ten image competitions (the FGVC herbaria, iNaturalist and iWildCam, and four medical ones) on
tiny fabricated raw data in Kaggle's layout: podium's hook prepares the same files as MLE-bench's
own prepare on the same data, its sample submission grades valid, and a missing raw file is a
clear error. Images are a few bytes: none of these hooks reads pixels."""

from __future__ import annotations

import json
import re
import shutil
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from mlebench_reference import Maker, as_mlebench_ran, assert_same_preparation, catalog_hook, prepare_both, prepare_on

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

# category -> images: one, two to four (the small-category rule) and five or more (a random split)
SMALL_AND_LARGE = {0: 1, 3: 2, 15: 3, 230: 4, 1504: 6, 2710: 9}


def write_json(path: Path, content: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content))


def touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(path.name.encode())  # distinct bytes, so a swapped file shows


def write_csv(path: Path, rows: Any) -> None:
    pd.DataFrame(rows).to_csv(path, index=False)


def round_robin(sizes: dict[int, int]) -> list[int]:
    """Each image's category, categories interleaved as in a real metadata file."""
    left = dict(sizes)
    order = []
    while any(left.values()):
        for category in [c for c, n in left.items() if n]:
            order.append(category)
            left[category] -= 1
    return order


def herbarium_metadata(extra: str) -> tuple[dict[str, Any], list[str]]:
    """The 2020/2021 metadata.json: images under images/<category // 100>/<category % 100>/."""
    annotations, images = [], []
    for image_id, category in enumerate(round_robin(SMALL_AND_LARGE), start=100):
        name = f"images/{category // 100:03d}/{category % 100:02d}/{image_id}.jpg"
        annotations.append({"category_id": category, "id": image_id, "image_id": image_id, f"{extra}_id": 1})
        images.append({"file_name": name, "height": 1000, "id": image_id, "license": 0, "width": 680})
    metadata = {
        "annotations": annotations,
        "categories": [{"family": "Rosaceae", "id": c, "name": f"Rosa number {c}"} for c in SMALL_AND_LARGE],
        "images": images,
        "info": {"contributor": "New York Botanical Garden", "version": "1.0"},
        "licenses": [{"id": 0, "name": "Public Domain Dedication"}],
        f"{extra}s": [{"id": 1, "name": "Bronx, Jardín"}],
    }
    return metadata, [image["file_name"] for image in images]


def herbarium_2020(raw: Path) -> None:
    metadata, names = herbarium_metadata("region")
    write_json(raw / "nybg2020" / "train" / "metadata.json", metadata)
    for name in names:
        touch(raw / "nybg2020" / "train" / name)


def herbarium_2021(raw: Path) -> None:
    metadata, names = herbarium_metadata("institution")
    write_json(raw / "train" / "metadata.json", metadata)
    for name in names:
        touch(raw / "train" / name)


def herbarium_2022(raw: Path) -> None:
    """Every category has two images at least: MLE-bench splits each 80/20 without a small rule."""
    annotations, images = [], []
    for image_id, category in enumerate(round_robin({0: 2, 7: 3, 145: 5, 1503: 8})):
        name = f"{category // 100:03d}/{category % 100:02d}/{category:05d}__{image_id:03d}.jpg"
        annotations.append({"category_id": category, "genus_id": 1, "image_id": f"{image_id}", "institution_id": 0})
        images.append({"file_name": name, "height": 1000, "image_id": f"{image_id}", "license": 0, "width": 680})
        touch(raw / "train_images" / name)
    metadata = {"annotations": annotations, "categories": [{"category_id": 7, "family": "Rosaceae"}],
                "distances": [], "genera": [{"genus": "Rosa", "genus_id": 1}], "images": images,
                "institutions": [{"collection_code": "NY", "institution_id": 0}], "licenses": []}  # fmt: skip
    write_json(raw / "train_metadata.json", metadata)


def inaturalist_2019(raw: Path) -> None:
    annotations, images = [], []
    for image_id, category in enumerate(round_robin(SMALL_AND_LARGE)):
        name = f"train_val2019/Plants/{category}/{image_id:032x}.jpg"
        annotations.append({"category_id": category, "id": image_id, "image_id": image_id})
        images.append({"file_name": name, "height": 800, "id": image_id, "license": 1, "width": 600})
        touch(raw / name)
    metadata = {"annotations": annotations, "categories": [{"id": c, "kingdom": "Plantae"} for c in SMALL_AND_LARGE],
                "images": images, "info": {"year": 2019}, "licenses": [{"id": 1, "name": "CC BY"}]}  # fmt: skip
    write_json(raw / "train2019.json", metadata)
    write_json(raw / "val2019.json", {**metadata, "annotations": annotations[:2], "images": images[:2]})
    with tarfile.open(raw / "train_val2019.tar.gz", "w:gz") as archive:
        archive.add(raw / "train_val2019", arcname="train_val2019")
    shutil.rmtree(raw / "train_val2019")  # only the archive, as Kaggle ships it


def iwildcam_2019(raw: Path) -> None:
    """Twelve camera locations of three images each; the images in a zip, at its root."""
    ids = [f"{n:08x}-5f1e-11e8" for n in range(36)]
    write_csv(raw / "train.csv", {"category_id": [n % 4 for n in range(36)], "date_captured": "2011-05-13 23:43:18",
              "file_name": [f"{i}.jpg" for i in ids], "frame_num": 1, "id": ids,
              "location": [33 + n // 3 for n in range(36)], "rights_holder": "Justin Brown", "seq_id": ids,
              "seq_num_frames": 1, "width": 1024, "height": 747})  # fmt: skip
    with zipfile.ZipFile(raw / "train_images.zip", "w") as archive:
        for image_id in ids:
            archive.writestr(f"{image_id}.jpg", image_id)


IWILDCAM_2020_LOCATIONS = [3, 5, 2, 4, 6, 3, 2, 5, 4, 6]  # images per camera location


def iwildcam_2020(raw: Path) -> None:
    images, annotations = [], []
    for location, count in enumerate(IWILDCAM_2020_LOCATIONS):
        for frame in range(count):
            image_id = f"loc{location:02d}-{frame}"
            images.append({"seq_num_frames": count, "location": location, "datetime": "2013-06-05 05:44:19.000",
                           "id": image_id, "frame_num": frame, "seq_id": f"seq{location}", "width": 1920,
                           "height": 1080, "file_name": f"{image_id}.jpg"})  # fmt: skip
            annotations.append({"id": f"a-{image_id}", "image_id": image_id, "category_id": (location + frame) % 5})
            touch(raw / "train" / f"{image_id}.jpg")
    annotations.append({"id": "a-second", "image_id": "loc04-1", "category_id": 7})  # two animals in one image
    categories = [{"count": 10, "id": c, "name": f"species {c}"} for c in range(8)]
    info = {"version": "2020", "description": "iWildCam"}
    # keys in another order than MLE-bench writes them, so the rewritten files must set their own
    write_json(raw / "iwildcam2020_train_annotations.json",
               {"info": info, "categories": categories, "images": images, "annotations": annotations})  # fmt: skip
    write_json(raw / "iwildcam2020_test_information.json",
               {"info": info, "categories": categories, "images": [{"id": "kaggle-test", "location": 99}]})  # fmt: skip
    write_json(raw / "iwildcam2020_megadetector_results.json", {"images": [], "detection_categories": {"1": "animal"}})


RANZCR_CLASSES = ["ETT - Abnormal", "ETT - Borderline", "ETT - Normal", "NGT - Abnormal", "NGT - Borderline",
                  "NGT - Incompletely Imaged", "NGT - Normal", "CVC - Abnormal", "CVC - Borderline", "CVC - Normal",
                  "Swan Ganz Catheter Present"]  # fmt: skip


def ranzcr(raw: Path) -> None:
    uids = [f"1.2.826.0.1.{n}" for n in range(30)]
    # rows 2, 13 and 28 land in test: alternating labels give every class both values there, as AUC needs
    labels = {name: [(n + k) % 2 == 0 for n in range(30)] for k, name in enumerate(RANZCR_CLASSES)}
    write_csv(raw / "train.csv", {"StudyInstanceUID": uids, **{k: [int(v) for v in c] for k, c in labels.items()},
                                  "PatientID": [f"p{n // 2}" for n in range(30)]})  # fmt: skip
    write_csv(raw / "train_annotations.csv", {"StudyInstanceUID": uids[::2], "label": "CVC - Normal",
                                              "data": "[[1487, 1279], [1477, 1168]]"})  # fmt: skip
    for uid in uids:
        touch(raw / "train" / f"{uid}.jpg")


SIIM_CLASSES = ["Negative for Pneumonia", "Typical Appearance", "Indeterminate Appearance", "Atypical Appearance"]


def siim_covid(raw: Path) -> None:
    """Thirty studies, one or two images each; a study's images under train/<study>/<series>/."""
    studies, images = [], []
    for n in range(30):
        study = f"{n:012x}"
        studies.append({"id": f"{study}_study", **{name: int(k == n % 4) for k, name in enumerate(SIIM_CLASSES)}})
        for m in range(1 + n % 2):
            image = f"{n:06x}{m:06x}"
            boxed = (n + m) % 3 == 0
            images.append({"id": f"{image}_image", "boxes": "[{'x': 789.2, 'y': 582.4}]" if boxed else None,
                           "label": "opacity 1 789.2 582.4 1815.9 2499.7" if boxed else "none 1 0 0 1 1",
                           "StudyInstanceUID": study})  # fmt: skip
            touch(raw / "train" / study / f"series{n}" / f"{image}.dcm")
    write_csv(raw / "train_study_level.csv", studies[::-1])  # out of id order: both sides sort by id
    write_csv(raw / "train_image_level.csv", images[::-1])


def uw_madison(raw: Path) -> None:
    """Ten cases; the even ones were scanned on six days, so the days past the fourth go to test."""
    rows = []
    for case in range(10):
        for day in range(1, 7 if case % 2 == 0 else 3):
            scans = raw / "train" / f"case{case}" / f"case{case}_day{day}" / "scans"
            for number in (1, 2):
                size = 266 + case
                touch(scans / f"slice_{number:04d}_{size}_{size + 10}_1.50_1.50.png")
                for organ in ("large_bowel", "small_bowel", "stomach"):
                    mask = "28094 3 28358 7" if (case + number) % 2 and organ == "stomach" else None
                    rows.append({"id": f"case{case}_day{day}_slice_{number:04d}", "class": organ, "segmentation": mask})
    write_csv(raw / "train.csv", rows)


def hubmap(raw: Path) -> None:
    """Fifteen training slides (MLE-bench splits exactly 12/3) and five of Kaggle's test slides."""
    slides = [f"{n:04x}ab{n}" for n in range(20)]
    write_csv(raw / "train.csv", {"id": slides[:15], "encoding": [f"{n * 100} 40 {n * 200} 20" for n in range(15)]})
    write_csv(raw / "HuBMAP-20-dataset_information.csv", {"image_file": [f"{s}.tiff" for s in slides],
              "width_pixels": [30000 + n for n in range(20)], "height_pixels": [20000 + n for n in range(20)],
              "anatomical_structures_segmention_file": [f"{s}-anatomical-structure.json" for s in slides],
              "glomerulus_segmentation_file": [f"{s}.json" for s in slides], "patient_number": 67347})  # fmt: skip
    for slide in slides[:15]:
        for name in (f"{slide}.tiff", f"{slide}.json", f"{slide}-anatomical-structure.json"):
            touch(raw / "train" / name)


Check = Callable[[Path, Path], None]


@dataclass(frozen=True)
class Case:
    maker: Maker
    missing: str  # a raw file whose absence must be a clear DataError
    differences: dict[str, str] = field(default_factory=dict)
    check: Check | None = None  # compares what `differences` leaves out, before the file comparison
    message: str = ""  # the error's words, when they are not the missing file's name


def same_tar_members(ours: Path, theirs: Path) -> None:
    """The uncompressed tars of iNaturalist hold the same files; their headers carry copy times."""
    for name in ("public/train_val2019.tar.gz", "public/test2019.tar.gz"):
        assert tar_members(ours / name) == tar_members(theirs / name), name


def tar_members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as archive:
        files = [member for member in archive.getmembers() if member.isfile()]
        return {member.name: archive.extractfile(member).read() for member in files}  # type: ignore[union-attr]


def inaturalist_sample(ours: Path, theirs: Path) -> None:
    """MLE-bench names the sample kaggle_sample_submission.csv and guesses random classes."""
    same_tar_members(ours, theirs)
    their_sample = theirs / "public" / "kaggle_sample_submission.csv"
    assert pd.read_csv(their_sample)["id"].tolist() == pd.read_csv(ours / "public/sample_submission.csv")["id"].tolist()
    their_sample.rename(their_sample.with_name("sample_submission.csv"))


def same_sample_ids(ours: Path, theirs: Path) -> None:
    ours_sample, their_sample = (pd.read_csv(root / "public/sample_submission.csv") for root in (ours, theirs))
    assert ours_sample["Id"].tolist() == their_sample["Id"].tolist()
    assert their_sample.columns[0] == "Unnamed: 0" and ours_sample.columns.tolist() == ["Id", "Category"]


def same_ranzcr_sample(ours: Path, theirs: Path) -> None:
    ours_sample, their_sample = (pd.read_csv(root / "public/sample_submission.csv") for root in (ours, theirs))
    assert ours_sample[their_sample.columns].equals(their_sample)
    assert ours_sample.columns.tolist() == ["StudyInstanceUID", *RANZCR_CLASSES]


def same_uw_answers(ours: Path, theirs: Path) -> None:
    ours_answers, their_answers = (pd.read_csv(root / "private/test.csv") for root in (ours, theirs))
    pd.testing.assert_frame_equal(ours_answers, their_answers, check_dtype=False)
    assert ours_answers["image_width"].dtype == "int64"


CASES = {
    "herbarium-2020-fgvc7": Case(herbarium_2020, "nybg2020/train/metadata.json"),
    "herbarium-2021-fgvc8": Case(herbarium_2021, "train/metadata.json"),
    "herbarium-2022-fgvc9": Case(herbarium_2022, "train_metadata.json"),
    "inaturalist-2019-fgvc6": Case(
        inaturalist_2019,
        "val2019.json",
        {
            "public/train_val2019.tar.gz": "tar headers carry copy times; members compared",
            "public/test2019.tar.gz": "tar headers carry copy times; members compared",
            "public/sample_submission.csv": "MLE-bench's kaggle_sample_submission.csv guesses random classes",
        },
        inaturalist_sample,
    ),
    "iwildcam-2019-fgvc6": Case(
        iwildcam_2019,
        "train_images.zip",
        {"public/sample_submission.csv": "MLE-bench writes the frame's index as a first, unnamed column"},
        same_sample_ids,
    ),
    "iwildcam-2020-fgvc7": Case(iwildcam_2020, "iwildcam2020_megadetector_results.json"),
    "ranzcr-clip-catheter-line-classification": Case(
        ranzcr,
        "train_annotations.csv",
        {"public/sample_submission.csv": "this MLE-bench copy lacks two classes, fixed upstream (mle-bench#30)"},
        same_ranzcr_sample,
    ),
    "siim-covid19-detection": Case(siim_covid, "train_image_level.csv"),
    "uw-madison-gi-tract-image-segmentation": Case(
        uw_madison,
        "train/case0/case0_day6/scans/slice_0001_266_276_1.50_1.50.png",  # a sixth day: a test slice
        {"private/test.csv": "MLE-bench writes the slice sizes as floats (266.0); podium as integers"},
        same_uw_answers,
        message=r"holds 0 scans named slice_0001_\*\.png",
    ),
    "hubmap-kidney-segmentation": Case(hubmap, "HuBMAP-20-dataset_information.csv"),
}


def run_ours(repo_catalog: Catalog, competition_id: str, tmp_path: Path, damage: str = "") -> tuple[Path, Path]:
    unlink = (lambda raw: (raw / damage).unlink()) if damage else None
    prepare_on(CASES[competition_id].maker, catalog_hook(repo_catalog, competition_id), tmp_path, unlink)
    return tmp_path / "public", tmp_path / "private"


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_split_equals_mlebench(
    competition_id: str, repo_catalog: Catalog, mlebench_prepare: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = CASES[competition_id]
    theirs_prepare = as_mlebench_ran(mlebench_prepare(competition_id))
    ours, theirs = prepare_both(case.maker, catalog_hook(repo_catalog, competition_id), theirs_prepare, tmp_path)

    if case.check:
        case.check(ours, theirs)
    assert_same_preparation(ours, theirs, differences=case.differences)


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_sample_submission_grades_valid(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    public, private = run_ours(repo_catalog, competition_id, tmp_path)
    competition = resolve_competition(repo_catalog, competition_id)

    answers = private / competition.prepare.answers

    check_answers(competition.prepare, private)
    report = grade_submission(public / "sample_submission.csv", competition, answers, None)
    assert report.valid_submission, report.error
    assert len(pd.read_csv(answers)) > 0


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_missing_raw_file_is_a_clear_error(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    case = CASES[competition_id]

    with pytest.raises(DataError, match=case.message or re.escape(Path(case.missing).name)):
        run_ours(repo_catalog, competition_id, tmp_path, damage=case.missing)
