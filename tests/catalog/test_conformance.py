"""The catalog against MLE-bench's own records: every pinned leaderboard is the anchor file,
its rows run best-first for the declared direction, and podium's medal thresholds equal the
ones MLE-bench's rules give. The rules are written out again here from DESIGN.md, on exact
fractions, so that a slip in podium's integer arithmetic cannot hide behind the same slip."""

from __future__ import annotations

import hashlib
import re
import statistics
from fractions import Fraction
from pathlib import Path

import pytest
from mlebench_catalog import ANCHORS, mlebench_ids

from podium.generator.catalog import Catalog
from podium.runtime.grading.leaderboard import Leaderboard, thresholds


def anchors() -> Path:
    if not ANCHORS.is_dir():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS}; they live in ../shared beside the repository")
    return ANCHORS


def kaggle_positions(n: int) -> tuple[int, int, int]:
    """1-based gold, silver, bronze rows of a leaderboard of n teams (DESIGN.md, medal rules)."""

    def share(percent: int) -> int:
        return int(Fraction(n * percent, 100))  # floor of an exact fraction

    if n < 100:
        return max(1, share(10)), max(1, share(20)), max(1, share(40))
    if n < 250:
        return 10, share(20), share(40)
    gold = 10 + int(Fraction(n * 2, 1000))
    if n < 1000:
        return gold, 50, 100
    return gold, share(5), share(10)


def test_the_rules_as_written_here_match_their_text() -> None:
    assert kaggle_positions(50) == (5, 10, 20)
    assert kaggle_positions(5) == (1, 1, 2)
    assert kaggle_positions(130) == (10, 26, 52)
    assert kaggle_positions(600) == (11, 50, 100)
    assert kaggle_positions(2500) == (15, 125, 250)


def with_leaderboard(catalog: Catalog) -> list[str]:
    return [i for i in mlebench_ids(catalog) if (anchors() / i / "leaderboard.csv").is_file()]


def test_thresholds_pins_and_directions_agree_with_mlebench(repo_catalog: Catalog) -> None:
    checked = with_leaderboard(repo_catalog)
    assert len(checked) == 81  # all but ventilator-pressure-prediction, whose file is not public
    for competition_id in checked:
        path = anchors() / competition_id / "leaderboard.csv"
        competition = repo_catalog.competition(competition_id)
        board = Leaderboard.from_csv(path)

        assert competition.leaderboard.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), competition_id
        board.check_direction(repo_catalog.grader(competition.grader.metric).direction)
        gold, silver, bronze = kaggle_positions(len(board.scores))
        limits = thresholds(board.scores)
        expected = (board.scores[gold - 1], board.scores[silver - 1], board.scores[bronze - 1])
        assert (limits.gold, limits.silver, limits.bronze) == expected, competition_id
        assert limits.median == statistics.median(board.scores), competition_id


def test_a_leaderboard_only_known_by_its_lfs_pointer_is_pinned_by_its_oid(repo_catalog: Catalog) -> None:
    pointer = anchors() / "ventilator-pressure-prediction" / "leaderboard.csv.lfs-pointer"
    oid = re.search(r"oid sha256:([0-9a-f]{64})", pointer.read_text())

    assert oid is not None
    assert repo_catalog.competition("ventilator-pressure-prediction").leaderboard.sha256 == oid.group(1)


def test_a_direction_against_the_leaderboard_is_caught(repo_catalog: Catalog) -> None:
    """The direction check bites: AUC declared to be minimised fails on aerial-cactus's board."""
    from podium.runtime.grading.leaderboard import LeaderboardError

    board = Leaderboard.from_csv(anchors() / "aerial-cactus-identification" / "leaderboard.csv")
    with pytest.raises(LeaderboardError, match="not sorted"):
        board.check_direction("minimize")
