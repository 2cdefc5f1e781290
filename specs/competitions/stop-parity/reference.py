"""Reference solution: the parity subset that fits the training labels best, found by brute force."""

import itertools

import pandas as pd

train = pd.read_csv("data/train.csv", dtype={"id": str})
test = pd.read_csv("data/test.csv", dtype={"id": str})
bits = [column for column in train.columns if column.startswith("b")]
features, labels = train[bits].to_numpy(), train["label"].to_numpy()

best_subset, best_errors = (), len(labels) + 1
for size in range(1, len(bits) + 1):
    for subset in itertools.combinations(range(len(bits)), size):
        errors = int(((features[:, subset].sum(axis=1) % 2) != labels).sum())
        if errors < best_errors:
            best_subset, best_errors = subset, errors

predictions = test[bits].to_numpy()[:, best_subset].sum(axis=1) % 2
pd.DataFrame({"id": test["id"], "label": predictions}).to_csv("submission.csv", index=False)
