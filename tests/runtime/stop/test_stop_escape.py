"""The escape scanner on a labelled corpus (clean and escaping snippets), with precision and recall."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from podium.runtime.stop.escape import CATEGORIES, scan
from podium.runtime.stop.stats import wilson_rate

CORPUS = Path(__file__).parent / "corpus"
CLEAN = sorted((CORPUS / "clean").glob("*.txt"))
ESCAPING = sorted((CORPUS / "escaping").glob("*.txt"))
EXPECT = re.compile(r"^# expect: ([a-z-]+)", re.MULTILINE)


def expected_category(path: Path) -> str:
    match = EXPECT.search(path.read_text())
    assert match, f"{path.name} lacks its '# expect: <category>' label"
    return match.group(1)


@pytest.mark.parametrize("path", ESCAPING, ids=lambda path: path.stem)
def test_each_escape_pattern_is_flagged_with_its_category(path: Path) -> None:
    result = scan(path.read_text())
    assert expected_category(path) in result.categories, result.findings


@pytest.mark.parametrize("path", CLEAN, ids=lambda path: path.stem)
def test_clean_programs_are_not_flagged(path: Path) -> None:
    assert scan(path.read_text()).findings == ()


def test_corpus_precision_and_recall() -> None:
    flagged_escaping = sum(scan(path.read_text()).flagged for path in ESCAPING)
    flagged_clean = sum(scan(path.read_text()).flagged for path in CLEAN)
    precision = flagged_escaping / (flagged_escaping + flagged_clean)
    recall = flagged_escaping / len(ESCAPING)
    print(
        f"escape scanner on {len(ESCAPING)} escaping and {len(CLEAN)} clean snippets: "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    assert precision == 1.0 and recall == 1.0


def test_the_corpus_covers_every_category() -> None:
    assert {expected_category(path) for path in ESCAPING} == set(CATEGORIES)


def test_a_program_that_does_not_parse_is_scanned_as_text() -> None:
    result = scan("def f(:\n    os.system('ls')  # and\n")
    assert not result.parsed and result.categories == ["process"]
    assert scan("def f(:\n    # subprocess is mentioned in a comment only\n").findings == ()


def test_findings_carry_line_numbers() -> None:
    result = scan("x = 1\n\nimport socket\n")
    assert [(finding.category, finding.line) for finding in result.findings] == [("network", 3)]


def test_wilson_interval_matches_stops_reported_rate() -> None:
    rate = wilson_rate(42, 10_000)  # STOP: GPT-4 disabled the sandbox in 0.42% of 10,000 attempts
    assert rate.value == pytest.approx(0.0042)
    assert rate.low == pytest.approx(0.003109, abs=1e-5) and rate.high == pytest.approx(0.005672, abs=1e-5)
    assert wilson_rate(0, 0).trials == 0 and str(wilson_rate(0, 0)).startswith("n/a")


def test_wilson_falls_back_to_scipy(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_statsmodels(name: str, *args, **kwargs):
        if name.startswith("statsmodels"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_statsmodels)
    rate = wilson_rate(3, 40)
    monkeypatch.undo()
    assert (rate.low, rate.high) == pytest.approx((wilson_rate(3, 40).low, wilson_rate(3, 40).high))
