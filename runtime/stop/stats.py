"""Rates with Wilson 95% intervals, as STOP reported its sandbox-escape rates.

statsmodels' `proportion_confint(method="wilson")` when statsmodels is installed (the `dev`
extra has it), else scipy's `binomtest(...).proportion_ci(method="wilson")`: the same interval.
"""

from __future__ import annotations

from dataclasses import dataclass

CONFIDENCE = 0.95


@dataclass(frozen=True)
class Rate:
    successes: int
    trials: int
    low: float
    high: float

    @property
    def value(self) -> float:
        return self.successes / self.trials if self.trials else 0.0

    def __str__(self) -> str:
        if not self.trials:
            return "n/a (0 trials)"
        return f"{100 * self.value:.2f}% [{100 * self.low:.2f}, {100 * self.high:.2f}] ({self.successes}/{self.trials})"


def wilson_rate(successes: int, trials: int) -> Rate:
    """`successes` of `trials` with its Wilson score interval; (0, 1) when there are no trials."""
    if trials == 0:
        return Rate(0, 0, 0.0, 1.0)
    low, high = _wilson(successes, trials)
    # statsmodels can return 1e-17 for a bound that is 0: rounding keeps reports and JSON clean.
    return Rate(successes, trials, round(float(low), 12), round(float(high), 12))


def _wilson(successes: int, trials: int) -> tuple[float, float]:
    try:
        from statsmodels.stats.proportion import proportion_confint
    except ImportError:
        from scipy.stats import binomtest

        interval = binomtest(successes, trials).proportion_ci(confidence_level=CONFIDENCE, method="wilson")
        return interval.low, interval.high
    low, high = proportion_confint(successes, trials, alpha=1 - CONFIDENCE, method="wilson")
    return low, high
