"""Prepare nfl-player-contact-detection as MLE-bench splits it.

The unique game plays of train_labels.csv split 90/10 (random_state 0); helmet, tracking and
video tables and the three videos of each play follow their play.
"""

from __future__ import annotations

from pathlib import Path

from podium.runtime.data import recipes

TABLES = ("baseline_helmets", "player_tracking", "video_metadata")
VIEWS = ("All29", "Endzone", "Sideline")


def prepare(raw: Path, public: Path, private: Path) -> None:
    labels = recipes.read_csv(raw / "train_labels.csv")
    train, test = recipes.split_by(labels, "game_play", 0.1, 0)
    recipes.write_csv(train, public / "train_labels.csv")
    recipes.write_csv(test, private / "test.csv")
    recipes.write_csv(test[["contact_id"]].assign(contact=0), public / "sample_submission.csv")
    test_plays = set(test["game_play"])
    for table in TABLES:
        rows = recipes.read_csv(raw / f"train_{table}.csv")
        in_test = rows["game_play"].isin(test_plays)
        recipes.write_csv(rows[~in_test], public / f"train_{table}.csv")
        recipes.write_csv(rows[in_test], public / f"test_{table}.csv")
    for side, plays in (("train", train["game_play"].unique()), ("test", test["game_play"].unique())):
        recipes.copy_files([f"{play}_{view}.mp4" for play in plays for view in VIEWS], raw / "train", public / side)
