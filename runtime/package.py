"""The command line of every compiled competition package: `podium-<id> prepare|grade|validate|info`.

A competition package (`podium build`) is data plus a five-line shim: the frozen resolved spec
(`spec.json`, canonical JSON, and `spec.sha256` in sha256sum format), `thresholds.json` when the
pinned leaderboard was at hand at build time, and the spec's hook files under `hooks/`. The shim
calls `main(path_to_spec_json)`; everything else lives here, once, so a fix reaches every package
without a rebuild and no spec value is ever templated into code.

Exit codes: 0 done (for `grade`, an invalid submission is a result, as in `podium grade`; for
`validate`, the submission is valid), 1 failed or invalid, 2 usage errors (argparse).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podium.runtime.spec import ResolvedCompetition

SPEC_FILE = "spec.json"
SPEC_SHA256_FILE = "spec.sha256"
THRESHOLDS_FILE = "thresholds.json"
HOOKS_FOLDER = "hooks"
EXIT_OK, EXIT_FAILED = 0, 1


class PackageError(Exception):
    """The package's own files are missing or were changed after the build."""


@dataclass(frozen=True)
class Package:
    """A competition package's frozen files, checked against the hash recorded at build time."""

    root: Path
    competition: ResolvedCompetition
    spec_sha256: str
    thresholds: dict[str, Any] | None

    @property
    def hooks_dir(self) -> Path:
        return self.root / HOOKS_FOLDER


def check_built_sha256(spec_path: Path, data: bytes, recorded: str) -> None:
    """A frozen spec must still hash to what `podium build` recorded: edits belong in the YAML."""
    actual = hashlib.sha256(data).hexdigest()
    if actual != recorded:
        raise PackageError(
            f"{spec_path} has sha256 {actual} but was built as {recorded}: it was edited after "
            "`podium build`. Edit the YAML spec instead and rebuild the package."
        )


def load_package(spec_path: Path) -> Package:
    spec_path = Path(spec_path)
    root = spec_path.parent
    try:
        data = spec_path.read_bytes()
        recorded = (root / SPEC_SHA256_FILE).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError) as error:
        raise PackageError(f"cannot read the package's spec at {spec_path}: {error}") from None
    check_built_sha256(spec_path, data, recorded)
    competition = ResolvedCompetition.model_validate_json(data)
    thresholds_path = root / THRESHOLDS_FILE
    thresholds = json.loads(thresholds_path.read_text(encoding="utf-8")) if thresholds_path.is_file() else None
    return Package(root, competition, recorded, thresholds)


def main(spec_path: Path, argv: Sequence[str] | None = None) -> int:
    """Run one subcommand for the package whose spec is at `spec_path`; returns the exit code."""
    try:
        package = load_package(spec_path)
    except PackageError as error:
        return _fail(str(error))
    arguments = _parser(package.competition.id).parse_args(argv)
    return int(arguments.run(package, arguments))


def _parser(competition_id: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=f"podium-{competition_id}",
        description=f"The compiled podium competition {competition_id}: prepare data, grade, validate.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    info = commands.add_parser("info", help="What this package is: spec hash, metric, thresholds.")
    info.add_argument("--json", action="store_true", dest="as_json", help="Print JSON only.")
    info.set_defaults(run=info_command)
    prepare = commands.add_parser("prepare", help="Fetch and split the data (MLE-bench layout).")
    _data_dir_option(prepare)
    prepare.add_argument("--force", action="store_true", help="Rebuild even if already prepared.")
    prepare.set_defaults(run=prepare_command)
    grade = commands.add_parser("grade", help="Grade a submission; place it on the leaderboard.")
    _submission_options(grade)
    grade.add_argument("--leaderboard", type=Path, help="Leaderboard CSV; default: looked up.")
    grade.set_defaults(run=grade_command)
    validate = commands.add_parser("validate", help="Say whether a submission is valid (never its score).")
    _submission_options(validate)
    validate.set_defaults(run=validate_command)
    return parser


def _data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, help="Data folder; default: $PODIUM_DATA_DIR, else the user cache.")


