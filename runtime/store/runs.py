"""The run store: one SQLite row per run (suite, competition, scaffold, seed, attempt).

    RunStore(path).add(records)        plan runs (pending); existing rows are left as they are
    .claim_pending(...)                pending -> running, owned by this process, in one transaction
    .upsert(record)                    write a run's new state (finished runs carry their report)
    .recover_orphans()                 running rows whose owner died -> pending again
    .get(run_id), .list(suite, status)

Every write is one transaction in WAL mode with synchronous=FULL, so a `kill -9` of the runtime
at any moment loses nothing already written. A row's owner is a token whose lock file the owning
process holds for its lifetime (`<store>.owners/<token>.lock`); the kernel drops the lock when
the process dies however it dies, so "is the owner alive?" needs no pid guessing.
"""

from __future__ import annotations

import builtins
import contextlib
import fcntl
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timezone
from pathlib import Path

from podium.runtime.store.records import RunRecord, RunStatus

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    suite TEXT NOT NULL,
    competition_id TEXT NOT NULL,
    scaffold_id TEXT NOT NULL,
    seed INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL,
    owner TEXT,
    record TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_by_status ON runs (status, suite);
CREATE INDEX IF NOT EXISTS runs_by_key ON runs (suite, competition_id, scaffold_id, seed, attempt);
"""
ORDER = "ORDER BY suite, competition_id, scaffold_id, seed, attempt"
STORE_ENV = "PODIUM_STORE"


class StoreError(Exception):
    """The store file cannot be opened or is not a podium run store."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


class RunStore:
    """Run records in SQLite; safe to share between threads and between processes."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self._owner: _OwnerLock | None = None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
        except (OSError, sqlite3.DatabaseError) as error:
            raise StoreError(f"cannot open the run store {self.path}: {error}") from None

    # ── reading ────────────────────────────────────────────────────────────────────────────

    def get(self, run_id: str) -> RunRecord | None:
        rows = self._select("WHERE run_id = ?", (run_id,))
        return rows[0] if rows else None

    def list(self, suite: str | None = None, status: RunStatus | None = None) -> builtins.list[RunRecord]:
        """Records in (suite, competition, scaffold, seed, attempt) order; filters are optional."""
        where, parameters = _filters(suite=suite, status=status)
        return self._select(where, parameters)

    def latest_attempts(self, suite: str) -> dict[tuple[str, str, int], RunRecord]:
        """Per (competition, scaffold, seed) of a suite, the record of its highest attempt."""
        latest: dict[tuple[str, str, int], RunRecord] = {}
        for record in self.list(suite=suite):
            latest[(record.competition_id, record.scaffold_id, record.seed)] = record  # ordered by attempt
        return latest

    def _select(self, where: str, parameters: Sequence[object]) -> builtins.list[RunRecord]:
        with self._lock:
            rows = self._db.execute(f"SELECT record FROM runs {where} {ORDER}", parameters).fetchall()
        return [RunRecord.model_validate_json(row[0]) for row in rows]

    # ── writing ────────────────────────────────────────────────────────────────────────────

    def add(self, records: Iterable[RunRecord]) -> builtins.list[RunRecord]:
        """Insert records whose run id is new; returns those inserted (others are untouched)."""
        inserted = []
        with self._transaction() as db:
            for record in records:
                cursor = db.execute(
                    "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?) ON CONFLICT(run_id) DO NOTHING",
                    _row(record),
                )
                if cursor.rowcount:
                    inserted.append(record)
        return inserted

    def upsert(self, record: RunRecord) -> None:
        """Write a record whole. A finished or pending record has no owner any more."""
        owner = self.owner_token if record.status == "running" else None
        with self._transaction() as db:
            _write(db, record, owner)

    def claim_pending(
        self, *, suite: str | None = None, run_ids: Sequence[str] | None = None, limit: int = 1
    ) -> builtins.list[RunRecord]:
        """Take up to `limit` pending runs (in store order) and mark them running by this process."""
        where, parameters = _filters(suite=suite, status="pending", run_ids=run_ids)
        claimed = []
        with self._transaction() as db:
            rows = db.execute(f"SELECT record FROM runs {where} {ORDER} LIMIT ?", [*parameters, limit]).fetchall()
            for (text,) in rows:
                record = RunRecord.model_validate_json(text).model_copy(
                    update={"status": "running", "started_at": _now(), "finished_at": None}
                )
                _write(db, record, self.owner_token)
                claimed.append(record)
        return claimed

    def release(self, run_ids: Iterable[str]) -> int:
        """Running runs back to pending (a cancel, an interrupted runtime); finished ones stay."""
        count = 0
        with self._transaction() as db:
            for run_id in run_ids:
                query = "SELECT record FROM runs WHERE run_id = ? AND status = 'running'"
                row = db.execute(query, (run_id,)).fetchone()
                if row is not None:
                    _write(db, _as_pending(RunRecord.model_validate_json(row[0])), None)
                    count += 1
        return count

    def release_mine(self) -> int:
        """Every run this process still holds as running goes back to pending."""
        if self._owner is None:
            return 0
        with self._lock:
            rows = self._db.execute("SELECT run_id FROM runs WHERE owner = ?", (self._owner.token,)).fetchall()
        return self.release(row[0] for row in rows)

    def recover_orphans(self) -> builtins.list[str]:
        """Runs left `running` by a runtime that is gone (killed, crashed) go back to pending."""
        with self._lock:
            rows = self._db.execute("SELECT run_id, owner FROM runs WHERE status = 'running'").fetchall()
        orphans = [run_id for run_id, owner in rows if not _OwnerLock.alive(self._owners_dir, owner)]
        self.release(orphans)
        return orphans

    def delete(self, run_ids: Iterable[str]) -> int:
        with self._transaction() as db:
            return sum(db.execute("DELETE FROM runs WHERE run_id = ?", (run_id,)).rowcount for run_id in run_ids)

    # ── ownership and plumbing ─────────────────────────────────────────────────────────────

    @property
    def owner_token(self) -> str:
        """This process's owner token; its lock file is held until the store is closed or the process dies."""
        with self._lock:
            if self._owner is None:
                self._owner = _OwnerLock.take(self._owners_dir)
            return self._owner.token

    @property
    def _owners_dir(self) -> Path:
        return self.path.with_name(self.path.name + ".owners")

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._owner is not None:
                self._owner.drop()
                self._owner = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")


