"""Compile resolved specs into packages: `generated/competitions/<id>/`, `generated/scaffolds/<id>/`.

    catalog ──plan──▶ PackagePlan ──fingerprint──▶ unchanged? skip
                                  ──render (cookiecutter, into a temp dir beside the target)
                                  ──frozen files (spec.json, sha256, thresholds, hooks)──▶ swap in

Templates see the spec only through the escaping filters of podium.generator.filters; the code
they produce reads the frozen spec at run time instead of having values templated into it.
A package is rebuilt when its fingerprint changes: spec hash, template hash (the template folder
and the code that renders it), podium version, hook files, leaderboard found. The manifest
(`<out>/manifest.json`) records each fingerprint plus a hash of the tree that was written, so
`check` also finds packages edited by hand. Output is deterministic: no timestamps, sorted keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import traceback
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from podium import __version__ as PODIUM_VERSION
from podium.generator.catalog import Catalog
from podium.generator.errors import did_you_mean, display_path
from podium.generator.models import Competition, Scaffold
from podium.runtime.spec import ResolvedCompetition, canonical_json

Kind = Literal["competition", "scaffold"]
KINDS: tuple[Kind, ...] = ("competition", "scaffold")
TEMPLATES = Path(__file__).parent / "templates"
# Code whose change changes the output as much as a template edit does: hashed with the templates.
RENDERING_CODE = (Path(__file__), Path(__file__).with_name("filters.py"))
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
SCRATCH_PREFIX = ".building-"
# Files a user or pip adds to a package (build inputs, build leftovers): never part of the tree hash,
# and the build inputs are carried over when the package is rebuilt.
LOCAL_FILES = ("*/__pycache__/*", "*.pyc", "*.egg-info/*", "build/*", "dist/*")
CARRIED_OVER = ("wheels/*.whl", "certs/*.pem")
# Package-data globs skip dotfiles, so an installed podium would lose them: templates name them
# without the dot and the build renames them.
DOTFILES = ("dockerignore",)
# Scaffolds whose image runs podium's own agents (podium.runtime.agents.<agent>): their image installs the
# podium wheel with the `agents` extra, pinned by AGENT_CONSTRAINTS; every other image stays light.
PODIUM_AGENTS = ("baseline", "aide")
AGENT_CONSTRAINTS = TEMPLATES / "scaffold" / "agent-constraints.txt"
PINNED_REQUIREMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9._,-]+\])?===?[A-Za-z0-9.+!_-]+$")


class BuildError(Exception):
    """A package cannot be built; the message names the spec and, for template errors, the line."""


@dataclass(frozen=True)
class PackagePlan:
    """Everything one package is built from."""

    kind: Kind
    id: str
    spec_file: Path
    spec: BaseModel  # ResolvedCompetition or Scaffold: frozen into the package as canonical JSON
    hooks: dict[str, Path] = field(default_factory=dict)  # path inside the package's hooks/ -> source
    leaderboard: Path | None = None
    leaderboard_note: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}s/{self.id}"

    @property
    def spec_json(self) -> str:
        return canonical_json(self.spec)

    @property
    def spec_sha256(self) -> str:
        return sha256_text(self.spec_json)


@dataclass(frozen=True)
class Outcome:
    key: str
    status: Literal["built", "unchanged", "removed"]
    seconds: float = 0.0
    note: str = ""


@dataclass(frozen=True)
class Stale:
    key: str
    reasons: tuple[str, ...]


# ── planning ────────────────────────────────────────────────────────────────────────────────


def select(catalog: Catalog, ids: Sequence[str] = ()) -> list[tuple[Kind, str]]:
    """(kind, id) to build: every spec for no ids; else each id, and for a competition the
    scaffolds of the suites it belongs to."""
    if not ids:
        return [("competition", c) for c in sorted(catalog.competitions)] + [
            ("scaffold", s) for s in sorted(catalog.scaffolds)
        ]
    chosen: set[tuple[Kind, str]] = set()
    for spec_id in ids:
        if spec_id in catalog.competitions:
            chosen.add(("competition", spec_id))
            chosen.update(("scaffold", s) for s in _suite_scaffolds(catalog, spec_id))
        if spec_id in catalog.scaffolds:
            chosen.add(("scaffold", spec_id))
        if spec_id not in catalog.competitions and spec_id not in catalog.scaffolds:
            known = [*catalog.competitions, *catalog.scaffolds]
            raise BuildError(
                f"no competition or scaffold {spec_id!r} in {catalog.root}{did_you_mean(spec_id, known)}; "
                "`podium list competitions` and `podium list scaffolds` show the ids"
            )
    return sorted(chosen, key=lambda pair: (KINDS.index(pair[0]), pair[1]))


def _suite_scaffolds(catalog: Catalog, competition_id: str) -> set[str]:
    scaffolds: set[str] = set()
    for suite_id, entry in catalog.suites.items():
        if competition_id in catalog.suite_members(suite_id):
            scaffolds.update(s for s in entry.document.scaffolds if s in catalog.scaffolds)  # type: ignore[attr-defined]
    return scaffolds


def require_valid(catalog: Catalog) -> None:
    """Nothing is built from a catalog with errors: a spec that failed to load is never skipped."""
    if catalog.errors:
        shown = "\n".join(str(error) for error in sorted(set(catalog.errors))[:20])
        raise BuildError(f"the specs have errors; fix them first (`podium validate`):\n{shown}")


def plan(catalog: Catalog, kind: Kind, spec_id: str, leaderboards: Path | None = None) -> PackagePlan:
    if kind == "scaffold":
        return _plan_scaffold(catalog, spec_id)
    return _plan_competition(catalog, spec_id, leaderboards)


def _plan_competition(catalog: Catalog, competition_id: str, leaderboards: Path | None) -> PackagePlan:
    from podium.generator.resolve import resolve_competition

    entry = catalog.competitions[competition_id]
    document: Competition = entry.document  # type: ignore[assignment]
    resolved = resolve_competition(catalog, competition_id)
    generator = getattr(document.source, "generator", None)
    hooks = _hook_files(entry.loaded.path, [document.prepare.hook, generator])
    leaderboard, note = find_pinned_leaderboard(resolved, leaderboards)
    return PackagePlan("competition", competition_id, entry.loaded.path, resolved, hooks, leaderboard, note)


def _plan_scaffold(catalog: Catalog, scaffold_id: str) -> PackagePlan:
    entry = catalog.scaffolds[scaffold_id]
    scaffold: Scaffold = entry.document  # type: ignore[assignment]
    for index, requirement in enumerate(scaffold.image.requirements):
        if not PINNED_REQUIREMENT.match(requirement):
            raise BuildError(
                f"{display_path(entry.loaded.path)}: image.requirements[{index}]: {requirement!r} is not "
                "pinned; write one exact requirement such as 'pandas==2.2.3'"
            )
    hooks = _hook_files(entry.loaded.path, [scaffold.hook])
    return PackagePlan("scaffold", scaffold_id, entry.loaded.path, scaffold, hooks)


def _hook_files(spec_file: Path, references: Iterable[str | None]) -> dict[str, Path]:
    """`file.py:function` hooks, by their path relative to the spec's folder (as the runtime
    resolves them against the package's hooks/ folder)."""
    folder = spec_file.parent.resolve()
    hooks: dict[str, Path] = {}
    for reference in references:
        relative = (reference or "").partition(":")[0]
        if not relative.endswith(".py"):
            continue  # none, or an importable `package.module:function`
        source = (folder / relative).resolve()
        if not source.is_relative_to(folder) or not source.is_file():
            raise BuildError(
                f"{display_path(spec_file)}: hook {reference!r} must be a file inside {display_path(folder)}"
            )
        hooks[source.relative_to(folder).as_posix()] = source
    return hooks


