"""Prepare nomad2018-predict-transparent-conductors as MLE-bench splits it.

train.csv split 90/10 (random_state 0); ids are renumbered from 1 on each side in split order,
and each material's geometry.xyz follows under its new id.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

TARGETS = ["formation_energy_ev_natom", "bandgap_energy_ev"]


def prepare(raw: Path, public: Path, private: Path) -> None:
    recipes.extract(raw / "train.csv.zip", raw / "train.csv")
    geometries = recipes.extract(raw / "train.zip", raw / "train") / "train"
    materials = recipes.read_csv(raw / "train.csv" / "train.csv")
    train, test = recipes.split(materials, 0.1, 0)
    copies = []
    for side, rows in (("train", train), ("test", test)):
        for new_id, old_id in enumerate(rows["id"], start=1):
            copies.append((geometries / str(old_id) / "geometry.xyz", public / side / str(new_id) / "geometry.xyz"))
    train = train.assign(id=range(1, len(train) + 1))
    test = test.assign(id=range(1, len(test) + 1))
    recipes.copy_renamed(copies)
    recipes.write_csv(train, public / "train.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test.drop(columns=TARGETS), public / "test.csv")
    sample = test[["id"]].assign(formation_energy_ev_natom=0.1779, bandgap_energy_ev=1.8892)
    recipes.write_csv(sample, public / "sample_submission.csv")
