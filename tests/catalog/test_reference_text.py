"""Eleven text competitions' prepare hooks against MLE-bench's own prepare, on tiny raw data in
Kaggle's layout: both write the same split, answers and public files, the sample submission
grades valid against the answers, and a missing raw file is a clear DataError.

Podium names every sample submission public/sample_submission.csv (the agents' contract);
where MLE-bench names it otherwise, or writes files podium leaves out, the comparison says so."""

from __future__ import annotations

import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from mlebench_reference import assert_same_preparation, catalog_hook, prepare_both, prepare_on

from podium.generator.catalog import Catalog
from podium.generator.resolve import resolve_competition
from podium.runtime.data.prepare import check_answers
from podium.runtime.data.sources import DataError
from podium.runtime.grading import grade_submission

Maker = Callable[[Path], None]
N = 40
AI4CODE_TEST_NOTEBOOKS = 8  # MLE-bench and podium hard-code Kaggle's 20,000; patched down for tiny data
SAMPLE = "public/sample_submission.csv"


def zipped(raw: Path, name: str, text: str, archive_name: str = "") -> None:
    """`<name>.zip` (or `archive_name`) holding one file `name`, as Kaggle ships its tables."""
    with zipfile.ZipFile(raw / (archive_name or f"{name}.zip"), "w") as archive:
        archive.writestr(name, text)


def csv_text(frame: pd.DataFrame, **options: Any) -> str:
    return frame.to_csv(index=False, **options)


def ai4code(raw: Path) -> None:
    """20 notebooks in 9 fork families (sizes 1 to 4), each a JSON of cells and their types."""
    ids = [f"{i:014x}" for i in range(20)]
    families = [f"a{i % 9}" for i in range(20)]
    pd.DataFrame({"id": ids, "ancestor_id": families, "parent_id": [None, *ids[:-1]]}).to_csv(
        raw / "train_ancestors.csv", index=False
    )
    orders = []
    for number, notebook in enumerate(ids):
        cells = [f"c{notebook[-2:]}{k}" for k in range(3 + number % 3)]
        kinds = {cell: "code" if k % 2 else "markdown" for k, cell in enumerate(cells)}
        stored = sorted(cells, key=lambda cell: kinds[cell])  # Kaggle stores code cells first
        (raw / "train").mkdir(exist_ok=True)
        (raw / "train" / f"{notebook}.json").write_text(
            json.dumps({"cell_type": {c: kinds[c] for c in stored}, "source": {c: f"x = {c!r}" for c in stored}})
        )
        orders.append({"id": notebook, "cell_order": " ".join(cells)})
    pd.DataFrame(orders).to_csv(raw / "train_orders.csv", index=False)


def billion_words(raw: Path) -> None:
    """Enough sentences that a 1% draw picks some; a few have two words only, some quotes."""
    words = ["the", "cat", "sat", "on", "a", "mat", "while", '"dogs"', "barked", ",", "loudly", "."]
    lines = [" ".join(words[(i % 7) : (i % 7) + 2 + i % 9]) for i in range(1500)]
    zipped(raw, "train_v2.txt", "\n".join(lines) + "\n")


def insults(raw: Path) -> None:
    # Kaggle's comments: quoted, quotes doubled, escapes like \xa0 and \n kept as literal text
    comments = [f'"""You are number {i}.\\xa0 Really,\\n {i}"""' for i in range(2 * N)]
    dates = ["20120618192155Z" if i % 4 else "" for i in range(2 * N)]
    rows = [f"{i % 3 == 0:d},{dates[i]},{comments[i]}" for i in range(2 * N)]
    (raw / "train.csv").write_text("Insult,Date,Comment\n" + "\n".join(rows[:N]) + "\n")
    usage = ['"PrivateTest"' if i % 2 else '"PublicTest"' for i in range(N)]
    tested = [f"{row},{use}" for row, use in zip(rows[N:], usage, strict=True)]
    (raw / "test_with_solutions.csv").write_text("Insult,Date,Comment,Usage\n" + "\n".join(tested) + "\n")


def facebook(raw: Path) -> None:
    questions = pd.DataFrame({"Id": [str(i + 1) for i in range(N)], "Title": [f"How to {i}?" for i in range(N)],
                              "Body": [f"<p>code, \"quoted\" {i}</p>\n" for i in range(N)],
                              "Tags": [["c#", "python pandas", "java"][i % 3] for i in range(N)]})  # fmt: skip
    zipped(raw, "Train.csv", csv_text(questions), "Train.zip")