def find_pinned_leaderboard(competition: ResolvedCompetition, leaderboards: Path | None) -> tuple[Path | None, str]:
    """The leaderboard file to compute thresholds from, or None and a note saying why not."""
    from podium.runtime.grading.leaderboard import (
        LEADERBOARD_FILE,
        Leaderboard,
        LeaderboardError,
        find_leaderboard,
    )

    pin = competition.leaderboard.sha256
    if pin is None:
        return None, "none: the spec pins no leaderboard"
    explicit = leaderboards / competition.id / LEADERBOARD_FILE if leaderboards else None
    path = explicit if explicit and explicit.is_file() else find_leaderboard(competition.id)
    if path is None:
        return None, "none: the pinned leaderboard was not available at build time"
    try:
        found = Leaderboard.from_csv(path)
    except LeaderboardError:
        return None, "none: the leaderboard found at build time was unreadable"
    if found.sha256 != pin:
        return None, "none: the leaderboard found at build time did not match the pinned sha256"
    return path, "computed from the pinned leaderboard"


# ── fingerprints and the manifest ───────────────────────────────────────────────────────────


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files_sha256(files: Iterable[tuple[str, Path]]) -> str:
    """One hash over (name, bytes) pairs in name order; names are part of it, so renames count."""
    digest = hashlib.sha256()
    for name, path in sorted(files):
        digest.update(name.encode() + b"\0" + sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def template_sha256(kind: Kind) -> str:
    folder = TEMPLATES / kind
    files = [(p.relative_to(folder).as_posix(), p) for p in folder.rglob("*") if _is_source_file(p)]
    files += [(f"code/{p.name}", p) for p in RENDERING_CODE]
    return files_sha256(files)


def _is_source_file(path: Path) -> bool:
    return path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"


def tree_sha256(folder: Path) -> str:
    """The hash of what a build wrote: every file but LOCAL_FILES and CARRIED_OVER inputs."""
    return files_sha256((name, folder / name) for name in package_files(folder))


def package_files(folder: Path) -> list[str]:
    names = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(n for n in names if not _matches(n, LOCAL_FILES + CARRIED_OVER))


def _matches(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch(name, pattern) or fnmatch(f"x/{name}", pattern) for pattern in patterns)


def fingerprint(package: PackagePlan) -> dict[str, Any]:
    leaderboard = sha256_file(package.leaderboard) if package.leaderboard else None
    return {
        "kind": package.kind,
        "id": package.id,
        "spec_sha256": package.spec_sha256,
        "template_sha256": template_sha256(package.kind),
        "podium_version": PODIUM_VERSION,
        "hooks_sha256": {name: sha256_file(path) for name, path in sorted(package.hooks.items())},
        "leaderboard_sha256": leaderboard,
    }


def read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    path = out / MANIFEST
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}  # unreadable: every package counts as stale and is rebuilt
    packages: dict[str, dict[str, Any]] = data.get("packages", {})
    return packages


