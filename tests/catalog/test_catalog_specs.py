"""Facts every MLE-bench spec must keep: MLE-bench's answers file, the Kaggle source, a
description in podium's own short form, and a prepare that exists."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest
from mlebench_catalog import ANCHORS, mlebench_ids

from podium.generator.catalog import Catalog

# Where podium grades from another file than MLE-bench's answers, and why (see the spec's known issues).
OTHER_ANSWERS = {"tensorflow2-question-answering": "gold_submission.csv"}  # MLE-bench's test.jsonl is raw records


def mlebench_answers(competition_id: str) -> str:
    config = (ANCHORS / competition_id / "config.yaml").read_text()
    answers = re.search(r"^\s+answers:\s*(\S+)", config, re.MULTILINE)
    assert answers is not None
    return PurePosixPath(answers.group(1)).name


def test_answers_files_are_mlebench_s(repo_catalog: Catalog) -> None:
    if not ANCHORS.is_dir():
        pytest.skip(f"MLE-bench anchors not found at {ANCHORS}")
    for competition_id in mlebench_ids(repo_catalog):
        expected = OTHER_ANSWERS.get(competition_id) or mlebench_answers(competition_id)
        assert repo_catalog.competition(competition_id).prepare.answers == expected, competition_id


def test_sources_descriptions_and_prepares(repo_catalog: Catalog) -> None:
    for competition_id in mlebench_ids(repo_catalog):
        competition = repo_catalog.competition(competition_id)
        folder = repo_catalog.competitions[competition_id].folder
        lines = (folder / competition.description).read_text(encoding="utf-8").splitlines()

        if competition_id != "spaceship-titanic":  # kept on its offline PyPI copy of Kaggle's data
            assert competition.source.kind == "kaggle", competition_id
            assert 10 <= len(lines) <= 25, f"{competition_id}: {len(lines)} description lines"
        assert lines[0].startswith("# ") and "## Submission" in lines, competition_id
        if competition.prepare.hook:
            assert (folder / competition.prepare.hook.partition(":")[0]).is_file(), competition_id
        for issue in competition.known_issues:
            assert issue.links, f"{competition_id}: a known issue without a link"
