"""Building blocks for prepare hooks: the steps MLE-bench's preparations are made of.

A competition whose data needs code has a `prepare.py` next to its spec with
`prepare(raw, public, private)`. These helpers keep those hooks short and their failures
readable: a missing raw file, archive or optional package is a `DataError` that says what to
do, never a traceback from deep inside pandas.

Splits are scikit-learn's `train_test_split`, as MLE-bench uses it, so the same raw data and
seed give the same rows on each side.
"""

from __future__ import annotations

import json
import random
import shutil
import tarfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from podium.runtime.data.sources import DataError as DataError  # re-exported: hooks raise recipes.DataError

T = TypeVar("T")
Item = tuple[dict[str, Any], dict[str, Any]]  # an (annotation, image) pair of FGVC metadata
Sides = tuple[pd.DataFrame, pd.DataFrame]


def require(raw: Path, *names: str) -> None:
    """Every named raw file or folder exists, or one error listing what is missing."""
    missing = [name for name in names if not (raw / name).exists()]
    if missing:
        present = sorted(p.name for p in raw.iterdir()) if raw.is_dir() else []
        raise DataError(
            f"the raw data in {raw} lacks {', '.join(missing)} (present: {', '.join(present[:12]) or 'nothing'}); "
            "download the competition's full data again"
        )


def read_csv(path: Path, **options: Any) -> pd.DataFrame:
    require(path.parent, path.name)
    return pd.read_csv(path, **options)


def write_csv(frame: pd.DataFrame, path: Path, **options: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(path, index=False, **options)


def split(items: T, test_size: float | int, random_state: int, stratify: Any = None) -> tuple[T, T]:
    """scikit-learn's train_test_split of a frame, list or array: (train, test)."""
    from sklearn.model_selection import train_test_split

    if isinstance(items, pd.api.extensions.ExtensionArray):
        items = np.asarray(items)  # type: ignore[assignment]  # pyarrow-backed uniques: scikit-learn indexes numpy
    train, test = train_test_split(items, test_size=test_size, random_state=random_state, stratify=stratify)
    return train, test


def split_by(frame: pd.DataFrame, column: str, test_size: float | int, random_state: int) -> Sides:
    """Split the unique values of `column` (in order of appearance), then take their rows."""
    _, test_values = split(frame[column].unique(), test_size, random_state)
    in_test = frame[column].isin(set(test_values))
    return frame[~in_test], frame[in_test]


def split_groups(frame: pd.DataFrame, column: str, test_size: float | int, random_state: int) -> Sides:
    """Split the groups of `frame.groupby(column)` (sorted by key) as whole groups, as a list."""
    groups = [group for _, group in frame.groupby(column)]
    train, test = split(groups, test_size, random_state)
    return pd.concat(train), pd.concat(test)


def one_hot(frame: pd.DataFrame, id_column: str, label_column: str, classes: Sequence[str]) -> pd.DataFrame:
    """One row per id with a 0/1 column per class, in the order of `classes`."""
    labels = frame[label_column].to_numpy()
    columns = {name: (labels == name).astype(int) for name in classes}  # built at once: 120 inserts fragment
    return pd.DataFrame({id_column: frame[id_column].to_numpy(), **columns})


def copy_files(names: Iterable[str], source: Path, target: Path) -> int:
    """Copy `source/<name>` to `target/<name>` for each name (sub-folders kept); the count copied."""
    count = 0
    for name in names:
        origin = source / name
        if not origin.exists():
            raise DataError(f"{origin} is missing from the raw data; download the competition's full data again")
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        if origin.is_dir():
            shutil.copytree(origin, destination, dirs_exist_ok=True)
        else:
            shutil.copyfile(origin, destination)
        count += 1
    return count


def copy_renamed(pairs: Iterable[tuple[Path, Path]]) -> None:
    """Copy each (source, destination) file, creating folders."""
    for origin, destination in pairs:
        if not origin.exists():
            raise DataError(f"{origin} is missing from the raw data; download the competition's full data again")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, destination)


