"""Prepare cdiscount-image-classification-challenge the way MLE-bench splits it.

Products of train.bson split 90/10 (a frame of _id and category_id, random_state 0); the
answers are the test products sorted by _id. train.bson and test.bson (without category_id)
are rewritten in the raw file's order, and train_example.bson holds the first 100 products of
the new train.bson, as Kaggle's did of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import pandas as pd

from podium.runtime.data import recipes

EXAMPLE_PRODUCTS = 100
SAMPLE_CATEGORY = 1000010653


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train.bson", "category_names.csv")
    products = pd.DataFrame(
        [{"_id": record["_id"], "category_id": record["category_id"]} for record in products_of(raw / "train.bson")]
    )
    _, answers = recipes.split(products, 0.1, 0)  # the train side is every other product, in raw order
    answers = answers.sort_values("_id")
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(answers[["_id"]].assign(category_id=SAMPLE_CATEGORY), public / "sample_submission.csv")
    write_sides(raw / "train.bson", public, set(answers["_id"]))
    recipes.copy_files(["category_names.csv"], raw, public)


def write_sides(source: Path, public: Path, test_ids: set[Any]) -> None:
    """One pass over the (58 GB) raw file writes train, test and the train example."""
    encode = _bson().encode
    examples = 0
    with (
        (public / "train.bson").open("wb") as train,
        (public / "test.bson").open("wb") as test,
        (public / "train_example.bson").open("wb") as example,
    ):
        for record in products_of(source):
            if record["_id"] in test_ids:
                record.pop("category_id", None)
                test.write(encode(record))
                continue
            encoded = encode(record)
            train.write(encoded)
            if examples < EXAMPLE_PRODUCTS:
                example.write(encoded)
                examples += 1


def products_of(path: Path) -> Iterator[dict[str, Any]]:
    bson = _bson()
    with path.open("rb") as handle:
        yield from _decoded(bson, handle, path)


def _decoded(bson: Any, handle: BinaryIO, path: Path) -> Iterator[dict[str, Any]]:
    try:
        yield from bson.decode_file_iter(handle)
    except bson.errors.InvalidBSON as error:
        raise recipes.DataError(f"{path} is not a readable BSON file ({error}); download the data again") from None


def _bson() -> Any:
    try:
        import bson
    except ImportError:
        raise recipes.DataError(
            "the Cdiscount data is BSON: install pymongo (`pip install 'podium[mlebench]'`), then prepare again"
        ) from None
    return bson
