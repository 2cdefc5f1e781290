"""Prepare champs-scalar-coupling as MLE-bench splits it.

Whole molecules (the groups of train.csv by molecule_name, in name order) split 90/10
(random_state 0). structures.csv and structures/ keep train and test molecules, as MLE-bench's do
since openai/mle-bench#70 (earlier copies, such as dslighting's, keep training molecules only);
the other per-molecule tables keep training molecules only.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

EXTRA_TABLES = (
    "dipole_moments.csv",
    "magnetic_shielding_tensors.csv",
    "mulliken_charges.csv",
    "potential_energy.csv",
    "scalar_coupling_contributions.csv",
)


def prepare(raw: Path, public: Path, private: Path) -> None:
    couplings = recipes.read_csv(raw / "train.csv")
    train, answers = recipes.split_groups(couplings, "molecule_name", 0.1, 0)
    recipes.write_csv(answers, private / "answers.csv")
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(answers.drop(columns=["scalar_coupling_constant"]), public / "test.csv")
    recipes.write_csv(answers[["id"]].assign(scalar_coupling_constant=0), public / "sample_submission.csv")
    molecules = set(train["molecule_name"]) | set(answers["molecule_name"])
    structures = recipes.read_csv(raw / "structures.csv")
    recipes.write_csv(structures[structures["molecule_name"].isin(molecules)], public / "structures.csv")
    for name in EXTRA_TABLES:
        table = recipes.read_csv(raw / name)
        recipes.write_csv(table[table["molecule_name"].isin(set(train["molecule_name"]))], public / name)
    recipes.copy_files([f"{m}.xyz" for m in sorted(molecules)], raw / "structures", public / "structures")
