"""Prepare a competition's data: fetch the raw files, split them, write public/ and private/.

    <data-dir>/<id>/raw/                   raw downloads, kept and reused (resumable)
    <data-dir>/<id>/.prepared.tmp-<pid>/   a build in progress (removed if its process is gone)
    <data-dir>/<id>/prepared/              MLE-bench's layout: public/, private/, .done.json

A build is written beside `prepared/` and renamed into place only once its `.done.json`
(checksums + spec hashes) is written, so a folder that looks done is done. A second prepare
of an unchanged spec is a no-op.

The declarative split is MLE-bench's recipe: scikit-learn's `train_test_split(test_size,
random_state, stratify)` on the raw table, written with pandas' `to_csv(index=False)`, so the
same raw rows give the same files, rows and order. The raw table is read with pyarrow and
only the types pandas would infer are kept (numbers, booleans, text), so the values written
back are the ones pandas' own reader would produce; ids are always kept as text ('007' stays
'007').
"""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from podium.runtime.data.checksums import DoneMarker, checksum_files
from podium.runtime.data.paths import data_dir as default_data_dir
from podium.runtime.data.paths import prepared_dir
from podium.runtime.data.sources import DataError, fetch_raw
from podium.runtime.data.sources._common import import_hook, progress_step
from podium.runtime.spec.resolved import spec_sha256

if TYPE_CHECKING:
    import pandas as pd
    from rich.progress import Progress

    from podium.runtime.spec.parts import Prepare, Split
    from podium.runtime.spec.resolved import ResolvedCompetition

PREPARE_VERSION = 1  # bump when the prepared bytes change for the same spec
BUILD_PREFIX = ".prepared.tmp-"
OLD_PREFIX = ".prepared.old-"
SAMPLE_SUBMISSION = "sample_submission.csv"
DESCRIPTION = "description.md"
DEFAULT_FILL = 0  # a target the spec gives no fill value for; never a real label (no leak)
# pandas' default missing-value markers: the raw table must read as MLE-bench's pandas reads it.
PANDAS_NA_VALUES = [
    "",
    "#N/A",
    "#N/A N/A",
    "#NA",
    "-1.#IND",
    "-1.#QNAN",
    "-NaN",
    "-nan",
    "1.#IND",
    "1.#QNAN",
    "<NA>",
    "N/A",
    "NA",
    "NULL",
    "NaN",
    "None",
    "n/a",
    "nan",
    "null",
]


@dataclass(frozen=True)
class PrepareResult:
    competition_id: str
    prepared_dir: Path
    skipped: bool  # True: it was already prepared from the same spec
    rows: dict[str, int] = field(default_factory=dict)  # CSV path under prepared/ -> rows
    seconds: float = 0.0


def prepare_competition(
    competition: ResolvedCompetition,
    data_dir: Path | None = None,
    *,
    spec_dir: Path | None = None,
    force: bool = False,
    allow_kaggle: bool = False,
    progress: Progress | None = None,
) -> PrepareResult:
    """Fetch and prepare one competition into `<data_dir>/<id>/prepared` (idempotent, atomic)."""
    started = time.perf_counter()
    root = default_data_dir(data_dir) / competition.id
    prepared = prepared_dir(competition.id, root.parent)
    remove_stale_builds(root)
    data_sha256 = data_spec_sha256(competition, spec_dir)
    marker = DoneMarker.read(prepared)
    if not force and marker is not None and marker.data_sha256 == data_sha256:
        return _result(competition.id, prepared, marker, skipped=True, started=started)
    if not force and marker is None and prepared.exists():
        raise DataError(
            f"{prepared} exists but has no .done.json, so podium did not prepare it (it may come "
            "from MLE-bench, which grades as it is) or an older run broke off; pass --force "
            "to replace it."
        )
    with _disk_full_explained(competition.id, root):
        fetch_raw(
            competition.source,
            competition.id,
            root / "raw",
            spec_dir=spec_dir,
            progress=progress,
            allow_kaggle=allow_kaggle,
        )
        publish(build_prepared(competition, root, spec_dir, data_sha256, progress), prepared)
    done = DoneMarker.read(prepared)
    assert done is not None  # publish renamed a build whose marker was written last
    return _result(competition.id, prepared, done, skipped=False, started=started)


