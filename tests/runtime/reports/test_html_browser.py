"""The HTML report in a real browser: headless Chromium renders it, logs no console errors, draws the SVGs.

Needs Debian's Chromium (`apt-get install -y --no-install-recommends chromium`) and the MLE-bench
anchors beside the repository (../shared/anchors/mle-bench) for a real leaderboard.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from podium.runtime.grading.leaderboard import Leaderboard
from podium.runtime.reports.html import html_report
from podium.runtime.store.records import RunRecord

MakeRun = Callable[..., RunRecord]  # the conftest fixture
ANCHORS = Path(__file__).resolve().parents[4] / "shared" / "anchors" / "mle-bench"  # /work/shared/... beside the repo
SPACESHIP = ANCHORS / "spaceship-titanic" / "leaderboard.csv"
CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
HOSTILE = "<script>console.error('escaped?')</script>"

skip_if_no_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Chromium is not installed; `apt-get install -y --no-install-recommends chromium` runs this test",
)
pytestmark = [pytest.mark.integration, skip_if_no_chromium]


def chromium(page: Path, profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium on a local file, isolated from the network and any user profile."""
    command = [
        str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *arguments, page.as_uri(),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str, page: Path) -> list[str]:
    """Chromium logs every console message (errors, uncaught exceptions, CSP violations) as CONSOLE."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line and page.name in line]


def spaceship_runs(make_run: MakeRun, board: Leaderboard, tmp_path: Path) -> list[RunRecord]:
    logs = tmp_path / "run0" / "logs"
    logs.mkdir(parents=True)
    nodes = [
        {"id": "draft", "parent_id": None, "metric": 0.78, "is_buggy": False, "plan": "Gradient boosting baseline."},
        {"id": "bug", "parent_id": "draft", "metric": None, "is_buggy": True, "plan": HOSTILE},
        {"id": "fix", "parent_id": "bug", "metric": 0.812, "is_buggy": False, "plan": "Impute ages, then refit."},
    ]
    (logs / "journal.json").write_text(json.dumps({"nodes": nodes}))
    scores = {"aide": (0.812, 0.8, 0.79), "dummy": (0.5, None, 0.5)}
    return [
        make_run("spaceship-titanic", scaffold, seed, score=score, board=board.scores, suite="lite",
                 tokens=(20_000 + 5_000 * seed, 2_000) if scaffold == "aide" else (0, 0), cost=0.25,
                 run_dir=str(tmp_path / "run0") if (scaffold, seed) == ("aide", 0) else None, error=HOSTILE)
        for scaffold, values in scores.items()
        for seed, score in enumerate(values)
    ]  # fmt: skip


@pytest.fixture
def report_page(make_run: MakeRun, tmp_path: Path) -> Path:
    if not SPACESHIP.is_file():
        pytest.skip(f"the MLE-bench anchors are not at {ANCHORS}; the browser test needs a real leaderboard")
    board = Leaderboard.from_csv(SPACESHIP)
    runs = spaceship_runs(make_run, board, tmp_path)
    runs.append(make_run("titanic", "aide", 0, score=0.77, board=None))
    page = tmp_path / "report.html"
    page.write_text(
        html_report(
            runs,
            {"spaceship-titanic": board},
            {"spaceship-titanic": "low", "titanic": "low"},
            {"titanic": "no leaderboard for titanic: run `podium leaderboard fetch titanic`"},
        ),
        encoding="utf-8",
    )
    return page


def test_the_console_check_catches_a_broken_page(tmp_path: Path) -> None:
    # Control: proves this Chromium logs console errors to stderr, so the real test's silence means something.
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><p>x</p><script>undefinedFunction()</script>")
    result = chromium(page, tmp_path / "profile", "--dump-dom")
    assert any("Uncaught ReferenceError" in line for line in console_messages(result.stderr, page))


def test_report_renders_without_console_errors_and_draws_its_charts(report_page: Path, tmp_path: Path) -> None:
    result = chromium(report_page, tmp_path / "profile", "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_messages(result.stderr, report_page) == []  # no errors, no CSP violations
    dom = result.stdout
    # medal rates for lite/aide and lite/dummy, the spaceship-titanic histogram, tokens per run
    assert len(re.findall(r"<svg\b", dom)) == 4
    assert "2288 human teams" in dom
    assert "no leaderboard for titanic" in dom
    assert '<span class="node best">#fix</span>' in dom
    assert "&lt;script&gt;console.error('escaped?')&lt;/script&gt;" in dom  # shown as text, never run


def test_report_screenshot_is_a_real_picture(report_page: Path, tmp_path: Path) -> None:
    image_module = pytest.importorskip("PIL.Image", reason="pillow (in the dev extra) checks the screenshot")
    shot = tmp_path / "report.png"
    result = chromium(report_page, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000")
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 50_000
    with image_module.open(shot) as image:
        assert image.size == (1280, 2000)
        pixels = image.convert("RGB")
        colours = pixels.getcolors(maxcolors=1 << 20) or []
        background = max(colours)[1]
        inked = sum(count for count, colour in colours if colour != background)
        assert len(colours) > 200  # text, tables, bars and threshold lines, not a blank page
        assert inked > 0.15 * 1280 * 2000
        gold = sum(count for count, (r, g, b) in colours if r > 180 and 140 < g < 200 and b < 80)
        assert gold > 50  # the gold medal colour of the charts and threshold lines is on screen
