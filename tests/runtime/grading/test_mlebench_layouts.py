"""Answers and submissions in MLE-bench's exact layout grade unchanged, for the competitions whose
rows are not "one row per id under the same column names".

Each test writes a tiny answers file with the columns and names MLE-bench's prepare.py writes
for that competition, a submission in the layout its grade.py reads, grades them with the
repository's own spec and checks the score by hand. The strict checks (duplicates, missing and
extra ids) are shown to still bite where MLE-bench's layout does not call for leniency.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from podium.generator.catalog import Catalog, load_catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.grading import grade_submission
from podium.runtime.grading.report import GradingReport
from podium.runtime.grading.submission import AnswersError, SubmissionRules, read_answers
from podium.runtime.spec import Prepare, ResolvedCompetition, spec_sha256

SPECS = Path(__file__).resolve().parents[3] / "specs"
VOTES = ["seizure_vote", "lpd_vote", "gpd_vote", "lrda_vote", "grda_vote", "other_vote"]
IDENTITIES = ["male", "female", "homosexual_gay_or_lesbian", "christian", "jewish", "muslim", "black", "white",
              "psychiatric_or_mental_illness"]  # fmt: skip


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    loaded = load_catalog(SPECS, check_metrics=False)
    assert not loaded.errors, "\n".join(map(str, loaded.errors))
    return loaded


def grade(
    catalog: Catalog, competition_id: str, answers: pd.DataFrame, submission: pd.DataFrame, folder: Path
) -> GradingReport:
    """Write both frames as MLE-bench writes CSVs (pandas, no index) and grade with the repo's spec."""
    competition = resolve_competition(catalog, competition_id)
    answers_path = folder / competition.prepare.answers
    answers.to_csv(answers_path, index=False)
    submission_path = folder / "submission.csv"
    submission.to_csv(submission_path, index=False)
    return grade_submission(submission_path, competition, answers_path, None)


def scored(report: GradingReport) -> float:
    assert report.valid_submission, report.error
    assert report.score is not None
    return report.score


def error_of(report: GradingReport) -> str:
    assert not report.valid_submission and report.error, f"expected an invalid submission, got {report.score}"
    return report.error


# --- hms-harmful-brain-activity-classification: eeg_id repeats, rows paired in order ---------


def hms_answers() -> pd.DataFrame:
    """MLE-bench's private test.csv: the 15 columns of train.csv, one row per labelled window."""
    votes = [[3, 0, 0, 0, 0, 1], [0, 2, 0, 0, 0, 2], [0, 0, 0, 0, 5, 0]]
    frame = pd.DataFrame(votes, columns=VOTES)
    frame.insert(0, "eeg_id", [1628180742, 1628180742, 2277392603])
    frame.insert(1, "eeg_sub_id", [0, 1, 0])
    frame.insert(2, "eeg_label_offset_seconds", [0.0, 6.0, 0.0])
    frame.insert(3, "spectrogram_id", [353733, 353733, 924234])
    frame.insert(4, "spectrogram_sub_id", [0, 1, 0])
    frame.insert(5, "spectrogram_label_offset_seconds", [0.0, 6.0, 0.0])
    frame.insert(6, "label_id", [127492639, 3887563113, 1142670488])
    frame.insert(7, "patient_id", [42516, 42516, 30539])
    frame.insert(8, "expert_consensus", ["Seizure", "LPD", "GRDA"])
    return frame


def hms_submission(rows: list[list[float]], eeg_ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=VOTES).assign(eeg_id=eeg_ids)[["eeg_id", *VOTES]]


def kl(truth_votes: list[float], pred: list[float]) -> float:
    p = np.asarray(truth_votes, dtype=float) / sum(truth_votes)
    q = np.clip(np.asarray(pred, dtype=float), 1e-15, 1 - 1e-15)
    return float(sum(pi * math.log(pi / qi) for pi, qi in zip(p, q, strict=True) if pi > 0))


UNIFORM = [1 / 6] * 6
SEIZURE = [0.5, 0.1, 0.1, 0.1, 0.1, 0.1]