QUEST_TEXT = ["question_title", "question_body", "question_user_name", "question_user_page", "answer",
              "answer_user_name", "answer_user_page", "url", "category", "host"]  # fmt: skip


def quest_ratings() -> list[str]:
    """The 30 rating columns in Kaggle's order, which the spec's targets follow."""
    spec = (Path(__file__).parents[2] / "specs/competitions/google-quest-challenge/spec.yaml").read_text()
    ratings: list[str] = yaml.safe_load(spec)["prepare"]["targets"]
    return ratings


def quest(raw: Path) -> None:
    """Ratings in ninths and thirds as Kaggle's; question_type_spelling is 0 but for two rows."""
    rng = np.random.RandomState(1)
    pairs = pd.DataFrame({"qa_id": range(N), **{column: [f"{column} {i}" for i in range(N)] for column in QUEST_TEXT}})
    levels = [0.0, 0.333333333333333, 0.666666666666667, 0.888888888888889, 1.0]
    for column in quest_ratings():
        pairs[column] = rng.choice(levels, N)
    pairs["question_type_spelling"] = [0.666666666666667 if i in (3, 17) else 0.0 for i in range(N)]
    pairs.to_csv(raw / "train.csv", index=False)


TOXIC = ["toxic", "severe_toxic", "obscene", "threat", "insult", "identity_hate"]


def toxic(raw: Path) -> None:
    """Kaggle's four zipped tables; a quarter of the test labels are -1 (never scored)."""
    ids = [f"{i:016x}" for i in range(2 * N)]
    comments = pd.DataFrame({"id": ids, "comment_text": [f'"Hey" you,\nnumber {i}' for i in range(2 * N)]})
    train, test = comments[:N], comments[N:]
    train_labels = {c: (np.arange(N) % (k + 2) == 0).astype(int) for k, c in enumerate(TOXIC)}
    test_labels = {c: [-1 if i % 4 == 0 else (i + k) % 2 for i in range(N)] for k, c in enumerate(TOXIC)}
    zipped(raw, "train.csv", csv_text(train.assign(**train_labels)))
    zipped(raw, "test.csv", csv_text(test))
    zipped(raw, "test_labels.csv", csv_text(test[["id"]].assign(**test_labels)))
    zipped(raw, "sample_submission.csv", csv_text(test[["id"]].assign(**dict.fromkeys(TOXIC, 0.5))))


IDENTITIES = ["asian", "atheist", "bisexual", "black", "buddhist", "christian", "female", "heterosexual", "hindu",
              "homosexual_gay_or_lesbian", "intellectual_or_learning_disability", "jewish", "latino", "male",
              "muslim", "other_disability", "other_gender", "other_race_or_ethnicity", "other_religion",
              "other_sexual_orientation", "physical_disability", "psychiatric_or_mental_illness", "transgender",
              "white"]  # fmt: skip
BIAS_COLUMNS = ["id", "comment_text", "toxicity", "severe_toxicity", "obscene", "identity_attack", "insult", "threat",
                *IDENTITIES, "created_date", "publication_id", "parent_id", "article_id", "rating", "funny", "wow",
                "sad", "likes", "disagree", "sexual_explicit", "identity_annotator_count", "toxicity_annotator_count"]  # fmt: skip


def bias(raw: Path) -> None:
    """Kaggle's 45 columns; every identity has toxic and non-toxic comments, so each AUC is defined."""
    rng = np.random.RandomState(2)
    rows = pd.DataFrame({"id": range(7000000, 7000000 + N), "comment_text": [f"comment, {i}" for i in range(N)]})
    for column in BIAS_COLUMNS[2:]:
        rows[column] = rng.choice([0.0, 0.2, 0.6, 1.0], N)
    rows["toxicity"] = [0.8 if i % 2 else 0.1 for i in range(N)]
    for k, column in enumerate(IDENTITIES):
        rows[column] = [1.0 if (i + k) % 4 < 2 else 0.0 for i in range(N)]
    rows[["created_date", "rating"]] = ["2017-05-01 10:00:00.0+00", "approved"]
    rows.to_csv(raw / "test_private_expanded.csv", index=False)
    rows.assign(id=rows["id"] - 6000000).drop(columns=["rating"]).to_csv(raw / "train.csv", index=False)