@contextmanager
def _disk_full_explained(competition_id: str, root: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        # pyarrow's IO errors carry no errno, only the C library's message.
        if error.errno != errno.ENOSPC and "No space left on device" not in str(error):
            raise
        raise DataError(
            f"the disk is full while preparing {competition_id} in {root}: free some space, or "
            "prepare into a bigger disk with --data-dir DIR (or PODIUM_DATA_DIR). Nothing "
            "half-written was kept."
        ) from None


def _result(competition_id: str, prepared: Path, marker: DoneMarker, *, skipped: bool, started: float) -> PrepareResult:
    rows = {name: entry.table.rows for name, entry in marker.files.items() if entry.table}
    seconds = time.perf_counter() - started
    return PrepareResult(competition_id, prepared, skipped, rows, seconds)


def data_spec_sha256(competition: ResolvedCompetition, spec_dir: Path | None) -> str:
    """A hash of everything the prepared bytes depend on (not the grader, limits or leaderboard).

    A changed metric must not force a re-download; a changed split or hook file must.
    """
    parts: dict[str, Any] = {
        "prepare_version": PREPARE_VERSION,
        "id": competition.id,
        "description": competition.description,
        "source": competition.source.model_dump(mode="json", by_alias=True),
        "prepare": competition.prepare.model_dump(mode="json", by_alias=True),
        "hook_files": _hook_file_hashes(competition, spec_dir),
    }
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _hook_file_hashes(competition: ResolvedCompetition, spec_dir: Path | None) -> dict[str, str]:
    references = [competition.prepare.hook, getattr(competition.source, "generator", None)]
    hashes = {}
    for reference in references:
        relative = (reference or "").partition(":")[0]
        if spec_dir is not None and relative.endswith(".py") and (spec_dir / relative).is_file():
            hashes[relative] = hashlib.sha256((spec_dir / relative).read_bytes()).hexdigest()
    return hashes


def remove_stale_builds(root: Path) -> None:
    """Delete builds and swapped-out folders left by prepares whose process is gone."""
    if not root.is_dir():
        return
    for folder in [*root.glob(f"{BUILD_PREFIX}*"), *root.glob(f"{OLD_PREFIX}*")]:
        owner = folder.name.rpartition("-")[2]
        # Our own pid here is a leftover of an earlier run that had the same pid.
        in_progress = owner.isdigit() and int(owner) != os.getpid() and _process_alive(int(owner))
        if not in_progress:
            shutil.rmtree(folder, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    if os.name != "posix":
        return False  # signal 0 is a probe only on POSIX; elsewhere every leftover is stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def build_prepared(
    competition: ResolvedCompetition,
    root: Path,
    spec_dir: Path | None,
    data_sha256: str,
    progress: Progress | None,
) -> Path:
    """Write public/, private/ and .done.json into a fresh build folder and return it."""
    build = root / f"{BUILD_PREFIX}{os.getpid()}"
    shutil.rmtree(build, ignore_errors=True)
    public, private = build / "public", build / "private"
    try:
        public.mkdir(parents=True)
        private.mkdir()
        raw = root / "raw"
        if competition.prepare.split is not None:
            split_declaratively(competition.prepare, competition.prepare.split, raw, public, private, progress)
        else:
            run_hook(competition.prepare, raw, public, private, spec_dir, progress)
        (public / DESCRIPTION).write_text(competition.description, encoding="utf-8")
        check_answers(competition.prepare, private)
        with progress_step(progress, f"{competition.id}: checksums"):
            write_marker(competition, build, data_sha256)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return build


def write_marker(competition: ResolvedCompetition, build: Path, data_sha256: str) -> None:
    """.done.json of a finished build: what was prepared from what, and every file's checksum."""
    DoneMarker(
        competition_id=competition.id,
        spec_sha256=spec_sha256(competition),
        data_sha256=data_sha256,
        id_column=competition.prepare.id_column,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        files=checksum_files(build, competition.prepare.id_column),
    ).write(build)


def publish(build: Path, prepared: Path) -> None:
    """Swap the finished build into place; the old folder, if any, is moved aside first."""
    old = prepared.with_name(f"{OLD_PREFIX}{os.getpid()}")
    if prepared.exists():
        prepared.rename(old)
    try:
        build.rename(prepared)
    except BaseException:
        if old.exists() and not prepared.exists():
            old.rename(prepared)
        raise
    shutil.rmtree(old, ignore_errors=True)


def split_declaratively(
    prepare: Prepare, split: Split, raw: Path, public: Path, private: Path, progress: Progress | None
) -> None:
    source = raw / split.from_
    with progress_step(progress, f"read {split.from_}"):
        table = read_table(source, prepare.id_column)
    require_columns(list(table.columns), required_raw_columns(prepare, split), source)
    with progress_step(progress, f"split {len(table)} rows"):
        train, test = split_rows(table, split, source)
    outputs = {
        public / prepare.public_train: train,
        public / prepare.public_test: test.drop(columns=[*prepare.targets, *prepare.drop_from_test]),
        public / SAMPLE_SUBMISSION: sample_submission(test, prepare),
        private / prepare.answers: answers(test, prepare),
    }
    for path, frame in outputs.items():
        with progress_step(progress, f"write {path.parent.name}/{path.name} ({len(frame)} rows)"):
            frame.to_csv(path, index=False)


def read_table(path: Path, id_column: str) -> pd.DataFrame:
    """A raw CSV as pandas would read it, with the id column kept as text."""
    import pyarrow as pa

    if not path.is_file():
        present = sorted(p.name for p in path.parent.glob("*") if not p.name.startswith("."))
        raise DataError(
            f"the raw table {path.name} is not among the raw files ({', '.join(present) or 'none'}) "
            f"in {path.parent}; fix prepare.split.from in the spec"
        )
    forced = {id_column: pa.string()}
    try:
        table = _read_csv(path, forced)
        # pandas has no date/time inference: columns pyarrow read as dates stay text.
        other = {f.name: pa.string() for f in table.schema if not _pandas_like(f.type)}
        if other:
            table = _read_csv(path, {**forced, **other})
    except pa.ArrowInvalid as error:
        raise DataError(f"cannot read {path} as CSV: {error}") from None
    return table.to_pandas()


def _read_csv(path: Path, column_types: dict[str, Any]) -> Any:
    import pyarrow.csv as pacsv

    options = pacsv.ConvertOptions(
        column_types=column_types,
        null_values=PANDAS_NA_VALUES,
        strings_can_be_null=True,
        true_values=["True", "TRUE", "true"],  # pandas' booleans; pyarrow's defaults add 1 and 0
        false_values=["False", "FALSE", "false"],
    )
    # quoted text may hold line breaks (chats, essays, tweets), as pandas reads them
    parse = pacsv.ParseOptions(newlines_in_values=True)
    return pacsv.read_csv(path, parse_options=parse, convert_options=options)


def _pandas_like(arrow_type: Any) -> bool:
    import pyarrow as pa

    kinds = (
        pa.types.is_integer,
        pa.types.is_floating,
        pa.types.is_boolean,
        pa.types.is_string,
        pa.types.is_large_string,
        pa.types.is_null,
    )
    return any(kind(arrow_type) for kind in kinds)


def required_raw_columns(prepare: Prepare, split: Split) -> list[str]:
    columns = [prepare.id_column, *prepare.targets, *prepare.drop_from_test, *prepare.extra_answer_columns]
    if isinstance(prepare.answers_columns, list):
        columns += prepare.answers_columns
    columns += [c for c in (split.stratify, split.group) if c]
    return list(dict.fromkeys(columns))


def require_columns(header: list[str], required: list[str], path: Path) -> None:
    missing = [column for column in required if column not in header]
    if missing:
        shown = ", ".join(header[:12]) + (" …" if len(header) > 12 else "")
        raise DataError(
            f"{path} lacks the column(s) {', '.join(missing)} that the spec declares (its header: "
            f"{shown}); fix id_column/targets in the spec or the source file"
        )


def split_rows(table: pd.DataFrame, split: Split, source: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """MLE-bench's split: train_test_split, or GroupShuffleSplit when a group column is declared."""
    from sklearn.model_selection import GroupShuffleSplit, train_test_split

    # A test_size >= 1 is a number of rows, as scikit-learn reads an int.
    test_size: float | int = int(split.test_size) if split.test_size >= 1 else split.test_size
    try:
        if split.group:
            splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=split.random_state)
            train_rows, test_rows = next(splitter.split(table, groups=table[split.group]))
            return table.iloc[train_rows], table.iloc[test_rows]
        stratify = table[split.stratify] if split.stratify else None
        train, test = train_test_split(table, test_size=test_size, random_state=split.random_state, stratify=stratify)
    except ValueError as error:
        raise DataError(
            f"cannot split {source.name} ({len(table)} rows) with test_size={split.test_size}: {error}"
        ) from None
    return train, test


def sample_submission(test: pd.DataFrame, prepare: Prepare) -> pd.DataFrame:
    sample = test[[prepare.id_column, *prepare.targets]].copy()
    for target in prepare.targets:
        sample[target] = prepare.sample_submission.fill.get(target, DEFAULT_FILL)
    return sample


def answers(test: pd.DataFrame, prepare: Prepare) -> pd.DataFrame:
    if prepare.answers_columns == "all":
        return test
    columns = prepare.answers_columns or prepare.graded_columns()
    return test[list(dict.fromkeys(columns))]


def run_hook(
    prepare: Prepare, raw: Path, public: Path, private: Path, spec_dir: Path | None, progress: Progress | None
) -> None:
    """Code preparation, with MLE-bench's signature: prepare(raw=..., public=..., private=...)."""
    assert prepare.hook is not None
    hook = import_hook(prepare.hook, spec_dir)
    with progress_step(progress, f"run {prepare.hook}"):
        hook(raw=raw, public=public, private=private)


def check_answers(prepare: Prepare, private: Path) -> None:
    """The answers file exists and has the columns grading reads (hooks can get this wrong)."""
    path = private / prepare.answers
    if not path.is_file():
        raise DataError(
            f"preparation wrote no answers file private/{prepare.answers}; the hook must write it "
            "(or fix prepare.answers in the spec)"
        )
    if path.suffix.lower() == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        require_columns(header, prepare.graded_columns(), path)