def extract(archive: Path, target: Path) -> Path:
    """Unpack a zip or tar archive into `target` (once; member paths cannot leave `target`)."""
    require(archive.parent, archive.name)
    target.mkdir(parents=True, exist_ok=True)
    marker = target / f".extracted-{archive.name}"
    if marker.exists():
        return target
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as opened:
            opened.extractall(target)  # zipfile drops absolute and '..' parts of member names
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as opened:
            opened.extractall(target, filter="data")
    elif archive.suffix == ".7z":
        _extract_7z(archive, target)
    else:
        raise DataError(f"{archive} is not a zip, tar or 7z archive; download the competition's data again")
    marker.touch()
    return target


def _extract_7z(archive: Path, target: Path) -> None:
    with _py7zr(archive.name).SevenZipFile(archive) as opened:
        opened.extractall(target)


def seven_zip(path: Path, archive: Path, *, keep: bool = False) -> None:
    """Pack a file or folder (under its own name) into a 7z archive, as some Kaggle data ships;
    remove it unless `keep`."""
    with _py7zr(archive.name).SevenZipFile(archive, "w") as packed:
        packed.writeall(path, arcname=path.name)
    if keep:
        return
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink()


def _py7zr(archive_name: str) -> Any:
    try:
        import py7zr
    except ImportError:
        raise DataError(
            f"{archive_name} is a 7z archive: install py7zr (`pip install 'podium[mlebench]'`) and prepare again"
        ) from None
    return py7zr


def zip_folder(folder: Path, archive: Path, *, at_root: bool = False, keep: bool = False) -> None:
    """Zip `folder` as Kaggle ships image folders: entries under the folder's name, or with `at_root`
    its files at the archive's root (as MLE-bench re-packs some); remove the folder unless `keep`."""
    base = archive.with_suffix("")
    if at_root:
        shutil.make_archive(str(base), "zip", root_dir=folder)
    else:
        shutil.make_archive(str(base), "zip", root_dir=folder.parent, base_dir=folder.name)
    if not keep:
        shutil.rmtree(folder)


def zip_file(path: Path, archive: Path) -> None:
    """Zip one file (at the archive's root) and remove it, as Kaggle ships large tables."""
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as opened:
        opened.write(path, arcname=path.name)
    path.unlink()


def image_size(path: Path) -> tuple[int, int]:
    """(width, height) of an image file."""
    with _pillow().open(path) as image:
        width, height = image.size
    return int(width), int(height)


def grey_levels(path: Path) -> np.ndarray:
    """An image's grey levels in [0, 1], one row of the array per row of pixels."""
    with _pillow().open(path) as image:
        return np.asarray(image.convert("L"), dtype=float) / 255.0


def _pillow() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise DataError("reading images needs Pillow: `pip install 'podium[mlebench]'`, then prepare again") from None
    return Image


def split_text_normalization(raw: Path, public: Path, private: Path, lang: str) -> None:
    """The English and Russian text-normalization challenges, prepared as MLE-bench splits them:
    the unique sentence ids of `<lang>_train.csv` split 90/10 (random_state 0) and renumbered from
    0 on each side; ids are <sentence>_<token>. The sample submission copies each token unchanged."""
    import csv

    for name in (f"{lang}_train.csv", f"{lang}_test_2.csv", f"{lang}_sample_submission_2.csv"):
        extract(raw / f"{name}.zip", raw)
    train, answers = split_by(read_csv(raw / f"{lang}_train.csv"), "sentence_id", 0.1, 0)
    train, answers = _renumbered_sentences(train), _renumbered_sentences(answers)
    test = answers.drop(columns=["after", "class"])
    ids = answers["sentence_id"].astype(str) + "_" + answers["token_id"].astype(str)
    sample = pd.DataFrame({"id": ids, "after": test["before"]})
    quoted = {"quoting": csv.QUOTE_NONNUMERIC}
    write_csv(pd.DataFrame({"id": ids, "after": answers["after"]}), private / "answers.csv", **quoted)
    write_csv(sample, public / "sample_submission.csv", **quoted)
    for name, frame in (
        (f"{lang}_train.csv", train),
        (f"{lang}_test_2.csv", test),
        (f"{lang}_sample_submission_2.csv", sample),
    ):
        write_csv(frame, public / name, **quoted)
        zip_file(public / name, public / f"{name}.zip")


