"""Prepare mlsp-2013-birds the way MLE-bench splits it.

Only Kaggle's labelled recordings (fold 0 of CVfolds_2.txt) are kept and renumbered 0, 1, …
in file order; a fifth of them (pandas sample, random_state 0: 64 recordings) become fold 1,
the test set, whose labels are hidden as '?'. Answers have one row per test recording and
species: Id = rec_id * 100 + species, Probability 1 when the species sings in it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from podium.runtime.data import recipes

SPECIES = 19
SPECTROGRAM_FOLDERS = ("filtered_spectrograms", "spectrograms", "supervised_segmentation")
PER_RECORDING_TABLES = ("histogram_of_segments.txt", "segment_features.txt", "segment_rectangles.txt")


def prepare(raw: Path, public: Path, private: Path) -> None:
    dataset = recipes.extract(raw / "mlsp_contest_dataset.zip", raw) / "mlsp_contest_dataset"
    essential, supplemental = dataset / "essential_data", dataset / "supplemental_data"
    folds = recipes.read_csv(essential / "CVfolds_2.txt")
    folds = folds[folds["fold"] == 0].reset_index(drop=True)
    folds.loc[folds.sample(frac=0.2, random_state=0).index, "fold"] = 1
    new_ids = {int(old): new for new, old in enumerate(folds["rec_id"])}
    test_ids = set(folds.index[folds["fold"] == 1])
    recipes.write_csv(folds.assign(rec_id=folds.index), public / "essential_data" / "CVfolds_2.txt")

    names = recipes.read_csv(essential / "rec_id2filename.txt")
    names = names[names["rec_id"].isin(list(new_ids))].assign(rec_id=lambda rows: rows["rec_id"].map(new_ids))
    recipes.write_csv(names, public / "essential_data" / "rec_id2filename.txt")

    labels = [(new_ids[old], species) for old, species in read_labels(essential) if old in new_ids]
    write_public_labels(labels, test_ids, public / "essential_data" / "rec_labels_test_hidden.txt")
    test_labels = [(rec_id, species) for rec_id, species in labels if rec_id in test_ids]
    recipes.write_csv(answers(test_labels), private / "answers.csv")
    sample_ids = [rec_id * 100 + species for rec_id in sorted(test_ids) for species in range(SPECIES)]
    recipes.write_csv(pd.DataFrame({"Id": sample_ids, "Probability": 0}), public / "sample_submission.csv")

    copy_recording_files(names["filename"], essential, supplemental, public)
    for table in PER_RECORDING_TABLES:
        renumber_table(supplemental / table, public / "supplemental_data" / table, new_ids)


def read_labels(essential: Path) -> list[tuple[int, list[int]]]:
    """(rec_id, species) per line of rec_labels_test_hidden.txt; '?' (Kaggle's test) reads as no species."""
    recipes.require(essential, "rec_labels_test_hidden.txt")
    lines = (essential / "rec_labels_test_hidden.txt").read_text().splitlines()[1:]
    rows = [line.split(",") for line in lines if line.strip()]
    return [(int(fields[0]), [int(value) for value in fields[1:] if value not in ("", "?")]) for fields in rows]


def write_public_labels(labels: list[tuple[int, list[int]]], test_ids: set[int], path: Path) -> None:
    lines = ["rec_id,[labels]"]
    for rec_id, species in labels:
        shown = "?" if rec_id in test_ids else ",".join(map(str, species))
        lines.append(f"{rec_id},{shown}" if shown else str(rec_id))  # no trailing comma for a silent recording
    path.write_text("\n".join(lines) + "\n")


def answers(test_labels: list[tuple[int, list[int]]]) -> pd.DataFrame:
    rows = [
        (rec_id * 100 + species, int(species in present))
        for rec_id, present in test_labels
        for species in range(SPECIES)
    ]
    return pd.DataFrame(rows, columns=["Id", "Probability"])


def copy_recording_files(filenames: pd.Series, essential: Path, supplemental: Path, public: Path) -> None:
    """Wavs and spectrograms of every kept recording; segmentation examples exist for only some."""
    recipes.copy_files(
        [f"{name}.wav" for name in filenames], essential / "src_wavs", public / "essential_data" / "src_wavs"
    )
    for folder in SPECTROGRAM_FOLDERS:
        target = public / "supplemental_data" / folder
        recipes.copy_files([f"{name}.bmp" for name in filenames], supplemental / folder, target)
    examples = supplemental / "segmentation_examples"
    present = [f"{name}.bmp" for name in filenames if (examples / f"{name}.bmp").exists()]
    recipes.copy_files(present, examples, public / "supplemental_data" / "segmentation_examples")
    (public / "supplemental_data" / "segmentation_examples").mkdir(parents=True, exist_ok=True)
    recipes.copy_files(["species_list.txt"], essential, public / "essential_data")
    recipes.copy_files(["segment_clusters.bmp", "segment_mosaic.bmp"], supplemental, public / "supplemental_data")


def renumber_table(source: Path, target: Path, new_ids: dict[int, int]) -> None:
    """Keep the lines of kept recordings (rec_id first), renumbered.

    MLE-bench writes the same header, '[histogram of segment features]', on all three tables;
    it is kept so data prepared here matches data prepared by MLE-bench byte for byte.
    """
    recipes.require(source.parent, source.name)
    lines = ["rec_id,[histogram of segment features]"]
    for line in filter(str.strip, source.read_text().splitlines()[1:]):
        old, _, rest = line.partition(",")
        if int(old) in new_ids:
            lines.append(f"{new_ids[int(old)]},{rest}")
    target.write_text("\n".join(lines) + "\n")