def write_manifest(out: Path, packages: dict[str, dict[str, Any]]) -> None:
    data = {"format": MANIFEST_FORMAT, "packages": packages}
    write_atomically(out / MANIFEST, json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def write_atomically(path: Path, text: str) -> None:
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)


def stale_reasons(recorded: dict[str, Any] | None, current: dict[str, Any], folder: Path) -> list[str]:
    if recorded is None or not folder.is_dir():
        return ["not built"]
    labels = {
        "spec_sha256": "spec changed",
        "template_sha256": "templates changed",
        "podium_version": "podium version changed",
        "hooks_sha256": "hook files changed",
    }
    reasons = [label for name, label in labels.items() if recorded.get(name) != current[name]]
    # The pin is part of the spec hash, so thresholds built from it stay right when the file is not
    # at hand now; only a leaderboard that has become available makes a package stale.
    if current["leaderboard_sha256"] and recorded.get("leaderboard_sha256") != current["leaderboard_sha256"]:
        reasons.append("the pinned leaderboard is now available for thresholds")
    if recorded.get("tree_sha256") != tree_sha256(folder):
        reasons.append("files edited by hand")
    return reasons


# ── building ─────────────────────────────────────────────────────────────────────────────────


def build(
    catalog: Catalog,
    out: Path,
    ids: Sequence[str] = (),
    *,
    leaderboards: Path | None = None,
    force: bool = False,
) -> list[Outcome]:
    """Build the selected packages (all for no ids) into `out`; unchanged ones are skipped.

    Building everything also removes packages whose spec is gone. The manifest is rewritten
    after each package, so a failure part-way keeps it true for what was built.
    """
    require_valid(catalog)
    out.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(out)
    outcomes = []
    for kind, spec_id in select(catalog, ids):
        package = plan(catalog, kind, spec_id, leaderboards)
        outcomes.append(_build_one(package, out, manifest, force))
    if not ids:
        outcomes += _remove_orphans(catalog, out, manifest)
    return outcomes


def _build_one(package: PackagePlan, out: Path, manifest: dict[str, dict[str, Any]], force: bool) -> Outcome:
    started = time.perf_counter()
    current = fingerprint(package)
    target = out / package.key
    if not force and not stale_reasons(manifest.get(package.key), current, target):
        return Outcome(package.key, "unchanged", time.perf_counter() - started)
    render_package(package, target)
    manifest[package.key] = {**current, "tree_sha256": tree_sha256(target)}
    write_manifest(out, manifest)
    note = package.leaderboard_note if package.kind == "competition" else ""
    return Outcome(package.key, "built", time.perf_counter() - started, note)


