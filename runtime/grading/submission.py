"""Submission checks: everything that can be wrong with a submission, found before any math.

`check_submission` reads the submission CSV with pyarrow, checks it against the answers and
returns either the two frames aligned row for row (`Aligned`) or one sentence saying exactly
what is wrong and what to write instead (`Invalid`). It never raises for a bad submission: an
invalid submission is a grading result, not a crash.

Ids are always read as strings, so an id like "0012_01" or "007" keeps its zeros and the ids
of the answers and of the submission compare as text.

`read_answers` raises `AnswersError` instead: missing or broken answers mean grading cannot
happen at all, which is the operator's problem, not the agent's.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

if TYPE_CHECKING:
    import pandas as pd

    from podium.runtime.spec import ResolvedCompetition

# Grader input kinds whose submission columns must hold finite numbers.
NUMERIC_INPUTS = frozenset({"probabilities", "numbers", "one-hot"})
# Grader input kinds whose columns are text (masks, lists, boxes): read as strings, never inferred,
# so an empty mask stays "" and "1 2" never turns into a number.
TEXT_INPUTS = frozenset({"strings", "ranked-list", "rle-mask", "boxes", "points"})
SNIFF_BYTES = 64 * 1024


class AnswersError(Exception):
    """The answers cannot be read, so no submission can be graded against them."""


@dataclass(frozen=True)
class SubmissionRules:
    """What a submission for one competition must look like, taken from its spec."""

    id_column: str
    targets: tuple[str, ...]
    numeric: bool = False
    probabilities: bool = False
    text: bool = False
    extra_answer_columns: tuple[str, ...] = ()
    public_test: str = "test.csv"

    @classmethod
    def for_competition(cls, competition: ResolvedCompetition) -> SubmissionRules:
        inputs = set(competition.grader.inputs)
        prepare = competition.prepare
        return cls(
            id_column=prepare.id_column,
            targets=tuple(prepare.targets),
            numeric=bool(inputs & NUMERIC_INPUTS) and not inputs & TEXT_INPUTS,
            probabilities="probabilities" in inputs and not inputs & TEXT_INPUTS,
            text=bool(inputs & TEXT_INPUTS),
            extra_answer_columns=tuple(prepare.extra_answer_columns),
            public_test=prepare.public_test,
        )

    @property
    def submission_columns(self) -> list[str]:
        return _unique([self.id_column, *self.targets])

    @property
    def answer_columns(self) -> list[str]:
        return _unique([self.id_column, *self.targets, *self.extra_answer_columns])

    def column_types(self) -> dict[str, pa.DataType]:
        as_text = [self.id_column, *(self.targets if self.text else ())]
        return dict.fromkeys(as_text, pa.string())


@dataclass(frozen=True)
class Aligned:
    """Answers and submission, one row per id in the answers' order (same length, same ids)."""

    truth: pd.DataFrame
    pred: pd.DataFrame


@dataclass(frozen=True)
class Invalid:
    error: str
    submission_exists: bool = True


class _Reject(Exception):
    """Internal: carries the sentence of the first failed check."""

    def __init__(self, sentence: str, submission_exists: bool = True):
        super().__init__(sentence)
        self.submission_exists = submission_exists


def read_answers(path: Path, rules: SubmissionRules) -> pa.Table:
    """The answer columns the metric needs (id, targets, extra columns); others are not read."""
    path = Path(path)
    if not path.is_file():
        raise AnswersError(f"answers file {path} does not exist")
    options = pacsv.ConvertOptions(column_types=rules.column_types(), include_columns=rules.answer_columns)
    try:
        answers = pacsv.read_csv(path, convert_options=options)
    except KeyError as error:  # pyarrow's ArrowKeyError: an include_columns name is absent
        absent = re.search(r"Column '(.*)' in include_columns", str(error))
        column = repr(absent.group(1)) if absent else "a column"
        raise AnswersError(
            f"answers file {path} has no column {column}; the grader needs {', '.join(rules.answer_columns)}"
        ) from None
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise AnswersError(f"answers file {path} is not a readable CSV: {error}") from None
    ids = answers.column(rules.id_column)
    if len(pc.unique(ids)) != len(ids):  # one hash pass; the example is found only when needed
        example = _duplicated(ids)[0][0]
        raise AnswersError(f"answers file {path} repeats ids, e.g. {example!r}; re-prepare the data")
    return answers