def _submission_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("submission", type=Path, metavar="SUBMISSION", help="The submission CSV.")
    parser.add_argument("--answers", type=Path, help="Answers CSV; default: the prepared data's.")
    _data_dir_option(parser)


def info_command(package: Package, arguments: argparse.Namespace) -> int:
    facts = package_facts(package)
    if arguments.as_json:
        print(json.dumps(facts, indent=2, sort_keys=True, ensure_ascii=False))
        return EXIT_OK
    for name, value in facts.items():
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        print(f"{name}: {shown}")
    return EXIT_OK


def package_facts(package: Package) -> dict[str, Any]:
    competition = package.competition
    return {
        "competition_id": competition.id,
        "name": competition.name,
        "metric": competition.grader.id,
        "direction": competition.grader.direction,
        "grader_version": competition.grader.version,
        "spec_sha256": package.spec_sha256,
        "leaderboard_sha256": competition.leaderboard.sha256,
        "thresholds": package.thresholds or _no_thresholds_note(competition),
        "limits": competition.limits.model_dump(mode="json"),
        "known_issues": len(competition.known_issues),
        "package": str(package.root),
    }


def _no_thresholds_note(competition: ResolvedCompetition) -> str:
    if competition.leaderboard.sha256 is None:
        return "none: the spec pins no leaderboard"
    return "none: the pinned leaderboard was not available at build time (`grade` still looks it up)"


def prepare_command(package: Package, arguments: argparse.Namespace) -> int:
    from podium.runtime.data.prepare import prepare_competition
    from podium.runtime.data.sources import DataError

    try:
        result = prepare_competition(
            package.competition, arguments.data_dir, spec_dir=package.hooks_dir, force=arguments.force
        )
    except DataError as error:
        return _fail(str(error))
    status = "already prepared" if result.skipped else f"prepared in {result.seconds:.1f}s"
    print(f"{package.competition.id}: {status}: {result.prepared_dir}")
    return EXIT_OK


def grade_command(package: Package, arguments: argparse.Namespace) -> int:
    from podium.runtime.grading.grade import GRADING_FAILURES, grade_submission
    from podium.runtime.grading.leaderboard import load_leaderboard

    competition = package.competition
    try:
        answers = answers_path(competition, arguments.answers, arguments.data_dir)
        leaderboard = load_leaderboard(
            competition.id,
            pin=competition.leaderboard.sha256,
            direction=competition.grader.direction,
            explicit=arguments.leaderboard,
        )
        report = grade_submission(arguments.submission, competition, answers, leaderboard)
    except GRADING_FAILURES as error:
        return _fail(str(error))
    print(report.model_dump_json(indent=2))
    return EXIT_OK


def validate_command(package: Package, arguments: argparse.Namespace) -> int:
    """Valid or invalid with the reason, never the score: what an agent may be told."""
    from podium.runtime.grading.submission import (
        AnswersError,
        Invalid,
        SubmissionRules,
        check_submission,
        read_answers,
    )

    competition = package.competition
    rules = SubmissionRules.for_competition(competition)
    try:
        answers = read_answers(answers_path(competition, arguments.answers, arguments.data_dir), rules)
    except AnswersError as error:
        return _fail(str(error))
    checked = check_submission(arguments.submission, answers, rules)
    if isinstance(checked, Invalid):
        print(f"invalid: {checked.error}")
        return EXIT_FAILED
    print(f"valid: {arguments.submission} can be graded")
    return EXIT_OK


def answers_path(competition: ResolvedCompetition, explicit: Path | None, data_dir: Path | None) -> Path:
    from podium.runtime.data import paths
    from podium.runtime.grading.submission import AnswersError

    if explicit is not None:
        return explicit
    answers = paths.private_dir(competition.id, paths.data_dir(data_dir)) / competition.prepare.answers
    if not answers.is_file():
        raise AnswersError(
            f"no answers for {competition.id} at {answers}: prepare the data first "
            f"(`podium-{competition.id} prepare`), point --data-dir or ${paths.DATA_DIR_ENV} at the "
            f"folder holding {competition.id}/prepared/, or pass --answers FILE"
        )
    return answers


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_FAILED
