"""Leaderboards: Kaggle's medal rules as MLE-bench applies them, placement, pins and lookup."""

from __future__ import annotations

import hashlib
import statistics
from pathlib import Path

import pytest

from podium.runtime.grading.leaderboard import (
    LEADERBOARDS_ENV,
    Direction,
    Leaderboard,
    LeaderboardError,
    direction_matches,
    find_leaderboard,
    load_leaderboard,
    medal_positions,
    place,
    thresholds,
)

REPO = Path(__file__).resolve().parents[3]
ANCHORS = REPO / ".." / "shared" / "anchors" / "mle-bench"
ANCHOR_FILES = sorted(ANCHORS.glob("*/leaderboard.csv")) if ANCHORS.is_dir() else []


def mlebench_positions(n: int) -> tuple[int, int, int]:
    """MLE-bench's own float arithmetic (grade_helpers.py), to cross-check our integer floors."""
    if n < 100:
        return max(1, int(n * 0.1)), max(1, int(n * 0.2)), max(1, int(n * 0.4))
    if n < 250:
        return 10, max(1, int(n * 0.2)), max(1, int(n * 0.4))
    if n < 1000:
        return 10 + int(n * 0.002), 50, 100
    return 10 + int(n * 0.002), max(1, int(n * 0.05)), max(1, int(n * 0.1))


def infer_direction(scores: tuple[float, ...]) -> Direction:
    # Only the test infers: anchors carry no direction. podium itself never guesses.
    return "minimize" if scores[0] < scores[-1] else "maximize"


def write_board(path: Path, scores: list[float]) -> Path:
    rows = "".join(f"{i},{score}\n" for i, score in enumerate(scores))
    path.write_text("teamId,score\n" + rows)
    return path


# --- position arithmetic, pinned per bracket at its edges -------------------------------------


@pytest.mark.parametrize(
    ("n_teams", "expected"),
    [
        (1, (1, 1, 1)),
        (5, (1, 1, 2)),
        (10, (1, 2, 4)),
        (99, (9, 19, 39)),  # N<100: 10% / 20% / 40% of N, floored
        (100, (10, 20, 40)),  # 100-249: gold fixed at 10
        (249, (10, 49, 99)),
        (250, (10, 50, 100)),  # 250-999: gold 10 + 0.2% of N, silver 50, bronze 100
        (999, (11, 50, 100)),
        (1000, (12, 50, 100)),  # >=1000: silver 5%, bronze 10%
        (1999, (13, 99, 199)),
        (4539, (19, 226, 453)),
    ],
)
def test_medal_positions_at_bracket_edges(n_teams: int, expected: tuple[int, int, int]) -> None:
    assert medal_positions(n_teams) == expected
    assert mlebench_positions(n_teams) == expected


def test_integer_floors_equal_mlebench_float_arithmetic_everywhere() -> None:
    assert all(medal_positions(n) == mlebench_positions(n) for n in range(1, 20_001))


def test_empty_leaderboard_has_no_thresholds() -> None:
    with pytest.raises(LeaderboardError):
        medal_positions(0)


@pytest.mark.parametrize("n_teams", [99, 100, 249, 250, 999, 1000])
def test_threshold_is_the_score_at_the_position(n_teams: int) -> None:
    scores = [float(n_teams - rank) for rank in range(n_teams)]  # rank r (1-based) has N - r + 1
    limits = thresholds(scores)
    gold, silver, bronze = medal_positions(n_teams)
    assert (limits.gold, limits.silver, limits.bronze) == (
        scores[gold - 1],
        scores[silver - 1],
        scores[bronze - 1],
    )
    assert (limits.gold_position, limits.silver_position, limits.bronze_position) == (gold, silver, bronze)
    assert limits.median == statistics.median(scores)
    assert limits.n_teams == n_teams


# --- every MLE-bench leaderboard ----------------------------------------------------------------


def test_anchor_leaderboards_are_present() -> None:
    if not ANCHOR_FILES:
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS.resolve()} (../shared beside the repo)")
    assert len(ANCHOR_FILES) >= 75