def check_submission(path: Path, answers: pa.Table, rules: SubmissionRules) -> Aligned | Invalid:
    """Run every check in order; the first failure is the submission's error sentence."""
    path = Path(path)
    try:
        table = _read_submission(path, rules)
        _check_columns(table, path.name, rules)
        pred = _align(table, answers, path.name, rules)
        _check_values(pred, path.name, rules)
    except _Reject as reject:
        return Invalid(str(reject), reject.submission_exists)
    return Aligned(truth=_to_pandas(answers), pred=_to_pandas(pred))


def _read_submission(path: Path, rules: SubmissionRules) -> pa.Table:
    _check_file(path)
    _check_text(path)
    options = pacsv.ConvertOptions(column_types=rules.column_types())
    try:
        table = pacsv.read_csv(path, convert_options=options)
    except UnicodeDecodeError:
        raise _Reject(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV") from None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        raise _Reject(_csv_error_sentence(path.name, str(error))) from None
    if not _is_utf8(table):
        raise _Reject(f"{path.name} is not UTF-8 text; save it as UTF-8 CSV")
    return table


def _is_utf8(table: pa.Table) -> bool:
    # pyarrow reads undecodable cells as binary columns and keeps undecodable header bytes,
    # which only fail when the names are decoded.
    try:
        table.schema.names  # noqa: B018 - decoding the names is the check
    except UnicodeDecodeError:
        return False
    return not any(pa.types.is_binary(field.type) for field in table.schema)


def _check_file(path: Path) -> None:
    # Like MLE-bench, a submission "exists" only as a file named *.csv.
    if not path.exists():
        raise _Reject(f"no submission at {path}; write the predictions to submission.csv", False)
    if not path.is_file():
        raise _Reject(f"{path} is a directory, not a CSV file", False)
    if path.suffix.lower() != ".csv":
        raise _Reject(f"{path.name} is not a .csv file; write the submission as CSV", False)


def _check_text(path: Path) -> None:
    with path.open("rb") as file:
        head = file.read(SNIFF_BYTES)
    if not head.strip():
        raise _Reject(f"{path.name} is empty; write a header row, then one row per id")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _Reject(f"{path.name} is UTF-16 text; save it as UTF-8 CSV")
    if b"\x00" in head:
        raise _Reject(f"{path.name} is a binary file, not a CSV text file")


def _csv_error_sentence(name: str, message: str) -> str:
    detail = message.removeprefix("CSV parse error: ").strip()
    if "Empty CSV" in detail:
        return f"{name} has no complete header row; write a header row, then one row per id"
    if "UTF8" in detail or "UTF-8" in detail:
        return f"{name} is not UTF-8 text; save it as UTF-8 CSV"
    return f"{name} is not a well-formed CSV: {_shorten(detail)}"


def _check_columns(table: pa.Table, name: str, rules: SubmissionRules) -> None:
    names = table.schema.names
    repeated = [column for column, count in Counter(names).items() if count > 1]
    if repeated:
        raise _Reject(f"{name} has the column {repeated[0]!r} more than once; keep one")
    for column in rules.submission_columns:
        if column not in names:
            raise _Reject(
                f"{name} is missing the column {column!r}{_did_you_mean(column, names)}; "
                f"the submission needs the columns {', '.join(rules.submission_columns)}"
            )


def _align(table: pa.Table, answers: pa.Table, name: str, rules: SubmissionRules) -> pa.Table:
    ids = table.column(rules.id_column).combine_chunks()
    truth_ids = answers.column(rules.id_column).combine_chunks()
    _check_ids_present(ids, name, rules.id_column)
    # One hash pass decides the common case: every (unique) answer id found, and exactly as many
    # rows as answers, means the submission is a permutation of the answers' ids.
    positions = pc.index_in(truth_ids, value_set=ids)
    if positions.null_count or len(ids) != len(truth_ids):
        _reject_id_mismatch(ids, truth_ids, name, rules.public_test)
    return table.take(positions)


def _reject_id_mismatch(ids: pa.Array, truth_ids: pa.Array, name: str, public_test: str) -> NoReturn:
    """Find what is wrong with the ids (slower passes), in the order a user would fix it."""
    _check_ids_unique(ids, name)
    _check_id_sets(ids, truth_ids, name, public_test)
    # Unique ids, same set: the counts cannot differ; kept so that every path names a problem.
    raise _Reject(f"{name} has {len(ids)} rows, the answers {len(truth_ids)}; write one row per id of {public_test}")


def _check_ids_present(ids: pa.Array, name: str, id_column: str) -> None:
    empty = pc.sum(pc.equal(pc.utf8_length(ids), 0)).as_py() or 0
    if empty:
        rows = _plural(empty, "row", "rows")
        raise _Reject(f"{name} has {rows} with an empty {id_column!r}; every row needs an id")


def _check_ids_unique(ids: pa.Array, name: str) -> None:
    duplicated = _duplicated(ids)
    if duplicated:
        example, times = duplicated[0]
        count = _plural(len(duplicated), "duplicate id", "duplicate ids")
        raise _Reject(f"{name} has {count}, e.g. {example!r} ({times} times); write each id once")


def _check_id_sets(ids: pa.Array, truth_ids: pa.Array, name: str, public_test: str) -> None:
    missing = truth_ids.filter(pc.invert(pc.is_in(truth_ids, value_set=ids)))
    if len(missing):
        count, example = _plural(len(missing), "id", "ids"), missing[0].as_py()
        raise _Reject(
            f"{name} is missing {count} of the answers, e.g. {example!r}; write one row per id of {public_test}"
        )
    extra = ids.filter(pc.invert(pc.is_in(ids, value_set=truth_ids)))
    if len(extra):
        count, example = _plural(len(extra), "id that is", "ids that are"), extra[0].as_py()
        raise _Reject(f"{name} has {count} not in the answers, e.g. {example!r}; write only the ids of {public_test}")


def _duplicated(ids: pa.Array | pa.ChunkedArray) -> list[tuple[str, int]]:
    counts = pc.value_counts(ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    return [(item["values"], item["counts"]) for item in repeated.to_pylist()]


def _check_values(pred: pa.Table, name: str, rules: SubmissionRules) -> None:
    if not rules.numeric:
        return
    ids = pred.column(rules.id_column)
    for target in rules.targets:
        where = f"{name} column {target!r}"
        values = _as_numbers(pred.column(target), ids, where)
        for mask, problem, fix in _number_checks(values, rules.probabilities):
            if found := _flagged(mask, ids):
                count, first_id = found
                raise _Reject(f"{where} has {_plural(count, *problem)}, e.g. at id {first_id!r}; {fix}")


def _number_checks(values: pa.ChunkedArray, probabilities: bool) -> list[tuple[pa.ChunkedArray, tuple[str, str], str]]:
    """(rows flagged, what is wrong (one, many), what to do) per check, in reporting order."""
    needs = "every row needs a finite number"
    checks = [
        (
            pc.is_null(values, nan_is_null=True),
            ("empty or NaN value", "empty or NaN values"),
            needs,
        ),
        (pc.is_inf(values), ("infinite value", "infinite values"), needs),
    ]
    if probabilities:
        checks.append(
            (
                _outside_unit(values),
                ("value outside [0, 1]", "values outside [0, 1]"),
                "probabilities must be between 0 and 1",
            )
        )
    return checks


def _outside_unit(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.or_(pc.less(values, 0), pc.greater(values, 1))


def _as_numbers(values: pa.ChunkedArray, ids: pa.ChunkedArray, where: str) -> pa.ChunkedArray:
    """The column as float64 for checking (the submission itself keeps its own types)."""
    try:
        return values.cast(pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        row = _first_non_number(values)
        value, row_id = values[row].as_py(), ids[row].as_py()
        raise _Reject(f"{where} must hold numbers, but has {value!r} at id {row_id!r}") from None


def _first_non_number(values: pa.ChunkedArray) -> int:
    for row, value in enumerate(values.to_pylist()):
        try:
            float(value)
        except (TypeError, ValueError):
            return row
    return 0  # pyarrow refused a value Python accepts (e.g. "1_000"): point at the first row


def _flagged(mask: pa.ChunkedArray, ids: pa.ChunkedArray) -> tuple[int, object] | None:
    """(how many rows are flagged, the id of the first) or None when no row is."""
    mask = pc.fill_null(mask, False)
    count = pc.sum(mask).as_py() or 0
    if not count:
        return None
    return count, ids[pc.index(mask, True).as_py()].as_py()


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas()


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    lowered = {choice.strip().lower(): choice for choice in choices}
    close = [lowered[word.lower()]] if word.lower() in lowered else []
    close = close or difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}? names are case-sensitive)" if close else ""


def _shorten(text: str, limit: int = 160) -> str:
    line = text.splitlines()[0] if text else text
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))
