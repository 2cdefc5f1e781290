"""Multi-seed aggregation of run records, in the shape of MLE-bench's leaderboard.

Which runs count. Only finished runs; of several attempts at one (suite, competition, scaffold,
seed) the last finished one counts, since a retry replaces the run it retried. A finished run
without a grading report (it failed or timed out before grading) counts as no submission.

Groups. Runs are grouped by suite and scaffold (mixing scaffolds would average two agents), then
by split: `all` (every competition of the group) and each complexity (`low`, `medium`, `high`)
named by the competition specs, when the caller passes them.

Rates (percent), as MLE-bench's `experiments/aggregate_grading_reports.py` computes them: for
each seed, the share of the split's competitions whose run has a submission, a valid submission,
a score strictly above the human median, gold, silver, bronze and any medal. A competition with
no run for that seed counts as no submission (MLE-bench's `--pad-missing`); `missing_runs` says
how many cells were padded. The per-seed values are then summarised across seeds by `Estimate`.

Estimate. Mean of the per-seed values; SEM = sample standard deviation (ddof=1) / sqrt(n); the
95% interval is Student's t, mean ± t(0.975, n-1) · SEM (`scipy.stats.t.interval`), clipped to
the quantity's possible range. MLE-bench prints mean ± SEM and uses a normal 1.96 · SEM
interval; with the few seeds agents are run with, t is the honest choice (n=3: ± 4.30 · SEM).
With one seed there is no spread to measure, so SEM and the interval are absent (None), not 0.

pass@k (percent): per competition, with n runs (seeds) of which c succeeded, the unbiased
estimator 1 - C(n-c, k) / C(n, k) (Chen et al., 2021) — the chance that at least one of k runs
drawn without replacement succeeds — for success = any medal and success = valid submission,
for k in PASS_AT_K up to n; the split's value is the mean over its competitions, for k up to the
smallest n among them.

Human percentile (percent of human teams strictly beaten), for competitions graded against a
leaderboard (some report carries `n_teams`): a run without a valid submission, or a missing run,
beat no team (0); a valid run without a percentile is left out, and so is a competition without
a leaderboard. A split's value per seed is the mean over its placed competitions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, TypeVar

from pydantic import BaseModel, Field

from podium.runtime.store.records import RunRecord

CONFIDENCE = 0.95
ALL_SPLIT = "all"
SPLIT_ORDER = (ALL_SPLIT, "low", "medium", "high")
PASS_AT_K = (1, 2, 3, 5, 10, 20, 50, 100)  # the k reported, as far as the seeds allow
PERCENT = (0.0, 100.0)
# The rates, in MLE-bench's order: podium's name -> the grading report's boolean field.
RATES = {
    "submission": "submission_exists",
    "valid": "valid_submission",
    "above_median": "above_median",
    "gold": "gold_medal",
    "silver": "silver_medal",
    "bronze": "bronze_medal",
    "any_medal": "any_medal",
}
DISPLAY_ORDER = ("any_medal", "gold", "silver", "bronze", "above_median", "valid", "submission")  # headline first
RATE_LABELS = {
    "submission": "submission",
    "valid": "valid",
    "above_median": "above median",
    "gold": "gold",
    "silver": "silver",
    "bronze": "bronze",
    "any_medal": "any medal",
}

Key = TypeVar("Key")


class Estimate(BaseModel):
    """The mean of n per-seed values, with its standard error and 95% Student-t interval."""

    mean: float
    sem: float | None = Field(description="standard error of the mean; None with one value")
    ci_low: float | None = Field(description="95% t interval, lower end; None with one value")
    ci_high: float | None = Field(description="95% t interval, upper end; None with one value")
    n: int


class PassAtK(BaseModel):
    k: int
    any_medal: float = Field(description="percent: at least one of k runs medals")
    valid: float = Field(description="percent: at least one of k runs is valid")


class SplitSummary(BaseModel):
    """One suite x scaffold x split: MLE-bench's leaderboard numbers, across seeds."""

    suite: str
    scaffold_id: str
    split: str = Field(description="'all', or a competition complexity: low, medium, high")
    competitions: list[str]
    seeds: list[int]
    runs: int
    missing_runs: int = Field(description="competition x seed cells with no run, counted as no submission")
    rates: dict[str, Estimate] = Field(description="percent of competitions per seed, keys as RATES")
    pass_at_k: list[PassAtK]
    percentile: Estimate | None = Field(description="percent of human teams beaten, per seed mean")
    mean_tokens: float = Field(description="prompt + completion tokens per run")
    mean_cost_usd: float


