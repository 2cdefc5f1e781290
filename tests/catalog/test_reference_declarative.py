"""The seven competitions MLE-bench splits with one train_test_split of train.csv, on fabricated
raw tables in Kaggle's layout: podium's preparation (the spec's declarative split, or its hook
where one is needed) writes what MLE-bench's own prepare writes from the same rows, and the
sample submission grades valid against the answers.

The tables carry what trips CSV round trips: text with commas, quotes, line breaks and leading
spaces, pandas' missing-value markers, ids with leading zeros and floats with every digit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from mlebench_reference import assert_same_preparation, prepare_both, prepare_on

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers, split_declaratively
from podium.runtime.data.sources import DataError
from podium.runtime.data.sources._common import import_hook
from podium.runtime.grading import grade_submission

N = 40
Prepare = Callable[..., None]
PROSE = ["Dear senator,\nI think \"cars\" matter, a lot.", "  starts with spaces", "one line", "NA", "n/a here",
         "Ünïcode \u2013 dash, \u201ccurly\u201d quotes", "last paragraph\n\n- a list\n- of points"]  # fmt: skip


def cycle(values: list[Any], count: int = N) -> list[Any]:
    return [values[i % len(values)] for i in range(count)]


def floats(seed: int, count: int = N, scale: float = 1.0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=count) * scale


def essays(raw: Path) -> None:
    pd.DataFrame({"essay_id": [f"{i:03x}a{i % 7}" for i in range(N)], "full_text": cycle(PROSE),
                  "score": cycle([1, 2, 3, 4, 5, 6, 3])}).to_csv(raw / "train.csv", index=False)  # fmt: skip


def chatbot_arena(raw: Path, chats: int = N) -> None:
    winner = np.eye(3, dtype=int)[[i % 3 for i in range(chats)]]
    pd.DataFrame({"id": range(30192, 30192 + chats), "model_a": cycle(["gpt-4-1106-preview", "claude-2.1"], chats),
                  "model_b": cycle(["llama-2-70b-chat", "gpt-3.5-turbo-0613", "mistral-medium"], chats),
                  "prompt": [f'["{text}"]' for text in cycle(PROSE, chats)], "response_a": cycle([*PROSE, "null"], chats),
                  "response_b": cycle(['["I\'m sorry, but\\n I can\'t"]', *PROSE], chats), "winner_model_a": winner[:, 0],
                  "winner_model_b": winner[:, 1], "winner_tie": winner[:, 2]}).to_csv(raw / "train.csv", index=False)  # fmt: skip


def taxi_rides(raw: Path) -> None:
    """MLE-bench's test is 9914 rides, so the table must hold more than that."""
    rides = 9930
    minutes = pd.Timestamp("2009-06-15 17:26:21") + pd.to_timedelta(np.arange(rides), unit="min")
    pd.DataFrame({"key": minutes.strftime("%Y-%m-%d %H:%M:%S.") + [f"{i:07d}" for i in range(rides)],
                  "fare_amount": np.round(np.abs(floats(1, rides, 9)) + 2.5, 2),
                  "pickup_datetime": minutes.strftime("%Y-%m-%d %H:%M:%S UTC"),
                  "pickup_longitude": -73.98 + floats(2, rides, 0.05), "pickup_latitude": 40.75 + floats(3, rides, 0.05),
                  "dropoff_longitude": -73.97 + floats(4, rides, 0.05), "dropoff_latitude": 40.76 + floats(5, rides, 0.05),
                  "passenger_count": cycle([1, 1, 2, 5, 0, 6], rides)}).to_csv(raw / "train.csv", index=False)  # fmt: skip
    (raw / "GCP-Coupons-Instructions.rtf").write_text("{\\rtf1\\ansi GCP coupons}")


ENZYME_FEATURES = ["BertzCT", "Chi1", "Chi1n", "Chi1v", "Chi2n", "Chi2v", "Chi3v", "Chi4n", "EState_VSA1",
                   "EState_VSA2", "ExactMolWt", "FpDensityMorgan1", "FpDensityMorgan2", "FpDensityMorgan3",
                   "HallKierAlpha", "HeavyAtomMolWt", "Kappa3", "MaxAbsEStateIndex", "MinEStateIndex",
                   "NumHeteroatoms", "PEOE_VSA10", "PEOE_VSA14", "PEOE_VSA6", "PEOE_VSA7", "PEOE_VSA8", "SMR_VSA10",
                   "SMR_VSA5", "SlogP_VSA3", "VSA_EState9", "fr_COO", "fr_COO2"]  # fmt: skip


def enzymes(raw: Path) -> None:
    """MLE-bench asserts Kaggle's 31 descriptors and six EC labels."""
    table = pd.DataFrame({"id": range(N)})
    for index, name in enumerate(ENZYME_FEATURES):
        table[name] = cycle([0, 1, 2]) if name.startswith(("fr_", "Num")) else floats(index) * 100
    for label in range(1, 7):
        table[f"EC{label}"] = [int((i * label) % 5 < 2 + label % 2) for i in range(N)]
    table.to_csv(raw / "train.csv", index=False)


def forest_cover(raw: Path) -> None:
    table = pd.DataFrame({"Id": range(N), "Elevation": range(2800, 2800 + N), "Aspect": cycle([0, 45, 359]),
                          "Hillshade_9am": cycle([200, 255]), "Horizontal_Distance_To_Roadways": floats(6) * 900})  # fmt: skip
    for area in range(1, 5):
        table[f"Wilderness_Area{area}"] = [int(i % 4 == area - 1) for i in range(N)]
    table["Cover_Type"] = cycle([1, 2, 2, 3, 7, 2])
    table.to_csv(raw / "train.csv", index=False)