def test_hms_pairs_the_nth_row_of_an_eeg_id_with_its_nth_answer_row(catalog: Catalog, tmp_path: Path) -> None:
    answers = hms_answers()
    truth = answers[VOTES].to_numpy().tolist()
    # MLE-bench's sample layout (eeg_id + six probabilities, one row per window), the ids reordered.
    submission = hms_submission([UNIFORM, SEIZURE, UNIFORM], [2277392603, 1628180742, 1628180742])
    expected = np.mean([kl(truth[2], UNIFORM), kl(truth[0], SEIZURE), kl(truth[1], UNIFORM)])

    report = grade(catalog, "hms-harmful-brain-activity-classification", answers, submission, tmp_path)

    assert scored(report) == pytest.approx(expected, abs=1e-5)
    swapped = hms_submission([UNIFORM, UNIFORM, SEIZURE], [2277392603, 1628180742, 1628180742])
    swapped_score = scored(grade(catalog, "hms-harmful-brain-activity-classification", answers, swapped, tmp_path))
    assert swapped_score != pytest.approx(expected, abs=1e-5)  # within an eeg_id, the order is the pairing


def test_hms_still_wants_every_window_once(catalog: Catalog, tmp_path: Path) -> None:
    answers = hms_answers()
    short = hms_submission([UNIFORM, UNIFORM], [1628180742, 2277392603])
    long = hms_submission([UNIFORM] * 4, [1628180742, 1628180742, 1628180742, 2277392603])

    missing = error_of(grade(catalog, "hms-harmful-brain-activity-classification", answers, short, tmp_path))
    extra = error_of(grade(catalog, "hms-harmful-brain-activity-classification", answers, long, tmp_path))

    assert missing == (
        "submission.csv is missing 1 row of the answers, e.g. row 2 of eeg_id '1628180742'; "
        "write one row per row of test.csv, in its order"
    )
    assert extra == (
        "submission.csv has 1 row that is not in the answers, e.g. row 3 of eeg_id '1628180742'; "
        "write only the rows of test.csv"
    )


# --- uw-madison-gi-tract-image-segmentation: one row per slice x class --------------------------

UW_ID = "case123_day20_slice_0001"


def uw_answers() -> pd.DataFrame:
    """MLE-bench's private test.csv: id, class, predicted (the renamed segmentation), image size.

    Its prepare fills the size column by column with .loc, so the sizes are written as floats.
    """
    return pd.DataFrame(
        {
            "id": [UW_ID] * 3,
            "class": ["large_bowel", "small_bowel", "stomach"],
            "predicted": ["1 2", "", "9 2"],
            "image_width": [4.0] * 3,
            "image_height": [4.0] * 3,
        }
    )


def test_uw_madison_rows_are_keyed_by_id_and_class(catalog: Catalog, tmp_path: Path) -> None:
    # MLE-bench's sample layout (id, class, predicted), rows in another order than the answers.
    submission = pd.DataFrame(
        {"id": [UW_ID] * 3, "class": ["stomach", "large_bowel", "small_bowel"], "predicted": ["", "1 2", ""]}
    )
    # Dice per row, both-empty rows left out: large bowel 1, stomach 0. The one 3-D volume: truth
    # pixels 1, 2, 9, 10 of a 4 x 4 slice (column-major), prediction 1, 2; in the unit cube the
    # farthest truth pixel is half a side away from the prediction.
    expected = 0.4 * 0.5 + 0.6 * (1 - 0.5 / math.sqrt(3))

    report = grade(catalog, "uw-madison-gi-tract-image-segmentation", uw_answers(), submission, tmp_path)

    assert scored(report) == pytest.approx(expected, abs=1e-5)


def test_uw_madison_needs_the_class_column_and_each_pair_once(catalog: Catalog, tmp_path: Path) -> None:
    answers = uw_answers()
    without_class = answers[["id", "predicted"]]
    repeated = pd.concat([answers[["id", "class", "predicted"]], answers[["id", "class", "predicted"]].iloc[[2]]])

    no_class = error_of(grade(catalog, "uw-madison-gi-tract-image-segmentation", answers, without_class, tmp_path))
    twice = error_of(grade(catalog, "uw-madison-gi-tract-image-segmentation", answers, repeated, tmp_path))

    assert "missing the column 'class'" in no_class and no_class.endswith("the columns id, class, predicted")
    assert twice == (
        f"submission.csv has 1 duplicate row, e.g. (id='{UW_ID}', class='stomach') (2 times); "
        "write each id and class once"
    )


# --- vinbigdata-chest-xray-abnormalities-detection: one answer row per box ---------------------