class CompetitionSummary(BaseModel):
    """One suite x scaffold x competition, across its seeds."""

    suite: str
    scaffold_id: str
    competition_id: str
    complexity: str | None
    metric: str | None
    is_lower_better: bool | None
    runs: int
    submissions: int
    valid: int
    above_median: int
    gold: int
    silver: int
    bronze: int
    any_medal: int
    scores: list[float] = Field(description="the valid runs' scores, in seed order")
    score: Estimate | None = Field(description="over the valid runs' scores")
    percentile: Estimate | None = Field(description="percent of human teams beaten")
    gold_threshold: float | None
    silver_threshold: float | None
    bronze_threshold: float | None
    median_threshold: float | None
    n_teams: int | None
    pass_at_k: list[PassAtK]

    @property
    def best_medal(self) -> str | None:
        return next((name for name in ("gold", "silver", "bronze") if getattr(self, name)), None)


class RunUsage(BaseModel):
    """What one run spent."""

    run_id: str
    suite: str
    competition_id: str
    scaffold_id: str
    seed: int
    status: str
    llm_calls: int
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    cost_usd: float
    wall_seconds: float | None


class Summary(BaseModel):
    splits: list[SplitSummary]
    competitions: list[CompetitionSummary]
    usage: list[RunUsage]
    runs_counted: int
    runs_unfinished: int = Field(description="pending or running: not in any number above")
    attempts_superseded: int = Field(description="finished attempts replaced by a later attempt")


@dataclass(frozen=True)
class Outcome:
    """One run's result as the aggregates read it: tolerant of reports missing fields."""

    flags: dict[str, bool]
    score: float | None
    percentile: float | None  # percent of teams beaten; None when unknowable


def outcome_of(record: RunRecord, placed: bool = False) -> Outcome:
    """`placed`: the competition's leaderboard was at hand, so a run without a valid submission
    has a known percentile (0: it beat no team) rather than an unknown one."""
    report: Mapping[str, Any] = record.report or {}
    flags = {name: bool(report.get(field)) for name, field in RATES.items()}
    # MLE-bench derives any-medal from the three medals; a report may carry null for it.
    flags["any_medal"] = flags["gold"] or flags["silver"] or flags["bronze"]
    score = _finite(report.get("score")) if flags["valid"] else None
    return Outcome(flags=flags, score=score, percentile=_percentile(report, flags["valid"], placed))


def _percentile(report: Mapping[str, Any], valid: bool, placed: bool) -> float | None:
    if not placed:
        return None
    if not valid:
        return 0.0
    fraction = _finite(report.get("percentile"))
    return None if fraction is None else 100.0 * fraction


def placed_competitions(runs: Iterable[RunRecord]) -> frozenset[str]:
    """Competitions graded against a leaderboard: a report (valid or not) carries its team count."""
    return frozenset(run.competition_id for run in runs if run.report and run.report.get("n_teams") is not None)


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def estimate(values: Sequence[float], bounds: tuple[float, float] | None = None) -> Estimate | None:
    """Mean, SEM and 95% t interval of `values` (see the module docstring); None when empty."""
    from scipy import stats  # imported here: `podium --help` never pays for scipy

    if not values:
        return None
    n, mean = len(values), math.fsum(values) / len(values)
    if n == 1:
        return Estimate(mean=mean, sem=None, ci_low=None, ci_high=None, n=1)
    sem = float(stats.sem(values, ddof=1))
    # scipy returns nan for a zero scale; identical values have a zero-width interval.
    low, high = (mean, mean) if sem == 0 else (float(x) for x in stats.t.interval(CONFIDENCE, n - 1, mean, sem))
    if bounds is not None:
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return Estimate(mean=mean, sem=sem, ci_low=low, ci_high=high, n=n)


