"""Prepare hooks whose split is decided by TFRecord files or renumbered recordings, on tiny
fabricated raw data in Kaggle's layout: files in place, no id on both sides, no target in the
public data, a sample submission that grades valid against the answers, and the same files as
MLE-bench's own prepare writes from the same raw data."""

from __future__ import annotations

import importlib
import json
import sys
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import bson
import pandas as pd
import pytest
from mlebench_reference import Prepare, as_mlebench_ran, assert_same_preparation, catalog_hook, prepare_both, prepare_on
from tfrecord import TFRecordWriter  # dev extra: writes the fabricated records
from tfrecord.reader import tfrecord_loader

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.data.tfrecords import ids_in_records
from podium.runtime.grading import grade_submission
from podium.runtime.spec import ResolvedCompetition

Maker = Callable[[Path], None]


def touch(folder: Path, names: list[str]) -> None:
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")


def write_records(path: Path, names: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = TFRecordWriter(str(path))
    for name in names:
        writer.write({"image_name": (name.encode(), "byte"), "target": (0, "int")})
    writer.close()


def siim(raw: Path) -> None:
    # Kaggle's names (each file holds 2071 images there); the hook picks train00-2071 and train06-2071
    records = {f"train{n:02d}-2071.tfrec": [f"ISIC_{n}{i:02d}" for i in range(10)] for n in (0, 1, 6, 7)}
    for record, names in records.items():
        write_records(raw / "tfrecords" / record, names)
    names = [name for names in records.values() for name in names]
    pd.DataFrame({"image_name": names, "patient_id": [f"IP_{i % 9}" for i in range(len(names))], "sex": "male",
                  "age_approx": 45.0, "anatom_site_general_challenge": "torso", "diagnosis": "nevus",
                  "benign_malignant": "benign", "target": [i % 2 for i in range(len(names))]}
                 ).to_csv(raw / "train.csv", index=False)  # fmt: skip
    touch(raw / "train", [f"{name}.dcm" for name in names])
    touch(raw / "jpeg" / "train", [f"{name}.jpg" for name in names])


def cassava(raw: Path) -> None:
    records = {f"ld_train{n:02d}-4.tfrec": [f"{n * 100 + i}.jpg" for i in range(4)] for n in range(10)}
    for record, names in records.items():
        write_records(raw / "train_tfrecords" / record, names)
    names = [name for names in records.values() for name in names]
    pd.DataFrame({"image_id": names, "label": [i % 5 for i in range(len(names))]}).to_csv(
        raw / "train.csv", index=False
    )
    touch(raw / "train_images", names)
    (raw / "label_num_to_disease_map.json").write_text(json.dumps({"0": "CBB", "4": "Healthy"}))


def mlsp(raw: Path) -> None:
    """50 recordings, 40 labelled (fold 0) and 10 of Kaggle's test (fold 1, labels '?')."""
    files = {"essential_data/CVfolds_2.txt": "rec_id,fold\n" + "".join(f"{i},{int(i % 5 == 4)}\n" for i in range(50)),
             "essential_data/rec_id2filename.txt": "rec_id,filename\n" + "".join(f"{i},PC1_{i}\n" for i in range(50)),
             "essential_data/rec_labels_test_hidden.txt": "rec_id,[labels]\n" + "".join(
                 f"{i},?\n" if i % 5 == 4 else (f"{i}\n" if i % 3 == 0 else f"{i},{i % 19},{(i + 7) % 19}\n")
                 for i in range(50)),
             "essential_data/species_list.txt": "class_id,code,species\n0,BRCR,Brown Creeper\n"}  # fmt: skip
    for table in ("histogram_of_segments.txt", "segment_features.txt", "segment_rectangles.txt"):
        files[f"supplemental_data/{table}"] = "header\n" + "".join(f"{i},0.1,0.2\n" for i in range(50))
    for i in range(50):
        files[f"essential_data/src_wavs/PC1_{i}.wav"] = "RIFF"
        for folder in ("filtered_spectrograms", "spectrograms", "supervised_segmentation"):
            files[f"supplemental_data/{folder}/PC1_{i}.bmp"] = "BM"
    files["supplemental_data/segmentation_examples/PC1_1.bmp"] = "BM"
    files["supplemental_data/segment_clusters.bmp"] = files["supplemental_data/segment_mosaic.bmp"] = "BM"
    with zipfile.ZipFile(raw / "mlsp_contest_dataset.zip", "w") as archive:
        for name, text in files.items():
            archive.writestr(f"mlsp_contest_dataset/{name}", text)


def cdiscount(raw: Path, products: int = 40) -> None:
    """`products` (40 by default) in 4 categories, with one or two images each, not in _id order."""
    with (raw / "train.bson").open("wb") as handle:
        for i in range(products):
            images = [{"picture": bytes([i % 256, n])} for n in range(1 + i % 2)]
            handle.write(bson.encode({"_id": (i * 7) % products, "imgs": images, "category_id": 1000010650 + i % 4}))
    (raw / "category_names.csv").write_text("category_id,category_level1\n1000010650,TELEPHONIE\n")


MAKERS: dict[str, Maker] = {
    "cdiscount-image-classification-challenge": cdiscount,
    "siim-isic-melanoma-classification": siim,
    "cassava-leaf-disease-classification": cassava,
    "mlsp-2013-birds": mlsp,
}


def run_hook(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> tuple[ResolvedCompetition, Path, Path]:
    prepare_on(MAKERS[competition_id], catalog_hook(repo_catalog, competition_id), tmp_path)
    return resolve_competition(repo_catalog, competition_id), tmp_path / "public", tmp_path / "private"


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_sample_submission_grades_valid(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    competition, public, private = run_hook(competition_id, repo_catalog, tmp_path)
    prepare = competition.prepare

    check_answers(prepare, private)
    report = grade_submission(public / "sample_submission.csv", competition, private / prepare.answers, None)

    assert report.valid_submission, report.error


# MLE-bench's prepare asserts the real data's count of test recordings (64): run without asserts.
REAL_DATA_ASSERTS = {"mlsp-2013-birds"}


def ids_read_by_tfrecord(path: Path, id_feature: str = "image_name") -> list[str]:
    """MLE-bench's get_ids_from_tf_records (tensorflow) read with the tfrecord package, apart from podium's reader."""
    return [example[id_feature].decode() for example in tfrecord_loader(str(path), None, {id_feature: "byte"})]


@pytest.fixture
def reference(mlebench_prepare: Callable[[str], Prepare], monkeypatch: pytest.MonkeyPatch) -> Callable[[str], Prepare]:
    """MLE-bench's prepare of a competition, reading TFRecords without tensorflow."""
    utils = importlib.import_module("mlebench.competitions.utils")
    monkeypatch.setattr(utils, "get_ids_from_tf_records", ids_read_by_tfrecord)

    def prepare_of(competition_id: str) -> Prepare:
        prepare = mlebench_prepare(competition_id)
        module = sys.modules[prepare.__module__]
        if hasattr(module, "get_ids_from_tf_records"):  # bound by `from ... import` when first imported
            monkeypatch.setattr(module, "get_ids_from_tf_records", ids_read_by_tfrecord)
        return as_mlebench_ran(prepare, without_asserts=competition_id in REAL_DATA_ASSERTS)

    return prepare_of


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_hook_prepares_what_mlebench_prepares(
    competition_id: str, repo_catalog: Catalog, reference: Callable[[str], Prepare], tmp_path: Path
) -> None:
    hook = catalog_hook(repo_catalog, competition_id)

    ours, theirs = prepare_both(MAKERS[competition_id], hook, reference(competition_id), tmp_path)

    assert_same_preparation(ours, theirs)


def test_cdiscount_train_example_is_the_first_100_products_as_mlebench_writes_it(
    repo_catalog: Catalog, reference: Callable[[str], Prepare], tmp_path: Path
) -> None:
    competition_id = "cdiscount-image-classification-challenge"
    hook = catalog_hook(repo_catalog, competition_id)

    ours, theirs = prepare_both(partial(cdiscount, products=150), hook, reference(competition_id), tmp_path)

    with (ours / "public" / "train_example.bson").open("rb") as handle:
        assert len(list(bson.decode_file_iter(handle))) == 100
    assert_same_preparation(ours, theirs)


def test_the_stand_in_reads_the_records_ids_in_order(tmp_path: Path) -> None:
    write_records(tmp_path / "a.tfrec", ["b.jpg", "a.jpg", "c.jpg"])

    assert ids_read_by_tfrecord(tmp_path / "a.tfrec") == ["b.jpg", "a.jpg", "c.jpg"]


@pytest.mark.parametrize(
    ("competition_id", "missing", "message"),
    [
        ("siim-isic-melanoma-classification", "tfrecords/train06-2071.tfrec", r"train06-2071\.tfrec is missing"),
        ("siim-isic-melanoma-classification", "jpeg/train/ISIC_105.jpg", r"ISIC_105\.jpg is missing"),
        ("cassava-leaf-disease-classification", "label_num_to_disease_map.json", r"lacks label_num_to_disease_map"),
        ("mlsp-2013-birds", "mlsp_contest_dataset.zip", r"lacks mlsp_contest_dataset\.zip"),
        ("cdiscount-image-classification-challenge", "category_names.csv", r"lacks category_names\.csv"),
    ],
)  # fmt: skip
def test_a_missing_raw_file_is_a_clear_error(
    competition_id: str, missing: str, message: str, repo_catalog: Catalog, tmp_path: Path
) -> None:
    raw, public, private = (tmp_path / name for name in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    MAKERS[competition_id](raw)
    (raw / missing).unlink()
    hook = catalog_hook(repo_catalog, competition_id)

    with pytest.raises(DataError, match=message):
        hook(raw=raw, public=public, private=private)


def test_siim_tests_on_the_images_of_two_records(repo_catalog: Catalog, tmp_path: Path) -> None:
    _, public, private = run_hook("siim-isic-melanoma-classification", repo_catalog, tmp_path)
    answers = pd.read_csv(private / "test.csv")
    train, test = pd.read_csv(public / "train.csv"), pd.read_csv(public / "test.csv")

    assert sorted(answers["image_name"].str[5]) == ["0"] * 10 + ["6"] * 10  # records train00 and train06
    assert answers.columns.tolist() == ["image_name", "target"] and "target" not in test.columns
    assert set(train["image_name"]).isdisjoint(test["image_name"])
    assert sorted(p.name for p in (public / "jpeg" / "test").iterdir()) == sorted(
        f"{n}.jpg" for n in test["image_name"]
    )
    assert len(list((public / "train").glob("*.dcm"))) == len(train) == 20
    assert sorted(p.name for p in (public / "tfrecords").iterdir()) == [
        "test00-2071.tfrec", "test01-2071.tfrec", "train00-2071.tfrec", "train01-2071.tfrec"]  # fmt: skip


def test_cassava_tests_on_the_images_of_a_tenth_of_the_records(repo_catalog: Catalog, tmp_path: Path) -> None:
    _, public, private = run_hook("cassava-leaf-disease-classification", repo_catalog, tmp_path)
    answers, train = pd.read_csv(private / "test.csv"), pd.read_csv(public / "train.csv")
    (test_record,) = (public / "test_tfrecords").iterdir()

    assert test_record.name == "ld_test00-4.tfrec"
    assert sorted(ids_in_records(test_record)) == sorted(answers["image_id"])
    assert set(train["image_id"]).isdisjoint(answers["image_id"]) and len(train) == 36
    assert sorted(p.name for p in (public / "test_images").iterdir()) == sorted(answers["image_id"])
    assert len(list((public / "train_tfrecords").iterdir())) == 9
    assert pd.read_csv(public / "sample_submission.csv")["label"].eq(4).all()


def test_mlsp_renumbers_labelled_recordings_and_hides_test_labels(repo_catalog: Catalog, tmp_path: Path) -> None:
    _, public, private = run_hook("mlsp-2013-birds", repo_catalog, tmp_path)
    folds = pd.read_csv(public / "essential_data" / "CVfolds_2.txt")
    answers = pd.read_csv(private / "answers.csv")
    labels = (public / "essential_data" / "rec_labels_test_hidden.txt").read_text().splitlines()[1:]
    test_ids = set(folds.loc[folds["fold"] == 1, "rec_id"])

    assert folds["rec_id"].tolist() == list(range(40)) and len(test_ids) == 8
    assert set(answers["Id"] // 100) == test_ids and len(answers) == 8 * 19
    assert {line for line in labels if line.endswith("?")} == {f"{i},?" for i in test_ids}
    assert len(list((public / "essential_data" / "src_wavs").iterdir())) == 40
    old_one = (
        pd.read_csv(public / "essential_data" / "rec_id2filename.txt").set_index("filename").loc["PC1_1", "rec_id"]
    )
    assert old_one == 1  # recordings 0-3 are labelled, so PC1_1 keeps number 1
    assert (public / "supplemental_data" / "segment_features.txt").read_text().count("\n") == 41


def test_a_corrupt_record_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "train00-2071.tfrec").write_bytes(b"not a record")

    with pytest.raises(DataError, match=r"not a TFRecord file of examples with a 'image_name' feature"):
        ids_in_records(tmp_path / "train00-2071.tfrec")


def test_cdiscount_rewrites_bson_without_test_categories(repo_catalog: Catalog, tmp_path: Path) -> None:
    _, public, private = run_hook("cdiscount-image-classification-challenge", repo_catalog, tmp_path)
    answers = pd.read_csv(private / "answers.csv")

    def products(name: str) -> list[dict]:
        with (public / name).open("rb") as handle:
            return list(bson.decode_file_iter(handle))

    train, test, example = products("train.bson"), products("test.bson"), products("train_example.bson")
    assert answers["_id"].tolist() == sorted(product["_id"] for product in test) and len(test) == 4
    assert all("category_id" not in product and product["imgs"] for product in test)
    assert {product["_id"] for product in train}.isdisjoint(answers["_id"]) and len(train) == 36
    assert example == train[:36]  # fewer than 100 products: the example is all of train, in raw order
    assert [product["_id"] for product in train] == [
        i * 7 % 40 for i in range(40) if i * 7 % 40 not in set(answers["_id"])
    ]


def test_unreadable_bson_is_a_clear_error(repo_catalog: Catalog, tmp_path: Path) -> None:
    hook = catalog_hook(repo_catalog, "cdiscount-image-classification-challenge")
    (tmp_path / "train.bson").write_bytes(b"\x20\x00\x00\x00garbage")
    (tmp_path / "category_names.csv").write_text("category_id\n1\n")

    with pytest.raises(DataError, match=r"train\.bson is not a readable BSON file"):
        hook(raw=tmp_path, public=tmp_path, private=tmp_path)
