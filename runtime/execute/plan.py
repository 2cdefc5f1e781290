"""Planning: a suite's competitions x scaffolds x seeds become pending records in the store.

A run already finished is kept and not planned again unless `rerun` asks for a new attempt
(attempt + 1, a new row: nothing recorded is ever overwritten). A run planned before and not
finished (pending, or running by a runtime that died) is run again as the same attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from podium.runtime.execute.packages import Packages
from podium.runtime.store.records import RunRecord, run_id_for
from podium.runtime.store.runs import RunStore


@dataclass
class Plan:
    to_run: list[str] = field(default_factory=list)  # run ids, pending in the store
    already_finished: list[RunRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Matrix:
    suite: str
    competitions: Sequence[str]
    scaffolds: Sequence[str]
    seeds: Sequence[int]


def plan_runs(
    store: RunStore, matrix: Matrix, packages: Packages, runs_dir: Path, data_dir: Path, rerun: bool = False
) -> Plan:
    """Add the matrix's runs to the store as pending (where needed) and say which to run."""
    latest = store.latest_attempts(matrix.suite)
    hashes = _hashes(matrix, packages)
    plan, new = Plan(), []
    for competition in matrix.competitions:
        for scaffold in matrix.scaffolds:
            for seed in matrix.seeds:
                previous = latest.get((competition, scaffold, seed))
                if previous is not None and not previous.finished:
                    plan.to_run.append(previous.run_id)
                    continue
                if previous is not None and not rerun:
                    plan.already_finished.append(previous)
                    continue
                attempt = 0 if previous is None else previous.attempt + 1
                record = _new_record(matrix.suite, competition, scaffold, seed, attempt, hashes, runs_dir, data_dir)
                new.append(record)
                plan.to_run.append(record.run_id)
    store.add(new)
    return plan


def _hashes(matrix: Matrix, packages: Packages) -> dict[str, str]:
    """Spec hashes by package key; loading the packages also checks them before anything runs."""
    hashes = {f"c/{c}": packages.competition(c).spec_sha256 for c in matrix.competitions}
    hashes |= {f"s/{s}": packages.scaffold(s).spec_sha256 for s in matrix.scaffolds}
    return hashes


def _new_record(
    suite: str,
    competition: str,
    scaffold: str,
    seed: int,
    attempt: int,
    hashes: dict[str, str],
    runs_dir: Path,
    data_dir: Path,
) -> RunRecord:
    run_id = run_id_for(suite, competition, scaffold, seed, attempt)
    return RunRecord(
        run_id=run_id,
        suite=suite,
        competition_id=competition,
        scaffold_id=scaffold,
        seed=seed,
        attempt=attempt,
        competition_sha256=hashes[f"c/{competition}"],
        scaffold_sha256=hashes[f"s/{scaffold}"],
        created_at=datetime.now(timezone.utc),
        run_dir=str(runs_dir.resolve() / run_id),
        data_dir=str(data_dir.resolve()),
    )