def _renumbered_sentences(tokens: pd.DataFrame) -> pd.DataFrame:
    """Sentence ids from 0, in order of first appearance, so ids say nothing about the split."""
    order = {old: new for new, old in enumerate(tokens["sentence_id"].unique())}
    return tokens.assign(sentence_id=tokens["sentence_id"].map(order))


def split_by_category(
    metadata: dict[str, Any], test_share: float, *, small_rule: bool = True
) -> tuple[list[Item], list[Item]]:
    """FGVC metadata (annotations and images in step) split per category, as MLE-bench splits the
    herbarium and iNaturalist data: with `small_rule` one image stays in train and two to four give
    their last share (at least one) to test; other categories split by train_test_split(random_state
    0). Train keeps category order; test is shuffled (Random(0)) so no category sits in a row."""
    by_category: dict[Any, list[Item]] = {}
    for annotation, image in zip(metadata["annotations"], metadata["images"], strict=True):
        by_category.setdefault(annotation["category_id"], []).append((annotation, image))
    train: list[Item] = []
    test: list[Item] = []
    for items in by_category.values():
        if small_rule and len(items) == 1:
            train += items
        elif small_rule and len(items) < 5:
            count = max(1, int(len(items) * test_share))
            train += items[:-count]
            test += items[-count:]
        else:
            kept, held = split(items, test_share, 0)
            train += kept
            test += held
    random.Random(0).shuffle(test)
    return train, test


def split_herbarium(
    images: Path, out: Path, public: Path, private: Path, *, encoding: str, drop: tuple[str, ...]
) -> None:
    """herbarium-2020-fgvc7 and herbarium-2021-fgvc8, as MLE-bench splits them: `images`/metadata.json
    split 80/20 by category (see split_by_category) into `out`/train and `out`/test. Test images are
    renamed by their index, so neither name nor order gives the category away, and the test metadata
    loses its annotations and the `drop` keys."""
    require(images, "metadata.json")
    metadata = json.loads((images / "metadata.json").read_text(encoding=encoding))
    train, test = split_by_category(metadata, 0.2)
    train_meta = {**metadata, "annotations": [a for a, _ in train], "images": [i for _, i in train]}
    (out / "train").mkdir(parents=True, exist_ok=True)
    (out / "train" / "metadata.json").write_text(json.dumps(train_meta, indent=4, sort_keys=True))
    copy_files([i["file_name"] for _, i in train], images, out / "train")
    renamed = [
        {**image, "id": str(n), "file_name": f"images/{n // 1000:03d}/{n}.jpg"} for n, (_, image) in enumerate(test)
    ]
    copy_renamed(
        (images / old["file_name"], out / "test" / new["file_name"])
        for (_, old), new in zip(test, renamed, strict=True)
    )
    test_meta = {k: v for k, v in metadata.items() if k not in (*drop, "annotations")} | {"images": renamed}
    (out / "test" / "metadata.json").write_text(json.dumps(test_meta, indent=4, sort_keys=True))
    answers = pd.DataFrame({"Id": [i["id"] for i in renamed], "Predicted": [a["category_id"] for a, _ in test]})
    write_csv(answers, private / "answers.csv")
    write_csv(answers.assign(Predicted=0), public / "sample_submission.csv")
