"""Multi-seed aggregates: hand-computed mean, SEM, t intervals and pass@k; which runs count."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from fractions import Fraction

import pytest

from podium.runtime.reports.aggregate import (
    Estimate,
    SplitSummary,
    Summary,
    counted_runs,
    estimate,
    pass_at_k,
    summarize,
)
from podium.runtime.store.records import RunRecord

MakeRun = Callable[..., RunRecord]  # the conftest fixture
# Scores on the 10-team board of conftest (gold >= 0.95, silver >= 0.9, bronze >= 0.8, median 0.725):
# spaceship-titanic: gold, bronze, no medal (below median); titanic: silver, invalid, no medal.
SEED_SCORES = {"spaceship-titanic": (0.95, 0.8, 0.6), "titanic": (0.9, None, 0.7)}
COMPLEXITY = {"spaceship-titanic": "low", "titanic": "medium"}


@pytest.fixture
def summary(make_run: MakeRun) -> Summary:
    runs = [
        make_run(competition, seed=seed, score=score, tokens=(1000 * (seed + 1), 100), cost=0.5)
        for competition, scores in SEED_SCORES.items()
        for seed, score in enumerate(scores)
    ]
    return summarize(runs, COMPLEXITY)


def split(summary: Summary, name: str) -> SplitSummary:
    return next(item for item in summary.splits if item.split == name)


def test_estimate_matches_a_hand_computed_t_interval() -> None:
    # mean 25; s = sqrt(500/3) = 12.90994; SEM = s/2 = 6.454972; t(0.975, 3) = 3.182446.
    result = estimate([10.0, 20.0, 30.0, 40.0])
    assert result is not None
    assert result.mean == 25.0
    assert result.sem == pytest.approx(6.454972, abs=1e-6)
    assert result.ci_low == pytest.approx(4.457397, abs=1e-5)  # 25 - 3.182446 · 6.454972
    assert result.ci_high == pytest.approx(45.542603, abs=1e-5)
    assert result.n == 4


def test_one_value_has_no_sem_and_no_interval_rather_than_zero() -> None:
    assert estimate([42.0]) == Estimate(mean=42.0, sem=None, ci_low=None, ci_high=None, n=1)
    assert estimate([]) is None


def test_identical_values_have_a_zero_width_interval() -> None:
    assert estimate([7.0, 7.0, 7.0]) == Estimate(mean=7.0, sem=0.0, ci_low=7.0, ci_high=7.0, n=3)


def test_a_percentage_interval_is_clipped_to_0_100() -> None:
    # 50 ± 4.302653 · 28.867513 = 50 ± 124.2 would leave the possible range.
    result = estimate([100.0, 50.0, 0.0], bounds=(0.0, 100.0))
    assert result is not None
    assert (result.ci_low, result.ci_high) == (0.0, 100.0)
    assert result.sem == pytest.approx(50 / math.sqrt(3))


def brute_force_pass_at_k(n: int, c: int, k: int) -> Fraction:
    """Share of all k-subsets of n runs (c of them successes) holding at least one success."""
    runs = [True] * c + [False] * (n - c)
    subsets = list(itertools.combinations(range(n), k))
    return Fraction(sum(any(runs[i] for i in subset) for subset in subsets), len(subsets))


@pytest.mark.parametrize("n", range(1, 7))
def test_pass_at_k_equals_a_direct_count_of_subsets(n: int) -> None:
    for c in range(n + 1):
        for k in range(1, n + 1):
            assert pass_at_k(n, c, k) == pytest.approx(float(brute_force_pass_at_k(n, c, k)), abs=1e-12)


def test_pass_at_k_by_hand_and_its_guards() -> None:
    assert pass_at_k(3, 1, 2) == pytest.approx(2 / 3)  # 1 - C(2,2)/C(3,2)
    assert pass_at_k(10, 0, 5) == 0.0
    assert pass_at_k(4, 1, 4) == 1.0
    with pytest.raises(ValueError, match="1 <= k <= n"):
        pass_at_k(3, 1, 4)


def test_split_rates_are_per_seed_percentages_averaged_across_seeds(summary: Summary) -> None:
    everything = split(summary, "all")
    assert everything.competitions == ["spaceship-titanic", "titanic"]
    assert everything.seeds == [0, 1, 2]
    assert everything.missing_runs == 0
    any_medal = everything.rates["any_medal"]  # per seed: 100, 50, 0
    assert any_medal.mean == pytest.approx(50.0)
    assert any_medal.sem == pytest.approx(28.867513)
    assert (any_medal.ci_low, any_medal.ci_high) == (0.0, 100.0)
    valid = everything.rates["valid"]  # per seed: 100, 50, 100
    assert valid.mean == pytest.approx(83.333333)
    assert valid.sem == pytest.approx(16.666667)
    assert valid.ci_high == 100.0
    assert valid.ci_low == pytest.approx(83.333333 - 4.302653 * 16.666667, abs=1e-4)  # 11.622
    assert everything.rates["gold"].mean == pytest.approx(50 / 3)  # 50, 0, 0
    assert everything.rates["silver"].mean == pytest.approx(50 / 3)
    assert everything.rates["bronze"].mean == pytest.approx(50 / 3)
    assert everything.rates["above_median"].mean == pytest.approx(50.0)  # 100, 50, 0
    assert everything.rates["submission"].mean == pytest.approx(83.333333)


def test_splits_follow_the_competitions_complexity(summary: Summary) -> None:
    assert [item.split for item in summary.splits] == ["all", "low", "medium"]
    low = split(summary, "low")
    assert low.competitions == ["spaceship-titanic"]
    assert low.rates["any_medal"].mean == pytest.approx(200 / 3)  # 100, 100, 0


def test_without_complexities_there_is_only_the_whole_suite(make_run: MakeRun) -> None:
    result = summarize([make_run("a"), make_run("b")])
    assert [item.split for item in result.splits] == ["all"]


def test_pass_at_k_of_a_split_is_the_mean_over_its_competitions(summary: Summary) -> None:
    rows = {row.k: row for row in split(summary, "all").pass_at_k}
    assert sorted(rows) == [1, 2, 3]
    # any medal: spaceship 2 of 3 -> 2/3, 1, 1; titanic 1 of 3 -> 1/3, 2/3, 1
    assert rows[1].any_medal == pytest.approx(50.0)
    assert rows[2].any_medal == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert rows[3].any_medal == pytest.approx(100.0)
    # valid: spaceship 3 of 3; titanic 2 of 3 -> 2/3, 1
    assert rows[1].valid == pytest.approx(100 * (1 + 2 / 3) / 2)
    assert rows[2].valid == pytest.approx(100.0)


def test_pass_at_k_stops_at_the_fewest_seeds_of_any_competition(make_run: MakeRun) -> None:
    runs = [make_run("a", seed=s) for s in range(5)] + [make_run("b", seed=s) for s in range(2)]
    assert [row.k for row in summarize(runs).splits[0].pass_at_k] == [1, 2]


def test_human_percentile_counts_an_invalid_run_as_beating_no_team(summary: Summary) -> None:
    # per seed: (90 + 80) / 2, (60 + 0) / 2, (20 + 40) / 2
    percentile = split(summary, "all").percentile
    assert percentile is not None
    assert percentile.mean == pytest.approx((85 + 30 + 30) / 3)


def test_without_a_leaderboard_the_percentile_is_unknown_not_zero(make_run: MakeRun) -> None:
    runs = [make_run("a", seed=0, board=None, score=0.9), make_run("a", seed=1, board=None, score=None)]
    result = summarize(runs)
    assert result.splits[0].percentile is None
    assert result.competitions[0].percentile is None


def test_competition_summary_counts_medals_and_averages_valid_scores(summary: Summary) -> None:
    spaceship = next(row for row in summary.competitions if row.competition_id == "spaceship-titanic")
    assert (spaceship.gold, spaceship.silver, spaceship.bronze, spaceship.any_medal) == (1, 0, 1, 2)
    assert (spaceship.runs, spaceship.valid, spaceship.above_median) == (3, 3, 2)
    assert spaceship.complexity == "low"
    assert spaceship.score is not None
    assert spaceship.score.mean == pytest.approx(0.783333, abs=1e-6)
    assert spaceship.score.sem == pytest.approx(0.101379, abs=1e-6)  # s = 0.175594 over sqrt(3)
    assert spaceship.best_medal == "gold"
    assert (spaceship.gold_threshold, spaceship.median_threshold, spaceship.n_teams) == (0.95, 0.725, 10)
    titanic = next(row for row in summary.competitions if row.competition_id == "titanic")
    assert titanic.scores == [0.9, 0.7]  # the invalid run has no score
    assert titanic.percentile is not None
    assert titanic.percentile.mean == pytest.approx((80 + 0 + 40) / 3)


def test_usage_per_run_and_per_split(summary: Summary) -> None:
    first = summary.usage[0]
    assert (first.prompt_tokens, first.completion_tokens, first.total_tokens) == (1000, 100, 1100)
    assert first.cost_usd == 0.5
    everything = split(summary, "all")
    assert everything.mean_tokens == pytest.approx((1100 + 2100 + 3100) * 2 / 6)
    assert everything.mean_cost_usd == pytest.approx(0.5)


def test_missing_runs_count_as_no_submission(make_run: MakeRun) -> None:
    runs = [make_run("a", seed=0, score=0.95), make_run("a", seed=1, score=0.95), make_run("b", seed=0, score=0.95)]
    everything = summarize(runs).splits[0]
    assert everything.missing_runs == 1  # b has no seed 1
    assert everything.rates["submission"].mean == pytest.approx(75.0)  # 100, 50
    assert everything.rates["gold"].mean == pytest.approx(75.0)


def test_the_last_finished_attempt_counts_and_unfinished_runs_do_not(make_run: MakeRun) -> None:
    runs = [
        make_run("a", seed=0, attempt=0, status="failed", graded=False, error="out of memory"),
        make_run("a", seed=0, attempt=1, score=0.95),
        make_run("a", seed=0, attempt=2, status="running", graded=False),
        make_run("a", seed=1, status="pending", graded=False),
    ]
    counted = counted_runs(runs)
    assert [(run.seed, run.attempt) for run in counted] == [(0, 1)]
    result = summarize(runs)
    assert (result.runs_counted, result.runs_unfinished, result.attempts_superseded) == (1, 2, 1)
    assert result.splits[0].rates["gold"].mean == 100.0


def test_a_run_that_ended_before_grading_counts_as_no_submission(make_run: MakeRun) -> None:
    runs = [make_run("a", seed=0, score=0.95), make_run("a", seed=1, status="timed-out", graded=False)]
    rates = summarize(runs).splits[0].rates
    assert rates["submission"].mean == pytest.approx(50.0)
    assert rates["any_medal"].mean == pytest.approx(50.0)


def test_scaffolds_and_suites_are_never_averaged_together(make_run: MakeRun) -> None:
    runs = [make_run("a", scaffold="aide", score=0.95), make_run("a", scaffold="dummy", score=0.5),
            make_run("a", scaffold="aide", suite="other", score=0.5)]  # fmt: skip
    keys = {(item.suite, item.scaffold_id): item.rates["gold"].mean for item in summarize(runs).splits}
    assert keys == {("lite", "aide"): 100.0, ("lite", "dummy"): 0.0, ("other", "aide"): 0.0}


def test_any_medal_is_derived_from_the_medals_when_a_report_says_null(make_run: MakeRun) -> None:
    run = make_run("a", score=0.95, any_medal=None)
    assert run.report is not None and run.report["any_medal"] is None
    assert summarize([run]).splits[0].rates["any_medal"].mean == 100.0
