"""Checksums: byte hashes, content digests that survive formatting changes, and `verify`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from podium.runtime.data.checksums import (
    DONE_MARKER,
    DoneMarker,
    Problem,
    checksum_files,
    table_checksum,
    verify,
)

TABLE = 'id,score,name,count\na,0.1,x y,3\nb,1e-07,,4\nc,2.5,"q,r",\n'


def digest_of(tmp_path: Path, text: str, id_column: str | None = "id") -> str:
    path = tmp_path / "table.csv"
    path.write_text(text)
    return table_checksum(path, id_column).digest


@pytest.mark.parametrize(
    "same_content",
    [
        'score,id,count,name\n0.1,a,3,x y\n1e-07,b,4,\n2.5,c,,"q,r"\n',  # columns reordered
        'id,score,name,count\nc,2.5,"q,r",\nb,1e-07,,4\na,0.1,x y,3\n',  # rows reordered
        'id,score,name,count\na,0.10,x y,3.0\nb,1E-07,,4.0\nc,2.50,"q,r",\n',  # numbers reformatted
        'id,score,name,count\r\na,0.1,x y,3\r\nb,1e-07,,4\r\nc,2.5,"q,r",\r\n',  # line endings
    ],
)
def test_content_digest_ignores_formatting(tmp_path: Path, same_content: str) -> None:
    assert digest_of(tmp_path, same_content) == digest_of(tmp_path, TABLE)


@pytest.mark.parametrize(
    "changed",
    [
        TABLE.replace("0.1,", "0.2,"),  # a value
        TABLE.replace("x y", "x  y"),  # text is compared as is
        TABLE.replace(",,4", ",0,4"),  # missing is not zero
        TABLE.replace('\nc,2.5,"q,r",\n', "\n"),  # a row
        TABLE.replace("count", "total"),  # a column name
    ],
)
def test_content_digest_sees_content_changes(tmp_path: Path, changed: str) -> None:
    assert digest_of(tmp_path, changed) != digest_of(tmp_path, TABLE)


def test_ids_are_compared_as_text(tmp_path: Path) -> None:
    assert digest_of(tmp_path, "id,y\n007,1\n") != digest_of(tmp_path, "id,y\n7,1\n")


def test_large_integers_stay_exact(tmp_path: Path) -> None:
    # 2**53 + 1 and 2**53 are the same float; the digest must still tell them apart.
    assert digest_of(tmp_path, "id,n\na,9007199254740993\n") != digest_of(tmp_path, "id,n\na,9007199254740992\n")


def test_table_checksum_counts_rows_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "table.csv"
    path.write_text(TABLE)
    checksum = table_checksum(path, "id")
    assert (checksum.rows, checksum.columns) == (3, ["count", "id", "name", "score"])


def prepared_folder(tmp_path: Path) -> Path:
    """A prepared folder with its marker, as `prepare` leaves it."""
    prepared = tmp_path / "prepared"
    (prepared / "public").mkdir(parents=True)
    (prepared / "private").mkdir()
    (prepared / "public" / "train.csv").write_text(TABLE)
    (prepared / "public" / "description.md").write_text("# Toy\n")
    (prepared / "private" / "test.csv").write_text("id,label\nd,1\ne,0\n")
    DoneMarker(
        competition_id="toy",
        spec_sha256="0" * 64,
        data_sha256="1" * 64,
        id_column="id",
        created_at="2026-01-01T00:00:00+00:00",
        files=checksum_files(prepared, "id"),
    ).write(prepared)
    return prepared


def test_verify_passes_on_untouched_files(tmp_path: Path) -> None:
    assert verify(prepared_folder(tmp_path)) == []


def test_marker_records_every_file_with_table_digests(tmp_path: Path) -> None:
    record = json.loads((prepared_folder(tmp_path) / DONE_MARKER).read_text())
    assert sorted(record["files"]) == ["private/test.csv", "public/description.md", "public/train.csv"]
    assert record["files"]["public/description.md"]["table"] is None
    assert record["files"]["private/test.csv"]["table"]["rows"] == 2


def test_verify_reports_a_changed_value(tmp_path: Path) -> None:
    prepared = prepared_folder(tmp_path)
    (prepared / "private" / "test.csv").write_text("id,label\nd,0\ne,0\n")
    assert verify(prepared) == [
        Problem(
            "private/test.csv",
            "error",
            "content differs: same 2 rows and 2 columns, but values changed",
        )
    ]


def test_verify_reports_row_and_column_changes(tmp_path: Path) -> None:
    prepared = prepared_folder(tmp_path)
    (prepared / "public" / "train.csv").write_text("id,score,name,extra\na,0.1,x y,1\n")
    (problem,) = verify(prepared)
    assert problem.severity == "error"
    assert problem.message == "content differs: rows 3 → 1; columns added: extra; columns removed: count"


def test_verify_warns_only_when_formatting_changed(tmp_path: Path) -> None:
    prepared = prepared_folder(tmp_path)
    (prepared / "public" / "train.csv").write_text(TABLE.replace("1e-07", "1E-07"))
    (problem,) = verify(prepared)
    assert problem.severity == "warning" and "content is the same" in problem.message


def test_verify_reports_missing_and_unexpected_files(tmp_path: Path) -> None:
    prepared = prepared_folder(tmp_path)
    (prepared / "public" / "description.md").unlink()
    (prepared / "public" / "notes.txt").write_text("added later")
    assert verify(prepared) == [
        Problem("public/description.md", "error", "missing"),
        Problem("public/notes.txt", "warning", "not in the record (added after preparing)"),
    ]


def test_verify_reports_a_changed_non_table_file(tmp_path: Path) -> None:
    prepared = prepared_folder(tmp_path)
    (prepared / "public" / "description.md").write_text("# Changed\n")
    (problem,) = verify(prepared)
    assert problem == Problem("public/description.md", "error", "bytes differ (6 → 10 bytes)")


def test_verify_without_a_marker_says_to_prepare(tmp_path: Path) -> None:
    prepared = prepared_folder(tmp_path)
    (prepared / DONE_MARKER).unlink()
    (problem,) = verify(prepared)
    assert problem.severity == "error" and "podium prepare --force" in problem.message
    (missing,) = verify(tmp_path / "nowhere")
    assert "does not exist; run `podium prepare` first" in missing.message