def vinbigdata_answers() -> pd.DataFrame:
    """MLE-bench's answers.csv: train.csv grouped by (image_id, class_id), first box kept; no
    finding (class 14) is the box 0 0 1 1. No PredictionString column."""
    return pd.DataFrame(
        {
            "image_id": ["img_a", "img_a", "img_b"],
            "class_id": [0, 3, 14],
            "class_name": ["Aortic enlargement", "Cardiomegaly", "No finding"],
            "rad_id": ["R10", "R9", "R8"],
            "x_min": [10.0, 50.0, 0.0],
            "y_min": [10.0, 50.0, 0.0],
            "x_max": [30.0, 90.0, 1.0],
            "y_max": [30.0, 90.0, 1.0],
        }
    )


def test_vinbigdata_metric_receives_every_box_of_an_image(catalog: Catalog, tmp_path: Path) -> None:
    answers = vinbigdata_answers()
    perfect = pd.DataFrame(
        {"image_id": ["img_b", "img_a"], "PredictionString": ["14 1 0 0 1 1", "0 0.9 10 10 30 30 3 0.8 50 50 90 90"]}
    )
    misses_one_class = perfect.assign(PredictionString=["14 1 0 0 1 1", "0 0.9 10 10 30 30"])

    full = grade(catalog, "vinbigdata-chest-xray-abnormalities-detection", answers, perfect, tmp_path)
    partial = grade(catalog, "vinbigdata-chest-xray-abnormalities-detection", answers, misses_one_class, tmp_path)

    assert scored(full) == pytest.approx(1.0)
    assert scored(partial) == pytest.approx(2 / 3, abs=1e-5)  # classes 0 and 14 found, class 3 missed


def test_vinbigdata_submission_still_writes_each_image_once(catalog: Catalog, tmp_path: Path) -> None:
    answers = vinbigdata_answers()
    twice = pd.DataFrame({"image_id": ["img_a", "img_a", "img_b"], "PredictionString": ["14 1 0 0 1 1"] * 3})
    one_image = pd.DataFrame({"image_id": ["img_a"], "PredictionString": ["14 1 0 0 1 1"]})

    duplicate = error_of(grade(catalog, "vinbigdata-chest-xray-abnormalities-detection", answers, twice, tmp_path))
    missing = error_of(grade(catalog, "vinbigdata-chest-xray-abnormalities-detection", answers, one_image, tmp_path))

    assert duplicate == "submission.csv has 1 duplicate id, e.g. 'img_a' (2 times); write each id once"
    assert missing.startswith("submission.csv is missing 1 id of the answers, e.g. 'img_b'")


# --- smartphone-decimeter-2022: rows keyed by tripId and UnixTimeMillis ------------------------

LATITUDE_STEP = 1e-4  # degrees: a pure latitude offset is R * step metres on the haversine


def smartphone_answers() -> pd.DataFrame:
    """MLE-bench's private test.csv: the test phones' ground_truth.csv rows, two phones of one drive
    recording at the same instants."""
    times = [1650000000000, 1650000001000, 1650000002000]
    return pd.DataFrame(
        {
            "tripId": ["2021-04-29-US-MTV-1-Pixel4"] * 3 + ["2021-04-29-US-MTV-1-Pixel5"] * 3,
            "UnixTimeMillis": times * 2,
            "LatitudeDegrees": [37.1, 37.2, 37.3, 37.4, 37.5, 37.6],
            "LongitudeDegrees": [-122.0] * 6,
        }
    )


def test_smartphone_rows_are_keyed_by_trip_and_time(catalog: Catalog, tmp_path: Path) -> None:
    answers = smartphone_answers()
    # MLE-bench's sample layout, the second phone LATITUDE_STEP north everywhere, rows reversed.
    offsets = [0.0] * 3 + [LATITUDE_STEP] * 3
    submission = answers.assign(LatitudeDegrees=answers["LatitudeDegrees"] + offsets)[::-1]
    expected = (0.0 + 6_371_000 * math.radians(LATITUDE_STEP)) / 2  # mean over phones of (p50 + p95) / 2

    report = grade(catalog, "smartphone-decimeter-2022", answers, submission, tmp_path)

    assert scored(report) == pytest.approx(expected, abs=1e-4)