def pass_at_k(n: int, c: int, k: int) -> float:
    """The unbiased pass@k estimator 1 - C(n-c, k) / C(n, k), exact (as a fraction, not percent)."""
    if not 0 <= c <= n or not 1 <= k <= n:
        raise ValueError(f"pass@k needs 0 <= c <= n and 1 <= k <= n, got n={n}, c={c}, k={k}")
    return float(1 - Fraction(math.comb(n - c, k), math.comb(n, k)))


def counted_runs(records: Iterable[RunRecord]) -> list[RunRecord]:
    """The finished runs that count: the last finished attempt of each run, in a stable order."""
    latest: dict[tuple[str, str, str, int], RunRecord] = {}
    for record in records:
        if not record.finished:
            continue
        key = (record.suite, record.competition_id, record.scaffold_id, record.seed)
        if key not in latest or record.attempt > latest[key].attempt:
            latest[key] = record
    return sorted(latest.values(), key=lambda r: (r.suite, r.scaffold_id, r.competition_id, r.seed))


def summarize(records: Iterable[RunRecord], complexity: Mapping[str, str] | None = None) -> Summary:
    """Every aggregate of `records`; `complexity` maps competition ids to low/medium/high."""
    records = list(records)
    runs = counted_runs(records)
    complexity = complexity or {}
    placed = placed_competitions(runs)
    groups = _group_by(runs, lambda r: (r.suite, r.scaffold_id))
    return Summary(
        splits=[split for key, group in groups.items() for split in _split_summaries(key, group, complexity, placed)],
        competitions=[
            _competition_summary(group, complexity.get(group[0].competition_id), placed)
            for group in _group_by(runs, lambda r: (r.suite, r.scaffold_id, r.competition_id)).values()
        ],
        usage=[run_usage(record) for record in runs],
        runs_counted=len(runs),
        runs_unfinished=sum(not record.finished for record in records),
        attempts_superseded=sum(record.finished for record in records) - len(runs),
    )


def _group_by(runs: Iterable[RunRecord], key: Callable[[RunRecord], Key]) -> dict[Key, list[RunRecord]]:
    groups: dict[Key, list[RunRecord]] = defaultdict(list)
    for run in runs:
        groups[key(run)].append(run)
    return dict(groups)


def _split_summaries(
    key: tuple[str, str], runs: list[RunRecord], complexity: Mapping[str, str], placed: frozenset[str]
) -> list[SplitSummary]:
    splits = _group_by(runs, lambda r: complexity.get(r.competition_id, ALL_SPLIT))
    splits.pop(ALL_SPLIT, None)  # competitions of unknown complexity belong to `all` only
    splits[ALL_SPLIT] = runs
    order = sorted(splits, key=lambda name: (SPLIT_ORDER.index(name) if name in SPLIT_ORDER else 99, name))
    return [_split_summary(key, name, splits[name], placed) for name in order]


def _split_summary(key: tuple[str, str], split: str, runs: list[RunRecord], placed: frozenset[str]) -> SplitSummary:
    competitions = sorted({run.competition_id for run in runs})
    seeds = sorted({run.seed for run in runs})
    cells = {(run.competition_id, run.seed): outcome_of(run, run.competition_id in placed) for run in runs}
    rates, percentiles = _per_seed(competitions, seeds, cells, placed)
    usage = [run_usage(run) for run in runs]
    return SplitSummary(
        suite=key[0],
        scaffold_id=key[1],
        split=split,
        competitions=competitions,
        seeds=seeds,
        runs=len(runs),
        missing_runs=len(competitions) * len(seeds) - len(runs),
        rates={name: _required(estimate(values, PERCENT)) for name, values in rates.items()},
        pass_at_k=_mean_pass_at_k(_group_by(runs, lambda r: r.competition_id).values()),
        percentile=estimate(percentiles, PERCENT),
        mean_tokens=math.fsum(u.total_tokens for u in usage) / len(usage),
        mean_cost_usd=math.fsum(u.cost_usd for u in usage) / len(usage),
    )


