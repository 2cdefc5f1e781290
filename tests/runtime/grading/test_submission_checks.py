"""Submission checks: each one, in order, with the sentence it gives; and malformed input fuzzed."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from toy_competition import toy_competition

from podium.runtime.grading.grade import grade_submission
from podium.runtime.grading.submission import (
    Aligned,
    AnswersError,
    Invalid,
    SubmissionRules,
    check_submission,
    read_answers,
)
from podium.runtime.spec import ResolvedCompetition

IDS = ["0012_01", "0013_01", "0014_01", "0015_01"]
LABELS = ["True", "False", "True", "False"]
LABEL_RULES = SubmissionRules("PassengerId", ("Transported",))
PROB_RULES = SubmissionRules("id", ("p",), numeric=True, probabilities=True)
NUMBER_RULES = SubmissionRules("id", ("y",), numeric=True)


def competition(**grader: Any) -> ResolvedCompetition:
    """A minimal resolved competition: PassengerId -> Transported, graded by accuracy."""
    return toy_competition("toy-titanic", grader=grader, name="Toy Titanic")


def write(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def csv(header: str, rows: Sequence[tuple[str, ...]]) -> str:
    return header + "\n" + "".join(",".join(row) + "\n" for row in rows)


@pytest.fixture
def label_answers(tmp_path: Path) -> Any:
    text = csv("PassengerId,HomePlanet,Transported", [(i, "Earth", y) for i, y in zip(IDS, LABELS, strict=True)])
    return read_answers(write(tmp_path / "answers.csv", text), LABEL_RULES)


@pytest.fixture
def prob_answers(tmp_path: Path) -> Any:
    return read_answers(write(tmp_path / "answers.csv", csv("id,p", [("1", "0"), ("2", "1"), ("3", "0")])), PROB_RULES)


def check(tmp_path: Path, text: str | bytes, answers: Any, rules: SubmissionRules, name: str = "submission.csv") -> Any:
    return check_submission(write(tmp_path / name, text), answers, rules)


def error_of(result: Aligned | Invalid) -> str:
    assert isinstance(result, Invalid), f"expected an invalid submission, got {result}"
    return result.error


# --- the file ---------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path, label_answers: Any) -> None:
    result = check_submission(tmp_path / "submission.csv", label_answers, LABEL_RULES)
    assert isinstance(result, Invalid) and not result.submission_exists
    assert result.error.startswith("no submission at ")


def test_directory_is_not_a_submission(tmp_path: Path, label_answers: Any) -> None:
    (tmp_path / "submission.csv").mkdir()
    result = check_submission(tmp_path / "submission.csv", label_answers, LABEL_RULES)
    assert "is a directory" in error_of(result)


def test_not_a_csv_file(tmp_path: Path, label_answers: Any) -> None:
    result = check(tmp_path, "PassengerId,Transported\n", label_answers, LABEL_RULES, name="submission.txt")
    assert error_of(result) == "submission.txt is not a .csv file; write the submission as CSV"
    assert isinstance(result, Invalid) and not result.submission_exists  # MLE-bench's meaning


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_empty_file(tmp_path: Path, label_answers: Any, text: str) -> None:
    assert "submission.csv is empty" in error_of(check(tmp_path, text, label_answers, LABEL_RULES))


def test_binary_file(tmp_path: Path, label_answers: Any) -> None:
    error = error_of(check(tmp_path, b"PK\x03\x04\x00\x00binary", label_answers, LABEL_RULES))
    assert error == "submission.csv is a binary file, not a CSV text file"


def test_utf16_file(tmp_path: Path, label_answers: Any) -> None:
    text = csv("PassengerId,Transported", [(i, y) for i, y in zip(IDS, LABELS, strict=True)])
    error = error_of(check(tmp_path, text.encode("utf-16"), label_answers, LABEL_RULES))
    assert "UTF-16" in error


@pytest.mark.parametrize(
    "data",
    [b"PassengerId,Transported\n0012_01,\xff\xfe\n", b"Passenger\xffId,Transported\n0012_01,True\n"],
    ids=["value", "header"],
)
def test_invalid_utf8(tmp_path: Path, label_answers: Any, data: bytes) -> None:
    assert "is not UTF-8 text" in error_of(check(tmp_path, data, label_answers, LABEL_RULES))


def test_utf8_with_bom_is_fine(tmp_path: Path, label_answers: Any) -> None:
    text = "\ufeff" + csv("PassengerId,Transported", [(i, y) for i, y in zip(IDS, LABELS, strict=True)])
    assert isinstance(check(tmp_path, text, label_answers, LABEL_RULES), Aligned)


def test_ragged_rows(tmp_path: Path, label_answers: Any) -> None:
    error = error_of(check(tmp_path, "PassengerId,Transported\n0012_01,True,extra\n", label_answers, LABEL_RULES))
    assert error.startswith("submission.csv is not a well-formed CSV: Expected 2 columns, got 3")


def test_header_without_newline_or_rows(tmp_path: Path, label_answers: Any) -> None:
    assert "no complete header row" in error_of(check(tmp_path, "PassengerId,Transported", label_answers, LABEL_RULES))
    header_only = error_of(check(tmp_path, "PassengerId,Transported\n", label_answers, LABEL_RULES))
    assert header_only.startswith("submission.csv is missing 4 ids of the answers")


# --- columns ---------------------------------------------------------------------------------


def test_missing_column_suggests_the_near_miss(tmp_path: Path, label_answers: Any) -> None:
    text = csv("PassengerId,transported", [(i, y) for i, y in zip(IDS, LABELS, strict=True)])
    error = error_of(check(tmp_path, text, label_answers, LABEL_RULES))
    assert error.startswith("submission.csv is missing the column 'Transported' (did you mean 'transported'?")
    assert error.endswith("the submission needs the columns PassengerId, Transported")


def test_missing_id_column(tmp_path: Path, label_answers: Any) -> None:
    error = error_of(check(tmp_path, csv("Transported", [(y,) for y in LABELS]), label_answers, LABEL_RULES))
    assert "missing the column 'PassengerId'" in error


def test_repeated_column(tmp_path: Path, label_answers: Any) -> None:
    text = csv("PassengerId,Transported,Transported", [(i, y, y) for i, y in zip(IDS, LABELS, strict=True)])
    assert "has the column 'Transported' more than once" in error_of(check(tmp_path, text, label_answers, LABEL_RULES))


def test_extra_columns_are_allowed_and_kept(tmp_path: Path, label_answers: Any) -> None:
    text = csv("Note,PassengerId,Transported", [("x", i, y) for i, y in zip(IDS, LABELS, strict=True)])
    result = check(tmp_path, text, label_answers, LABEL_RULES)
    assert isinstance(result, Aligned) and "Note" in result.pred.columns


# --- ids -------------------------------------------------------------------------------------


def test_duplicate_ids_say_how_many_and_an_example(tmp_path: Path, label_answers: Any) -> None:
    rows = [(i, y) for i, y in zip(IDS, LABELS, strict=True)] + [("0013_01", "True"), ("0013_01", "False")]
    error = error_of(check(tmp_path, csv("PassengerId,Transported", rows), label_answers, LABEL_RULES))
    assert error == "submission.csv has 1 duplicate id, e.g. '0013_01' (3 times); write each id once"


def test_missing_ids_sentence(tmp_path: Path, label_answers: Any) -> None:
    error = error_of(check(tmp_path, csv("PassengerId,Transported", [("0012_01", "True")]), label_answers, LABEL_RULES))
    assert error == "submission.csv is missing 3 ids of the answers, e.g. '0013_01'; write one row per id of test.csv"


def test_extra_ids(tmp_path: Path, label_answers: Any) -> None:
    rows = [(i, y) for i, y in zip(IDS, LABELS, strict=True)] + [("9999_01", "True")]
    error = error_of(check(tmp_path, csv("PassengerId,Transported", rows), label_answers, LABEL_RULES))
    assert error == (
        "submission.csv has 1 id that is not in the answers, e.g. '9999_01'; write only the ids of test.csv"
    )


def test_ids_keep_leading_zeros(tmp_path: Path) -> None:
    rules = SubmissionRules("id", ("y",))
    answers = read_answers(write(tmp_path / "answers.csv", "id,y\n007,a\n08,b\n"), rules)
    assert answers.column("id").to_pylist() == ["007", "08"]
    error = error_of(check(tmp_path, "id,y\n7,a\n8,b\n", answers, rules))
    assert "missing 2 ids of the answers, e.g. '007'" in error


def test_empty_id(tmp_path: Path, label_answers: Any) -> None:
    rows = [(i, y) for i, y in zip(IDS, LABELS, strict=True)] + [("", "True")]
    error = error_of(check(tmp_path, csv("PassengerId,Transported", rows), label_answers, LABEL_RULES))
    assert error == "submission.csv has 1 row with an empty 'PassengerId'; every row needs an id"


def test_any_order_is_aligned_to_the_answers(tmp_path: Path, label_answers: Any) -> None:
    rows = list(reversed([(i, y) for i, y in zip(IDS, LABELS, strict=True)]))
    result = check(tmp_path, csv("PassengerId,Transported", rows), label_answers, LABEL_RULES)
    assert isinstance(result, Aligned)
    assert result.pred["PassengerId"].tolist() == IDS == result.truth["PassengerId"].tolist()
    assert len(result.pred) == len(result.truth)  # row counts equal, nothing to broadcast
    assert list(result.truth.columns) == ["PassengerId", "Transported"]  # HomePlanet is not read


def test_one_row_is_never_broadcast(tmp_path: Path, label_answers: Any) -> None:
    error = error_of(check(tmp_path, csv("PassengerId,Transported", [("0012_01", "True")]), label_answers, LABEL_RULES))
    assert "missing 3 ids" in error


# --- values ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "nan",
            "submission.csv column 'p' has 1 empty or NaN value, e.g. at id '2'; every row needs a finite number",
        ),
        ("", "submission.csv column 'p' has 1 empty or NaN value, e.g. at id '2'"),
        ("NaN", "has 1 empty or NaN value"),
        ("inf", "submission.csv column 'p' has 1 infinite value, e.g. at id '2'"),
        ("-inf", "has 1 infinite value"),
        ("abc", "submission.csv column 'p' must hold numbers, but has 'abc' at id '2'"),
        (
            "1.5",
            "submission.csv column 'p' has 1 value outside [0, 1], e.g. at id '2'; probabilities must be",
        ),
        ("-0.1", "has 1 value outside [0, 1]"),
    ],
)
def test_probability_values(tmp_path: Path, prob_answers: Any, value: str, expected: str) -> None:
    text = csv("id,p", [("1", "0.5"), ("2", value), ("3", "0.25")])
    assert expected in error_of(check(tmp_path, text, prob_answers, PROB_RULES))


def test_probability_bounds_are_inclusive(tmp_path: Path, prob_answers: Any) -> None:
    assert isinstance(check(tmp_path, "id,p\n1,0\n2,1\n3,0.5\n", prob_answers, PROB_RULES), Aligned)


def test_numbers_may_leave_the_unit_interval_but_not_be_nan(tmp_path: Path) -> None:
    answers = read_answers(write(tmp_path / "answers.csv", "id,y\n1,10\n2,20\n"), NUMBER_RULES)
    assert isinstance(check(tmp_path, "id,y\n1,-5\n2,1e9\n", answers, NUMBER_RULES), Aligned)
    assert "2 empty or NaN values, e.g. at id '1'" in error_of(check(tmp_path, "id,y\n1,\n2,\n", answers, NUMBER_RULES))


def test_labels_are_not_number_checked(tmp_path: Path, label_answers: Any) -> None:
    rows = [(i, "maybe") for i in IDS]
    assert isinstance(check(tmp_path, csv("PassengerId,Transported", rows), label_answers, LABEL_RULES), Aligned)


def test_text_inputs_stay_strings(tmp_path: Path) -> None:
    rules = SubmissionRules("id", ("mask",), text=True)
    answers = read_answers(write(tmp_path / "answers.csv", "id,mask\n1,1 3\n2,\n"), rules)
    result = check(tmp_path, "id,mask\n2,\n1,5\n", answers, rules)
    assert isinstance(result, Aligned)
    assert result.pred["mask"].tolist() == ["5", ""]
    assert result.truth["mask"].tolist() == ["1 3", ""]


# --- rules and answers -----------------------------------------------------------------------


def test_rules_come_from_the_grader_inputs() -> None:
    assert SubmissionRules.for_competition(competition()) == SubmissionRules("PassengerId", ("Transported",))
    probs = SubmissionRules.for_competition(competition(inputs=["probabilities"]))
    assert probs.numeric and probs.probabilities and not probs.text
    numbers = SubmissionRules.for_competition(competition(inputs=["numbers"]))
    assert numbers.numeric and not numbers.probabilities
    masks = SubmissionRules.for_competition(competition(inputs=["rle-mask", "numbers"]))
    assert masks.text and not masks.numeric


def test_answers_read_only_needed_columns(tmp_path: Path) -> None:
    rules = SubmissionRules("id", ("y",), extra_answer_columns=("weight",))
    answers = read_answers(write(tmp_path / "answers.csv", "junk,id,weight,y,more\nx,1,2,3,z\n"), rules)
    assert answers.column_names == ["id", "y", "weight"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,z\n1,2\n", "has no column 'y'; the grader needs id, y"),
        ("id,y\n1,2\n1,3\n", "repeats ids, e.g. '1'"),
        ("id,y\n1,2,3\n", "is not a readable CSV"),
    ],
)
def test_broken_answers_raise(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(AnswersError, match=message):
        read_answers(write(tmp_path / "answers.csv", text), NUMBER_RULES)


def test_absent_answers_raise(tmp_path: Path) -> None:
    with pytest.raises(AnswersError, match="does not exist"):
        read_answers(tmp_path / "answers.csv", NUMBER_RULES)


# --- property: malformed submissions give an invalid report, never an exception -------------

ANSWERS_TEXT = csv("PassengerId,Transported", [(i, y) for i, y in zip(IDS, LABELS, strict=True)])
GOOD_ROWS = [f"{i},{y}" for i, y in zip(IDS, LABELS, strict=True)]


def _rows(rows: list[str], header: str = "PassengerId,Transported") -> bytes:
    return (header + "\n" + "\n".join(rows) + "\n").encode()


malformed = st.one_of(
    st.binary(max_size=300),
    st.just(b""),
    st.lists(st.text(alphabet="abcXYZ,_ ", max_size=12), max_size=4).map(lambda cols: _rows(GOOD_ROWS, ",".join(cols))),
    st.integers(0, 3).map(lambda n: _rows(GOOD_ROWS[:n])),  # missing ids
    st.sampled_from(GOOD_ROWS).map(lambda row: _rows([*GOOD_ROWS, row])),  # duplicates
    st.text(alphabet="0123456789_", min_size=1, max_size=8).map(lambda i: _rows([*GOOD_ROWS, f"x{i},True"])),  # extra
    st.text(max_size=200).map(lambda text: text.encode("utf-8", "surrogatepass")),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=malformed)
def test_malformed_submissions_are_invalid_reports(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        answers = write(Path(folder) / "answers.csv", ANSWERS_TEXT)
        submission = write(Path(folder) / "submission.csv", data)
        report = grade_submission(submission, competition(), answers, None)
    assert report.valid_submission is False
    assert report.outcome == "invalid"
    assert report.score is None
    assert report.error and len(report.error) > 20 and "Traceback" not in report.error


@settings(max_examples=60, deadline=None)
@given(value=st.one_of(st.just("nan"), st.just("inf"), st.just(""), st.floats(min_value=1.0001, max_value=1e6)))
def test_bad_probabilities_are_invalid_reports(value: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        answers = write(Path(folder) / "answers.csv", csv("PassengerId,Transported", [(i, "1") for i in IDS]))
        rows = [(i, "0.5") for i in IDS[:3]] + [(IDS[3], str(value))]
        submission = write(Path(folder) / "submission.csv", csv("PassengerId,Transported", rows))
        report = grade_submission(
            submission, competition(implementation="log-loss", inputs=["probabilities"]), answers, None
        )
    assert not report.valid_submission and report.error
