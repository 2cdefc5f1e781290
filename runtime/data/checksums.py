"""Checksums of prepared data, and `verify` to tell whether a prepared folder is still intact.

Two levels per file. `sha256` is over the bytes. For a CSV, `table.digest` is over its content
rendered canonically: columns sorted by name, every value read as text and rendered by rule
(integers as integers, other numbers as `repr(float)`, missing as null, text as is), rows
sorted by the id column. A pandas or pyarrow upgrade that writes `1e-07` as `1E-07`, `3` as
`3.0`, or reorders columns changes the bytes but not the digest, so `verify` reports it as a
warning; a changed value, row or column is an error.

The record lives in `prepared/.done.json`, written last by `prepare`: its presence means done.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from podium.runtime.data.sources._common import sha256_of_file

DONE_MARKER = ".done.json"
MARKER_FORMAT = 1
INTEGER = re.compile(r"^[+-]?\d+$")
Severity = Literal["error", "warning"]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TableChecksum(Record):
    digest: str
    rows: int
    columns: list[str]


class FileChecksum(Record):
    sha256: str
    bytes: int
    table: TableChecksum | None = None


class DoneMarker(Record):
    """What `prepared/.done.json` holds: enough to skip a re-prepare and to verify the files."""

    format: int = MARKER_FORMAT
    competition_id: str
    spec_sha256: str
    data_sha256: str
    id_column: str
    created_at: str
    files: dict[str, FileChecksum]

    def write(self, prepared: Path) -> None:
        partial = prepared / f"{DONE_MARKER}.tmp"
        partial.write_text(self.model_dump_json(indent=2), encoding="utf-8")
        partial.replace(prepared / DONE_MARKER)

    @classmethod
    def read(cls, prepared: Path) -> DoneMarker | None:
        """The marker of a finished prepare, or None (absent, unreadable, or an older format)."""
        try:
            data = json.loads((prepared / DONE_MARKER).read_text(encoding="utf-8"))
            return cls.model_validate(data)
        except (OSError, ValueError):
            return None


@dataclass(frozen=True)
class Problem:
    """One finding of `verify`: which file, how bad, and what differs."""

    path: str
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.path}: {self.message}"


def checksum_files(folder: Path, id_column: str | None) -> dict[str, FileChecksum]:
    """Checksums of every file under `folder` (the marker aside), keyed by relative posix path."""
    return {name: file_checksum(folder / name, id_column) for name in recordable_files(folder)}


def file_checksum(path: Path, id_column: str | None) -> FileChecksum:
    table = table_checksum(path, id_column) if path.suffix.lower() == ".csv" else None
    return FileChecksum(sha256=sha256_of_file(path), bytes=path.stat().st_size, table=table)


def table_checksum(path: Path, id_column: str | None) -> TableChecksum:
    """The content digest of a CSV: independent of column order, row order and number format."""
    header, columns = read_text_columns(path)
    order = sorted(range(len(header)), key=lambda i: header[i])
    rendered = [_render_column(columns[i], as_text=header[i] == id_column) for i in order]
    names = [header[i] for i in order]
    rows = list(zip(*rendered, strict=True)) if rendered else []
    id_position = names.index(id_column) if id_column in names else None
    rows.sort(key=lambda row: _row_key(row, id_position))
    digest = hashlib.sha256(json.dumps(names).encode())
    for row in rows:
        digest.update(b"\n")
        digest.update(json.dumps(row, ensure_ascii=False).encode())
    return TableChecksum(digest=digest.hexdigest(), rows=len(rows), columns=sorted(names))


def read_text_columns(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and columns of a CSV, every value as the text in the file ('' when empty).

    Values are read as text on purpose: type inference is what changes between library
    versions, and the digest must not.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(path, newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        return [], []
    options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in header},
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    table = pacsv.read_csv(path, convert_options=options)
    return header, [table.column(i).to_pylist() for i in range(table.num_columns)]


def _render_column(values: list[str], *, as_text: bool) -> list[str | None]:
    """Canonical values: numbers by value when the whole column is numeric, else text as is."""
    if not as_text:
        try:
            return [_render_number(value) for value in values]
        except ValueError:
            pass
    return [value if value != "" else None for value in values]


def _render_number(value: str) -> str | None:
    value = value.strip()
    if value == "":
        return None
    if INTEGER.match(value):
        return str(int(value))  # exact even past 2**53, where float would round
    number = float(value)
    if math.isfinite(number) and number.is_integer():
        return str(int(number))  # 3.0 and 3 are the same value
    return repr(number)


def _row_key(row: tuple[str | None, ...], id_position: int | None) -> tuple[Any, ...]:
    # None sorts before every string; the full row breaks ties so duplicate ids sort stably.
    cells = tuple((value is not None, value or "") for value in row)
    if id_position is None:
        return cells
    return (cells[id_position], cells)


def verify(prepared: Path) -> list[Problem]:
    """Compare a prepared folder with the checksums its `.done.json` recorded."""
    marker = DoneMarker.read(prepared)
    if marker is None:
        return [Problem(DONE_MARKER, "error", _no_marker_message(prepared))]
    problems: list[Problem] = []
    for name, expected in marker.files.items():
        problems += _check_file(prepared, name, expected, marker.id_column)
    problems += _unexpected_files(prepared, marker.files)
    return problems


def _no_marker_message(prepared: Path) -> str:
    if not prepared.is_dir():
        return f"{prepared} does not exist; run `podium prepare` first"
    return (
        f"{prepared} has no {DONE_MARKER}: it was not prepared by podium or preparation did "
        "not finish; run `podium prepare --force` to rebuild it"
    )


def _check_file(prepared: Path, name: str, expected: FileChecksum, id_column: str) -> list[Problem]:
    path = prepared / name
    if not path.is_file():
        return [Problem(name, "error", "missing")]
    if sha256_of_file(path) == expected.sha256:
        return []
    if expected.table is None:
        return [Problem(name, "error", f"bytes differ ({expected.bytes} → {path.stat().st_size} bytes)")]
    try:
        actual = table_checksum(path, id_column)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        return [Problem(name, "error", f"no longer a readable CSV: {error}")]
    if actual.digest == expected.table.digest:
        return [Problem(name, "warning", "bytes differ but the table content is the same (formatting only)")]
    return [Problem(name, "error", f"content differs: {_describe_change(expected.table, actual)}")]


def _describe_change(before: TableChecksum, after: TableChecksum) -> str:
    changes = []
    if before.rows != after.rows:
        changes.append(f"rows {before.rows} → {after.rows}")
    added = sorted(set(after.columns) - set(before.columns))
    removed = sorted(set(before.columns) - set(after.columns))
    if added:
        changes.append(f"columns added: {', '.join(added)}")
    if removed:
        changes.append(f"columns removed: {', '.join(removed)}")
    if not changes:
        changes.append(f"same {after.rows} rows and {len(after.columns)} columns, but values changed")
    return "; ".join(changes)


def _unexpected_files(prepared: Path, recorded: Iterable[str]) -> list[Problem]:
    known = set(recorded)
    added = [name for name in recordable_files(prepared) if name not in known]
    return [Problem(name, "warning", "not in the record (added after preparing)") for name in added]


def recordable_files(folder: Path) -> list[str]:
    """Relative posix paths of the files a marker records: all but the marker itself."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(DONE_MARKER))
    return [p.relative_to(folder).as_posix() for p in files]
