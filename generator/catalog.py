"""Validation, layer two: the catalog of every spec under a specs/ folder.

Loads each document, validates it against its model, then checks what no single file can:
ids unique and equal to file names, every reference resolving (graders, scaffolds, suite
members, split files, description and hook files inside the specs folder), and the declared
direction against the leaderboard's order when a leaderboard is at hand.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from podium.generator.errors import SpecError, SpecLoadError, did_you_mean, display_path, one_of
from podium.generator.load import LoadedSpec, load_spec
from podium.generator.models import DOCUMENTS, Competition, Document, Grader, Suite
from podium.generator.validate import validate_model
from podium.runtime.spec.parts import ID_PATTERN, Direction

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class Entry:
    """One valid spec document and where it came from."""

    loaded: LoadedSpec
    document: Document

    @property
    def folder(self) -> Path:
        return self.loaded.path.parent


@dataclass
class Catalog:
    root: Path
    competitions: dict[str, Entry] = field(default_factory=dict)
    graders: dict[str, Entry] = field(default_factory=dict)
    scaffolds: dict[str, Entry] = field(default_factory=dict)
    suites: dict[str, Entry] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)

    def section(self, folder: str) -> dict[str, Entry]:
        section: dict[str, Entry] = getattr(self, folder)
        return section

    def competition(self, competition_id: str) -> Competition:
        return self.competitions[competition_id].document  # type: ignore[return-value]

    def grader(self, grader_id: str) -> Grader:
        return self.graders[grader_id].document  # type: ignore[return-value]

    def suite_members(self, suite_id: str) -> list[str]:
        entry = self.suites[suite_id]
        suite: Suite = entry.document  # type: ignore[assignment]
        if suite.split is None:
            return list(suite.competitions)
        return read_split_file(entry.folder / suite.split.file)


def read_split_file(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def spec_files(root: Path, folder: str) -> list[Path]:
    """`<folder>/<id>.yaml` and `<folder>/<id>/spec.yaml`, sorted."""
    base = root / folder
    if not base.is_dir():
        return []
    flat = [p for p in base.iterdir() if p.suffix in SPEC_SUFFIXES and p.is_file()]
    nested = [p / "spec.yaml" for p in base.iterdir() if (p / "spec.yaml").is_file()]
    return sorted(flat + nested)


def spec_id_from_path(path: Path) -> str:
    return path.parent.name if path.name == "spec.yaml" else path.stem


def spec_path(root: Path, folder: str, spec_id: str) -> Path | None:
    """Where the spec `spec_id` of a kind lives, without listing the folder; None if nowhere."""
    if not re.match(ID_PATTERN, spec_id):
        return None  # never build a path from an id that could climb out of the folder
    candidates = (f"{spec_id}.yaml", f"{spec_id}.yml", f"{spec_id}/spec.yaml")
    return next((root / folder / name for name in candidates if (root / folder / name).is_file()), None)


def load_competition_catalog(root: Path, competition_id: str) -> Catalog:
    """Only one competition and its grader: what grading or preparing it needs, without parsing
    (and hashing the leaderboards of) every spec in the catalog."""
    catalog = Catalog(root=root)
    if path := spec_path(root, "competitions", competition_id):
        _add(catalog, "competitions", Competition, path)
    if competition_id in catalog.competitions:
        grader_id = catalog.competition(competition_id).grader.metric
        if grader_file := spec_path(root, "graders", grader_id):
            _add(catalog, "graders", Grader, grader_file)
        catalog.errors += _competition_errors(catalog, catalog.competitions[competition_id])
    return catalog


def load_catalog(root: Path, check_metrics: bool = True) -> Catalog:
    """All specs under root, validated. `check_metrics=False` skips resolving graders' built-in
    metric names, which imports the numeric libraries; commands other than validate skip it."""
    catalog = Catalog(root=root)
    for folder, model in DOCUMENTS.items():
        for path in spec_files(root, folder):
            _add(catalog, folder, model, path)
    check_references(catalog, check_metrics)
    return catalog


def _add(catalog: Catalog, folder: str, model: type[Document], path: Path) -> None:
    try:
        loaded = load_spec(path)
    except SpecLoadError as exc:
        catalog.errors += exc.errors
        return
    document, errors = validate_model(loaded, model)
    catalog.errors += errors
    if document is None:
        return
    expected_id = spec_id_from_path(path)
    section = catalog.section(folder)
    if document.id != expected_id:
        catalog.errors.append(
            loaded.error(("id",), f"id {document.id!r} differs from the file name", f"id: {expected_id}")
        )
    elif document.id in section:
        first = display_path(section[document.id].loaded.path)
        catalog.errors.append(loaded.error(("id",), f"id {document.id!r} is taken", f"a new id ({first} has it)"))
    else:
        section[document.id] = Entry(loaded, document)


def check_references(catalog: Catalog, check_metrics: bool = True) -> None:
    for entry in catalog.competitions.values():
        catalog.errors += _competition_errors(catalog, entry)
    for entry in catalog.graders.values() if check_metrics else ():
        catalog.errors += _grader_errors(entry)
    for entry in catalog.scaffolds.values():
        catalog.errors += _hook_errors(catalog, entry, ("hook",), entry.document.hook)  # type: ignore[attr-defined]
    for entry in catalog.suites.values():
        catalog.errors += _suite_errors(catalog, entry)


def _missing_reference(
    entry: Entry, key_path: tuple[str | int, ...], name: str, what: str, known: Iterable[str]
) -> SpecError:
    known = list(known)
    return entry.loaded.error(key_path, f"no {what} named {name!r}", f"{one_of(known)}{did_you_mean(name, known)}")


def _competition_errors(catalog: Catalog, entry: Entry) -> list[SpecError]:
    competition: Competition = entry.document  # type: ignore[assignment]
    errors = _file_errors(catalog, entry, ("description",), competition.description)
    errors += _hook_errors(catalog, entry, ("prepare", "hook"), competition.prepare.hook)
    if competition.grader.metric not in catalog.graders:
        errors.append(
            _missing_reference(entry, ("grader", "metric"), competition.grader.metric, "grader", catalog.graders)
        )
    else:
        errors += _leaderboard_errors(entry, competition, catalog.grader(competition.grader.metric).direction)
    return errors


def _leaderboard_errors(entry: Entry, competition: Competition, direction: Direction) -> list[SpecError]:
    """When a leaderboard is at hand, it must match the pin and run best-first for the direction."""
    from podium.runtime.grading.leaderboard import Leaderboard, LeaderboardError, find_leaderboard

    try:
        path = find_leaderboard(competition.id)
        if path is None:
            return []
        leaderboard = Leaderboard.from_csv(path)
        leaderboard.check_pin(competition.leaderboard.sha256)
        leaderboard.check_direction(direction)
    except LeaderboardError as exc:
        problem, _, expected = str(exc).partition("; ")
        return [entry.loaded.error(("leaderboard",), problem, expected or "a leaderboard matching the spec")]
    return []


def _grader_errors(entry: Entry) -> list[SpecError]:
    grader: Grader = entry.document  # type: ignore[assignment]
    if ":" in grader.implementation:
        return []  # a custom module:function, imported when grading
    from podium.runtime.grading.registry import metric_names

    names = metric_names()
    if grader.implementation in names:
        return []
    return [_missing_reference(entry, ("implementation",), grader.implementation, "built-in metric", names)]


def _suite_errors(catalog: Catalog, entry: Entry) -> list[SpecError]:
    suite: Suite = entry.document  # type: ignore[assignment]
    errors: list[SpecError] = []
    if suite.split is not None:
        errors += _file_errors(catalog, entry, ("split", "file"), suite.split.file)
        if errors:
            return errors
        members = read_split_file(entry.folder / suite.split.file)
        key_path: tuple[str | int, ...] = ("split", "file")
        errors += [_missing_reference(entry, key_path, m, "competition", catalog.competitions)
                   for m in members if m not in catalog.competitions]  # fmt: skip
    for index, member in enumerate(suite.competitions):
        if member not in catalog.competitions:
            errors.append(
                _missing_reference(entry, ("competitions", index), member, "competition", catalog.competitions)
            )
    for index, scaffold in enumerate(suite.scaffolds):
        if scaffold not in catalog.scaffolds:
            errors.append(_missing_reference(entry, ("scaffolds", index), scaffold, "scaffold", catalog.scaffolds))
    return errors


def _file_errors(catalog: Catalog, entry: Entry, key_path: tuple[str, ...], relative: str) -> list[SpecError]:
    """A file a spec names must exist and stay inside the specs folder."""
    target = (entry.folder / relative).resolve()
    if not target.is_relative_to(catalog.root.resolve()):
        return [
            entry.loaded.error(
                key_path,
                f"{relative!r} points outside the specs folder",
                "a path inside specs/, next to the spec",
            )
        ]
    if not target.is_file():
        return [
            entry.loaded.error(key_path, f"file {relative!r} does not exist", f"a file in {display_path(entry.folder)}")
        ]
    return []


def _hook_errors(catalog: Catalog, entry: Entry, key_path: tuple[str, ...], hook: str | None) -> list[SpecError]:
    if hook is None:
        return []
    module, _, _function = hook.partition(":")
    if module.endswith(".py"):
        return _file_errors(catalog, entry, key_path, module)
    return []


def find_specs_root(start: Path | None = None) -> Path:
    """`$PODIUM_SPECS`, else the nearest `specs/` upwards from the working directory, else the
    specs that ship beside this source tree (the embedded defaults)."""
    if env := os.environ.get("PODIUM_SPECS"):
        return Path(env)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if folder.name == "specs" and any((folder / k).is_dir() for k in DOCUMENTS):
            return folder
        if (folder / "specs" / "competitions").is_dir():
            return folder / "specs"
    return Path(__file__).resolve().parent.parent / "specs"
