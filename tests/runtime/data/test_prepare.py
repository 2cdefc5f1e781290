"""Declarative preparation: MLE-bench's split, the public/private layout, idempotence, atomicity."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GroupShuffleSplit, train_test_split
from toy_competition import toy_competition

from podium.runtime.data.prepare import DataError, prepare_competition
from podium.runtime.data.sources import FETCHED_MARKER
from podium.runtime.spec import ResolvedCompetition

ID, TARGET = "PassengerId", "Transported"


def write_raw_table(folder: Path, rows: int = 200, seed: int = 0) -> Path:
    """A small table with the awkward parts of real data: text ids, NA markers, floats, groups."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    frame = pd.DataFrame(
        {
            ID: [f"{i:04d}_{i % 3:02d}" for i in range(rows)],
            "Age": np.where(rng.random(rows) < 0.1, np.nan, rng.normal(30, 10, rows).round(3)),
            "Cabin": [("NA" if i % 7 == 0 else f"B/{i}/P") for i in range(rows)],
            "Spend": rng.random(rows) * 1e-7,
            "Family": rng.integers(0, 40, rows),
            "Secret": rng.integers(0, 2, rows),
            TARGET: rng.random(rows) < 0.5,
        }
    )
    path = folder / "train.csv"
    frame.to_csv(path, index=False)
    return path


def make_competition(data_folder: Path, source: dict[str, Any] | None = None, **prepare: Any) -> ResolvedCompetition:
    split = prepare.pop("split", {"from": "train.csv", "test_size": 0.1, "random_state": 0})
    return toy_competition(
        id_column=ID,
        targets=[TARGET],
        prepare={"split": split, **prepare},
        name="Toy",
        description="# Toy\nPredict Transported.\n",
        source=source or {"kind": "local", "path": str(data_folder)},
    )


@pytest.fixture
def raw_folder(tmp_path: Path) -> Path:
    write_raw_table(tmp_path / "source")
    return tmp_path / "source"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={ID: str})


def mlebench_recipe(raw: Path, **split: Any) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What an MLE-bench prepare.py does: pandas' reader, then train_test_split."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # float_precision is deprecated in pandas 3, still honoured
        table = pd.read_csv(raw, float_precision="round_trip")
    train, test = train_test_split(table, **split)
    return train, test


def test_split_reproduces_train_test_split_rows_order_and_bytes(raw_folder: Path, tmp_path: Path) -> None:
    result = prepare_competition(make_competition(raw_folder), tmp_path / "data")
    public = result.prepared_dir / "public"
    train, test = mlebench_recipe(raw_folder / "train.csv", test_size=0.1, random_state=0)
    assert (public / "train.csv").read_text() == train.to_csv(index=False)
    assert (public / "test.csv").read_text() == test.drop(columns=[TARGET]).to_csv(index=False)
    answers = read(result.prepared_dir / "private" / "test.csv")
    assert list(answers[ID]) == list(test[ID])
    assert result.rows == {
        "private/test.csv": 20,
        "public/sample_submission.csv": 20,
        "public/test.csv": 20,
        "public/train.csv": 180,
    }


def test_stratified_split_matches_scikit_learn(raw_folder: Path, tmp_path: Path) -> None:
    split = {"from": "train.csv", "test_size": 0.25, "random_state": 3, "stratify": TARGET}
    result = prepare_competition(make_competition(raw_folder, split=split), tmp_path / "data")
    raw = read(raw_folder / "train.csv")
    _, expected = train_test_split(raw, test_size=0.25, random_state=3, stratify=raw[TARGET])
    assert list(read(result.prepared_dir / "private" / "test.csv")[ID]) == list(expected[ID])


def test_group_split_never_puts_a_group_on_both_sides(raw_folder: Path, tmp_path: Path) -> None:
    split = {"from": "train.csv", "test_size": 0.3, "random_state": 1, "group": "Family"}
    competition = make_competition(raw_folder, split=split, extra_answer_columns=["Family"])
    result = prepare_competition(competition, tmp_path / "data")
    train = read(result.prepared_dir / "public" / "train.csv")
    test = read(result.prepared_dir / "private" / "test.csv")
    assert not set(train["Family"]) & set(test["Family"])
    raw = read(raw_folder / "train.csv")
    splitter = GroupShuffleSplit(n_splits=1, test_size=0.3, random_state=1)
    _, test_rows = next(splitter.split(raw, groups=raw["Family"]))
    assert list(test[ID]) == list(raw[ID].iloc[test_rows])


def test_public_and_private_never_share_an_id(raw_folder: Path, tmp_path: Path) -> None:
    prepared = prepare_competition(make_competition(raw_folder), tmp_path / "data").prepared_dir
    train_ids = set(read(prepared / "public" / "train.csv")[ID])
    answer_ids = list(read(prepared / "private" / "test.csv")[ID])
    assert not train_ids & set(answer_ids)
    assert list(read(prepared / "public" / "test.csv")[ID]) == answer_ids
    assert len(train_ids) + len(answer_ids) == 200


