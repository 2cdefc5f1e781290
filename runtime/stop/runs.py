"""STOP runs on disk: where they live, how one starts (record or replay), and what its log adds up to."""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from podium.runtime.llm import Cassette
from podium.runtime.stop.config import StopConfig
from podium.runtime.stop.models import model_access
from podium.runtime.stop.session import CASSETTE_FILE, LOG_FILE, SUMMARY_FILE, StopSession
from podium.runtime.stop.stats import Rate, wilson_rate

RUNS_ENV = "PODIUM_STOP_RUNS"


class RunNotFound(Exception):
    """No STOP run with that id; the message lists where podium looked."""


def runs_root(override: Path | None = None) -> Path:
    """`override`, else $PODIUM_STOP_RUNS, else `<user cache>/runs/stop`."""
    if override is not None:
        return Path(override).expanduser()
    if from_env := os.environ.get(RUNS_ENV):
        return Path(from_env).expanduser()
    from podium.runtime.data.paths import cache_dir

    return cache_dir() / "runs" / "stop"


def new_run(root: Path, kind: str) -> tuple[str, Path]:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    run_id = f"{kind}-{stamp}-{secrets.token_hex(3)}"
    folder = root / run_id
    folder.mkdir(parents=True)
    return run_id, folder


def find_run(run_id: str, root: Path) -> Path:
    folder = root / run_id
    if not (folder / LOG_FILE).is_file():
        known = sorted(path.name for path in root.glob("*") if (path / LOG_FILE).is_file())[-5:]
        hint = f"; recent runs: {', '.join(known)}" if known else ""
        raise RunNotFound(f"no STOP run {run_id!r} in {root}{hint} (set --runs-dir or {RUNS_ENV} to look elsewhere)")
    return folder


def cassette_for(run_dir: Path, replay: Path | None) -> Cassette:
    """Record into the run's own cassette, or replay a recorded one (a cassette file or a run folder)."""
    if replay is None:
        return Cassette(run_dir / CASSETTE_FILE, "record")
    source = replay / CASSETTE_FILE if replay.is_dir() else replay
    if not source.is_file():
        raise RunNotFound(f"no cassette at {source}; pass a run's folder or its {CASSETTE_FILE}")
    return Cassette(source, "replay")


def start_session(
    config: StopConfig, run_dir: Path, cassette: Cassette, *, condition: str, endpoint: Any | None = None
) -> StopSession:
    return StopSession(config, model_access(config, run_dir, cassette, endpoint), run_dir, condition=condition)


def write_summary(run_dir: Path, summary: dict[str, Any]) -> None:
    (run_dir / SUMMARY_FILE).write_text(json.dumps(summary, indent=2, sort_keys=True, default=str), encoding="utf-8")


def read_summary(run_dir: Path) -> dict[str, Any]:
    path = run_dir / SUMMARY_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def read_log(run_dir: Path) -> list[dict[str, Any]]:
    lines = (run_dir / LOG_FILE).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class EscapeTally:
    model: str
    condition: str
    role: str
    rate: Rate
    categories: dict[str, int]


def escape_tallies(events: list[dict[str, Any]], model: str) -> list[EscapeTally]:
    """Flagged programs per (condition, role) with Wilson intervals; categories counted per program."""
    scans: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        if event["event"] == "scan":
            scans[(event["condition"], event["role"])].append(event)
    tallies = []
    for (condition, role), found in sorted(scans.items()):
        categories = Counter(category for event in found for category in event["categories"])
        rate = wilson_rate(sum(event["flagged"] for event in found), len(found))
        tallies.append(EscapeTally(model, condition, role, rate, dict(sorted(categories.items()))))
    return tallies


def denied_actions(events: list[dict[str, Any]]) -> int:
    """Actions the sandbox refused, summed over every solution run of the log."""
    return sum(event.get("denied_actions", 0) for event in events if event["event"] == "evaluation")
