"""Human leaderboards: reading, pinning, medal thresholds and the placement of a score.

The rules are Kaggle's, as MLE-bench applies them to a stored final leaderboard (rows in final
rank order, N = number of rows). Positions are 1-based ranks; a threshold is the score at that
row:

    N < 100        gold 10% of N    silver 20% of N   bronze 40% of N   (floored, at least 1)
    100 <= N < 250 gold 10          silver 20% of N   bronze 40% of N
    250 <= N < 1000 gold 10 + 0.2% of N   silver 50   bronze 100
    N >= 1000      gold 10 + 0.2% of N    silver 5% of N   bronze 10% of N

Medals compare inclusively (>= when maximizing, <= when minimizing) and are exclusive (gold
implies not silver); above-median is strict against the median of all scores; the agent's score
is rounded to 5 decimals before any comparison.

Only the standard library is used here, so `podium leaderboard ...` never imports pandas.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import math
import os
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

Direction = Literal["maximize", "minimize"]
Medal = Literal["gold", "silver", "bronze"]

LEADERBOARDS_ENV = "PODIUM_LEADERBOARDS"  # a contract: <folder>/<competition-id>/leaderboard.csv
LEADERBOARD_FILE = "leaderboard.csv"
SCORE_DECIMALS = 5  # MLE-bench rounds the agent's score to 5 decimals before placing it


class LeaderboardError(Exception):
    """A leaderboard is unreadable, does not match its pin, or is sorted against its direction."""


@dataclass(frozen=True)
class Leaderboard:
    """A competition's final human scores, best first, and the sha256 of the file they came from."""

    scores: tuple[float, ...]
    sha256: str
    path: Path | None = None

    @property
    def n_teams(self) -> int:
        return len(self.scores)

    @classmethod
    def from_csv(cls, path: Path) -> Leaderboard:
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise LeaderboardError(f"cannot read leaderboard {path}: {error.strerror or error}") from None
        return cls(scores=parse_scores(data, path), sha256=sha256_hex(data), path=path)

    def check_pin(self, expected_sha256: str | None) -> None:
        """Raise when the file is not the one the competition spec pinned."""
        if expected_sha256 is not None and expected_sha256 != self.sha256:
            raise LeaderboardError(
                f"leaderboard {self.path} has sha256 {self.sha256}, but the competition pins "
                f"{expected_sha256}; replace the file with the pinned one or update the spec's "
                "leaderboard.sha256 if the new file is intended"
            )

    def check_direction(self, direction: Direction) -> None:
        """Raise when the rows are not in final rank order for the declared direction."""
        if not direction_matches(self.scores, direction):
            order = "decreasing" if direction == "maximize" else "increasing"
            raise LeaderboardError(
                f"leaderboard {self.path} is not sorted for direction {direction!r}: its scores "
                f"should be {order} from the first row (best team) to the last; check the "
                "grader's direction or the file"
            )


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    return sha256_hex(Path(path).read_bytes())


def parse_scores(data: bytes, source: Path | str = "leaderboard") -> tuple[float, ...]:
    """The `score` column of a Kaggle leaderboard CSV, in file (= rank) order."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LeaderboardError(f"leaderboard {source} is not UTF-8 text") from None
    rows = csv.DictReader(text.splitlines())
    if rows.fieldnames is None or "score" not in rows.fieldnames:
        raise LeaderboardError(f"leaderboard {source} has no 'score' column")
    scores = tuple(_score(row.get("score"), line, source) for line, row in enumerate(rows, start=2))
    if not scores:
        raise LeaderboardError(f"leaderboard {source} has no rows")
    return scores


def _score(value: str | None, line: int, source: Path | str) -> float:
    try:
        score = float(value or "")
    except ValueError:
        raise LeaderboardError(f"leaderboard {source} line {line}: score {value!r} is not a number") from None
    if not math.isfinite(score):
        raise LeaderboardError(f"leaderboard {source} line {line}: score {value!r} is not finite")
    return score


def direction_matches(scores: Sequence[float], direction: Direction) -> bool:
    """True when the rows run best to worst for `direction`; ties (equal neighbours) are fine."""
    pairs = itertools.pairwise(scores)
    if direction == "maximize":
        return all(upper >= lower for upper, lower in pairs)
    return all(upper <= lower for upper, lower in pairs)


@dataclass(frozen=True)
class Thresholds:
    """Medal thresholds of one leaderboard, with the 1-based positions they were read at."""

    n_teams: int
    gold: float
    silver: float
    bronze: float
    median: float
    gold_position: int
    silver_position: int
    bronze_position: int

    def medal_fields(self) -> dict[str, float]:
        """The thresholds under the field names of MLE-bench's grading report."""
        return {
            "gold_threshold": self.gold,
            "silver_threshold": self.silver,
            "bronze_threshold": self.bronze,
            "median_threshold": self.median,
        }

    def fields(self) -> dict[str, Any]:
        """medal_fields with the team count and the positions they were read at."""
        return {
            "n_teams": self.n_teams,
            **self.medal_fields(),
            "gold_position": self.gold_position,
            "silver_position": self.silver_position,
            "bronze_position": self.bronze_position,
        }


