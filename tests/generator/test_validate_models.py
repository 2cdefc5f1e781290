"""Each document model's rejections, in the exact `FILE:LINE:COL: key.path: problem; expected` shape."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.generator.load import load_spec
from podium.generator.models import Competition, Document, Grader, Scaffold, Suite
from podium.generator.validate import validate_model

COMPETITION = """\
spec_version: 1
id: demo
name: Demo
modality: tabular
complexity: low
description: description.md
source:
  kind: pypi
  requirement: pkg==1.0
  files: {train.csv: data/train.csv}
prepare:
  split: {from: train.csv, test_size: 0.1, random_state: 0}
  id_column: id
  targets: [y]
grader:
  metric: accuracy
limits: {time: 2h, memory: 4GiB}
"""
GRADER = (
    "spec_version: 1\nid: acc\nname: Acc\nsummary: s\ndirection: maximize\ninputs: [labels]\nimplementation: accuracy\n"
)
SCAFFOLD = "spec_version: 1\nid: d\nname: D\nagent: dummy\n"
SUITE = "spec_version: 1\nid: s\ncompetitions: [demo]\nscaffolds: [d]\nseeds: [0, 1]\n"


def errors_for(tmp_path: Path, model: type[Document], text: str) -> list[str]:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    document, errors = validate_model(load_spec(path), model)
    assert (document is None) == bool(errors)
    return [str(e).replace(str(path), "F") for e in errors]


@pytest.mark.parametrize(
    ("model", "text"), [(Competition, COMPETITION), (Grader, GRADER), (Scaffold, SCAFFOLD), (Suite, SUITE)]
)
def test_valid_documents_pass(tmp_path: Path, model: type[Document], text: str) -> None:
    assert errors_for(tmp_path, model, text) == []


def test_units_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(COMPETITION)
    document, _ = validate_model(load_spec(path), Competition)
    assert isinstance(document, Competition)
    assert document.limits.time == 7200
    assert document.limits.memory == 4 * 2**30


@pytest.mark.parametrize(
    ("model", "base", "old", "new", "expected"),
    [
        (Competition, COMPETITION, "  metric: accuracy", "  metirc: accuracy",
         "F:16:3: grader.metirc: unknown key 'metirc'; one of metric, params (did you mean 'metric'?)"),
        (Competition, COMPETITION, "complexity: low", "complexity: lowish",
         "F:5:1: complexity: 'lowish' is not allowed; one of high, low, medium (did you mean 'low'?)"),
        (Competition, COMPETITION, "  kind: pypi", "  kind: pipy",
         "F:7:1: source: 'pipy' is not allowed; one of generated, kaggle, local, pypi, sklearn (did you mean 'pypi'?)"),
        (Competition, COMPETITION, "limits: {time: 2h, memory: 4GiB}", "limits: {time: 2hours, memory: 4GiB}",
         "F:17:10: limits.time: '2hours' is not a duration; write it like '24h', '30m', '1h30m' or 90s"),
        (Competition, COMPETITION, "limits: {time: 2h, memory: 4GiB}", "limits: {time: 2h, memory: lots}",
         "F:17:20: limits.memory: 'lots' is not a size; write it like '16GiB', '512MB' or 1024"),
        (Competition, COMPETITION, "id: demo", "id: 'a;rm -rf $(x)'",
         "F:2:1: id: String should match pattern '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$' (got 'a;rm -rf $(x)'); letters, digits, '.', '_' and '-' (see the schema's description for this key)"),
        (Competition, COMPETITION, "spec_version: 1", "spec_version: 2",
         "F:1:1: spec_version: 2 is not allowed; one of 1"),
        (Competition, COMPETITION, "  targets: [y]\n", "",
         "F:11:1: prepare.targets: required key 'targets' is missing; add `targets:` here"),
        (Competition, COMPETITION, "  id_column: id", "  hook: prepare.py:prepare\n  id_column: id",
         "F:11:1: prepare: give exactly one of split (declarative) or hook (code); see the spec format in README.md and schemas/"),
        (Grader, GRADER, "direction: maximize", "direction: up",
         "F:5:1: direction: 'up' is not allowed; one of maximize, minimize"),
        (Scaffold, SCAFFOLD, "agent: dummy", "agent: aide",
         "F:1:1: (top): a aide scaffold needs a model endpoint under `model`; see the spec format in README.md and schemas/"),
        (Suite, SUITE, "competitions: [demo]\n", "",
         "F:1:1: (top): give exactly one of `competitions` (a list) or `split` (a file); see the spec format in README.md and schemas/"),
        (Suite, SUITE, "seeds: [0, 1]", "seeds: [zero]",
         "F:5:9: seeds[0]: Input should be a valid integer, unable to parse string as an integer (got 'zero'); a whole number"),
    ],
    ids=["misspelled-key", "enum", "discriminator", "duration", "size", "id-metacharacters", "version",
         "missing", "split-or-hook", "direction", "needs-model", "suite-members", "seed-type"],
)  # fmt: skip
def test_rejections_are_located_and_explained(
    tmp_path: Path, model: type[Document], base: str, old: str, new: str, expected: str
) -> None:
    assert old in base
    assert expected in errors_for(tmp_path, model, base.replace(old, new))


def test_all_errors_are_reported_not_only_the_first(tmp_path: Path) -> None:
    text = COMPETITION.replace("complexity: low", "complexity: x").replace("  metric: accuracy", "  metirc: accuracy")
    assert len(errors_for(tmp_path, Competition, text)) >= 3