def _per_seed(
    competitions: list[str], seeds: list[int], cells: Mapping[tuple[str, int], Outcome], placed: frozenset[str]
) -> tuple[dict[str, list[float]], list[float]]:
    """Each rate per seed (percent of `competitions`), and the mean percentile per seed."""
    rates: dict[str, list[float]] = {name: [] for name in RATES}
    percentiles: list[float] = []
    for seed in seeds:
        outcomes = [cells.get((competition, seed)) for competition in competitions]
        for name in RATES:
            hits = sum(outcome is not None and outcome.flags[name] for outcome in outcomes)
            rates[name].append(100.0 * hits / len(competitions))
        known = [_seed_percentile(c, outcome, placed) for c, outcome in zip(competitions, outcomes, strict=True)]
        if values := [value for value in known if value is not None]:
            percentiles.append(math.fsum(values) / len(values))
    return rates, percentiles


def _seed_percentile(competition: str, outcome: Outcome | None, placed: frozenset[str]) -> float | None:
    if outcome is None:  # a missing run beat no team either, if there are teams to beat
        return 0.0 if competition in placed else None
    return outcome.percentile


def _required(value: Estimate | None) -> Estimate:
    if value is None:  # a split always has at least one seed; this guards the type only
        raise ValueError("a split with no seeds has no rates")
    return value


def _mean_pass_at_k(per_competition: Iterable[list[RunRecord]]) -> list[PassAtK]:
    tables = [_pass_at_k_table(runs) for runs in per_competition]
    if not tables:
        return []
    usable = min(len(table) for table in tables)  # k up to the fewest seeds any competition has
    return [
        PassAtK(
            k=tables[0][index].k,
            any_medal=math.fsum(table[index].any_medal for table in tables) / len(tables),
            valid=math.fsum(table[index].valid for table in tables) / len(tables),
        )
        for index in range(usable)
    ]


def _pass_at_k_table(runs: list[RunRecord]) -> list[PassAtK]:
    outcomes = [outcome_of(run) for run in runs]
    n = len(outcomes)
    medals = sum(outcome.flags["any_medal"] for outcome in outcomes)
    valid = sum(outcome.flags["valid"] for outcome in outcomes)
    return [
        PassAtK(k=k, any_medal=100.0 * pass_at_k(n, medals, k), valid=100.0 * pass_at_k(n, valid, k))
        for k in PASS_AT_K
        if k <= n
    ]


def _competition_summary(runs: list[RunRecord], complexity: str | None, placed: frozenset[str]) -> CompetitionSummary:
    outcomes = [outcome_of(run, run.competition_id in placed) for run in runs]
    reports = [run.report for run in runs if run.report]
    scores = [outcome.score for outcome in outcomes if outcome.score is not None]
    percentiles = [outcome.percentile for outcome in outcomes if outcome.percentile is not None]

    def count(flag: str) -> int:
        return sum(outcome.flags[flag] for outcome in outcomes)

    def from_reports(field: str) -> Any:
        # The grader's metric and the leaderboard's thresholds are the same in every report of
        # one competition; the first report that has them speaks for all.
        return next((report[field] for report in reports if report.get(field) is not None), None)

    return CompetitionSummary(
        suite=runs[0].suite,
        scaffold_id=runs[0].scaffold_id,
        competition_id=runs[0].competition_id,
        complexity=complexity,
        metric=from_reports("metric"),
        is_lower_better=from_reports("is_lower_better"),
        runs=len(runs),
        submissions=count("submission"),
        valid=count("valid"),
        above_median=count("above_median"),
        gold=count("gold"),
        silver=count("silver"),
        bronze=count("bronze"),
        any_medal=count("any_medal"),
        scores=scores,
        score=estimate(scores),
        percentile=estimate(percentiles, PERCENT),
        gold_threshold=from_reports("gold_threshold"),
        silver_threshold=from_reports("silver_threshold"),
        bronze_threshold=from_reports("bronze_threshold"),
        median_threshold=from_reports("median_threshold"),
        n_teams=from_reports("n_teams"),
        pass_at_k=_pass_at_k_table(runs),
    )


def run_usage(record: RunRecord) -> RunUsage:
    usage = record.usage
    return RunUsage(
        run_id=record.run_id,
        suite=record.suite,
        competition_id=record.competition_id,
        scaffold_id=record.scaffold_id,
        seed=record.seed,
        status=record.status,
        llm_calls=usage.llm_calls,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.prompt_tokens + usage.completion_tokens,
        cost_usd=usage.cost_usd,
        wall_seconds=record.resources.wall_seconds,
    )