@pytest.mark.parametrize("path", ANCHOR_FILES, ids=lambda path: path.parent.name)
def test_anchor_thresholds_follow_mlebench(path: Path) -> None:
    board = Leaderboard.from_csv(path)
    direction = infer_direction(board.scores)
    assert direction_matches(board.scores, direction)
    board.check_direction(direction)
    limits = thresholds(board.scores)
    gold, silver, bronze = mlebench_positions(board.n_teams)
    assert limits.gold == board.scores[gold - 1]
    assert limits.silver == board.scores[silver - 1]
    assert limits.bronze == board.scores[bronze - 1]
    assert limits.median == statistics.median(board.scores)
    assert board.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("path", ANCHOR_FILES, ids=lambda path: path.parent.name)
def test_anchor_placement_rules(path: Path) -> None:
    board = Leaderboard.from_csv(path)
    direction = infer_direction(board.scores)
    limits = thresholds(board.scores)
    # Only values that survive the 5-decimal rounding sit exactly on a threshold after it.
    exact = [t for t in (limits.gold, limits.silver, limits.bronze) if round(t, 5) == t]
    for threshold in exact:
        placed = place(threshold, board.scores, direction)
        medals = [placed.gold_medal, placed.silver_medal, placed.bronze_medal]
        assert sum(medals) == 1, "a score at a threshold wins exactly one medal (inclusive, exclusive)"
        assert placed.rank == 1 + sum(_better(s, placed.score, direction) for s in board.scores)
        assert placed.percentile == sum(_better(placed.score, s, direction) for s in board.scores) / board.n_teams
    if round(limits.median, 5) == limits.median:
        assert not place(limits.median, board.scores, direction).above_median
    best = place(board.scores[0], board.scores, direction)
    assert best.rank == 1 or round(board.scores[0], 5) != board.scores[0]


def _better(score: float, other: float, direction: str) -> bool:
    return score > other if direction == "maximize" else score < other


# --- comparisons --------------------------------------------------------------------------------

TEN = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0]  # N=10: gold row 1, silver 2, bronze 4


def test_ten_team_thresholds() -> None:
    limits = thresholds(TEN)
    assert (limits.gold, limits.silver, limits.bronze, limits.median) == (0.9, 0.8, 0.6, 0.45)


@pytest.mark.parametrize(
    ("score", "medal"),
    [
        (0.95, "gold"),
        (0.9, "gold"),
        (0.85, "silver"),
        (0.8, "silver"),
        (0.7, "bronze"),
        (0.6, "bronze"),
        (0.59, None),
    ],
)
def test_medals_are_inclusive_and_exclusive_when_maximizing(score: float, medal: str | None) -> None:
    placed = place(score, TEN, "maximize")
    assert placed.medal == medal
    assert [placed.gold_medal, placed.silver_medal, placed.bronze_medal].count(True) == (medal is not None)
    assert placed.any_medal == (medal is not None)


@pytest.mark.parametrize(("score", "medal"), [(0.0, "gold"), (0.1, "silver"), (0.3, "bronze"), (0.31, None)])
def test_medals_are_inclusive_when_minimizing(score: float, medal: str | None) -> None:
    ascending = sorted(TEN)
    assert place(score, ascending, "minimize").medal == medal


def test_above_median_is_strict() -> None:
    assert not place(0.45, TEN, "maximize").above_median
    assert place(0.45001, TEN, "maximize").above_median
    assert not place(0.45, sorted(TEN), "minimize").above_median
    assert place(0.44999, sorted(TEN), "minimize").above_median


def test_score_is_rounded_to_five_decimals_before_comparing() -> None:
    assert place(0.899996, TEN, "maximize").medal == "gold"  # rounds to 0.9
    assert place(0.899994, TEN, "maximize").medal == "silver"  # rounds to 0.89999
    assert place(0.000004, sorted(TEN), "minimize").medal == "gold"  # rounds to 0.0
    assert place(0.899996, TEN, "maximize").score == 0.9


def test_rank_and_percentile_with_ties() -> None:
    scores = [1.0] * 30 + [0.5] * 970
    top = place(1.0, scores, "maximize")
    assert (top.rank, top.percentile, top.n_teams) == (1, 0.97, 1000)
    middle = place(0.7, scores, "maximize")
    assert (middle.rank, middle.percentile) == (31, 0.97)
    bottom = place(0.1, scores, "maximize")
    assert (bottom.rank, bottom.percentile) == (1001, 0.0)
    assert top.medal == "gold"  # every threshold collapsed onto the shared top score


