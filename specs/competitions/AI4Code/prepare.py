"""Prepare AI4Code as MLE-bench splits it.

Notebooks are shuffled (pandas sample, random_state 0) and grouped by fork ancestor; whole
groups go to test while they fit, until exactly 20,000 notebooks. The sample submission keeps
each test notebook's stored cell order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

TEST_NOTEBOOKS = 20_000


def prepare(raw: Path, public: Path, private: Path) -> None:
    ancestry = recipes.read_csv(raw / "train_ancestors.csv").sample(frac=1, random_state=0).reset_index(drop=True)
    test_ids: list[str] = []
    for _, group in ancestry.groupby("ancestor_id", sort=False):
        if len(test_ids) + len(group) <= TEST_NOTEBOOKS:
            test_ids += list(group["id"])
    if len(test_ids) != TEST_NOTEBOOKS:
        raise recipes.DataError(f"the ancestor groups fill {len(test_ids)} test notebooks, not {TEST_NOTEBOOKS}")
    in_test = set(test_ids)
    train_ids = [i for i in ancestry["id"] if i not in in_test]
    recipes.copy_files([f"{i}.json" for i in train_ids], raw / "train", public / "train")
    recipes.copy_files([f"{i}.json" for i in test_ids], raw / "train", public / "test")
    orders = recipes.read_csv(raw / "train_orders.csv")
    recipes.write_csv(orders[~orders["id"].isin(in_test)], public / "train_orders.csv")
    answers = orders[orders["id"].isin(in_test)]
    recipes.write_csv(answers, private / "test_orders.csv")
    recipes.write_csv(ancestry[~ancestry["id"].isin(in_test)], public / "train_ancestors.csv")
    stored = [" ".join(json.loads((public / "test" / f"{i}.json").read_text())["cell_type"]) for i in answers["id"]]
    recipes.write_csv(pd.DataFrame({"id": answers["id"], "cell_order": stored}), public / "sample_submission.csv")