def test_smartphone_needs_the_trip_and_each_instant_once(catalog: Catalog, tmp_path: Path) -> None:
    answers = smartphone_answers()
    no_trip = answers.drop(columns=["tripId"])
    short = answers.iloc[1:]

    no_trip_error = error_of(grade(catalog, "smartphone-decimeter-2022", answers, no_trip, tmp_path))
    short_error = error_of(grade(catalog, "smartphone-decimeter-2022", answers, short, tmp_path))

    assert "missing the column 'tripId'" in no_trip_error
    assert short_error == (
        "submission.csv is missing 1 row of the answers, e.g. "
        "(UnixTimeMillis='1650000000000', tripId='2021-04-29-US-MTV-1-Pixel4'); "
        "write one row per UnixTimeMillis and tripId of test.csv"
    )


# --- hubmap-kidney-segmentation: answers `encoding`, submission `predicted` --------------------


def hubmap_answers() -> pd.DataFrame:
    """MLE-bench's private test.csv: id, encoding, width_pixels, height_pixels."""
    return pd.DataFrame(
        {"id": ["2f6ecfcdf", "aaa6a05cc"], "encoding": ["1 4", ""], "width_pixels": [4, 4], "height_pixels": [4, 4]}
    )


def test_hubmap_submission_writes_predicted(catalog: Catalog, tmp_path: Path) -> None:
    submission = pd.DataFrame({"id": ["aaa6a05cc", "2f6ecfcdf"], "predicted": ["", "1 2"]})
    expected = (1.0 + 2 * 2 / (4 + 2)) / 2  # an image empty on both sides scores 1

    report = grade(catalog, "hubmap-kidney-segmentation", hubmap_answers(), submission, tmp_path)

    assert scored(report) == pytest.approx(expected, abs=1e-5)


def test_hubmap_wants_mlebench_column_name_and_no_extra_ids(catalog: Catalog, tmp_path: Path) -> None:
    answers = hubmap_answers()
    answers_name = pd.DataFrame({"id": ["aaa6a05cc", "2f6ecfcdf"], "encoding": ["", "1 2"]})
    extra = pd.DataFrame({"id": ["aaa6a05cc", "2f6ecfcdf", "0486052bb"], "predicted": ["", "1 2", ""]})

    wrong_name = error_of(grade(catalog, "hubmap-kidney-segmentation", answers, answers_name, tmp_path))
    extra_id = error_of(grade(catalog, "hubmap-kidney-segmentation", answers, extra, tmp_path))

    assert wrong_name.startswith("submission.csv is missing the column 'predicted'")
    assert extra_id.startswith("submission.csv has 1 id that is not in the answers, e.g. '0486052bb'")


# --- jigsaw-unintended-bias-in-toxicity-classification: `toxicity` written as `prediction` ----


def jigsaw_answers() -> pd.DataFrame:
    """MLE-bench's private test.csv is Kaggle's test_private_expanded.csv: id, comment_text,
    toxicity, the toxicity subtypes and the identity columns (a few of its 45 shown)."""
    rows = 8
    identity = [float(i % 4 < 2) for i in range(rows)]  # half the comments mention every identity
    return pd.DataFrame(
        {
            "id": [7097320 + i for i in range(rows)],
            "comment_text": [f"comment {i}" for i in range(rows)],
            "toxicity": [0.9, 0.0, 0.7, 0.1, 0.8, 0.2, 0.6, 0.0],
            "severe_toxicity": 0.0,
            "obscene": 0.0,
            **{name: identity for name in IDENTITIES},
            "asian": 0.0,
        }
    )


def test_jigsaw_grades_the_prediction_column(catalog: Catalog, tmp_path: Path) -> None:
    answers = jigsaw_answers()
    # Predictions that rank every toxic comment above every other: each AUC is 1, so the blend is
    # 0.25 * 1 + 0.25 * (1 + 1 + 1). A `toxicity` column ranking them the other way is not graded.
    submission = pd.DataFrame(
        {"id": answers["id"], "prediction": answers["toxicity"], "toxicity": 1 - answers["toxicity"]}
    )

    report = grade(catalog, "jigsaw-unintended-bias-in-toxicity-classification", answers, submission, tmp_path)

    assert scored(report) == pytest.approx(1.0)


def test_jigsaw_checks_numbers_under_the_submission_name(catalog: Catalog, tmp_path: Path) -> None:
    answers = jigsaw_answers()
    submission = pd.DataFrame({"id": answers["id"], "prediction": ["high"] + [0.5] * 7})

    error = error_of(grade(catalog, "jigsaw-unintended-bias-in-toxicity-classification", answers, submission, tmp_path))

    assert error == "submission.csv column 'prediction' must hold numbers, but has 'high' at id '7097320'"


