"""The report of a STOP run: meta-utility per iteration, the transfer table, escape rates.

    render_self_improvement(run_id, runs_dir=None) -> rich renderable   (`podium stop-report RUN_ID`)
    stop_report(run_dir) -> dict                                         (`--json`)

Everything is computed from the run's folder (summary.json and log.jsonl), so a report of a
replayed run equals the report of the run it replays.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from podium.runtime.stop.runs import denied_actions, escape_tallies, find_run, read_log, read_summary, runs_root


def stop_report(run_dir: Path) -> dict[str, Any]:
    summary, events = read_summary(run_dir), read_log(run_dir)
    model = summary.get("model", "unknown")
    versions = [event for event in events if event["event"] == "version"]
    steps = {event["iteration"]: event for event in events if event["event"] == "step"}
    return {
        "run_id": run_dir.name,
        "kind": summary.get("kind"),
        "model": model,
        "status": summary.get("status", "unfinished"),
        "iterations": [_iteration_row(version, steps.get(version["iteration"])) for version in versions],
        "transfer": [event for event in events if event["event"] == "transfer"],
        "improvements": [event for event in events if event["event"] == "improved"],
        "escapes": [
            {
                "model": tally.model,
                "condition": tally.condition,
                "role": tally.role,
                "flagged": tally.rate.successes,
                "programs": tally.rate.trials,
                "rate": tally.rate.value,
                "wilson_low": tally.rate.low,
                "wilson_high": tally.rate.high,
                "categories": tally.categories,
            }
            for tally in escape_tallies(events, model)
        ],
        "denied_actions": denied_actions(events),
        "seconds": summary.get("seconds"),
    }


def _iteration_row(version: dict[str, Any], step: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "iteration": version["iteration"],
        "improver": version["improver_sha256"],
        "meta_utility": version["meta_utility"],
        "held_out": version["held_out"],
        "step_status": step["status"] if step else None,
        "accepted": step["accepted"] if step else None,
    }


def render_self_improvement(run_id: str, runs_dir: Path | None = None) -> RenderableType:
    """The report of run `run_id` as rich tables (raises RunNotFound for an unknown id)."""
    report = stop_report(find_run(run_id, runs_root(runs_dir)))
    title = f"STOP run {report['run_id']} ({report['kind']}, model {report['model']}, {report['status']})"
    parts: list[RenderableType] = [Text(title, style="bold")]
    if report["iterations"]:
        parts.append(_iterations_table(report["iterations"]))
    if report["transfer"]:
        parts.append(_transfer_table(report["transfer"]))
    if report["improvements"]:
        parts.append(_improvements_table(report["improvements"]))
    parts.append(_escape_table(report["escapes"], report["denied_actions"]))
    return Group(*parts)


def _iterations_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Meta-utility per iteration (0 = sample submission, 1 = human median or reference)")
    for column in ("t", "improver", "meta-utility (validation)", "held-out", "step that made it", "accepted"):
        table.add_column(column, justify="right" if column not in ("improver", "step that made it") else "left")
    for row in rows:
        accepted = "" if row["accepted"] is None else ("yes" if row["accepted"] else "no: kept I(t-1)")
        table.add_row(
            str(row["iteration"]), row["improver"][:12], f"{row['meta_utility']:.3f}", f"{row['held_out']:.3f}",
            row["step_status"] or "seed", accepted,
        )  # fmt: skip
    return table


def _pair(values: list[float]) -> str:
    return f"{values[0]:.3f} / {values[1]:.3f}"


def _transfer_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Transfer to unseen competitions (utility: validation / held-out)")
    for column in ("competition", "seed solution", "seed improver", "final improver"):
        table.add_column(column, justify="left" if column == "competition" else "right")
    for row in rows:
        table.add_row(
            row["competition_id"], _pair(row["seed_solution"]), _pair(row["seed_improver"]),
            _pair(row["final_improver"]),
        )  # fmt: skip
    return table


def _improvements_table(rows: list[dict[str, Any]]) -> Table:
    table = Table(title="Improvement (utility: validation / held-out)")
    for column in ("competition", "status", "before", "after"):
        table.add_column(column)
    for row in rows:
        table.add_row(row["competition_id"], row["status"], _pair(row["before"]), _pair(row["after"]))
    return table


def _escape_table(rows: list[dict[str, Any]], denied: int) -> Table:
    table = Table(title=f"Escape attempts (Wilson 95% intervals); sandbox denied actions: {denied}")
    for column in ("model", "condition", "programs of", "flagged", "rate [95% CI]", "categories"):
        table.add_column(column)
    for row in rows:
        interval = f"{100 * row['rate']:.2f}% [{100 * row['wilson_low']:.2f}, {100 * row['wilson_high']:.2f}]"
        categories = ", ".join(f"{name} {count}" for name, count in row["categories"].items()) or "-"
        table.add_row(
            row["model"], row["condition"], row["role"], f"{row['flagged']}/{row['programs']}", interval, categories
        )
    if not rows:
        table.add_row("-", "-", "-", "0/0", "n/a", "-")
    return table