def _filters(
    *, suite: str | None = None, status: str | None = None, run_ids: Sequence[str] | None = None
) -> tuple[str, builtins.list[object]]:
    clauses: builtins.list[str] = []
    parameters: builtins.list[object] = []
    for column, value in (("suite", suite), ("status", status)):
        if value is not None:
            clauses.append(f"{column} = ?")
            parameters.append(value)
    if run_ids is not None:
        clauses.append(f"run_id IN ({', '.join('?' * len(run_ids))})" if run_ids else "0")
        parameters += run_ids
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), parameters


def _row(record: RunRecord) -> tuple[object, ...]:
    return (
        record.run_id,
        record.suite,
        record.competition_id,
        record.scaffold_id,
        record.seed,
        record.attempt,
        record.status,
        record.model_dump_json(),
        _now().isoformat(),
    )


def _write(db: sqlite3.Connection, record: RunRecord, owner: str | None) -> None:
    run_id, suite, competition, scaffold, seed, attempt, status, text, updated = _row(record)
    db.execute(
        """INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT(run_id) DO UPDATE SET status = excluded.status, owner = excluded.owner,
           record = excluded.record, updated_at = excluded.updated_at""",
        (run_id, suite, competition, scaffold, seed, attempt, status, owner, text, updated),
    )


def _as_pending(record: RunRecord) -> RunRecord:
    return record.model_copy(update={"status": "pending", "started_at": None, "finished_at": None})


class _OwnerLock:
    """A token plus an exclusive lock on `<dir>/<token>.lock`, held while the owner lives."""

    def __init__(self, folder: Path, token: str, descriptor: int):
        self.folder, self.token, self.descriptor = folder, token, descriptor

    @classmethod
    def take(cls, folder: Path) -> _OwnerLock:
        folder.mkdir(parents=True, exist_ok=True)
        token = uuid.uuid4().hex
        descriptor = os.open(folder / f"{token}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        return cls(folder, token, descriptor)

    def drop(self) -> None:
        with contextlib.suppress(OSError):
            (self.folder / f"{self.token}.lock").unlink()
        os.close(self.descriptor)

    @staticmethod
    def alive(folder: Path, token: str | None) -> bool:
        """Whether the process that took `token` still holds its lock."""
        if not token:
            return False
        try:
            descriptor = os.open(folder / f"{token}.lock", os.O_RDWR)
        except OSError:
            return False  # its lock file is gone: the owner closed the store or never existed
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(descriptor)
        with contextlib.suppress(OSError):
            (folder / f"{token}.lock").unlink()  # a dead owner's file: nothing will use it again
        return False