def _remove_orphans(catalog: Catalog, out: Path, manifest: dict[str, dict[str, Any]]) -> list[Outcome]:
    wanted = {f"{kind}s/{spec_id}" for kind, spec_id in select(catalog)}
    removed = []
    for key in sorted(set(manifest) - wanted):
        shutil.rmtree(out / key, ignore_errors=True)
        del manifest[key]
        removed.append(Outcome(key, "removed"))
    if removed:
        write_manifest(out, manifest)
    return removed


def check(catalog: Catalog, out: Path, ids: Sequence[str] = (), leaderboards: Path | None = None) -> list[Stale]:
    """What a build would change: stale or missing packages and, for all, removed specs."""
    require_valid(catalog)
    manifest = read_manifest(out)
    stale = []
    for kind, spec_id in select(catalog, ids):
        package = plan(catalog, kind, spec_id, leaderboards)
        reasons = stale_reasons(manifest.get(package.key), fingerprint(package), out / package.key)
        if reasons:
            stale.append(Stale(package.key, tuple(reasons)))
    if not ids:
        wanted = {f"{kind}s/{spec_id}" for kind, spec_id in select(catalog)}
        stale += [Stale(key, ("its spec is gone",)) for key in sorted(set(manifest) - wanted)]
    return stale


def render_package(package: PackagePlan, target: Path) -> None:
    """Render into a temp folder beside `target`, then swap it in: a failure leaves the old one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_scratch(target.parent)
    scratch = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-{package.id}-", dir=target.parent))
    try:
        rendered = _render_template(package, scratch)
        write_frozen_files(package, rendered)
        _carry_over_inputs(target, rendered)
        swap_into_place(rendered, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _render_template(package: PackagePlan, scratch: Path) -> Path:
    from cookiecutter.main import cookiecutter

    template = TEMPLATES / package.kind
    config = _cookiecutter_config(scratch)
    try:
        rendered = cookiecutter(
            str(template),
            no_input=True,
            extra_context=template_context(package),
            output_dir=str(scratch / "out"),
            config_file=str(config),
            accept_hooks=False,
        )
    except Exception as error:
        raise BuildError(describe_template_error(package, template, error)) from error
    for name in DOTFILES:
        os.replace(Path(rendered) / name, Path(rendered) / f".{name}")
    return Path(rendered)


def _cookiecutter_config(scratch: Path) -> Path:
    # Our own config: the user's ~/.cookiecutterrc must not change the output, and cookiecutter's
    # replay file (a copy of the context) belongs in the scratch folder, not in the home folder.
    config = scratch / "cookiecutter.yaml"
    settings = {"replay_dir": str(scratch / "replay"), "cookiecutters_dir": str(scratch / "cache")}
    config.write_text(json.dumps(settings), encoding="utf-8")  # JSON is YAML
    return config


def template_context(package: PackagePlan) -> dict[str, Any]:
    """Cookiecutter's extra_context. The spec goes under `_spec`: cookiecutter renders every
    variable whose name has no leading underscore as a template, which a spec string must never be."""
    sha = package.spec_sha256
    slug = re.sub(r"[^a-z0-9]+", "_", package.id.lower())
    version = f"{PODIUM_VERSION}{'.' if '+' in PODIUM_VERSION else '+'}spec.{sha[:12]}"
    return {
        "id": package.id,
        "_spec": package.spec.model_dump(mode="json", by_alias=True),
        "_package": {
            "kind": package.kind,
            "python_package": f"podium_pkg_{slug}",
            "distribution": f"podium-pkg-{slug.replace('_', '-')}",
            "script": f"podium-{package.id}",
            "version": version,
            "podium_version": PODIUM_VERSION,
            "spec_sha256": sha,
            "thresholds_note": package.leaderboard_note,
            **(scaffold_image_context(package.spec) if package.kind == "scaffold" else {}),  # type: ignore[arg-type]
        },
    }


def scaffold_image_context(scaffold: Scaffold) -> dict[str, Any]:
    """Whether the image installs podium, and the pins it installs it with (the spec's own pins win)."""
    if scaffold.agent not in PODIUM_AGENTS:
        return {"podium_agent": False, "constraints": []}
    own = {requirement_name(requirement) for requirement in scaffold.image.requirements}
    lines = AGENT_CONSTRAINTS.read_text(encoding="utf-8").splitlines()
    pins = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return {"podium_agent": True, "constraints": [pin for pin in pins if requirement_name(pin) not in own]}


def requirement_name(requirement: str) -> str:
    """The normalised project name of a pinned requirement (PEP 503): `Scikit_Learn[x]==1` -> scikit-learn."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[=<>!~;\s]", requirement, maxsplit=1)[0]).lower()


def write_frozen_files(package: PackagePlan, rendered: Path) -> None:
    """spec.json (canonical JSON, so `sha256sum spec.json` is the spec hash), its sha256 in
    sha256sum format, thresholds, and the hook files the spec names."""
    if package.kind == "competition":
        folder = rendered / template_context(package)["_package"]["python_package"]
        name = "spec.json"
    else:
        folder, name = rendered / "agent", "scaffold.json"
    (folder / name).write_text(package.spec_json, encoding="utf-8")
    stem = name.removesuffix(".json")
    (folder / f"{stem}.sha256").write_text(f"{package.spec_sha256}  {name}\n", encoding="utf-8")
    if package.leaderboard is not None:
        thresholds = thresholds_document(package)
        (folder / "thresholds.json").write_text(
            json.dumps(thresholds, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
    for relative, source in package.hooks.items():
        destination = folder / "hooks" / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def thresholds_document(package: PackagePlan) -> dict[str, Any]:
    from podium.runtime.grading.leaderboard import Leaderboard, thresholds

    assert package.leaderboard is not None
    competition: ResolvedCompetition = package.spec  # type: ignore[assignment]
    board = Leaderboard.from_csv(package.leaderboard)
    limits = thresholds(board.scores)
    return {
        "competition_id": competition.id,
        "leaderboard_sha256": board.sha256,
        "is_lower_better": competition.grader.is_lower_better,
        **limits.fields(),
    }


def _carry_over_inputs(old: Path, new: Path) -> None:
    """Keep the wheel and CA bundle a user placed in the old package (docker build inputs)."""
    if not old.is_dir():
        return
    for pattern in CARRIED_OVER:
        for path in old.glob(pattern):
            destination = new / path.relative_to(old)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)


def swap_into_place(new: Path, target: Path) -> None:
    """Replace `target` with `new` by two renames; the old folder is restored if the second fails."""
    if not target.exists():
        os.replace(new, target)
        return
    retired = target.with_name(f"{SCRATCH_PREFIX}{os.getpid()}-{target.name}-old")
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(target, retired)
    try:
        os.replace(new, target)
    except OSError:
        os.replace(retired, target)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _remove_abandoned_scratch(folder: Path) -> None:
    """Scratch folders (`.building-<pid>-...`) of builds whose process is gone: a crash or a kill."""
    for scratch in folder.glob(f"{SCRATCH_PREFIX}*"):
        owner = scratch.name.removeprefix(SCRATCH_PREFIX).partition("-")[0]
        if owner.isdigit() and not _alive(int(owner)):
            shutil.rmtree(scratch, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# ── template errors ──────────────────────────────────────────────────────────────────────────


def describe_template_error(package: PackagePlan, template: Path, error: BaseException) -> str:
    """`SPEC: building KIND ID: TEMPLATE:LINE: problem`, the line found in Jinja's traceback."""
    cause = getattr(error, "error", None) or error  # cookiecutter wraps Jinja's UndefinedError
    where = _template_location(template, cause)
    problem = getattr(cause, "message", None) or str(cause) or type(cause).__name__
    if "has no attribute" in problem or "is undefined" in problem:
        problem += " (a field the spec does not have: check the template against the resolved spec)"
    return f"{display_path(package.spec_file)}: building {package.kind} {package.id!r}: {where}{problem}"


def _template_location(template: Path, error: BaseException) -> str:
    filename, line = getattr(error, "filename", None), getattr(error, "lineno", None)
    if not (filename and line):
        frames = [f for f in traceback.extract_tb(error.__traceback__) if _in_template(template, f.filename)]
        if frames:
            filename, line = frames[-1].filename, frames[-1].lineno
    if not (filename and line):
        return "template: "
    return f"{display_path(_template_file(template, filename))}:{line}: "


def _in_template(template: Path, filename: str) -> bool:
    path = _template_file(template, filename)
    return path.is_file() and path.resolve().is_relative_to(template.resolve())


def _template_file(template: Path, filename: str) -> Path:
    path = Path(filename)
    if path.is_absolute():
        return path
    # Cookiecutter loads templates relative to the rendered project folder inside the template.
    return next((p for p in _project_folders(template) if (p / path).is_file()), template) / path


def _project_folders(template: Path) -> Iterator[Path]:
    yield from (p for p in template.iterdir() if p.is_dir() and "cookiecutter" in p.name)