def medal_positions(n_teams: int) -> tuple[int, int, int]:
    """1-based (gold, silver, bronze) positions for a leaderboard of `n_teams` rows.

    Integer arithmetic gives the same floors as MLE-bench's `int(n * 0.1)` for every n (checked
    up to 200,000) without depending on float rounding.
    """
    if n_teams < 1:
        raise LeaderboardError("a leaderboard needs at least one team")
    if n_teams < 100:
        return max(1, n_teams // 10), max(1, n_teams // 5), max(1, n_teams * 2 // 5)
    if n_teams < 250:
        return 10, n_teams // 5, n_teams * 2 // 5
    if n_teams < 1000:
        return 10 + n_teams // 500, 50, 100
    return 10 + n_teams // 500, n_teams // 20, n_teams // 10


def thresholds(scores: Sequence[float]) -> Thresholds:
    """Medal thresholds of `scores` (rows in final rank order, best first)."""
    gold, silver, bronze = medal_positions(len(scores))
    return Thresholds(
        n_teams=len(scores),
        gold=float(scores[gold - 1]),
        silver=float(scores[silver - 1]),
        bronze=float(scores[bronze - 1]),
        median=float(statistics.median(scores)),
        gold_position=gold,
        silver_position=silver,
        bronze_position=bronze,
    )


@dataclass(frozen=True)
class Placement:
    """Where a score would have placed among the human teams.

    `rank` is 1 + the number of teams strictly better. `percentile` is the fraction (0..1) of
    teams the score strictly beats: teams tied with it are not beaten, so matching the top score
    of a leaderboard where 30 of 1000 teams share it gives rank 1 and percentile 0.97. Both stay
    informative where thresholds collapse onto one shared score.
    """

    score: float
    medal: Medal | None
    gold_medal: bool
    silver_medal: bool
    bronze_medal: bool
    above_median: bool
    rank: int
    percentile: float
    n_teams: int
    thresholds: Thresholds

    @property
    def any_medal(self) -> bool:
        return self.medal is not None

    def medal_fields(self) -> dict[str, Any]:
        """The medals, rank and percentile under the field names of MLE-bench's grading report."""
        return {
            "any_medal": self.any_medal,
            "gold_medal": self.gold_medal,
            "silver_medal": self.silver_medal,
            "bronze_medal": self.bronze_medal,
            "above_median": self.above_median,
            "rank": self.rank,
            "percentile": self.percentile,
        }


def round_score(score: float) -> float:
    return round(float(score), SCORE_DECIMALS)


def place(score: float, scores: Sequence[float], direction: Direction) -> Placement:
    """Place `score` against `scores` (best first) for `direction`, by the rules above."""
    rounded = round_score(score)
    limits = thresholds(scores)
    medal = _medal(rounded, limits, direction)
    better = sum(_beats(other, rounded, direction) for other in scores)
    beaten = sum(_beats(rounded, other, direction) for other in scores)
    return Placement(
        score=rounded,
        medal=medal,
        gold_medal=medal == "gold",
        silver_medal=medal == "silver",
        bronze_medal=medal == "bronze",
        above_median=_beats(rounded, limits.median, direction),
        rank=1 + better,
        percentile=beaten / len(scores),
        n_teams=len(scores),
        thresholds=limits,
    )


def _beats(score: float, other: float, direction: Direction) -> bool:
    return score > other if direction == "maximize" else score < other


def _reaches(score: float, threshold: float, direction: Direction) -> bool:
    return score >= threshold if direction == "maximize" else score <= threshold


def _medal(score: float, limits: Thresholds, direction: Direction) -> Medal | None:
    # Checked best first, so the medals are exclusive: gold implies not silver.
    for medal, threshold in (
        ("gold", limits.gold),
        ("silver", limits.silver),
        ("bronze", limits.bronze),
    ):
        if _reaches(score, threshold, direction):
            return medal  # type: ignore[return-value]
    return None


def leaderboard_search_paths(competition_id: str) -> list[Path]:
    """Where a competition's leaderboard is looked for, in order (after an explicit path)."""
    paths = []
    if folder := os.environ.get(LEADERBOARDS_ENV):
        paths.append(Path(folder).expanduser() / competition_id / LEADERBOARD_FILE)
    from podium.runtime.data.paths import cache_dir

    paths.append(cache_dir() / "leaderboards" / competition_id / LEADERBOARD_FILE)
    return paths


def find_leaderboard(competition_id: str, explicit: Path | None = None) -> Path | None:
    """The leaderboard file to use: `explicit`, then $PODIUM_LEADERBOARDS, then the cache."""
    if explicit is not None:
        if not Path(explicit).is_file():
            raise LeaderboardError(f"no leaderboard file at {explicit}")
        return Path(explicit)
    return next((path for path in leaderboard_search_paths(competition_id) if path.is_file()), None)


def load_leaderboard(
    competition_id: str,
    *,
    pin: str | None,
    direction: Direction,
    explicit: Path | None = None,
) -> Leaderboard | None:
    """Find, read and check (pin, then direction) a competition's leaderboard; None if absent."""
    path = find_leaderboard(competition_id, explicit)
    if path is None:
        return None
    leaderboard = Leaderboard.from_csv(path)
    leaderboard.check_pin(pin)
    leaderboard.check_direction(direction)
    return leaderboard


def missing_leaderboard_note(competition_id: str) -> str:
    looked = ", ".join(str(path) for path in leaderboard_search_paths(competition_id))
    return (
        f"no leaderboard found for {competition_id} (looked in {looked}); pass --leaderboard FILE "
        f"or set {LEADERBOARDS_ENV} to a folder holding {competition_id}/{LEADERBOARD_FILE}"
    )
