"""Number formatting shared by the terminal table and the HTML page, so both read the same."""

from __future__ import annotations

from podium.runtime.reports.aggregate import CompetitionSummary, Estimate, PassAtK

DASH = "—"
TIMES = "\u00d7"  # the multiplication sign, spelled out so linters do not take it for an x


def number(value: float | None) -> str:
    """A score as people read it: five significant digits (scores are rounded to 5 decimals)."""
    return DASH if value is None else f"{value:.5g}"


def percent(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}%"


def with_sem(value: Estimate | None, unit: str = "%") -> str:
    """`mean ± SEM`, or the mean alone (one seed has no SEM)."""
    if value is None:
        return DASH
    mean = f"{value.mean:.1f}{unit}" if unit else number(value.mean)
    if value.sem is None:
        return mean
    sem = f"{value.sem:.1f}" if unit else f"{value.sem:.2g}"  # two significant digits say enough
    return f"{mean} ± {sem}"


def interval(value: Estimate | None, unit: str = "%") -> str:
    """The 95% interval as `[low, high]`; empty when there is none (one seed)."""
    if value is None or value.ci_low is None or value.ci_high is None:
        return ""
    if unit:
        return f"[{value.ci_low:.1f}, {value.ci_high:.1f}]"
    return f"[{number(value.ci_low)}, {number(value.ci_high)}]"


def medals(competition: CompetitionSummary) -> str:
    """`1 gold, 2 bronze`: the medal counts over the competition's runs."""
    parts = [
        f"{getattr(competition, name)} {name}" for name in ("gold", "silver", "bronze") if getattr(competition, name)
    ]
    return ", ".join(parts) if parts else "none"


def pass_at_k_line(rows: list[PassAtK]) -> str:
    return ", ".join(f"pass@{row.k} {row.any_medal:.1f}% medal / {row.valid:.1f}% valid" for row in rows) or DASH


def tokens(value: float) -> str:
    return f"{value:,.0f}"


def dollars(value: float) -> str:
    return f"${value:,.4f}" if 0 < value < 1 else f"${value:,.2f}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