# --- osic-pulmonary-fibrosis-progression: the scored weeks found from the answers --------------


def osic_answers() -> pd.DataFrame:
    """MLE-bench's private test.csv: every patient x week of the test range (FVC NaN where not
    measured), Patient_Week and Confidence; 9 columns, no `scored` column."""
    measured = {("ID00001", -1): 2800, ("ID00001", 0): 2750, ("ID00001", 2): 2700, ("ID00001", 3): 2650,
                ("ID00002", 0): 1900, ("ID00002", 1): 1850, ("ID00002", 3): 1800}  # fmt: skip
    grid = [(patient, week) for patient in ("ID00001", "ID00002") for week in range(-1, 4)]
    frame = pd.DataFrame(grid, columns=["Patient", "Weeks"])
    frame["FVC"] = [measured.get(key, np.nan) for key in grid]
    frame["Percent"], frame["Age"], frame["Sex"], frame["SmokingStatus"] = 70.0, 65, "Male", "Ex-smoker"
    frame.loc[frame["FVC"].isna(), ["Percent", "Age", "Sex", "SmokingStatus"]] = np.nan
    frame["Patient_Week"] = frame["Patient"] + "_" + frame["Weeks"].astype(str)
    frame["Confidence"] = 100
    return frame


def osic_submission(answers: pd.DataFrame) -> pd.DataFrame:
    """Off by 100 on each patient's last three measured weeks, by 5000 everywhere else."""
    last_three = {"ID00001_0", "ID00001_2", "ID00001_3", "ID00002_0", "ID00002_1", "ID00002_3"}
    near = answers["Patient_Week"].isin(last_three)
    fvc = answers["FVC"].fillna(2000) + np.where(near, 100, 5000)
    return pd.DataFrame({"Patient_Week": answers["Patient_Week"], "FVC": fvc, "Confidence": 100})


def test_osic_scores_each_patients_last_three_measured_weeks(catalog: Catalog, tmp_path: Path) -> None:
    answers = osic_answers()
    expected = -math.sqrt(2) * 100 / 100 - math.log(math.sqrt(2) * 100)

    mlebench = grade(catalog, "osic-pulmonary-fibrosis-progression", answers, osic_submission(answers), tmp_path)
    with_flag = answers.assign(scored=answers["Patient_Week"].isin({"ID00001_0"}))  # podium's extra column
    podium = grade(catalog, "osic-pulmonary-fibrosis-progression", with_flag, osic_submission(answers), tmp_path)

    assert scored(mlebench) == pytest.approx(expected, abs=1e-5)
    assert scored(podium) == scored(mlebench)  # the flag is not read: the same rows are scored


def test_osic_still_wants_every_patient_week(catalog: Catalog, tmp_path: Path) -> None:
    answers = osic_answers()
    short = osic_submission(answers).iloc[:-1]

    error = error_of(grade(catalog, "osic-pulmonary-fibrosis-progression", answers, short, tmp_path))

    assert error.startswith("submission.csv is missing 1 id of the answers, e.g. 'ID00002_3'")


