"""`podium new KIND ID`: render a commented spec skeleton from a cookiecutter template."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from podium.runtime.spec.parts import ID_PATTERN

TEMPLATES = Path(__file__).parent / "templates" / "new"
KINDS = {"competition": "competitions", "grader": "graders", "scaffold": "scaffolds", "suite": "suites"}


class NewSpecError(ValueError):
    """The kind, id or destination does not allow a new spec; the message says what to do."""


def render_new_spec(kind: str, spec_id: str, specs_root: Path, overwrite: bool = False) -> Path:
    from cookiecutter.main import cookiecutter

    if kind not in KINDS:
        raise NewSpecError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if not re.match(ID_PATTERN, spec_id):
        raise NewSpecError(
            f"{spec_id!r} is not a valid id; use letters, digits, '.', '_' and '-', starting with a letter or digit"
        )
    destination = _destination(kind, spec_id, specs_root)
    if destination.exists() and not overwrite:
        raise NewSpecError(f"{destination} exists; pick another id or pass --force to overwrite it")
    with tempfile.TemporaryDirectory() as scratch:
        rendered = Path(
            cookiecutter(str(TEMPLATES / kind), no_input=True, output_dir=scratch, extra_context={"id": spec_id})
        )
        destination.parent.mkdir(parents=True, exist_ok=True)
        if kind == "competition":  # a folder: spec, description, room for hooks
            shutil.rmtree(destination, ignore_errors=True)
            shutil.copytree(rendered, destination)
            return destination / "spec.yaml"
        shutil.copyfile(rendered / "spec.yaml", destination)
    return destination


def _destination(kind: str, spec_id: str, specs_root: Path) -> Path:
    folder = specs_root / KINDS[kind]
    return folder / spec_id if kind == "competition" else folder / f"{spec_id}.yaml"
