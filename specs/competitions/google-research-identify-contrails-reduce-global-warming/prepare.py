"""Prepare google-research-identify-contrails-reduce-global-warming as MLE-bench splits it.

The records of train_metadata.json split with as many test records as validation_metadata.json
holds (random_state 0). The answers run-length encode each test record's human_pixel_masks.npy
('-' when empty), with the image size from band_08.npy; the sample guesses '1 3 10 5' or '-' at
random (Random(0)).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pandas as pd

from podium.runtime.data import recipes

BANDS = [f"band_{n:02d}.npy" for n in range(8, 17)]
MASKS = ["human_individual_masks.npy", "human_pixel_masks.npy"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.require(raw, "train_metadata.json", "validation_metadata.json", "train", "validation")
    records = json.loads((raw / "train_metadata.json").read_text())
    validation = json.loads((raw / "validation_metadata.json").read_text())
    train, test = recipes.split(records, len(validation), 0)
    rows = []
    for record in test:
        folder = raw / "train" / record["record_id"]
        recipes.require(folder, "band_08.npy", "human_pixel_masks.npy")
        height, width = np.load(folder / "band_08.npy", mmap_mode="r").shape[:2]
        mask = encode(np.load(folder / "human_pixel_masks.npy"))
        rows.append({"record_id": record["record_id"], "encoded_pixels": mask, "height": height, "width": width})
    answers = pd.DataFrame(rows)
    recipes.write_csv(answers, private / "answers.csv")
    coin = random.Random(0)
    guesses = [coin.choice(["1 3 10 5", "-"]) for _ in range(len(answers))]
    recipes.write_csv(answers.assign(encoded_pixels=guesses), public / "sample_submission.csv")
    recipes.copy_files([f"{r['record_id']}/{f}" for r in train for f in BANDS + MASKS], raw / "train", public / "train")
    recipes.copy_files([f"{r['record_id']}/{f}" for r in test for f in BANDS], raw / "train", public / "test")
    recipes.copy_files(["validation", "validation_metadata.json"], raw, public)
    (public / "train_metadata.json").write_text(json.dumps(train))


def encode(mask: np.ndarray) -> str:
    """Kaggle's run-length encoding, pixels numbered down each column from 1; '-' when empty."""
    pixels = np.concatenate([[0], mask.squeeze().flatten(order="F").astype(np.uint8), [0]])
    edges = np.flatnonzero(pixels[1:] != pixels[:-1]) + 1
    starts, ends = edges[::2], edges[1::2]
    return " ".join(f"{s} {e - s}" for s, e in zip(starts, ends, strict=True)) or "-"
