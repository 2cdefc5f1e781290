"""The three formats: MLE-bench's JSON field names and totals, the rich table, the escaped HTML page."""

from __future__ import annotations

import json
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from podium.runtime.grading.leaderboard import Leaderboard
from podium.runtime.reports.html import html_report
from podium.runtime.reports.journal import build_tree, read_journal
from podium.runtime.reports.json_report import ReportError, json_report
from podium.runtime.reports.svg import nice_ticks, plot_range
from podium.runtime.reports.table import report_table
from podium.runtime.store.records import RunRecord

MakeRun = Callable[..., RunRecord]  # the conftest fixture
MLEBENCH_REPORT_FIELDS = [
    "competition_id", "score", "gold_threshold", "silver_threshold", "bronze_threshold",
    "median_threshold", "any_medal", "gold_medal", "silver_medal", "bronze_medal", "above_median",
    "submission_exists", "valid_submission", "is_lower_better", "created_at", "submission_path",
]  # fmt: skip
MLEBENCH_TOTALS = [
    "total_runs", "total_runs_with_submissions", "total_valid_submissions", "total_medals",
    "total_gold_medals", "total_silver_medals", "total_bronze_medals", "total_above_median",
]  # fmt: skip
HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'
BOARD_SCORES = tuple(round(0.95 - 0.01 * i, 5) for i in range(40))


@pytest.fixture
def runs(make_run: MakeRun) -> list[RunRecord]:
    return [
        make_run("spaceship-titanic", seed=0, score=0.95, tokens=(500, 50), cost=0.01),  # gold
        make_run("spaceship-titanic", seed=1, score=0.9),  # silver, above median
        make_run("spaceship-titanic", seed=2, score=None),  # invalid
        make_run("titanic", seed=0, score=0.8),  # bronze
        make_run("titanic", seed=1, score=0.6),  # nothing
        make_run("titanic", seed=2, status="failed", graded=False, error="agent crashed"),
    ]


# ---- JSON -------------------------------------------------------------------------------------


def test_json_has_mlebench_totals_computed_over_every_counted_run(runs: list[RunRecord]) -> None:
    report = json_report(runs)
    assert list(report)[: len(MLEBENCH_TOTALS)] == MLEBENCH_TOTALS
    totals = {field: report[field] for field in MLEBENCH_TOTALS}
    assert totals == {
        "total_runs": 6,
        "total_runs_with_submissions": 4,
        "total_valid_submissions": 4,
        "total_medals": 3,
        "total_gold_medals": 1,
        "total_silver_medals": 1,
        "total_bronze_medals": 1,
        "total_above_median": 3,
    }
    assert report["total_failed"] == 1


def test_json_competition_reports_carry_mlebench_fields_and_their_run(runs: list[RunRecord]) -> None:
    entries = json_report(runs)["competition_reports"]
    assert len(entries) == 6
    for entry in entries:
        assert list(entry)[: len(MLEBENCH_REPORT_FIELDS)] == MLEBENCH_REPORT_FIELDS
        assert {"run_id", "suite", "scaffold_id", "seed", "attempt", "status", "percentile", "metric"} <= set(entry)
    failed = next(entry for entry in entries if entry["status"] == "failed")
    assert failed["submission_exists"] is False and failed["valid_submission"] is False
    assert failed["outcome"] == "failed" and failed["error"] == "agent crashed"
    assert failed["run_id"] == "lite/titanic/aide/2/0"


def test_json_aggregate_block_and_that_it_survives_a_round_trip(runs: list[RunRecord]) -> None:
    report = json.loads(json.dumps(json_report(runs, {"titanic": "low"})))
    block = report["aggregate"]
    assert [split["split"] for split in block["splits"]] == ["all", "low"]
    assert block["splits"][0]["rates"]["any_medal"]["mean"] == pytest.approx(50.0)  # 2/2, 1/2, 0/2 per seed
    assert block["splits"][0]["rates"]["any_medal"]["ci_low"] == 0.0
    assert block["usage"][0]["total_tokens"] == 550
    assert report["podium_version"]