def movie(raw: Path) -> None:
    phrases = pd.DataFrame({"PhraseId": range(1, N + 1), "SentenceId": [1 + i // 8 for i in range(N)],
                            "Phrase": [f"a \"series\" , of {i}" for i in range(N)], "Sentiment": [i % 5 for i in range(N)]})  # fmt: skip
    zipped(raw, "train.tsv", csv_text(phrases, sep="\t"))


def pizza(raw: Path) -> None:
    """Kaggle's test.json has fewer fields than train.json (no outcome, no retrieval-time counts)."""
    requests = [{"request_id": f"t3_{i:05x}", "request_title": f"[Request] pizza \u00e9 {i}",
                 "request_text_edit_aware": f"hungry \"now\" {i}", "giver_username_if_known": "N/A",
                 "requester_received_pizza": i % 3 == 0, "number_of_upvotes_of_request_at_retrieval": i,
                 "unix_timestamp_of_request": 1.3e9 + i} for i in range(N)]  # fmt: skip
    test_fields = ["request_id", "request_title", "request_text_edit_aware", "giver_username_if_known",
                   "unix_timestamp_of_request"]  # fmt: skip
    (raw / "train.json").write_text(json.dumps(requests))
    (raw / "test.json").write_text(json.dumps([{k: r[k] for k in test_fields} for r in requests[:12]]))


def spooky(raw: Path) -> None:
    excerpts = pd.DataFrame({"id": [f"id{i:05d}" for i in range(N)], "text": [f"It was, \"dark\" {i}." for i in range(N)],
                             "author": [["EAP", "HPL", "MWS"][i % 3] for i in range(N)]})  # fmt: skip
    zipped(raw, "train.csv", csv_text(excerpts), "train.zip")


def russian(raw: Path) -> None:
    words = [("PLAIN", "Привет", "Привет"), ("CARDINAL", "12", "двенадцать"), ("PUNCT", ",", ","),
             ("PLAIN", '"мир"', '"мир"'), ("DATE", "1 мая", "первого мая")]  # fmt: skip
    tokens = pd.DataFrame([{"sentence_id": s, "token_id": t, "class": words[(s + t) % 5][0], "before": words[(s + t) % 5][1],
                            "after": words[(s + t) % 5][2]} for s in range(12) for t in range(3 + s % 3)])  # fmt: skip
    zipped(raw, "ru_train.csv", csv_text(tokens))
    zipped(raw, "ru_test_2.csv", csv_text(tokens.drop(columns=["class", "after"])))
    zipped(raw, "ru_sample_submission_2.csv", csv_text(pd.DataFrame({"id": ["0_0"], "after": ["Привет"]})))


@dataclass(frozen=True)
class Case:
    maker: Maker
    missing: str  # a raw file whose absence must be a clear DataError
    renamed: dict[str, str] = field(default_factory=dict)  # MLE-bench's path -> podium's, same content
    dropped: dict[str, str] = field(default_factory=dict)  # MLE-bench-only files podium leaves out: why


CASES = {
    "AI4Code": Case(ai4code, "train_orders.csv"),
    "billion-word-imputation": Case(
        billion_words, "train_v2.txt.zip", renamed={"private/sample_submission.csv": SAMPLE}
    ),
    "detecting-insults-in-social-commentary": Case(
        insults,
        "test_with_solutions.csv",
        renamed={"public/sample_submission_null.csv": SAMPLE},
        dropped={"private/gold_submission.csv": "a copy of the answers' columns that grading never reads"},
    ),
    "facebook-recruiting-iii-keyword-extraction": Case(facebook, "Train.zip"),
    "google-quest-challenge": Case(quest, "train.csv"),
    "jigsaw-toxic-comment-classification-challenge": Case(toxic, "test_labels.csv.zip"),
    "jigsaw-unintended-bias-in-toxicity-classification": Case(bias, "test_private_expanded.csv"),
    "movie-review-sentiment-analysis-kernels-only": Case(
        movie, "train.tsv.zip", renamed={"public/sampleSubmission.csv": SAMPLE}
    ),
    "random-acts-of-pizza": Case(pizza, "test.json", renamed={"public/sampleSubmission.csv": SAMPLE}),
    "spooky-author-identification": Case(spooky, "train.zip"),
    "text-normalization-challenge-russian-language": Case(
        russian, "ru_test_2.csv.zip", renamed={"private/sample_submission.csv": SAMPLE}
    ),
}


def podium_hook(competition_id: str, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    hook = catalog_hook(catalog, competition_id)
    if competition_id == "AI4Code":
        monkeypatch.setitem(hook.__globals__, "TEST_NOTEBOOKS", AI4CODE_TEST_NOTEBOOKS)
    return hook


def reference_hook(competition_id: str, prepare: Callable[..., None], monkeypatch: pytest.MonkeyPatch) -> Any:
    """MLE-bench's prepare, with its real-data constants patched where tiny data cannot meet them."""
    module = sys.modules[prepare.__module__]
    if competition_id == "AI4Code":
        split = module.create_train_test_split
        monkeypatch.setattr(
            module, "create_train_test_split", lambda frame, test_size: split(frame, AI4CODE_TEST_NOTEBOOKS)
        )
    if competition_id == "billion-word-imputation":
        monkeypatch.setattr(module, "np_rng", np.random.RandomState(0))  # module-level: fresh for each run

        def counted_lines_apart(**sides: Path) -> None:
            # Its last check wants Kaggle's 30,301,028 lines; every file is written by then.
            with pytest.raises(AssertionError, match="sum to the total number of samples"):
                prepare(**sides)

        return counted_lines_apart
    return prepare


def as_podium_names(theirs: Path, case: Case) -> None:
    """Move MLE-bench's differently named files to podium's names; drop the ones podium leaves out."""
    for their_name, our_name in case.renamed.items():
        (theirs / their_name).rename(theirs / our_name)
    for name in case.dropped:
        (theirs / name).unlink()


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_preparation_equals_mlebench(
    competition_id: str, repo_catalog: Catalog, mlebench_prepare: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    case = CASES[competition_id]
    ours = podium_hook(competition_id, repo_catalog, monkeypatch)
    theirs = reference_hook(competition_id, mlebench_prepare(competition_id), monkeypatch)

    our_root, their_root = prepare_both(case.maker, ours, theirs, tmp_path)
    as_podium_names(their_root, case)

    assert_same_preparation(our_root, their_root)


def prepared(competition_id: str, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    return prepare_on(CASES[competition_id].maker, podium_hook(competition_id, catalog, monkeypatch), tmp_path)


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_sample_submission_grades_against_the_answers(
    competition_id: str, repo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = prepared(competition_id, repo_catalog, monkeypatch, tmp_path)
    competition = resolve_competition(repo_catalog, competition_id)
    answers = root / "private" / competition.prepare.answers

    check_answers(competition.prepare, root / "private")
    sample = grade_submission(root / SAMPLE, competition, answers, None)
    assert sample.valid_submission, sample.error
    assert len(pd.read_csv(root / SAMPLE)) == len(pd.read_csv(answers)) > 0


@pytest.mark.parametrize("competition_id", sorted(CASES))
def test_missing_raw_file_is_a_clear_error(
    competition_id: str, repo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    raw, public, private = (tmp_path / side for side in ("raw", "public", "private"))
    for folder in (raw, public, private):
        folder.mkdir()
    case = CASES[competition_id]
    case.maker(raw)
    (raw / case.missing).unlink()
    hook = podium_hook(competition_id, repo_catalog, monkeypatch)

    with pytest.raises(DataError, match=case.missing.replace(".", r"\.")):
        hook(raw=raw, public=public, private=private)


def test_ai4code_test_notebooks_share_no_fork_family_with_training(
    repo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    public = prepared("AI4Code", repo_catalog, monkeypatch, tmp_path) / "public"
    ancestry = pd.read_csv(public / "train_ancestors.csv")
    everyone = pd.read_csv(tmp_path / "raw" / "train_ancestors.csv")
    tested = {path.stem for path in (public / "test").iterdir()}

    assert len(tested) == AI4CODE_TEST_NOTEBOOKS and tested.isdisjoint(ancestry["id"])
    assert set(everyone.loc[everyone["id"].isin(tested), "ancestor_id"]).isdisjoint(ancestry["ancestor_id"])


def test_quest_answers_vary_in_every_rating(
    repo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = prepared("google-quest-challenge", repo_catalog, monkeypatch, tmp_path)
    answers = pd.read_csv(root / "private" / "test.csv")

    assert list(answers.columns) == ["qa_id", *quest_ratings()]
    assert answers[quest_ratings()].nunique().gt(1).all()  # the spelling swap happened: Spearman is defined


def test_billion_word_test_sentences_lack_one_inner_word(
    repo_catalog: Catalog, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    root = prepared("billion-word-imputation", repo_catalog, monkeypatch, tmp_path)
    with zipfile.ZipFile(root / "public" / "test_v2.txt.zip") as archive:
        gapped = pd.read_csv(archive.open("test_v2.txt"))
    whole = pd.read_csv(root / "private" / "test.csv")

    assert len(whole) > 3 and list(gapped["id"]) == list(whole["id"])
    for short, full in zip(gapped["sentence"].str.split(), whole["sentence"].str.split(), strict=True):
        assert len(short) == len(full) - 1 and short[0] == full[0] and short[-1] == full[-1]
