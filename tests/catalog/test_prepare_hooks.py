"""Prepare hooks on tiny fabricated raw data: each writes MLE-bench's files, and the sample
submission it writes grades as a valid submission against the answers it writes.

The raw folders mimic the layout of each Kaggle download with a few dozen rows; they check the
hooks' plumbing (files, columns, splits by group), not the real data's quirks."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.data.sources._common import import_hook
from podium.runtime.grading import grade_submission

Maker = Callable[[Path], None]
N = 40


def frame(**columns: object) -> pd.DataFrame:
    return pd.DataFrame(columns)


def touch(folder: Path, names: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(b"x")


def chaii(raw: Path) -> None:
    frame(id=[f"q{i}" for i in range(N)], context="some text here", question="what?", answer_text="text",
          answer_start=5, language="hindi").to_csv(raw / "train.csv", index=False)  # fmt: skip


def champs(raw: Path) -> None:
    molecules = [f"dsgdb9nsd_{i // 3:06d}" for i in range(N)]
    frame(id=range(N), molecule_name=molecules, atom_index_0=1, atom_index_1=2,
          type=[["1JHC", "2JHH"][i % 2] for i in range(N)], scalar_coupling_constant=np.linspace(-5, 90, N)
          ).to_csv(raw / "train.csv", index=False)  # fmt: skip
    for name in ("structures", "dipole_moments", "magnetic_shielding_tensors", "mulliken_charges",
                 "potential_energy", "scalar_coupling_contributions"):  # fmt: skip
        frame(molecule_name=sorted(set(molecules)), value=1.0).to_csv(raw / f"{name}.csv", index=False)
    touch(raw / "structures", [f"{m}.xyz" for m in set(molecules)])


def ventilator(raw: Path) -> None:
    breaths = np.repeat(np.arange(N // 4), 4)
    frame(id=range(1, N + 1), breath_id=breaths, R=20, C=50, time_step=np.tile([0.0, 0.1, 0.2, 0.3], N // 4),
          u_in=1.5, u_out=np.tile([0, 0, 1, 1], N // 4), pressure=np.linspace(5, 30, N)
          ).to_csv(raw / "train.csv", index=False)  # fmt: skip


def osic(raw: Path) -> None:
    patients = [f"ID{p:05d}" for p in range(10) for _ in range(4)]
    frame(Patient=patients, Weeks=[w for _ in range(10) for w in (0, 5, 9, 14)], FVC=np.arange(2000, 2000 + N),
          Percent=70.0, Age=60, Sex="Male", SmokingStatus="Ex-smoker").to_csv(raw / "train.csv", index=False)  # fmt: skip
    touch(raw / "train", [f"{p}/1.dcm" for p in set(patients)])


def stanford(raw: Path) -> None:
    rows = [{"id": f"id_{i:03d}", "sequence": "GGAAA", "seq_scored": 3, "seq_length": 5, "SN_filter": 1,
             **{t: [0.1, 0.2, 0.3] for t in ("reactivity", "deg_Mg_pH10", "deg_pH10", "deg_Mg_50C", "deg_50C")}}
            for i in range(N)]  # fmt: skip
    pd.DataFrame(rows).to_json(raw / "train.json", orient="records", lines=True)
    pd.DataFrame([{"id": "id_x", "sequence": "GGAAA", "seq_scored": 3, "seq_length": 5}]).to_json(
        raw / "test.json", orient="records", lines=True
    )


def text_normalization(raw: Path) -> None:
    tokens = frame(sentence_id=np.repeat(np.arange(N // 4), 4), token_id=np.tile(np.arange(4), N // 4),
                   **{"class": "PLAIN"}, before="12", after="twelve")  # fmt: skip
    for name, table in (("en_train.csv", tokens), ("en_test_2.csv", tokens.drop(columns=["after", "class"])),
                        ("en_sample_submission_2.csv", frame(id=["0_0"], after=["x"]))):  # fmt: skip
        with zipfile.ZipFile(raw / f"{name}.zip", "w") as archive:
            archive.writestr(name, table.to_csv(index=False))


def whale(raw: Path) -> None:
    images = [f"{i:04d}.jpg" for i in range(N)]
    frame(Image=images, Id=[f"w_{i % 15:03d}" if i % 7 else "new_whale" for i in range(N)]).to_csv(
        raw / "train.csv", index=False
    )
    touch(raw / "train", images)


def h_and_m(raw: Path) -> None:
    days = pd.date_range("2020-09-01", periods=N, freq="D").strftime("%Y-%m-%d")
    frame(t_dat=days, customer_id=[f"c{i % 6}" for i in range(N)], article_id=[f"0{706016000 + i}" for i in range(N)],
          price=0.05, sales_channel_id=2).to_csv(raw / "transactions_train.csv", index=False)  # fmt: skip
    for name in ("articles.csv", "customers.csv"):
        (raw / name).write_text("id\n1\n")
    touch(raw / "images", ["010/0108775015.jpg"])


def vinbigdata(raw: Path) -> None:
    images = [f"img{i:03d}" for i in range(N)]
    frame(image_id=images, class_name="Nodule", class_id=[14 if i % 3 == 0 else i % 13 for i in range(N)], rad_id="R9",
          x_min=[None if i % 3 == 0 else 10.0 for i in range(N)], y_min=20.0, x_max=60.0, y_max=80.0
          ).to_csv(raw / "train.csv", index=False)  # fmt: skip
    touch(raw / "train", [f"{i}.dicom" for i in images])


def tf2qa(raw: Path) -> None:
    with (raw / "simplified-nq-train.jsonl").open("w") as handle:
        for i in range(N):
            long = {"start_token": 10, "end_token": 20} if i % 2 else {"start_token": -1, "end_token": -1}
            annotation = {"yes_no_answer": "YES" if i % 5 == 0 else "NONE", "long_answer": long,
                          "short_answers": [{"start_token": 12, "end_token": 14}] if i % 3 == 0 else []}  # fmt: skip
            record = {"example_id": 1000 + i, "question_text": "who?", "document_text": "a b c",
                      "long_answer_candidates": [], "annotations": [annotation]}  # fmt: skip
            handle.write(json.dumps(record) + "\n")


def smartphone(raw: Path) -> None:
    for n, drive in enumerate(f"2021-0{m}-1{d}-US-MTV-1" for m in range(1, 6) for d in range(2)):
        truth = frame(UnixTimeMillis=np.arange(5) + 1000 * n, LatitudeDegrees=37.4, LongitudeDegrees=-122.1)
        (raw / "train" / drive / "Pixel4").mkdir(parents=True)
        truth.to_csv(raw / "train" / drive / "Pixel4" / "ground_truth.csv", index=False)
    touch(raw / "metadata", ["accumulated_delta_range_error.csv"])


MAKERS: dict[str, Maker] = {
    "chaii-hindi-and-tamil-question-answering": chaii,
    "champs-scalar-coupling": champs,
    "ventilator-pressure-prediction": ventilator,
    "osic-pulmonary-fibrosis-progression": osic,
    "stanford-covid-vaccine": stanford,
    "text-normalization-challenge-english-language": text_normalization,
    "whale-categorization-playground": whale,
    "h-and-m-personalized-fashion-recommendations": h_and_m,
    "vinbigdata-chest-xray-abnormalities-detection": vinbigdata,
    "tensorflow2-question-answering": tf2qa,
    "smartphone-decimeter-2022": smartphone,
}


def run_hook(competition_id: str, repo_catalog: object, tmp_path: Path) -> tuple[object, Path, Path]:
    entry = repo_catalog.competitions[competition_id]  # type: ignore[attr-defined]
    competition = resolve_competition(repo_catalog, competition_id)  # type: ignore[arg-type]
    raw, public, private = (tmp_path / name for name in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    MAKERS[competition_id](raw)
    hook = import_hook(competition.prepare.hook or "", entry.folder)
    hook(raw=raw, public=public, private=private)
    return competition, public, private


@pytest.mark.parametrize("competition_id", sorted(MAKERS))
def test_hook_writes_gradable_answers_and_sample(competition_id: str, repo_catalog: object, tmp_path: Path) -> None:
    competition, public, private = run_hook(competition_id, repo_catalog, tmp_path)
    prepare = competition.prepare  # type: ignore[attr-defined]

    check_answers(prepare, private)  # MLE-bench's answers file name, with the columns grading reads
    report = grade_submission(public / "sample_submission.csv", competition, private / prepare.answers, None)  # type: ignore[arg-type]

    assert report.valid_submission, report.error


def test_group_splits_keep_groups_whole(repo_catalog: object, tmp_path: Path) -> None:
    _, public, private = run_hook("champs-scalar-coupling", repo_catalog, tmp_path)
    train = pd.read_csv(public / "train.csv")
    answers = pd.read_csv(private / "answers.csv")

    assert set(train["molecule_name"]).isdisjoint(answers["molecule_name"])
    assert len(train) + len(answers) == N and len(answers) > 0


def test_osic_scores_each_patients_last_three_measured_weeks(repo_catalog: object, tmp_path: Path) -> None:
    _, _, private = run_hook("osic-pulmonary-fibrosis-progression", repo_catalog, tmp_path)
    answers = pd.read_csv(private / "test.csv")
    scored = answers[answers["scored"]]

    assert scored.groupby("Patient").size().eq(3).all()
    assert scored["Weeks"].isin([5, 9, 14]).all() and answers["FVC"].isna().any()


def test_missing_raw_files_are_a_clear_error(repo_catalog: object, tmp_path: Path) -> None:
    entry = repo_catalog.competitions["ventilator-pressure-prediction"]  # type: ignore[attr-defined]
    hook = import_hook("prepare.py:prepare", entry.folder)

    with pytest.raises(DataError, match=r"lacks train\.csv"):
        hook(raw=tmp_path, public=tmp_path, private=tmp_path)


def test_recipes_extract_once_and_explain_missing_archives(tmp_path: Path) -> None:
    from podium.runtime.data import recipes

    archive = tmp_path / "train.zip"
    with zipfile.ZipFile(archive, "w") as opened:
        opened.writestr("train/a.png", b"1")
        opened.writestr("../escape.txt", b"2")  # zipfile drops the '..', so nothing lands outside

    target = recipes.extract(archive, tmp_path / "out")
    (target / "train" / "a.png").unlink()
    recipes.extract(archive, tmp_path / "out")  # a second call reuses the first extraction

    assert not (target / "train" / "a.png").exists()
    assert not (tmp_path / "escape.txt").exists()
    with pytest.raises(DataError, match=r"lacks test\.zip"):
        recipes.extract(tmp_path / "test.zip", tmp_path / "out")


def test_recipes_one_hot_follows_the_class_order() -> None:
    from podium.runtime.data import recipes

    hot = recipes.one_hot(frame(id=["a", "b"], label=["y", "x"]), "id", "label", ["x", "y", "z"])

    assert hot.columns.tolist() == ["id", "x", "y", "z"]
    assert hot[["x", "y", "z"]].to_numpy().tolist() == [[0, 1, 0], [1, 0, 0]]