def test_a_stored_report_this_podium_cannot_read_is_a_clear_error(make_run: MakeRun) -> None:
    run = make_run("a")
    assert run.report is not None
    broken = run.model_copy(update={"report": {**run.report, "valid_submission": "perhaps"}})
    with pytest.raises(ReportError, match=r"run lite/a/aide/0/0 holds a grading report .*valid_submission"):
        json_report([broken])


# ---- the terminal table --------------------------------------------------------------------------


def render(renderable: Any) -> str:
    console = Console(record=True, width=220, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_table_has_a_row_per_competition_and_scaffold_and_the_split_lines(runs: list[RunRecord]) -> None:
    text = render(report_table(runs, {"titanic": "low"}))
    spaceship = next(line for line in text.splitlines() if "spaceship-titanic" in line)
    assert "1 gold, 1 silver" in spaceship and "2/3" in spaceship and "0.925 ± 0.025 ↑" in spaceship
    assert "lite · aide · all" in text and "lite · aide · low" in text
    assert "any medal 50.0% ± 28.9 95% CI [0.0, 100.0]" in text
    assert "pass@1 50.0% medal" in text
    assert "6 runs counted" in text


def test_table_with_one_seed_shows_no_interval(make_run: MakeRun) -> None:
    text = render(report_table([make_run("a", score=0.95)]))
    assert "any medal 100.0%" in text and "CI" not in text.split("any medal")[1].splitlines()[0]


# ---- HTML -------------------------------------------------------------------------------------


class Outline(HTMLParser):
    """Counts the tags of a page and the deepest nesting of <ul> lists."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.depth = self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "ul":
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul":
            self.depth -= 1


def outline(page: str) -> Outline:
    parser = Outline()
    parser.feed(page)
    return parser


def hostile_runs(make_run: MakeRun, tmp_path: Path) -> list[RunRecord]:
    logs = tmp_path / "run" / "logs"
    logs.mkdir(parents=True)
    journal = {"nodes": [{"id": HOSTILE, "parent_id": None, "metric": 0.5, "is_buggy": False, "plan": HOSTILE}]}
    (logs / "journal.json").write_text(json.dumps(journal))
    return [
        make_run(HOSTILE, scaffold=HOSTILE, suite=HOSTILE, run_id=HOSTILE, score=None, metric=HOSTILE,
                 error=HOSTILE, run_dir=str(tmp_path / "run")),
        make_run(HOSTILE, scaffold=HOSTILE, suite=HOSTILE, seed=1, status="failed", graded=False, error=HOSTILE),
    ]  # fmt: skip


def test_html_escapes_every_string_from_records_and_journals(make_run: MakeRun, tmp_path: Path) -> None:
    runs = hostile_runs(make_run, tmp_path)
    page = html_report(runs, {HOSTILE: None}, {HOSTILE: "low"}, {HOSTILE: HOSTILE}, title=HOSTILE)
    assert HOSTILE not in page
    assert "<script" not in page and "<img" not in page  # the tags only ever appear escaped, as text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count("&lt;script&gt;") >= 8  # title, ids, error, note, journal node and plan
    assert outline(page).tags.get("script") is None


def test_html_is_self_contained_and_forbids_fetching(runs: list[RunRecord]) -> None:
    page = html_report(runs, {"spaceship-titanic": Leaderboard(BOARD_SCORES, "d" * 64)})
    lowered = page.lower()
    for reference in ("src=", "href=", "url(", "@import", "http://", "https://", "<script", "<link"):
        assert reference not in lowered, reference
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_html_places_scores_on_the_leaderboard_or_says_why_it_cannot(runs: list[RunRecord]) -> None:
    board = Leaderboard(BOARD_SCORES, "d" * 64)
    page = html_report(
        runs, {"spaceship-titanic": board, "titanic": None}, None, {"titanic": "no leaderboard, fetch it"}
    )
    tags = outline(page).tags
    # one medal chart per suite x scaffold, one histogram (spaceship-titanic), one token chart
    assert tags["svg"] == 3
    assert "40 human teams" in page
    # 40 teams: gold at row 4, silver row 8, bronze row 16 (Kaggle's rules for N < 100)
    assert "gold threshold 0.92" in page and "silver threshold 0.88" in page and "bronze threshold 0.8" in page
    assert "median 0.755" in page
    assert "aide seed 0: 0.95" in page and "aide seed 1: 0.9" in page  # the agent marks' tooltips
    assert "no leaderboard, fetch it" in page
    assert "agent crashed" in page  # the failed run's error


def test_html_with_no_runs_says_so(make_run: MakeRun) -> None:
    page = html_report([make_run("a", status="running", graded=False)])
    assert "No finished runs to aggregate." in page
    assert "1 still pending or running" in page


def test_search_tree_is_a_nested_list_with_the_best_node_marked(make_run: MakeRun, tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    nodes = [
        {"id": "root", "parent_id": None, "metric": 0.7, "is_buggy": False, "plan": "draft"},
        {"id": "fix", "parent_id": "root", "metric": None, "is_buggy": True, "plan": "fix the bug"},
        {"id": "tune", "parent_id": "fix", "metric": {"value": 0.9}, "is_buggy": False},
        {"id": "other", "metric": 0.8},  # no parent, no plan: a second root
        {"parent_id": "root"},  # no id: named by its position
        "not a node",
    ]
    (logs / "journal.json").write_text(json.dumps({"nodes": nodes}))
    page = html_report([make_run("a", run_dir=str(tmp_path))])
    tree_part = page[page.index("Search trees") :]
    assert outline(tree_part).deepest == 3  # root > fix > tune
    assert "<span class='node best'>#tune</span>" in tree_part
    assert "<span class='node buggy'>#fix</span>" in tree_part
    assert "#4</span>" in tree_part and "#other</span>" in tree_part
    assert "5 nodes, 1 buggy, best metric 0.9" in tree_part


def test_an_unreadable_journal_is_a_note_not_a_crash(make_run: MakeRun, tmp_path: Path) -> None:
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "journal.json").write_text("{not json")
    page = html_report([make_run("a", run_dir=str(tmp_path))])
    assert "cannot read" in page and "journal.json" in page


def test_journal_loops_and_aide_node2parent_are_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    nodes = [{"id": "a", "parent_id": "b"}, {"id": "b", "parent_id": "a"}, {"id": "c", "parent_id": "a"}]
    path.write_text(json.dumps(nodes))
    tree = read_journal(path)
    assert [(depth, node.id) for depth, node in tree.walk()] == [(0, "a"), (1, "c"), (0, "b")]
    path.write_text(json.dumps({"nodes": [{"id": "x"}, {"id": "y"}], "node2parent": {"y": "x"}}))
    assert [(depth, node.id) for depth, node in read_journal(path).walk()] == [(0, "x"), (1, "y")]


def test_a_deep_journal_does_not_hit_the_recursion_limit() -> None:
    from podium.runtime.reports.journal import JournalNode

    chain = [JournalNode(str(i), str(i - 1) if i else None, None, None, "") for i in range(5000)]
    assert sum(1 for _ in build_tree(chain).walk()) == 5000


# ---- chart helpers ----------------------------------------------------------------------------


def test_nice_ticks_are_round_and_cover_the_range() -> None:
    assert nice_ticks(0.0, 1.0, 5) == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert nice_ticks(0.713, 0.842, 6) == [0.72, 0.74, 0.76, 0.78, 0.8, 0.82, 0.84]
    assert nice_ticks(3.0, 3.0) == [3.0]


def test_plot_range_leaves_out_long_tails_but_keeps_the_thresholds() -> None:
    scores = [0.80 + 0.001 * i for i in range(100)] + [0.0, 0.0, 1e7]
    low, high = plot_range(scores, [0.85])
    assert 0.5 < low < 0.8 and 0.9 < high < 1.3
    low, _ = plot_range(scores, [0.1])  # a threshold in the tail widens the range to show it
    assert low < 0.1
