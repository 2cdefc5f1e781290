"""Submission checks: everything that can be wrong with a submission, found before any math.

`check_submission` reads the submission CSV with pyarrow, checks it against the answers and
returns either the two frames aligned row for row (`Aligned`) or one sentence saying exactly
what is wrong and what to write instead (`Invalid`). It never raises for a bad submission: an
invalid submission is a grading result, not a crash.

Ids are always read as strings, so an id like "0012_01" or "007" keeps its zeros and the ids
of the answers and of the submission compare as text.

A row is found by its key: the id column, or the id and the spec's `key_columns` together (a
composite key). `rows_per_key` says how often a key may appear (once; repeated on both sides and
paired in order; repeated in the answers only and grouped for the metric), `submission_columns`
renames targets the submission writes under MLE-bench's names, and `extra_ids: ignore` drops
submission rows the answers do not grade. `podium.runtime.spec.Prepare` explains each with the
competitions that need it.

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
    from podium.runtime.spec.parts import ExtraIds, RowsPerKey

# Grader input kinds whose submission columns must hold finite numbers.
NUMERIC_INPUTS = frozenset({"probabilities", "numbers", "one-hot"})
# Grader input kinds whose columns are text (masks, lists, boxes): read as strings, never inferred,
# so an empty mask stays "" and "1 2" never turns into a number.
TEXT_INPUTS = frozenset({"strings", "ranked-list", "rle-mask", "boxes", "points"})
SNIFF_BYTES = 64 * 1024
# Joins the parts of a composite key (and a paired key's occurrence) into one string to hash.
# The ASCII unit separator does not occur in real CSV ids, so joined keys cannot collide.
KEY_SEPARATOR = "\x1f"


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
    key_columns: tuple[str, ...] = ()
    rows_per_key: RowsPerKey = "one"
    renamed: tuple[tuple[str, str], ...] = ()  # (target, its name in the submission)
    extra_ids: ExtraIds = "reject"

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
            key_columns=tuple(prepare.key_columns),
            rows_per_key=prepare.rows_per_key,
            renamed=tuple(prepare.submission_columns.items()),
            extra_ids=prepare.extra_ids,
        )

    @property
    def key(self) -> list[str]:
        return _unique([self.id_column, *self.key_columns])

    def submission_name(self, target: str) -> str:
        return dict(self.renamed).get(target, target)

    @property
    def submission_columns(self) -> list[str]:
        return _unique([*self.key, *map(self.submission_name, self.targets)])

    @property
    def answer_columns(self) -> list[str]:
        # Grouped answers hold the truth in their extra columns; the targets are the submission's.
        targets = () if self.rows_per_key == "grouped" else self.targets
        return _unique([*self.key, *targets, *self.extra_answer_columns])

    def column_types(self) -> dict[str, pa.DataType]:
        text_targets = [*self.targets, *map(self.submission_name, self.targets)] if self.text else []
        return dict.fromkeys([*self.key, *text_targets], pa.string())

    def row_noun(self) -> tuple[str, str]:
        """Sentences speak of ids when one id column finds each row, of rows otherwise."""
        return ("id", "ids") if self.key_words() == "id" else ("row", "rows")

    def key_words(self) -> str:
        """What a row is identified by, as in "write one row per ___ of test.csv"."""
        if self.rows_per_key == "paired":
            return "row"
        return "id" if len(self.key) == 1 else " and ".join(self.key)

    def show_key(self, key: str) -> str:
        """A joined key as a reader knows it: '0012_01', (id='a', class='stomach'), row 2 of eeg_id '7'."""
        parts = key.split(KEY_SEPARATOR)
        occurrence = int(parts.pop()) + 1 if self.rows_per_key == "paired" else None
        if len(parts) == 1 and occurrence is None:
            return repr(parts[0])
        if len(parts) == 1:
            return f"row {occurrence} of {self.id_column} {parts[0]!r}"
        shown = "(" + ", ".join(f"{column}={value!r}" for column, value in zip(self.key, parts, strict=True)) + ")"
        return shown if occurrence is None else f"row {occurrence} of {shown}"


@dataclass(frozen=True)
class Aligned:
    """Answers and submission, row for row in the answers' order (same length, same keys).

    With `rows_per_key: grouped` the truth keeps every answer row and the submission has one
    row per key, in the order the keys first appear in the answers.
    """

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
    """The answer columns the metric needs (key, targets, extra columns); others are not read."""
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
    if rules.rows_per_key == "one":
        keys = _row_keys(answers, rules)
        if len(pc.unique(keys)) != len(keys):  # one hash pass; the example is found only when needed
            example = rules.show_key(_duplicated(keys)[0][0])
            raise AnswersError(
                f"answers file {path} repeats {rules.row_noun()[1]}, e.g. {example}; re-prepare the data"
            )
    return answers


def check_submission(path: Path, answers: pa.Table, rules: SubmissionRules) -> Aligned | Invalid:
    """Run every check in order; the first failure is the submission's error sentence."""
    path = Path(path)
    try:
        table = _read_submission(path, rules)
        _check_columns(table, path.name, rules)
        table = _with_answer_names(table, rules)
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