def tweets(raw: Path) -> None:
    texts = [f"{text} #{i}" for i, text in enumerate(cycle([" I`d have responded, if I were going", "Sooo SAD",
             "my boss is bullying me...", 'http://t.co/x "quoted" &amp; more']))]  # fmt: skip
    texts[5:7] = ["", "null"]  # Kaggle's train.csv has a tweet with no text
    pd.DataFrame({"textID": [f"{i:04d}{'cb774db0d1'[i % 10:]}" for i in range(N)], "text": texts,
                  "selected_text": [" ".join(text.split(" ")[-2:]) for text in texts],
                  "sentiment": cycle(["neutral", "negative", "positive"])}).to_csv(raw / "train.csv", index=False)  # fmt: skip


def patent_phrases(raw: Path) -> None:
    pd.DataFrame({"id": [f"{i * 7919:016x}" for i in range(N)],
                  "anchor": cycle(["abatement", "acid absorption", "adjust gas flow"]),
                  "target": cycle(["abatement of pollution", "act of abating", "eliminating process", "NA"]),
                  "context": cycle(["A47", "B01", "F23", "G06"]),
                  "score": cycle([0.0, 0.25, 0.5, 0.75, 1.0])}).to_csv(raw / "train.csv", index=False)  # fmt: skip


MAKERS: dict[str, Callable[[Path], None]] = {
    "learning-agency-lab-automated-essay-scoring-2": essays,
    "lmsys-chatbot-arena": chatbot_arena,
    "new-york-city-taxi-fare-prediction": taxi_rides,
    "playground-series-s3e18": enzymes,
    "tabular-playground-series-dec-2021": forest_cover,
    "tweet-sentiment-extraction": tweets,
    "us-patent-phrase-to-phrase-matching": patent_phrases,
}
COMPETITIONS = sorted(MAKERS)


def podium_prepare(catalog: Catalog, competition_id: str) -> Prepare:
    """What `podium prepare` runs for the competition: its declarative split, or its hook."""
    prepare = resolve_competition(catalog, competition_id).prepare
    if prepare.split is None:
        return import_hook(prepare.hook or "", catalog.competitions[competition_id].folder)
    split = prepare.split

    def declarative(raw: Path, public: Path, private: Path) -> None:
        split_declaratively(prepare, split, raw, public, private, None)

    return declarative


def prepared(catalog: Catalog, competition_id: str, root: Path) -> tuple[Path, Path]:
    prepare_on(MAKERS[competition_id], podium_prepare(catalog, competition_id), root)
    return root / "public", root / "private"


@pytest.mark.parametrize("competition_id", COMPETITIONS)
def test_split_equals_mlebench(
    competition_id: str, repo_catalog: Catalog, mlebench_prepare: Any, tmp_path: Path
) -> None:
    ours, theirs = prepare_both(
        MAKERS[competition_id], podium_prepare(repo_catalog, competition_id), mlebench_prepare(competition_id), tmp_path
    )

    assert_same_preparation(ours, theirs)


@pytest.mark.parametrize("competition_id", COMPETITIONS)
def test_sample_submission_grades_valid(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    competition = resolve_competition(repo_catalog, competition_id)
    public, private = prepared(repo_catalog, competition_id, tmp_path)
    answers = private / competition.prepare.answers

    check_answers(competition.prepare, private)
    report = grade_submission(public / "sample_submission.csv", competition, answers, None)
    perfect = grade_submission(answers, competition, answers, None)

    assert report.valid_submission, report.error
    assert perfect.valid_submission and report.score != perfect.score


@pytest.mark.parametrize("competition_id", COMPETITIONS)
def test_sides_are_disjoint_and_hide_the_targets(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    prepare = resolve_competition(repo_catalog, competition_id).prepare
    public, private = prepared(repo_catalog, competition_id, tmp_path)
    read = {"dtype": str, "keep_default_na": False}
    train = pd.read_csv(public / prepare.public_train, **read)
    test = pd.read_csv(public / prepare.public_test, **read)
    answers = pd.read_csv(private / prepare.answers, **read)
    raw = pd.read_csv(tmp_path / "raw" / "train.csv", **read)

    assert set(train[prepare.id_column]).isdisjoint(test[prepare.id_column])
    assert len(train) + len(test) == len(raw) and list(test[prepare.id_column]) == list(answers[prepare.id_column])
    assert not set(prepare.targets) & set(test.columns) and set(prepare.targets) <= set(answers.columns)
    assert list(train.columns) == list(raw.columns)


@pytest.mark.parametrize("competition_id", COMPETITIONS)
def test_missing_raw_table_is_a_clear_error(competition_id: str, repo_catalog: Catalog, tmp_path: Path) -> None:
    raw, public, private = (tmp_path / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    MAKERS[competition_id](raw)
    (raw / "train.csv").unlink()

    with pytest.raises(DataError, match=r"train\.csv"):
        podium_prepare(repo_catalog, competition_id)(raw=raw, public=public, private=private)


def test_quoted_line_breaks_in_a_table_over_one_read_block(repo_catalog: Catalog, tmp_path: Path) -> None:
    """Kaggle's 55,000 chats are 180 MB of multi-line prompts and answers; here 20,000 short ones."""
    raw, public, private = (tmp_path / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    chatbot_arena(raw, chats=20_000)
    assert (raw / "train.csv").stat().st_size > 2**21

    podium_prepare(repo_catalog, "lmsys-chatbot-arena")(raw=raw, public=public, private=private)

    written = pd.concat([pd.read_csv(public / "train.csv"), pd.read_csv(private / "answers.csv")])
    assert sorted(written["prompt"]) == sorted(pd.read_csv(raw / "train.csv")["prompt"])