def test_osic_rows_found_by_the_metric_are_those_podiums_prepare_flags(catalog: Catalog, tmp_path: Path) -> None:
    from podium.runtime.data.sources._common import import_hook
    from podium.runtime.grading.metrics.regression import _last_measured_rows

    raw, public, private = (tmp_path / name for name in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    patients = [f"ID{p:05d}" for p in range(10) for _ in range(4)]
    weeks = [w for p in range(10) for w in (p - 3, 5, 9 + p % 3, 14)]
    pd.DataFrame({"Patient": patients, "Weeks": weeks, "FVC": range(2000, 2040), "Percent": 70.0, "Age": 60,
                  "Sex": "Male", "SmokingStatus": "Ex-smoker"}).to_csv(raw / "train.csv", index=False)  # fmt: skip
    for patient in set(patients):
        (raw / "train" / patient).mkdir(parents=True)
    competition = resolve_competition(catalog, "osic-pulmonary-fibrosis-progression")
    hook = import_hook(competition.prepare.hook or "", catalog.competitions[competition.id].folder)
    hook(raw=raw, public=public, private=private)
    answers = pd.read_csv(private / competition.prepare.answers)
    params = {**competition.grader.params, "id_column": competition.prepare.id_column}

    assert answers["scored"].sum() > 0
    assert _last_measured_rows(answers, "FVC", params).tolist() == answers["scored"].tolist()


# --- h-and-m-personalized-fashion-recommendations: more customers than answers ---------------


def hm_answers() -> pd.DataFrame:
    """MLE-bench's answers.csv: customer_id and the articles bought in the test week."""
    return pd.DataFrame({"customer_id": ["c1", "c2"], "prediction": ["0706016001 0372860001", "0610776002"]})


def test_h_and_m_ignores_customers_without_test_purchases(catalog: Catalog, tmp_path: Path) -> None:
    # MLE-bench copies Kaggle's sample submission, which lists every customer.
    submission = pd.DataFrame(
        {
            "customer_id": ["c0", "c2", "c1", "c3"],
            "prediction": ["0706016001", "0610776002", "0706016001 0759871002 0372860001", "0372860001"],
        }
    )
    expected = ((1 / 1 + 2 / 3) / 2 + 1.0) / 2  # c1: hits at ranks 1 and 3 of 2 relevant; c2: hit at rank 1

    report = grade(catalog, "h-and-m-personalized-fashion-recommendations", hm_answers(), submission, tmp_path)

    assert scored(report) == pytest.approx(expected, abs=1e-5)


def test_h_and_m_still_needs_every_answer_customer_once(catalog: Catalog, tmp_path: Path) -> None:
    answers = hm_answers()
    without_c2 = pd.DataFrame({"customer_id": ["c0", "c1"], "prediction": ["a", "b"]})
    c1_twice = pd.DataFrame({"customer_id": ["c1", "c1", "c2", "c3"], "prediction": ["a", "b", "c", "d"]})

    missing = error_of(grade(catalog, "h-and-m-personalized-fashion-recommendations", answers, without_c2, tmp_path))
    twice = error_of(grade(catalog, "h-and-m-personalized-fashion-recommendations", answers, c1_twice, tmp_path))

    assert missing.startswith("submission.csv is missing 1 id of the answers, e.g. 'c2'")
    assert twice == "submission.csv has 1 duplicate id, e.g. 'c1' (2 times); write each id once"


# --- the strict default and the spec fields themselves -----------------------------------------


def test_answers_that_repeat_an_id_still_fail_to_load_by_default(tmp_path: Path) -> None:
    path = tmp_path / "test.csv"
    hubmap_answers().pipe(lambda frame: pd.concat([frame, frame.iloc[[0]]])).to_csv(path, index=False)
    rules = SubmissionRules("id", ("encoding",), text=True, extra_answer_columns=("width_pixels", "height_pixels"))

    with pytest.raises(AnswersError, match=r"repeats ids, e\.g\. '2f6ecfcdf'"):
        read_answers(path, rules)


def prepare(**fields: object) -> Prepare:
    return Prepare.model_validate({"hook": "prepare.py:prepare", "id_column": "id", "targets": ["y"], **fields})


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"submission_columns": {"x": "prediction"}}, "renames ['x'], which are not targets"),
        ({"key_columns": ["id"]}, "key_columns lists the columns besides id_column"),
        ({"submission_columns": {"y": "id"}}, "two submission columns the same name"),
        ({"rows_per_key": "grouped"}, "needs extra_answer_columns"),
        ({"rows_per_key": "some"}, "'one', 'paired' or 'grouped'"),
    ],
)
def test_answer_layout_fields_are_checked(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        prepare(**fields)


def test_layout_fields_need_a_hook() -> None:
    with pytest.raises(ValidationError, match="need a prepare hook"):
        Prepare.model_validate(
            {
                "split": {"from": "train.csv", "test_size": 0.1},
                "id_column": "id",
                "targets": ["y"],
                "key_columns": ["k"],
            }
        )


def test_unused_layout_fields_leave_a_specs_hash_alone(catalog: Catalog) -> None:
    """Specs that do not use the layout fields dump (and hash) exactly as before they existed."""
    plain = resolve_competition(catalog, "spaceship-titanic")
    keyed = resolve_competition(catalog, "smartphone-decimeter-2022")
    layout = {"key_columns", "rows_per_key", "submission_columns", "extra_ids"}

    assert not layout & set(plain.prepare.model_dump(by_alias=True))
    assert keyed.prepare.model_dump(by_alias=True)["key_columns"] == ["tripId"]
    assert ResolvedCompetition.model_validate_json(keyed.model_dump_json(by_alias=True)) == keyed
    assert spec_sha256(plain) == spec_sha256(ResolvedCompetition.model_validate(plain.model_dump(by_alias=True)))