def test_direction_matches_tolerates_ties() -> None:
    assert direction_matches([3, 3, 2, 2, 1], "maximize")
    assert not direction_matches([3, 3, 2, 2, 1], "minimize")
    assert direction_matches([1, 1, 2], "minimize")
    assert direction_matches([5, 5, 5], "maximize") and direction_matches([5, 5, 5], "minimize")
    assert not direction_matches([3, 1, 2], "maximize")
    assert direction_matches([7], "minimize")


# --- files: reading, pins, direction, lookup ----------------------------------------------------


def test_reads_score_column_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "leaderboard.csv"
    path.write_bytes(b"\xef\xbb\xbfteamId,score,hasScore\n1,0.9,True\n2,0.5,True\n")
    board = Leaderboard.from_csv(path)
    assert board.scores == (0.9, 0.5)
    assert board.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert board.n_teams == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("teamId,points\n1,3\n", "no 'score' column"),
        ("teamId,score\n", "has no rows"),
        ("teamId,score\n1,abc\n", "line 2: score 'abc' is not a number"),
        ("teamId,score\n1,0.5\n2,\n", "line 3: score '' is not a number"),
        ("teamId,score\n1,nan\n", "is not finite"),
    ],
)
def test_unreadable_leaderboards_say_why(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "leaderboard.csv"
    path.write_text(text)
    with pytest.raises(LeaderboardError, match=message):
        Leaderboard.from_csv(path)


def test_pin_mismatch_names_both_hashes(tmp_path: Path) -> None:
    board = Leaderboard.from_csv(write_board(tmp_path / "leaderboard.csv", [3, 2, 1]))
    board.check_pin(board.sha256)
    board.check_pin(None)
    wrong = "0" * 64
    with pytest.raises(LeaderboardError) as raised:
        board.check_pin(wrong)
    assert board.sha256 in str(raised.value) and wrong in str(raised.value)


def test_direction_mismatch_is_an_error(tmp_path: Path) -> None:
    board = Leaderboard.from_csv(write_board(tmp_path / "leaderboard.csv", [1, 2, 3]))
    board.check_direction("minimize")
    with pytest.raises(LeaderboardError, match="not sorted for direction 'maximize'"):
        board.check_direction("maximize")


def test_lookup_order_explicit_then_env_then_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(LEADERBOARDS_ENV, raising=False)
    assert find_leaderboard("toy") is None
    cached = tmp_path / "cache" / "podium" / "leaderboards" / "toy" / "leaderboard.csv"
    cached.parent.mkdir(parents=True)
    write_board(cached, [1])
    assert find_leaderboard("toy") == cached
    env_file = tmp_path / "boards" / "toy" / "leaderboard.csv"
    env_file.parent.mkdir(parents=True)
    write_board(env_file, [2])
    monkeypatch.setenv(LEADERBOARDS_ENV, str(tmp_path / "boards"))
    assert find_leaderboard("toy") == env_file
    explicit = write_board(tmp_path / "mine.csv", [3])
    assert find_leaderboard("toy", explicit) == explicit
    with pytest.raises(LeaderboardError, match="no leaderboard file at"):
        find_leaderboard("toy", tmp_path / "absent.csv")


def test_load_checks_pin_and_direction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(LEADERBOARDS_ENV, str(tmp_path))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "toy" / "leaderboard.csv"
    path.parent.mkdir()
    write_board(path, [3, 2, 1])
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    board = load_leaderboard("toy", pin=sha, direction="maximize")
    assert board is not None and board.scores == (3.0, 2.0, 1.0)
    with pytest.raises(LeaderboardError, match="pins"):
        load_leaderboard("toy", pin="f" * 64, direction="maximize")
    with pytest.raises(LeaderboardError, match="not sorted"):
        load_leaderboard("toy", pin=sha, direction="minimize")
    assert load_leaderboard("other", pin=sha, direction="maximize") is None
