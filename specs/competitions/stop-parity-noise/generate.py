"""Learning parity with noise (STOP's self-improvement task): bit vectors labelled by a hidden parity.

One hidden subset of the bits is drawn from the seed; each row's label is the parity (XOR) of
those bits, flipped with probability `noise`. Written to instances.csv: id, b0..b{bits-1}, label.
"""

from pathlib import Path

import numpy as np
import pandas as pd


def generate(raw_dir: Path, seed: int, *, bits: int = 10, rows: int = 300, noise: float = 0.05) -> None:
    rng = np.random.default_rng(seed)
    secret = np.zeros(bits, dtype=bool)
    while not secret.any():
        secret = rng.random(bits) < 0.5
    features = rng.integers(0, 2, size=(rows, bits))
    labels = features[:, secret].sum(axis=1) % 2
    labels ^= (rng.random(rows) < noise).astype(labels.dtype)
    table = pd.DataFrame(features, columns=[f"b{index}" for index in range(bits)])
    table.insert(0, "id", [f"p{index:04d}" for index in range(rows)])
    table["label"] = labels
    table.to_csv(Path(raw_dir) / "instances.csv", index=False)