def _with_answer_names(table: pa.Table, rules: SubmissionRules) -> pa.Table:
    """Targets written under MLE-bench's submission names, renamed to the answers' names for the metric."""
    if not rules.renamed:
        return table
    answer_name = {submitted: target for target, submitted in rules.renamed}
    # A column already named like the answers' target is not the prediction: the submission name is.
    table = table.drop_columns([column for column in table.column_names if column in dict(rules.renamed)])
    return table.rename_columns([answer_name.get(column, column) for column in table.column_names])


def _row_keys(table: pa.Table, rules: SubmissionRules) -> pa.Array:
    """One string per row that identifies it: the id, the joined composite key, plus the occurrence if paired."""
    columns = [table.column(column).combine_chunks() for column in rules.key]
    keys = columns[0] if len(columns) == 1 else pc.binary_join_element_wise(*columns, KEY_SEPARATOR)
    if rules.rows_per_key != "paired":
        return keys
    import pandas as pd  # only paired keys need it; the common path stays in pyarrow

    # The n-th row of a key (n from 0, in file order) pairs with the n-th answer row of that key.
    codes = pc.dictionary_encode(keys).indices.to_numpy(zero_copy_only=False)
    occurrence = pd.Series(codes).groupby(codes).cumcount().to_numpy(dtype="int64")
    return pc.binary_join_element_wise(keys, pa.array(occurrence).cast(pa.string()), KEY_SEPARATOR)


def _align(table: pa.Table, answers: pa.Table, name: str, rules: SubmissionRules) -> pa.Table:
    _check_keys_present(table, name, rules)
    ids = _row_keys(table, rules)
    truth_ids = _row_keys(answers, rules)
    if rules.rows_per_key == "grouped":
        truth_ids = pc.unique(truth_ids)  # in order of first appearance
    # One hash pass decides the common case: every (unique) answer key found, and exactly as many
    # rows as answers, means the submission is a permutation of the answers' keys.
    positions = pc.index_in(truth_ids, value_set=ids)
    if positions.null_count or not _one_row_per_answer(ids, truth_ids, rules):
        _reject_id_mismatch(ids, truth_ids, name, rules)
    return table.take(positions)


def _one_row_per_answer(ids: pa.Array, truth_ids: pa.Array, rules: SubmissionRules) -> bool:
    """With every answer key found: no key twice and, unless extras are ignored, nothing more."""
    if len(ids) == len(truth_ids):
        return True
    return rules.extra_ids == "ignore" and len(pc.unique(ids)) == len(ids)


def _reject_id_mismatch(ids: pa.Array, truth_ids: pa.Array, name: str, rules: SubmissionRules) -> NoReturn:
    """Find what is wrong with the keys (slower passes), in the order a user would fix it."""
    _check_ids_unique(ids, name, rules)
    _check_id_sets(ids, truth_ids, name, rules)
    # Unique keys, same set: the counts cannot differ; kept so that every path names a problem.
    raise _Reject(
        f"{name} has {len(ids)} rows, the answers {len(truth_ids)}; "
        f"write one row per {rules.key_words()} of {rules.public_test}"
    )


def _check_keys_present(table: pa.Table, name: str, rules: SubmissionRules) -> None:
    for column in rules.key:
        values = table.column(column)
        empty = pc.sum(pc.equal(pc.utf8_length(values), 0)).as_py() or 0
        if empty:
            rows = _plural(empty, "row", "rows")
            needs = "an id" if len(rules.key) == 1 else f"its {' and '.join(rules.key)}"
            raise _Reject(f"{name} has {rows} with an empty {column!r}; every row needs {needs}")


def _check_ids_unique(ids: pa.Array, name: str, rules: SubmissionRules) -> None:
    duplicated = _duplicated(ids)
    if duplicated:
        example, times = duplicated[0]
        one, many = rules.row_noun()
        count = _plural(len(duplicated), f"duplicate {one}", f"duplicate {many}")
        each = rules.key_words()
        raise _Reject(f"{name} has {count}, e.g. {rules.show_key(example)} ({times} times); write each {each} once")


def _check_id_sets(ids: pa.Array, truth_ids: pa.Array, name: str, rules: SubmissionRules) -> None:
    one, many = rules.row_noun()
    missing = truth_ids.filter(pc.invert(pc.is_in(truth_ids, value_set=ids)))
    if len(missing):
        count, example = _plural(len(missing), one, many), rules.show_key(missing[0].as_py())
        in_order = ", in its order" if rules.rows_per_key == "paired" else ""
        raise _Reject(
            f"{name} is missing {count} of the answers, e.g. {example}; "
            f"write one row per {rules.key_words()} of {rules.public_test}{in_order}"
        )
    if rules.extra_ids == "ignore":
        return
    extra = ids.filter(pc.invert(pc.is_in(ids, value_set=truth_ids)))
    if len(extra):
        count = _plural(len(extra), f"{one} that is", f"{many} that are")
        raise _Reject(
            f"{name} has {count} not in the answers, e.g. {rules.show_key(extra[0].as_py())}; "
            f"write only the {many} of {rules.public_test}"
        )


def _duplicated(ids: pa.Array | pa.ChunkedArray) -> list[tuple[str, int]]:
    counts = pc.value_counts(ids)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1))
    return [(item["values"], item["counts"]) for item in repeated.to_pylist()]


def _check_values(pred: pa.Table, name: str, rules: SubmissionRules) -> None:
    if not rules.numeric:
        return
    ids = pred.column(rules.id_column)
    for target in rules.targets:
        where = f"{name} column {rules.submission_name(target)!r}"
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