def test_targets_and_hidden_columns_never_reach_public_test_files(raw_folder: Path, tmp_path: Path) -> None:
    competition = make_competition(raw_folder, drop_from_test=["Secret"], sample_submission={"fill": {TARGET: False}})
    prepared = prepare_competition(competition, tmp_path / "data").prepared_dir
    public_test = read(prepared / "public" / "test.csv")
    assert TARGET not in public_test.columns and "Secret" not in public_test.columns
    sample = read(prepared / "public" / "sample_submission.csv")
    assert set(sample[TARGET]) == {False}  # the fill constant, never a real label
    assert "Secret" in read(prepared / "public" / "train.csv").columns  # hidden from test only


def test_sample_submission_has_the_answers_ids_and_columns(raw_folder: Path, tmp_path: Path) -> None:
    prepared = prepare_competition(make_competition(raw_folder), tmp_path / "data").prepared_dir
    sample = read(prepared / "public" / "sample_submission.csv")
    answers = read(prepared / "private" / "test.csv")
    assert list(sample.columns) == [ID, TARGET]
    assert list(sample[ID]) == list(answers[ID])
    assert set(sample[TARGET]) == {0}  # no fill declared: a constant that leaks nothing


@pytest.mark.parametrize(
    ("answers_columns", "extra", "expected"),
    [
        ([], [], [ID, TARGET]),
        ([], ["Family"], [ID, TARGET, "Family"]),
        ("all", [], [ID, "Age", "Cabin", "Spend", "Family", "Secret", TARGET]),
        ([ID, "Age", TARGET], [], [ID, "Age", TARGET]),
    ],
)
def test_answers_columns(
    raw_folder: Path, tmp_path: Path, answers_columns: Any, extra: list[str], expected: list[str]
) -> None:
    competition = make_competition(
        raw_folder, answers_columns=answers_columns, extra_answer_columns=extra, answers="answers.csv"
    )
    prepared = prepare_competition(competition, tmp_path / "data").prepared_dir
    assert list(read(prepared / "private" / "answers.csv").columns) == expected


def test_description_and_file_names_follow_the_spec(raw_folder: Path, tmp_path: Path) -> None:
    competition = make_competition(raw_folder, public_train="train_v2.csv", public_test="test_v2.csv")
    prepared = prepare_competition(competition, tmp_path / "data").prepared_dir
    names = sorted(p.relative_to(prepared).as_posix() for p in prepared.rglob("*") if p.is_file())
    assert names == [
        ".done.json",
        "private/test.csv",
        "public/description.md",
        "public/sample_submission.csv",
        "public/test_v2.csv",
        "public/train_v2.csv",
    ]
    assert (prepared / "public" / "description.md").read_text() == competition.description


