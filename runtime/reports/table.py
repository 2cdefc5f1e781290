"""The terminal report: a rich table per competition x scaffold, then one block per split."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from podium.runtime.reports import _format as fmt
from podium.runtime.reports.aggregate import (
    DISPLAY_ORDER,
    RATE_LABELS,
    CompetitionSummary,
    SplitSummary,
    Summary,
    summarize,
)
from podium.runtime.store.records import RunRecord

MEDAL_STYLES = {"gold": "bold yellow", "silver": "bold white", "bronze": "bold dark_orange3"}


def report_table(records: Iterable[RunRecord], complexity: Mapping[str, str] | None = None) -> Group:
    return summary_renderable(summarize(records, complexity))


def summary_renderable(summary: Summary) -> Group:
    suites = sorted({row.suite for row in summary.competitions})
    parts: list[RenderableType] = []
    for suite in suites:
        parts += [competition_table(summary, suite), Text("")]
    for split in summary.splits:
        parts += [*split_lines(split), Text("")]
    parts.append(Text(_footer(summary), style="dim"))
    return Group(*parts)


def competition_table(summary: Summary, suite: str) -> Table:
    """One suite's runs, a row per competition x scaffold; score and percentile are mean ± SEM."""
    title = f"{suite}: runs per competition {fmt.TIMES} scaffold (score, percentile: mean ± SEM across seeds)"
    table = Table(title=title, title_justify="left")
    # Ids stay whole (they are what people grep and copy); the numbers wrap instead.
    table.add_column("competition", no_wrap=True)
    table.add_column("scaffold", no_wrap=True)
    table.add_column("score", justify="right")
    table.add_column("medals")
    table.add_column("percentile", justify="right")
    table.add_column("valid", justify="right")
    table.add_column("runs", justify="right")
    for row in summary.competitions:
        if row.suite == suite:
            table.add_row(row.competition_id, row.scaffold_id, _score(row), _medals(row), fmt.with_sem(row.percentile),
                          f"{row.valid}/{row.runs}", str(row.runs))  # fmt: skip
    return table


def _score(row: CompetitionSummary) -> str:
    if row.score is None:
        return fmt.DASH
    direction = "" if row.is_lower_better is None else (" ↓" if row.is_lower_better else " ↑")
    return f"{fmt.with_sem(row.score, unit='')}{direction}"


def _medals(row: CompetitionSummary) -> Text:
    best = row.best_medal
    return Text(fmt.medals(row), style=MEDAL_STYLES[best] if best else "dim")


def split_lines(split: SplitSummary) -> list[Text]:
    """A split's numbers: MLE-bench's rates (percent of competitions, mean ± SEM across seeds)."""
    header = Text(f"{split.suite} · {split.scaffold_id} · {split.split}", style="bold")
    competitions, seeds = fmt.plural(len(split.competitions), "competition"), fmt.plural(len(split.seeds), "seed")
    header.append(f"  {competitions} {fmt.TIMES} {seeds}, {fmt.plural(split.runs, 'run')}", style="dim")
    if split.missing_runs:
        header.append(f", {split.missing_runs} missing (counted as no submission)", style="yellow")
    any_medal = split.rates["any_medal"]
    rates = Text("  any medal ")
    rates.append(fmt.with_sem(any_medal), style="bold")
    if ci := fmt.interval(any_medal):
        rates.append(f" 95% CI {ci}", style="dim")
    for name in DISPLAY_ORDER:
        if name != "any_medal":
            rates.append(f" · {RATE_LABELS[name]} {fmt.with_sem(split.rates[name])}")
    extra = Text(f"  {fmt.pass_at_k_line(split.pass_at_k)}")
    extra.append(f" · human percentile {fmt.with_sem(split.percentile)}")
    if split.mean_tokens or split.mean_cost_usd:
        extra.append(f" · per run {fmt.tokens(split.mean_tokens)} tokens, {fmt.dollars(split.mean_cost_usd)}")
    return [header, rates, extra]


def _footer(summary: Summary) -> str:
    notes = [f"{summary.runs_counted} runs counted"]
    if summary.runs_unfinished:
        notes.append(f"{summary.runs_unfinished} still pending or running (left out)")
    if summary.attempts_superseded:
        notes.append(f"{summary.attempts_superseded} earlier attempts replaced by retries")
    notes.append("rates are percent of competitions per seed, mean ± SEM across seeds; 95% CI is Student's t")
    return "; ".join(notes)