def test_ids_are_kept_as_text(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    rows = "\n".join(f"{i:03d},{i % 2}" for i in range(50))
    (source / "train.csv").write_text(f"{ID},{TARGET}\n{rows}\n")
    prepared = prepare_competition(make_competition(source), tmp_path / "data").prepared_dir
    first_line = (prepared / "public" / "train.csv").read_text().splitlines()[1]
    assert first_line.split(",")[0].startswith("0")  # '007' is not rewritten as 7


def test_second_prepare_is_a_no_op(raw_folder: Path, tmp_path: Path) -> None:
    competition = make_competition(raw_folder)
    first = prepare_competition(competition, tmp_path / "data")
    stamps = {p: p.stat().st_mtime_ns for p in first.prepared_dir.rglob("*")}
    second = prepare_competition(competition, tmp_path / "data")
    assert not first.skipped and second.skipped
    assert {p: p.stat().st_mtime_ns for p in first.prepared_dir.rglob("*")} == stamps
    assert second.rows == first.rows


def test_raw_files_are_reused_when_the_spec_changes(raw_folder: Path, tmp_path: Path) -> None:
    prepare_competition(make_competition(raw_folder), tmp_path / "data")
    for path in raw_folder.iterdir():
        path.unlink()  # the source is gone: only the kept raw/ copy can serve the next prepare
    changed = make_competition(raw_folder, split={"from": "train.csv", "test_size": 0.5, "random_state": 0})
    result = prepare_competition(changed, tmp_path / "data")
    assert not result.skipped and result.rows["private/test.csv"] == 100


def test_force_rebuilds(raw_folder: Path, tmp_path: Path) -> None:
    competition = make_competition(raw_folder)
    first = prepare_competition(competition, tmp_path / "data")
    marker = json.loads((first.prepared_dir / ".done.json").read_text())
    (first.prepared_dir / "public" / "train.csv").write_text("broken")
    again = prepare_competition(competition, tmp_path / "data", force=True)
    assert not again.skipped
    assert json.loads((again.prepared_dir / ".done.json").read_text())["files"] == marker["files"]


def test_a_folder_podium_did_not_prepare_is_not_replaced_silently(raw_folder: Path, tmp_path: Path) -> None:
    foreign = tmp_path / "data" / "toy" / "prepared" / "public"
    foreign.mkdir(parents=True)
    (foreign / "train.csv").write_text("from MLE-bench\n")
    with pytest.raises(DataError, match=r"no \.done\.json.*--force"):
        prepare_competition(make_competition(raw_folder), tmp_path / "data")
    assert (foreign / "train.csv").read_text() == "from MLE-bench\n"
    prepare_competition(make_competition(raw_folder), tmp_path / "data", force=True)
    assert (foreign / "train.csv").read_text() != "from MLE-bench\n"


def test_a_header_without_the_declared_columns_is_a_clear_error(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "train.csv").write_text("Id,Label\n1,0\n2,1\n")
    with pytest.raises(DataError) as error:
        prepare_competition(make_competition(source), tmp_path / "data")
    message = str(error.value)
    assert "PassengerId" in message and "Transported" in message and "train.csv" in message
    assert not (tmp_path / "data" / "toy" / "prepared").exists()


def test_a_raw_table_that_is_not_there_is_a_clear_error(raw_folder: Path, tmp_path: Path) -> None:
    split = {"from": "labelled.csv", "test_size": 0.1}
    with pytest.raises(DataError, match=r"labelled\.csv is not among the raw files \(train\.csv\)"):
        prepare_competition(make_competition(raw_folder, split=split), tmp_path / "data")


def test_a_full_disk_is_a_clear_error_and_leaves_nothing(
    raw_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", disk_full)
    with pytest.raises(DataError, match=r"disk is full.*--data-dir"):
        prepare_competition(make_competition(raw_folder), tmp_path / "data")
    leftovers = [p.name for p in (tmp_path / "data" / "toy").iterdir()]
    assert leftovers == ["raw"]


def test_an_interrupted_fetch_leaves_no_marker_and_no_prepared_folder(tmp_path: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "make.py").write_text(
        "def make(raw, seed):\n"
        "    (raw / 'train.csv').write_text('PassengerId,Transported\\n1,')\n"
        "    raise ConnectionResetError('connection lost mid-download')\n"
    )
    competition = make_competition(tmp_path, source={"kind": "generated", "generator": "make.py:make"})
    with pytest.raises(ConnectionResetError):
        prepare_competition(competition, tmp_path / "data", spec_dir=spec_dir)
    root = tmp_path / "data" / "toy"
    assert not (root / "raw" / FETCHED_MARKER).exists()
    assert sorted(p.name for p in root.iterdir()) == ["raw"]


def test_stale_builds_of_dead_processes_are_removed(raw_folder: Path, tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    stale = tmp_path / "data" / "toy" / f".prepared.tmp-{dead_pid}"
    (stale / "public").mkdir(parents=True)
    prepare_competition(make_competition(raw_folder), tmp_path / "data")
    assert not stale.exists()


def test_hook_preparation_runs_with_mlebench_signature(tmp_path: Path, raw_folder: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "prepare.py").write_text(
        "import pandas as pd\n"
        "def prepare(raw, public, private):\n"
        "    table = pd.read_csv(raw / 'train.csv')\n"
        "    table.iloc[:150].to_csv(public / 'train.csv', index=False)\n"
        "    table.iloc[150:][['PassengerId', 'Transported']].to_csv(private / 'test.csv', index=False)\n"
    )
    competition = make_competition(raw_folder, split=None, hook="prepare.py:prepare")
    result = prepare_competition(competition, tmp_path / "data", spec_dir=spec_dir)
    assert result.rows == {"private/test.csv": 50, "public/train.csv": 150}
    assert (result.prepared_dir / "public" / "description.md").is_file()


def test_hook_that_writes_no_answers_is_a_clear_error(tmp_path: Path, raw_folder: Path) -> None:
    spec_dir = tmp_path / "spec"
    spec_dir.mkdir()
    (spec_dir / "prepare.py").write_text("def prepare(raw, public, private):\n    pass\n")
    competition = make_competition(raw_folder, split=None, hook="prepare.py:prepare")
    with pytest.raises(DataError, match=r"no answers file private/test\.csv"):
        prepare_competition(competition, tmp_path / "data", spec_dir=spec_dir)
    assert sorted(p.name for p in (tmp_path / "data" / "toy").iterdir()) == ["raw"]


def test_hook_file_without_spec_dir_is_a_clear_error(tmp_path: Path, raw_folder: Path) -> None:
    competition = make_competition(raw_folder, split=None, hook="prepare.py:prepare")
    with pytest.raises(DataError, match="spec's folder is unknown"):
        prepare_competition(competition, tmp_path / "data")


def test_an_impossible_split_is_a_clear_error(raw_folder: Path, tmp_path: Path) -> None:
    split = {"from": "train.csv", "test_size": 500}
    with pytest.raises(DataError, match=r"cannot split train\.csv \(200 rows\) with test_size=500"):
        prepare_competition(make_competition(raw_folder, split=split), tmp_path / "data")


def test_data_dir_defaults_to_the_environment(
    raw_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODIUM_DATA_DIR", str(tmp_path / "from-env"))
    result = prepare_competition(make_competition(raw_folder))
    assert result.prepared_dir == tmp_path / "from-env" / "toy" / "prepared"
